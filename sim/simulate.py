"""Monte Carlo: draw many elections around a projection and count seats.

The error model (``docs/model.md``): national, nation and regional errors per party, random
covariate slopes, uncertain scenario parameters and an independent seat error, all in share
points. A party's error scale is the scenario's value times ``sqrt(S(1-S)/0.25)``, S its vote
share in the seats it fights (a 50% party gets the full value, a 10% party 60%, a 1% party
20%). National, nation and regional errors sum to zero across parties, weighted by vote share.

Uncertain parameters enter to first order: the projection is made at each parameter's mean and
each draw adds ``(theta - mean) * d shares / d theta``, the sensitivity found by a central
difference of the full projection. This is exact for a parameter that enters linearly and alone
(a flow rate, a pact transfer) and an approximation where steps interact.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numba
import numpy as np

from kernels.montecarlo import simulate_seats
from sim.data.election import DataDir
from sim.data.names import NUMERIC
from sim.errors import ScenarioError, did_you_mean
from sim.project import Projection, project
from sim.results import SimulationResult
from sim.scenario.paths import get_value, with_value
from sim.scenario.schema import Distribution, Scenario, Uncertainty
from sim.swing import scope_shares

DEFAULT_BATCH = 50_000
QUANTILE_POINTS = 1025
TAIL = 1e-6  # quantile tables run from TAIL to 1 - TAIL


def max_threads() -> int:
    """Numba's thread-pool size (the most threads a kernel can use)."""
    return int(numba.config.NUMBA_NUM_THREADS)  # type: ignore[attr-defined]


def party_scale(projection: Projection) -> np.ndarray:
    """Error scale per party, ``sqrt(S(1-S)/0.25)`` with S its share where it stands."""
    votes = projection.votes
    fought = (votes.sum(axis=1, keepdims=True) * projection.stood).sum(axis=0)
    share = np.divide(votes.sum(axis=0), fought, out=np.zeros(votes.shape[1]), where=fought > 0)
    return np.sqrt(share * (1.0 - share) / 0.25)


