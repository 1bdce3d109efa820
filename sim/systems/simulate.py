"""Other voting systems in the Monte Carlo: every draw's seats under each system, summarised as they come.

The seat kernel, asked for regions (:func:`sim.montecarlo.simulate.simulate` with
``region_batch``), returns per draw each region's seats won and votes cast per party (the seat's
votes times its shares after the draw's errors). Each batch is allocated under every system by
:func:`kernels.apportion.allocate_draws` and folded into fixed-size summaries: per system a
histogram of each party's seats, its majorities in that system's house, and histograms of the
indices (Gallagher and Loosemore-Hanby to 0.01 point, effective numbers of parties to 0.001).
Memory does not grow with the draws.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from kernels.apportion import KIND_AMS, KIND_LIST, KIND_NATIONAL, allocate_draws
from sim.core.parties import PARTIES
from sim.montecarlo.simulate import prepare, simulate
from sim.montecarlo.summary import column_histograms, histogram_mean, histogram_quantiles
from sim.systems.indices import indices
from sim.systems.rules import NO_LIST, System, house_size, needs_av

if TYPE_CHECKING:
    import pandas as pd

    from sim.montecarlo.results import SimulationResult
    from sim.projection.project import Projection
    from sim.scenario.schema import Scenario

INDEX_STEP = {"gallagher": 0.01, "loosemore_hanby": 0.01, "enp_votes": 0.001, "enp_seats": 0.001}
INDEX_TOP = {"gallagher": 100.0, "loosemore_hanby": 100.0, "enp_votes": 30.0, "enp_seats": 30.0}


@dataclass
class SystemSummary:
    """One system's seats and indices over the draws (fixed size)."""

    system: System
    house: int
    n_parties: int
    draws: int = 0
    hist: np.ndarray = field(init=False)
    majorities: np.ndarray = field(init=False)
    index_hist: dict[str, np.ndarray] = field(init=False)
    index_sum: dict[str, float] = field(init=False)

    def __post_init__(self) -> None:
        self.hist = np.zeros((self.n_parties, self.house + 1), dtype=np.int64)
        self.majorities = np.zeros(self.n_parties, dtype=np.int64)
        self.index_hist = {k: np.zeros(round(INDEX_TOP[k] / s) + 1, dtype=np.int64) for k, s in INDEX_STEP.items()}
        self.index_sum = dict.fromkeys(INDEX_STEP, 0.0)

    def add(self, seats: np.ndarray, votes: np.ndarray) -> None:
        """Fold in a batch: ``seats`` and ``votes`` are ``(n, n_parties)``."""
        self.draws += seats.shape[0]
        self.hist += column_histograms(np.minimum(seats, self.house), self.house)
        self.majorities += (seats >= self.house // 2 + 1).sum(axis=0)
        for key, v in indices(votes, seats).items():
            v = np.asarray(v, dtype=float)
            self.index_sum[key] += float(v.sum())
            bins = np.clip(np.rint(v / INDEX_STEP[key]).astype(np.int64), 0, self.index_hist[key].size - 1)
            self.index_hist[key] += np.bincount(bins, minlength=self.index_hist[key].size)

    def mean(self) -> np.ndarray:
        """Mean seats per party."""
        return histogram_mean(self.hist)

    def quantiles(self, qs: Sequence[float]) -> np.ndarray:
        """Seat quantiles per party, ``(len(qs), n_parties)``."""
        return histogram_quantiles(self.hist, qs)

    def p_majority(self) -> np.ndarray:
        """P(a majority of this system's house), per party."""
        return self.majorities / self.draws

    def index(self, key: str) -> tuple[float, float, float]:
        """An index's mean and 90% interval (to its bin width)."""
        lo, hi = histogram_quantiles(self.index_hist[key][None, :], (0.05, 0.95))[:, 0] * INDEX_STEP[key]
        return self.index_sum[key] / self.draws, float(lo), float(hi)


class Accumulator:
    """Allocates each batch of the kernel's regional counts under every system and folds it in."""

    def __init__(self, systems: Sequence[System], sizes: np.ndarray, threshold: float, n_parties: int) -> None:
        self.systems = list(systems)
        self.sizes = sizes.astype(np.int64)
        self.threshold = threshold
        self.listed = np.array([p not in NO_LIST for p in PARTIES[:n_parties]])
        self.topups = {s.key: np.array([s.topups(int(n)) for n in self.sizes], dtype=np.int64) for s in self.systems}
        self.summaries = [
            SystemSummary(s, house_size(s, self.sizes, self.topups[s.key]), n_parties) for s in self.systems
        ]

    def add(self, region_seats: np.ndarray, region_votes: np.ndarray, region_av: np.ndarray) -> None:
        """The ``region_batch`` callback of :func:`sim.montecarlo.simulate.simulate`."""
        votes = region_votes.sum(axis=1)
        for system, summary in zip(self.systems, self.summaries, strict=True):
            won = region_av if system.rule == "av" else region_seats
            if system.kind == "fptp":
                seats = won.sum(axis=1).astype(np.int64)
            else:
                kind = KIND_AMS if system.kind == "ams" else KIND_NATIONAL if system.national else KIND_LIST
                seats = allocate_draws(region_votes, won, self.sizes, self.listed, self.threshold, kind,
                                       system.method == "sainte-lague", self.topups[system.key])  # fmt: skip
            summary.add(seats, votes)


def simulate_systems(
    scenario: Scenario, projection: Projection, draws: int, seed: int, systems: Sequence[System],
    threshold: float = 0.0, *, threads: int | None = None, progress: Callable[[int], object] | None = None,
    prefs: np.ndarray | None = None, prefs_sd: np.ndarray | None = None,
) -> tuple[SimulationResult, list[SystemSummary]]:  # fmt: skip
    """Simulate a projected scenario and count every draw under each system (the same draws as ``run``'s seed).

    ``prefs`` is the preference matrix of the AV systems (:mod:`sim.systems.preferences`), needed when
    one is among ``systems``; ``prefs_sd``, each cell's sampling error (the sd of its log), makes the
    matrix vary from draw to draw.
    """
    if needs_av(systems) and prefs is None:
        raise ValueError("the AV systems need a preference matrix (prefs)")
    e = projection.election
    _, sizes = np.unique(e.regions.astype(str), return_counts=True)  # the kernel's region order
    acc = Accumulator(systems, sizes, threshold, len(e.parties))
    result = simulate(prepare(scenario, projection), draws, seed, threads=threads, progress=progress,
                      region_batch=acc.add, prefs=prefs if needs_av(systems) else None, prefs_sd=prefs_sd)  # fmt: skip
    return result, acc.summaries


def simulated_frame(summaries: Sequence[SystemSummary], parties: Sequence[str]) -> pd.DataFrame:
    """Long table: per system, each party winning seats (mean, 90% interval, P(majority)) and each index."""
    import pandas as pd

    rows = []
    for s in summaries:
        mean, (p5, p95), major = s.mean(), s.quantiles((0.05, 0.95)), s.p_majority()
        for p in np.argsort(-mean, kind="stable"):
            if s.hist[p, 1:].any():
                rows.append({"system": s.system.key, "row": parties[p], "mean": mean[p], "p5": p5[p], "p95": p95[p],
                             "p_majority": major[p]})  # fmt: skip
        rows.append({"system": s.system.key, "row": "house", "mean": float(s.house), "p5": float(s.house),
                     "p95": float(s.house), "p_majority": np.nan})  # fmt: skip
        for key in INDEX_STEP:
            m, lo, hi = s.index(key)
            rows.append({"system": s.system.key, "row": key, "mean": m, "p5": lo, "p95": hi, "p_majority": np.nan})
    return pd.DataFrame(rows, columns=["system", "row", "mean", "p5", "p95", "p_majority"])
