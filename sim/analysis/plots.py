"""Plots (matplotlib, written to PNG or SVG): seat distributions, sweeps, heatmaps, battlegrounds."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from sim.core.parties import PARTIES
from sim.data.election import MAJORITY

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

    from sim.montecarlo.results import SimulationResult

COLOURS = {
    "CON": "#0087DC", "LAB": "#E4003B", "LD": "#FAA61A", "GRN": "#02A95B", "SNP": "#F2C500",
    "PC": "#005B54", "UKIP": "#6D3177", "BRX": "#12B6CF", "REF": "#12B6CF", "SPK": "#909090",
    "DUP": "#D46A4C", "SF": "#326760", "SDLP": "#2AA82C", "UUP": "#48A5EE", "APNI": "#F6CB2F",
    "IND": "#DDDDDD", "OTH": "#AAAAAA",
}  # fmt: skip


def _figure(width: float = 8, height: float = 5) -> Figure:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def seat_distributions(results: Sequence[tuple[str, SimulationResult]], parties: Sequence[str] | None = None) -> Figure:
    """Histogram of each main party's seats, one panel per party, scenarios overlaid."""
    first = results[0][1]
    if parties is None:
        mean = first.mean_seats()
        parties = [PARTIES[p] for p in np.argsort(-mean)[:4] if mean[p] >= 1]
    fig = _figure(4 * len(parties), 3.5)
    axes = fig.subplots(1, len(parties), squeeze=False)[0]
    for ax, party in zip(axes, parties, strict=True):
        p = PARTIES.index(party)
        for name, result in results:
            seats, weights = result.seat_histogram(p)
            bins = np.arange(seats.min(), seats.max() + 2) - 0.5
            ax.hist(seats, bins=bins, weights=weights, alpha=0.55, label=name,
                    color=None if len(results) > 1 else COLOURS[party], density=True)  # fmt: skip
        low, high = ax.get_xlim()
        if high >= MAJORITY - 100:  # the majority line only where the party comes within 100 seats of it
            ax.axvline(MAJORITY, color="black", lw=0.8, ls="--", label="majority (326)")
            ax.set_xlim(low, max(high, MAJORITY + 5))
        ax.set_title(party)
        ax.set_xlabel("seats")
    axes[0].set_ylabel("share of draws")
    if len(results) > 1:
        axes[0].legend(fontsize=8)
    return fig


def sweep_lines(frame: pd.DataFrame, path: str, parties: Sequence[str], metric: str | None = None) -> Figure:
    """Seats (mean, 5-95% band) of each party along a 1-D sweep; a probability metric on a 2nd axis."""
    fig = _figure()
    ax = fig.subplots()
    x = frame[path]
    for party in parties:
        if f"{party}.mean" not in frame:
            continue
        colour = COLOURS.get(party)
        ax.plot(x, frame[f"{party}.mean"], color=colour, label=party)
        ax.fill_between(x, frame[f"{party}.p5"], frame[f"{party}.p95"], color=colour, alpha=0.2)
    ax.axhline(MAJORITY, color="black", lw=0.8, ls="--")
    ax.set_xlabel(axis_label(path))
    ax.set_ylabel("seats (mean, 5-95%)")
    ax.legend(loc="upper left", fontsize=8)
    if metric and metric in frame:
        twin = ax.twinx()
        twin.plot(x, frame[metric], color="black", lw=1.5, ls=":", label=metric)
        twin.set_ylim(0, 1)
        twin.set_ylabel(axis_label(metric))
        twin.legend(loc="upper right", fontsize=8)
    return fig


def sweep_heatmap(frame: pd.DataFrame, x_path: str, y_path: str, value: str) -> Figure:
    """A 2-D sweep as a heatmap of one column (e.g. ``CON.p_majority``)."""
    table = frame.pivot_table(index=y_path, columns=x_path, values=value)
    fig = _figure(7, 5.5)
    ax = fig.subplots()
    xs, ys = table.columns.to_numpy(dtype=float), table.index.to_numpy(dtype=float)
    mesh = ax.pcolormesh(xs, ys, table.to_numpy(), shading="nearest", cmap="viridis")
    fig.colorbar(mesh, ax=ax, label=axis_label(value))
    if table.to_numpy().min() < 0.5 < table.to_numpy().max():
        lines = ax.contour(xs, ys, table.to_numpy(), levels=[0.5], colors="white", linewidths=1.2)
        ax.clabel(lines, fmt={0.5: "0.5"}, fontsize=8)
    ax.set_xlabel(axis_label(x_path))
    ax.set_ylabel(axis_label(y_path))
    ax.set_title(f"{axis_label(value)} (white line: 0.5)")
    return fig