def candidacies(stood: np.ndarray, shares: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """CSR layout of the parties standing in each seat, by descending share: ``(ptr, idx)``."""
    ptr = np.zeros(stood.shape[0] + 1, dtype=np.int64)
    np.cumsum(stood.sum(axis=1), out=ptr[1:])
    order = np.argsort(-np.where(stood, shares, -1.0), axis=1, kind="stable")
    idx = [order[i, : ptr[i + 1] - ptr[i]] for i in range(stood.shape[0])]
    return ptr, np.concatenate(idx).astype(np.int64)


def quantile_table(dist: Distribution) -> np.ndarray:
    """Inverse-CDF table of a distribution at ``QUANTILE_POINTS`` evenly spaced probabilities."""
    from scipy import stats  # imported here: it is slow to import and only parameters need it

    u = np.linspace(TAIL, 1 - TAIL, QUANTILE_POINTS)
    if dist.beta is not None:
        return stats.beta(*dist.beta).ppf(u)
    if dist.normal is not None:
        return stats.norm(*dist.normal).ppf(u)
    if dist.uniform is not None:
        lo, hi = dist.uniform
        return lo + (hi - lo) * u
    assert dist.triangular is not None
    lo, mode, hi = dist.triangular
    return stats.triang((mode - lo) / (hi - lo) if hi > lo else 0.5, loc=lo, scale=hi - lo).ppf(u)


@dataclass(frozen=True)
class Inputs:
    """Everything the kernel needs, as arrays (see :func:`kernels.montecarlo.simulate_seats`)."""

    projection: Projection
    shares: np.ndarray
    lead: np.ndarray
    cand_ptr: np.ndarray
    cand_idx: np.ndarray
    region: np.ndarray
    region_nation: np.ndarray
    weight: np.ndarray
    nat_sigma: np.ndarray
    nation_sigma: np.ndarray
    reg_sigma: np.ndarray
    n_nations: int
    n_regions: int
    cov: np.ndarray
    slope_sigma: np.ndarray
    quantiles: np.ndarray
    centre: np.ndarray
    sens: np.ndarray
    seat_sigma: np.ndarray

    def kernel_args(self) -> tuple[Any, ...]:
        """Positional arguments of the kernel before the seed (candidacy data in CSR order)."""
        seat = np.repeat(np.arange(self.cand_ptr.size - 1), np.diff(self.cand_ptr))
        cand_sens = np.ascontiguousarray(self.sens[:, seat, self.cand_idx])
        sens_bound = np.zeros((self.sens.shape[0], self.seat_sigma.size))
        for k in range(self.sens.shape[0]):
            np.maximum.at(sens_bound[k], self.cand_idx, np.abs(cand_sens[k]))
        cov_bound = np.abs(self.cov).max(axis=1) if self.cov.size else np.zeros(self.cov.shape[0])
        share = np.ascontiguousarray(self.shares[seat, self.cand_idx])
        lead = np.ascontiguousarray(self.lead[seat, self.cand_idx])
        return (share, lead, self.cand_ptr, self.cand_idx, self.region, self.region_nation,
                self.weight, self.nat_sigma, self.nation_sigma, self.reg_sigma, self.n_nations, self.n_regions,
                self.cov, cov_bound, self.slope_sigma, self.quantiles, self.centre, cand_sens, sens_bound,
                self.seat_sigma)  # fmt: skip


def prepare(
    scenario: Scenario,
    projection: Projection,
    by_elections: Callable[[], object] | None = None,
    data_dir: DataDir = None,
) -> Inputs:
    """Turn a scenario's uncertainty and its projection into kernel inputs.

    With uncertain parameters, the projection is redone at the parameters' means.
    """
    unc: Uncertainty = scenario.uncertainty
    election = projection.election
    params = list(unc.parameters.items())
    quantiles = np.array([quantile_table(d) for _, d in params]).reshape(len(params), QUANTILE_POINTS)
    centre = quantiles.mean(axis=1) if params else np.zeros(0)
    sens = np.zeros((len(params), election.n_seats, len(election.parties)))
    if params:
        for (path, _), mean, table in zip(params, centre, quantiles, strict=True):
            get_value(scenario, path)  # a clear error for a bad path
            for extreme in (table[0], table[-1]):  # the distribution must stay within the field's range
                try:
                    with_value(scenario, path, float(extreme))
                except ScenarioError as exc:
                    raise ScenarioError(
                        f"uncertainty.parameters.{path}: the distribution reaches {extreme:.4g} "
                        f"(at the {TAIL:g} tail) and {exc}; narrow or truncate it (a beta for rates)"
                    ) from None
            scenario = with_value(scenario, path, float(mean))
        projection = project(scenario, election, by_elections, data_dir)
        for k, ((path, _), mean) in enumerate(zip(params, centre, strict=True)):
            h = 1e-4
            up = project(with_value(scenario, path, mean + h), election, by_elections, data_dir).shares
            down = project(with_value(scenario, path, mean - h), election, by_elections, data_dir).shares
            sens[k] = (up - down) / (2 * h)
    return inputs_for(projection, unc, quantiles, centre, sens)


def inputs_for(
    projection: Projection,
    unc: Uncertainty,
    quantiles: np.ndarray | None = None,
    centre: np.ndarray | None = None,
    sens: np.ndarray | None = None,
) -> Inputs:
    """Kernel inputs for a projection and an error model (uncertain parameters optional)."""
    election = projection.election
    if quantiles is None or centre is None or sens is None:
        quantiles, centre = np.zeros((0, QUANTILE_POINTS)), np.zeros(0)
        sens = np.zeros((0, election.n_seats, len(election.parties)))
    stood = projection.stood & (projection.shares > 0)
    stood[np.arange(election.n_seats), np.argmax(projection.shares, axis=1)] = True
    ptr, idx = candidacies(stood, projection.shares)
    nations, nation_index = np.unique(election.nations.astype(str), return_inverse=True)
    regions, region_index = np.unique(election.regions.astype(str), return_inverse=True)
    region_nation = np.zeros(len(regions), dtype=np.int64)
    region_nation[region_index] = nation_index  # every region lies in one nation
    scale = party_scale(projection)
    weights = scope_shares(projection.shares, election.valid_votes * projection.turnout)
    cov_names = list(unc.slopes)
    for name in cov_names:
        if name not in NUMERIC:
            raise ScenarioError(f"uncertainty.slopes: '{name}' is not a numeric covariate{did_you_mean(name, NUMERIC)}")
    cov = np.zeros((len(cov_names), election.n_seats))
    for c, name in enumerate(cov_names):
        x = election.covariate(name).astype(float)
        cov[c] = np.where(np.isnan(x), 0.0, x - np.nanmean(x))
    slope_sigma = np.array([unc.slopes[n] * scale for n in cov_names]).reshape(len(cov_names), scale.size)
    return Inputs(
        projection=projection,
        shares=np.ascontiguousarray(projection.shares),
        lead=np.ascontiguousarray(projection.lead),
        cand_ptr=ptr,
        cand_idx=idx,
        region=region_index.astype(np.int64),
        region_nation=region_nation,
        weight=weights / weights.sum(),
        nat_sigma=unc.national * scale,
        nation_sigma=unc.nation * scale,
        reg_sigma=unc.regional * scale,
        n_nations=len(nations),
        n_regions=len(regions),
        cov=cov,
        slope_sigma=slope_sigma,
        quantiles=quantiles,
        centre=centre,
        sens=sens,
        seat_sigma=unc.seat * scale,
    )


def simulate(
    inputs: Inputs,
    draws: int,
    seed: int,
    *,
    threads: int | None = None,
    batch: int = DEFAULT_BATCH,
    share_bins: int = 0,
    progress: Callable[[int], object] | None = None,
) -> SimulationResult:
    """Simulate ``draws`` elections.

    Parameters
    ----------
    inputs : Inputs
        From :func:`prepare`.
    draws, seed : int
        Number of simulated elections and the seed. The same seed gives identical output for
        any ``threads`` and ``batch``.
    threads : int, optional
        Numba threads for this call (restored afterwards).
    batch : int
        Draws per kernel call (progress is reported between calls).
    share_bins : int
        If positive, keep a histogram of each candidacy's share with this many bins (for share
        quantiles); this disables pruning and costs speed.
    progress : callable, optional
        Called with the number of draws finished after each batch.

    """
    if draws < 1:
        raise ValueError("draws must be at least 1")
    if not 0 <= seed < 2**64:
        raise ValueError("seed must be between 0 and 2**64 - 1")
    n_seats, n_parties = inputs.shares.shape
    seat_counts = np.zeros((draws, n_parties), dtype=np.int32)
    wins = np.zeros((n_seats, n_parties), dtype=np.int64)
    hist = np.zeros((inputs.cand_idx.size, share_bins), dtype=np.int64)
    previous = numba.get_num_threads()
    args = inputs.kernel_args()
    try:
        if threads is not None:
            numba.set_num_threads(threads)
        for first in range(0, draws, batch):
            n = min(batch, draws - first)
            counts, batch_wins, batch_hist = simulate_seats(  # type: ignore[call-arg]
                *args, np.uint64(seed), first, n, share_bins, max_threads()
            )
            seat_counts[first : first + n] = counts
            wins += batch_wins
            hist += batch_hist
            if progress is not None:
                progress(n)
    finally:
        numba.set_num_threads(previous)
    return SimulationResult(
        projection=inputs.projection, seat_counts=seat_counts, wins=wins, seed=seed,
        share_hist=hist if share_bins else None, cand_ptr=inputs.cand_ptr, cand_idx=inputs.cand_idx,
    )  # fmt: skip
