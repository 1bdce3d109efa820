"""Side-by-side summaries of several simulated scenarios, and the seats that change hands."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from sim.core.parties import PARTIES
from sim.montecarlo.results import SimulationResult

if TYPE_CHECKING:
    import pandas as pd


def comparison_tables(results: Sequence[tuple[str, SimulationResult]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-party ``mean (5-95%)`` per scenario plus probabilities; and seats whose favourite moves.

    The second frame lists every seat whose favourite differs from the first scenario's, with
    each scenario's favourite and its win probability, largest change first: ``change`` is the
    largest fall, over the other scenarios, in the first scenario's favourite's win probability.
    """
    import pandas as pd

    mean_all = np.mean([r.mean_seats() for _, r in results], axis=0)
    parties = [p for p in np.argsort(-mean_all) if mean_all[p] >= 0.5]
    rows: dict[str, dict[str, str]] = {}
    for name, r in results:
        p5, p95 = r.quantiles((0.05, 0.95))
        mean = r.mean_seats()
        column = {PARTIES[p]: f"{mean[p]:.1f} ({p5[p]:.0f}-{p95[p]:.0f})" for p in parties}
        major, largest = r.majority_probability(), r.largest_probability()
        for p in parties[:3]:
            column[f"P({PARTIES[p]} majority)"] = f"{major[p]:.3f}"
            column[f"P({PARTIES[p]} largest)"] = f"{largest[p]:.3f}"
        rows[name] = column
    summary = pd.DataFrame(rows)
    summary.index.name = "party"
    e = results[0][1].projection.election
    probs = [r.wins / r.draws for _, r in results]
    favourites = np.array([p.argmax(axis=1) for p in probs])
    moved = np.flatnonzero((favourites != favourites[0]).any(axis=0))
    first = favourites[0][moved]
    held = np.array([prob[moved, first] for prob in probs])  # each scenario's chance for the first's favourite
    data: dict[str, object] = {"seat": e.seat_names[moved]}
    for (name, _), prob, fav in zip(results, probs, favourites, strict=True):
        data[f"favourite_{name}"] = [PARTIES[f] for f in fav[moved]]
        data[f"p_{name}"] = prob[moved, fav[moved]]
    data["change"] = held[0] - held.min(axis=0)
    moves = pd.DataFrame(data).sort_values(["change", "seat"], ascending=[False, True], kind="stable")
    return summary, moves.reset_index(drop=True)
