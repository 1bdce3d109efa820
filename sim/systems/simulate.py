"""Other voting systems in the Monte Carlo: every draw's seats under each system, summarised as they come.

The seat kernel, asked for groups of seats (:func:`sim.montecarlo.simulate.simulate` with
``tally``: the regions, split by any districts), returns per draw each group's seats won and votes
cast per party (the seat's votes times its shares after the draw's errors). Each batch is
allocated under every system by :func:`kernels.apportion.allocate_draws` (lists, AMS, AV+) or
counted by :func:`kernels.preferential.stv_draws` (STV) and folded into fixed-size summaries: per system a
histogram of each party's seats, its majorities in that system's house, and histograms of the
indices (Gallagher and Loosemore-Hanby to 0.01 point, effective numbers of parties to 0.001).
Memory does not grow with the draws.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from kernels.apportion import KIND_AMS, KIND_LIST, KIND_NATIONAL, allocate_draws
from kernels.preferential import stv_draws
from sim.data.election import DataDir
from sim.montecarlo.simulate import preference_stack, prepare, simulate
from sim.montecarlo.summary import column_histograms, histogram_mean, histogram_quantiles
from sim.systems.districts import Districts, districts_for
from sim.systems.indices import indices
from sim.systems.rules import System, house_size, listed, needs_av, needs_preferences

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
    """Allocates each batch of the kernel's group counts under every system and folds it in.

    The groups are the finest division the systems need: each region, split by any districts.
    """

    def __init__(self, systems: Sequence[System], regions: np.ndarray, threshold: float, n_parties: int,
                 districts: Mapping[str, Districts], prefs: np.ndarray | None, seed: int) -> None:  # fmt: skip
        self.systems = list(systems)
        self.threshold = threshold
        self.listed = listed(n_parties)
        self.districts = districts
        self.prefs = prefs
        self.seed = np.uint64(seed)
        names, region_index = np.unique(regions.astype(str), return_inverse=True)  # the kernel's region order
        keys = np.stack([region_index, *(d.of_seat for d in districts.values())], axis=1)
        found, self.tally = np.unique(keys, axis=0, return_inverse=True)
        self.tally = self.tally.reshape(-1).astype(np.int64)
        self.group_region = found[:, 0]
        self.group_district = {name: found[:, 1 + k] for k, name in enumerate(districts)}
        self.sizes = np.bincount(region_index, minlength=len(names)).astype(np.int64)
        self.top_cols = np.flatnonzero(~self.listed).astype(np.int64)
        self.top_slot = np.full(n_parties, -1, dtype=np.int64)
        self.top_slot[self.top_cols] = np.arange(self.top_cols.size)
        self.topups = {s.key: np.array([s.topups(int(n)) for n in self.sizes], dtype=np.int64) for s in self.systems}
        self.summaries = [
            SystemSummary(s, house_size(s, self.sizes, self.topups[s.key], districts.get(s.districts)), n_parties)
            for s in self.systems
        ]

    def _by(self, counts: np.ndarray, owner: np.ndarray, n: int) -> np.ndarray:
        """Group counts ``(n_draws, n_groups, n_parties)`` summed by ``owner`` (a region or district per group)."""
        if owner.size == n and (owner == np.arange(n)).all():
            return counts  # the groups are the regions (no districts asked for)
        order = np.argsort(owner, kind="stable")
        inside = order[owner[order] >= 0]
        starts = np.searchsorted(owner[inside], np.arange(n))
        if counts.shape[0] == 0:
            return np.zeros((0, n, counts.shape[2]), dtype=counts.dtype)
        ordered = counts if inside.size == owner.size and (inside == np.arange(owner.size)).all() else counts[:, inside]
        return np.add.reduceat(ordered, starts, axis=1)

    def add(self, first: int, seats: np.ndarray, votes: np.ndarray, av: np.ndarray, top: np.ndarray) -> None:
        """The ``tally_batch`` callback of :func:`sim.montecarlo.simulate.simulate`."""
        n_regions = self.sizes.size
        regional = any(not s.districts for s in self.systems)
        region_votes = self._by(votes, self.group_region, n_regions)
        region_seats = self._by(seats, self.group_region, n_regions) if regional else seats
        region_av = self._by(av, self.group_region, n_regions) if av.shape[0] else av
        uk = region_votes.sum(axis=1)
        for system, summary in zip(self.systems, self.summaries, strict=True):
            if system.districts:
                district = self.districts[system.districts]
                owner = self.group_district[system.districts]
                in_scope = owner >= 0
                scope = uk if in_scope.all() else votes[:, in_scope].sum(axis=1)
                if system.kind == "stv":
                    assert self.prefs is not None
                    won = stv_draws(votes, top, self.top_cols, owner, district.members, self.listed, self.prefs,
                                    self.seed, first)  # fmt: skip
                else:
                    won = allocate_draws(self._by(votes, owner, district.n), np.zeros((votes.shape[0], district.n,
                                         votes.shape[2]), dtype=np.int32), district.members, self.listed,
                                         0.0, KIND_LIST, system.method == "sainte-lague",
                                         district.members)  # fmt: skip
                summary.add(won, scope)
                continue
            won = region_av if system.rule == "av" else region_seats
            if system.kind == "fptp":
                counted = won.sum(axis=1).astype(np.int64)
            else:
                kind = KIND_AMS if system.kind == "ams" else KIND_NATIONAL if system.national else KIND_LIST
                counted = allocate_draws(region_votes, won, self.sizes, self.listed, self.threshold, kind,
                                         system.method == "sainte-lague", self.topups[system.key])  # fmt: skip
            summary.add(counted, uk)


def simulate_systems(
    scenario: Scenario, projection: Projection, draws: int, seed: int, systems: Sequence[System],
    threshold: float = 0.0, *, threads: int | None = None, progress: Callable[[int], object] | None = None,
    prefs: np.ndarray | None = None, prefs_sd: np.ndarray | None = None, data_dir: DataDir = None,
) -> tuple[SimulationResult, list[SystemSummary]]:  # fmt: skip
    """Simulate a projected scenario and count every draw under each system (the same draws as ``run``'s seed).

    ``prefs`` is the preference matrix of the systems that transfer votes (AV, AV+, STV;
    :mod:`sim.systems.preferences`), needed when one is among ``systems``; ``prefs_sd``, each
    cell's sampling error (the sd of its log), makes the matrix vary from draw to draw (the same
    matrix for a draw's AV and STV counts).
    """
    if needs_preferences(systems) and prefs is None:
        raise ValueError("AV, AV+ and STV need a preference matrix (prefs)")
    e = projection.election
    districts = districts_for({s.districts for s in systems if s.districts}, e, data_dir)
    stacked = preference_stack(prefs, prefs_sd) if prefs is not None else None
    acc = Accumulator(systems, e.regions, threshold, len(e.parties), districts, stacked, seed)
    stv = any(s.kind == "stv" for s in systems)
    result = simulate(prepare(scenario, projection), draws, seed, threads=threads, progress=progress,
                      tally=acc.tally, tally_batch=acc.add, top_slot=acc.top_slot if stv else None,
                      prefs=prefs if needs_av(systems) else None, prefs_sd=prefs_sd)  # fmt: skip
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
