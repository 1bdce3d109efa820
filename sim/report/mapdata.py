"""What the hex map shows per seat: its hexagon, colour, shade and tooltip text."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.analysis.plots import COLOURS
from sim.montecarlo.results import SimulationResult, label
from sim.report.hexmap import HexMap

SHADES: dict[str, float] = {"safe": 1.0, "likely": 0.7, "lean": 0.45, "toss-up": 0.25}
"""Fill opacity of a hex by its favourite's label (win probability, :data:`sim.montecarlo.results.LABELS`)."""

SHADE_NAMES: dict[str, str] = {
    "safe": "safe (95% or more)",
    "likely": "likely (80-95%)",
    "lean": "lean (60-80%)",
    "toss-up": "toss-up (under 60%)",
}

UNKNOWN_COLOUR = "#999999"


@dataclass(frozen=True)
class MapSeat:
    """One hex of the map, ready for the SVG template."""

    code: str
    name: str
    points: str
    fill: str
    opacity: float
    favourite: str
    title: str
    highlight: bool = False


def party_colour(party: str) -> str:
    """The chart colour of a party."""
    return COLOURS.get(party, UNKNOWN_COLOUR)


def _listing(values: np.ndarray, parties: tuple[str, ...], floor: float, n: int = 6) -> str:
    order = [p for p in np.argsort(-values, kind="stable")[:n] if values[p] >= floor]
    return ", ".join(f"{parties[p]} {100 * values[p]:.1f}%" for p in order)


def seat_tooltip(result: SimulationResult, i: int) -> str:
    """Tooltip of seat ``i``: name, base result, projected shares and win probabilities."""
    e = result.projection.election
    parties = result.parties
    base = e.shares[i]
    # lead between the leading candidates (a pooled IND column can hold several candidates)
    candidates = base * e.lead_fraction[i]
    lead = candidates[e.winners[i]] - np.delete(candidates, e.winners[i]).max()
    prob = result.wins[i] / result.draws
    return "\n".join(
        (
            f"{e.seat_names[i]} ({e.seat_ids[i]})",
            f"{e.name} result: {parties[e.winners[i]]} won by {100 * lead:.1f} points; {_listing(base, parties, 0.01)}",
            f"Projected shares: {_listing(result.projection.shares[i], parties, 0.01)}",
            f"Win probability: {_listing(prob, parties, 0.005)}",
        )
    )


def map_geometry(hexmap: HexMap, scale: float = 14.0, margin: float = 1.0) -> tuple[np.ndarray, float, float]:
    """Hex corners in SVG pixels (y down), ``(n_seats, 6, 2)``, and the drawing's width and height."""
    corners = hexmap.corners()
    low = corners.reshape(-1, 2).min(axis=0) - margin
    high = corners.reshape(-1, 2).max(axis=0) + margin
    px = np.empty_like(corners)
    px[..., 0] = (corners[..., 0] - low[0]) * scale
    px[..., 1] = (high[1] - corners[..., 1]) * scale
    width, height = (high - low) * scale
    return px, float(width), float(height)


def map_seats(
    result: SimulationResult, hexmap: HexMap, highlight: np.ndarray | None = None, scale: float = 14.0
) -> tuple[list[MapSeat], float, float]:
    """Every seat's hex for the SVG map, highlighted ones last (so their outline is on top)."""
    e = result.projection.election
    prob = result.wins / result.draws
    fav = prob.argmax(axis=1)
    corners, width, height = map_geometry(hexmap, scale)
    seats = []
    for i in range(e.n_seats):
        party = result.parties[fav[i]]
        seats.append(
            MapSeat(
                code=str(e.seat_ids[i]),
                name=str(e.seat_names[i]),
                points=" ".join(f"{x:.1f},{y:.1f}" for x, y in corners[i]),
                fill=party_colour(party),
                opacity=SHADES[label(float(prob[i, fav[i]]))],
                favourite=party,
                title=seat_tooltip(result, i),
                highlight=bool(highlight[i]) if highlight is not None else False,
            )
        )
    seats.sort(key=lambda seat: seat.highlight)  # stable: seat order kept within each group
    return seats, width, height


def legend(result: SimulationResult) -> list[tuple[str, str, int]]:
    """Parties that are favourite somewhere: ``(party, colour, seats as favourite)``, most first."""
    fav = (result.wins / result.draws).argmax(axis=1)
    counts = np.bincount(fav, minlength=len(result.parties))
    order = [p for p in np.argsort(-counts, kind="stable") if counts[p] > 0]
    return [(result.parties[p], party_colour(result.parties[p]), int(counts[p])) for p in order]
