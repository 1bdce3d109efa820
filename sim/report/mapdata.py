"""What the hex map shows per seat: its hexagon, colour, shade and tooltip text."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from sim.analysis.plots import COLOURS
from sim.data.hexmap import HexMap
from sim.montecarlo.results import SimulationResult, label

SHADES: dict[str, float] = {"safe": 1.0, "likely": 0.7, "lean": 0.45, "toss-up": 0.25}
"""Fill opacity of a hex by its favourite's label (win probability, :data:`sim.montecarlo.results.LABELS`)."""

SHADE_NAMES: dict[str, str] = {
    "safe": "safe (95% or more)",
    "likely": "likely (80-95%)",
    "lean": "lean (60-80%)",
    "toss-up": "toss-up (under 60%)",
}

UNKNOWN_COLOUR = "#999999"

HATCHED: tuple[str, ...] = ("REF", "BRX", "UKIP")
"""Parties drawn hatched (stripes of their colour and white): Reform's teal and the Conservatives' blue
look alike in the pale shades of uncertain seats, and the stripes tell them apart at any shade."""
HEX_INSET = 0.86
"""Each hex is drawn at this size about its centre: the white gap between hexes lets its outline,
in its party's colour darkened, show the party even where the fill is pale."""
REGION_LABELS: dict[str, str] = {
    "Northern Ireland": "N. Ireland", "Yorkshire and The Humber": "Yorkshire", "East Midlands": "E. Midlands",
    "West Midlands": "W. Midlands", "East of England": "East", "South East": "South East", "South West": "South West",
    "North East": "North East", "North West": "North West",
}  # fmt: skip


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
    stroke: str = "#ffffff"


@dataclass(frozen=True)
class Region:
    """A region's label on the map: its name and where it goes (SVG pixels)."""

    name: str
    x: float
    y: float


def party_colour(party: str) -> str:
    """The chart colour of a party."""
    return COLOURS.get(party, UNKNOWN_COLOUR)


def party_fill(party: str) -> str:
    """A hex's fill: the party's colour, or its hatch pattern (:data:`HATCHED`, defined by the map's template)."""
    return f"url(#hatch-{party})" if party in HATCHED else party_colour(party)


def outline_colour(party: str, darken: float = 0.3) -> str:
    """The party's colour darkened: a hex's outline, visible on white even for a pale yellow."""
    colour = party_colour(party).lstrip("#")
    rgb = [int(colour[i : i + 2], 16) for i in (0, 2, 4)]
    return "#" + "".join(f"{round(c * (1 - darken)):02x}" for c in rgb)


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


def _frame(
    hexmap: HexMap, scale: float, margin: float
) -> tuple[np.ndarray, Callable[[np.ndarray], np.ndarray], float, float]:
    """The inset hex corners, the map from hex units to SVG pixels (y down), and the drawing's size."""
    corners = hexmap.corners()
    centres = corners.mean(axis=1, keepdims=True)
    corners = centres + HEX_INSET * (corners - centres)
    low = corners.reshape(-1, 2).min(axis=0) - margin
    high = corners.reshape(-1, 2).max(axis=0) + margin

    def to_pixels(points: np.ndarray) -> np.ndarray:
        px = np.empty_like(points)
        px[..., 0] = (points[..., 0] - low[0]) * scale
        px[..., 1] = (high[1] - points[..., 1]) * scale
        return px

    width, height = (high - low) * scale
    return corners, to_pixels, float(width), float(height)


def map_geometry(hexmap: HexMap, scale: float = 14.0, margin: float = 1.0) -> tuple[np.ndarray, float, float]:
    """Hex corners in SVG pixels (y down), ``(n_seats, 6, 2)``, and the drawing's width and height."""
    corners, to_pixels, width, height = _frame(hexmap, scale, margin)
    return to_pixels(corners), width, height


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
                fill=party_fill(party),
                opacity=SHADES[label(float(prob[i, fav[i]]))],
                favourite=party,
                title=seat_tooltip(result, i),
                highlight=bool(highlight[i]) if highlight is not None else False,
                stroke=outline_colour(party),
            )
        )
    seats.sort(key=lambda seat: seat.highlight)  # stable: seat order kept within each group
    return seats, width, height


def legend(result: SimulationResult) -> list[tuple[str, str, int]]:
    """Parties that are favourite somewhere: ``(party, fill, seats as favourite)``, most first."""
    fav = (result.wins / result.draws).argmax(axis=1)
    counts = np.bincount(fav, minlength=len(result.parties))
    order = [p for p in np.argsort(-counts, kind="stable") if counts[p] > 0]
    return [(result.parties[p], party_fill(result.parties[p]), int(counts[p])) for p in order]


def region_outlines(hexmap: HexMap, regions: np.ndarray, scale: float = 14.0) -> tuple[str, list[Region]]:
    """The borders between regions as one SVG path, and each region's label at its hexes' centre.

    A hex edge is a border when the hex across it belongs to another region (an edge with no hex
    across it is coast, not drawn). Coordinates are those of :func:`map_geometry`.
    """
    full = hexmap.corners()
    centres = hexmap.centres()
    _, to_pixels, _, _ = _frame(hexmap, scale, 1.0)
    where = {(round(2 * x), round(2 * y)): i for i, (x, y) in enumerate(centres)}
    parts = []
    for i in range(len(centres)):
        for k in range(6):
            a, b = full[i, k], full[i, (k + 1) % 6]
            across = a + b - centres[i]  # the centre of the hex across the edge a-b
            j = where.get((round(2 * across[0]), round(2 * across[1])))
            if j is None or j < i or regions[j] == regions[i]:
                continue
            (x1, y1), (x2, y2) = to_pixels(np.stack([a, b]))
            parts.append(f"M{x1:.1f} {y1:.1f}L{x2:.1f} {y2:.1f}")
    # each label on its region's most inland hex: the farthest from the region's edge (a hex beside
    # another region or the sea), the nearest to the region's centre among ties; so a region wrapped
    # round another (the South East round London) is not labelled inside it, nor a long one at an end
    edge = np.zeros(len(centres), dtype=bool)
    for i in range(len(centres)):
        for k in range(6):
            across = full[i, k] + full[i, (k + 1) % 6] - centres[i]
            j = where.get((round(2 * across[0]), round(2 * across[1])))
            edge[i] |= j is None or regions[j] != regions[i]
    labels = []
    pixels = to_pixels(centres)
    for name in dict.fromkeys(regions.tolist()):
        mask = regions == name
        inside, rim = centres[mask], centres[mask & edge]
        depth = (
            np.linalg.norm(inside[:, None, :] - rim[None, :, :], axis=2).min(axis=1)
            if len(rim)
            else np.zeros(len(inside))
        )
        off_centre = np.linalg.norm(inside - inside.mean(axis=0), axis=1)
        best = np.lexsort((off_centre, -np.round(depth, 3)))[0]
        x, y = pixels[mask][best]
        labels.append(Region(REGION_LABELS.get(str(name), str(name)), float(x), float(y)))
    return "".join(parts), labels