def axis_label(path: str) -> str:
    """A parameter path or result column in words: ``steps.0.to.CON`` is "step 0: share of UKIP voters to CON"."""
    parts = path.split(".")
    if len(parts) >= 4 and parts[0] == "steps" and parts[1].isdigit() and parts[2] == "to":
        return f"step {parts[1]}: rate to {parts[3]} ({path})"
    if len(parts) >= 3 and parts[0] == "steps" and parts[1].isdigit():
        return f"step {parts[1]}: {' '.join(parts[2:])} ({path})"
    if len(parts) == 2 and parts[1] in ("p_majority", "mean", "p_largest", "p_effective_majority"):
        return {"p_majority": f"P({parts[0]} majority)", "mean": f"{parts[0]} seats (mean)",
                "p_largest": f"P({parts[0]} largest)",
                "p_effective_majority": f"P({parts[0]} effective majority)"}[parts[1]]  # fmt: skip
    return path


def battleground(result: SimulationResult, n: int = 30) -> Figure:
    """The ``n`` seats nearest to changing hands: the favourite's win probability, by seat."""
    frame = result.seat_frame().sort_values("p_favourite").head(n).iloc[::-1]
    fig = _figure(8, max(4, 0.25 * n))
    ax = fig.subplots()
    colours = [COLOURS.get(f, "#999999") for f in frame["favourite"]]
    ax.barh(frame["seat"], frame["p_favourite"], color=colours)
    ax.axvline(0.5, color="black", lw=0.8, ls="--")
    ax.set_xlim(0, 1)
    ax.set_xlabel("favourite's win probability")
    ax.set_title(f"the {n} closest seats (colour: favourite)")
    from matplotlib.patches import Patch

    present = list(dict.fromkeys(frame["favourite"]))
    ax.legend(handles=[Patch(color=COLOURS.get(p, "#999999"), label=p) for p in present], title="favourite",
              loc="lower right", fontsize=8)  # fmt: skip
    ax.tick_params(axis="y", labelsize=7)
    return fig


def poll_trend(averages: Sequence[object]) -> Figure:
    """The poll average's trend (smoothed, 90% band) and the polls, one panel per scope.

    ``averages`` are :class:`sim.polls.average.Average` objects (GB and the nations with polls).
    """
    import matplotlib.dates as mdates

    fig = _figure(9, 3.6 * len(averages))
    axes = fig.subplots(len(averages), 1, squeeze=False)[:, 0]
    for ax, avg in zip(axes, averages, strict=True):
        trend, polls = avg.trend, avg.polls  # type: ignore[attr-defined]
        mid = polls["fieldwork_start"] + (polls["fieldwork_end"] - polls["fieldwork_start"]) / 2
        for party in avg.parties:  # type: ignore[attr-defined]
            colour = COLOURS.get(party, "#777777")
            line = trend[trend["party"] == party]
            ax.fill_between(line["date"], 100 * line["low"], 100 * line["high"], color=colour, alpha=0.2, lw=0)
            ax.plot(line["date"], 100 * line["share"], color=colour, lw=1.6, label=party)
            if party in polls.columns:
                ax.scatter(mid, polls[party], s=6, color=colour, alpha=0.45)
        ax.set_title(f"{avg.scope}: poll average as of {avg.as_of.date()} ({len(polls)} polls)")  # type: ignore[attr-defined]
        ax.set_ylabel("share (%)")
        ax.set_ylim(bottom=0)
        locator = mdates.AutoDateLocator(maxticks=8)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        ax.grid(alpha=0.3)
        ax.legend(loc="upper left", ncols=min(8, len(avg.parties)), fontsize=8)  # type: ignore[attr-defined]
    return fig
