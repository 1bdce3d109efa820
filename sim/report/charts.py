"""Matplotlib figures of a report: seat distributions as inline SVG, the hex map as a PNG."""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.data.election import MAJORITY
from sim.data.hexmap import HexMap
from sim.montecarlo.results import SimulationResult, label
from sim.report.mapdata import HATCHED, HEX_INSET, SHADE_NAMES, SHADES, legend, outline_colour, party_colour

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# Text stays text (smaller, selectable), ids are salted with a fixed string and the date is left
# out, so the same result gives the same bytes.
_SVG_RC: dict[str, Any] = {"svg.fonttype": "none", "svg.hashsalt": "swingometer"}


def _figure(width: float, height: float) -> Figure:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def main_parties(result: SimulationResult, n: int = 6) -> list[str]:
    """Parties with at least one seat on average, most seats first (at most ``n``)."""
    mean = result.mean_seats()
    return [result.parties[p] for p in np.argsort(-mean, kind="stable")[:n] if mean[p] >= 1]


def inline_svg(fig: Figure) -> str:
    """A figure as an ``<svg>`` element to put inside HTML (no XML prolog, doctype or metadata)."""
    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context(_SVG_RC):  # type: ignore[arg-type]
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    text = buffer.getvalue()
    text = re.sub(r"\s*<metadata>.*?</metadata>", "", text, flags=re.DOTALL)  # RDF boilerplate
    return text[text.index("<svg") :]


def seat_bins(seats: np.ndarray, most: int = 80) -> np.ndarray:
    """Histogram bin edges for integer seat counts: whole seats, several to a bin for wide ranges."""
    width = max(1, -(-(int(seats.max()) - int(seats.min()) + 1) // most))
    return np.arange(seats.min(), seats.max() + width + 1, width) - 0.5


def seat_distributions(results: Sequence[tuple[str, SimulationResult]], parties: Sequence[str]) -> Figure:
    """Seat histograms, one panel per party, scenarios overlaid, with the majority line where in reach."""
    cols = min(3, len(parties))
    rows = -(-len(parties) // cols)
    fig = _figure(3.6 * cols, 2.6 * rows)
    axes = np.atleast_1d(fig.subplots(rows, cols, squeeze=False)).ravel()
    for ax, party in zip(axes, parties, strict=False):
        p = results[0][1].parties.index(party)
        top = 0
        for name, result in results:
            seats, weights = result.seat_histogram(p)
            top = max(top, int(seats.max()))
            bins = seat_bins(seats)
            colour = party_colour(party) if len(results) == 1 else None
            ax.hist(
                seats,
                bins=bins,
                weights=weights,
                color=colour,
                alpha=0.55 if len(results) > 1 else 0.9,
                label=name,
                density=True,
                histtype="stepfilled",
            )
        if top >= MAJORITY - 100:
            ax.axvline(MAJORITY, color="black", lw=0.9, ls="--")
            ax.text(MAJORITY, 0.97, " majority", transform=ax.get_xaxis_transform(), fontsize=8, va="top")
        ax.set_title(party, fontsize=10)
        ax.set_xlabel("seats", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.set_yticks([])
    for ax in axes[len(parties) :]:
        ax.set_visible(False)
    if len(results) > 1:
        axes[0].legend(fontsize=7)
    return fig


def map_figure(result: SimulationResult, hexmap: HexMap, title: str) -> Figure:
    """The hex map as a matplotlib figure: colour by favourite, shade by its win probability."""
    from matplotlib.collections import PolyCollection
    from matplotlib.colors import to_rgba
    from matplotlib.patches import Patch

    prob = result.wins / result.draws
    fav = prob.argmax(axis=1)
    parties = [result.parties[f] for f in fav]
    faces = [
        to_rgba(party_colour(p), SHADES[label(float(prob[i, f]))])
        for i, (p, f) in enumerate(zip(parties, fav, strict=True))
    ]
    edges = [outline_colour(p) for p in parties]
    corners = hexmap.corners()
    centres = corners.mean(axis=1, keepdims=True)
    corners = centres + HEX_INSET * (corners - centres)
    fig = _figure(9.5, 8.5)
    ax = fig.subplots()
    for hatched in (False, True):  # Reform (and the Brexit Party, UKIP) hatched, as on the HTML map
        keep = [i for i, p in enumerate(parties) if (p in HATCHED) == hatched]
        if keep:
            ax.add_collection(PolyCollection([corners[i] for i in keep], facecolors=[faces[i] for i in keep],
                                             edgecolors=[edges[i] for i in keep], linewidths=0.5,
                                             hatch="/////" if hatched else None))  # fmt: skip
    ax.autoscale_view()
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(title, fontsize=11)
    handles = [Patch(facecolor=party_colour(party), edgecolor=outline_colour(party), hatch="/////" if party in HATCHED
                     else None, label=f"{party} ({n})") for party, _, n in legend(result)]  # fmt: skip
    first = ax.legend(handles=handles, title="favourite in (seats)", loc="upper left", bbox_to_anchor=(1.0, 1.0),
                      fontsize=8, title_fontsize=8)  # fmt: skip
    ax.add_artist(first)
    shades = [Patch(color=to_rgba("#555555", a), label=SHADE_NAMES[name]) for name, a in SHADES.items()]
    ax.legend(handles=shades, title="favourite's win probability", loc="lower left",
              bbox_to_anchor=(1.0, 0.0), fontsize=8, title_fontsize=8)  # fmt: skip
    return fig


def map_png(result: SimulationResult, hexmap: HexMap, title: str) -> bytes:
    """The hex map as PNG bytes (150 dpi)."""
    buffer = io.BytesIO()
    map_figure(result, hexmap, title).savefig(buffer, format="png", dpi=150, metadata={"Software": None})
    return buffer.getvalue()
