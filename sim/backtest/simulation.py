"""Simulate around a backtest projection and score the probabilities against what happened."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.backtest.pairs import Pair
from sim.core.parties import PARTIES
from sim.montecarlo.simulate import inputs_for, simulate
from sim.projection.project import Projection
from sim.scenario.schema import Uncertainty


@dataclass(frozen=True)
class SimulationScore:
    """How the Monte Carlo seat probabilities and intervals compare with the actual result.

    ``brier``: mean over seats of the squared error of the win probabilities (sum over parties);
    ``log_score``: mean over seats of -ln P(actual winner), P floored at half a draw;
    ``intervals``: per party, actual seats and the 50% and 90% central intervals of its total.
    """

    draws: int
    brier: float
    log_score: float
    intervals: dict[str, dict[str, int | list[int]]]

    def covered(self, level: str) -> tuple[int, int]:
        """(intervals covering the actual total, intervals) at level ``"50"`` or ``"90"``."""
        hits = [v[level][0] <= v["actual"] <= v[level][1] for v in self.intervals.values()]  # type: ignore[index,operator]
        return sum(hits), len(hits)


def simulate_pair(
    pair: Pair, projection: Projection, draws: int, seed: int, uncertainty: Uncertainty
) -> SimulationScore:
    """Simulate around a backtest projection with ``uncertainty`` and score it against the later result."""
    later = pair.later
    result = simulate(inputs_for(projection, uncertainty), draws, seed)
    prob = result.wins / draws
    actual = np.zeros_like(prob)
    actual[np.arange(later.n_seats), later.winners] = 1.0
    p_actual = np.maximum(prob[np.arange(later.n_seats), later.winners], 0.5 / draws)
    q = result.quantiles((0.25, 0.75, 0.05, 0.95)).astype(int)
    actual_seats = np.bincount(later.winners, minlength=len(PARTIES))
    mean = result.mean_seats()
    intervals: dict[str, dict[str, int | list[int]]] = {
        PARTIES[p]: {"actual": int(actual_seats[p]), "50": q[:2, p].tolist(), "90": q[2:, p].tolist()}
        for p in range(len(PARTIES))
        if PARTIES[p] != "SPK" and (actual_seats[p] > 0 or mean[p] >= 0.5)
    }  # fmt: skip
    return SimulationScore(
        draws=draws,
        brier=float(((prob - actual) ** 2).sum(axis=1).mean()),
        log_score=float(-np.log(p_actual).mean()),
        intervals=intervals,
    )
