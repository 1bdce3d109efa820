"""Monte Carlo: draw many elections around a projection and count seats.

The error model (see ``docs/model.md``): a national error per party, a regional error per party
and region, and an independent seat error, each added in share points. A party's error scale is
the scenario's value times ``sqrt(S(1-S)/0.25)``, where ``S`` is its vote share in the seats it
fights: a 50% party gets the full value, a 10% party 60% of it, a 1% party 20%. National and
regional errors are made to sum to zero across parties, weighted by share, so one party's gain is
another's loss.
"""

from __future__ import annotations

import numpy as np
from numba import get_num_threads, set_num_threads

from kernels.montecarlo import simulate_seats
from kernels.rng import ziggurat_tables
from sim.project import Projection
from sim.results import SimulationResult
from sim.scenario.schema import Uncertainty
from sim.swing import scope_shares

DEFAULT_BATCH = 50_000
_TABLES = ziggurat_tables()


def party_scale(projection: Projection) -> np.ndarray:
    """Error scale per party, ``sqrt(S(1-S)/0.25)`` with S its share where it stands."""
    votes = projection.votes
    fought = (votes.sum(axis=1, keepdims=True) * projection.stood).sum(axis=0)
    share = np.divide(votes.sum(axis=0), fought, out=np.zeros(votes.shape[1]), where=fought > 0)
    return np.sqrt(share * (1.0 - share) / 0.25)


def zero_sum_matrix(sigma: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Matrix ``M`` with ``e = M z`` having sd about ``sigma`` and ``weights @ e == 0``.

    ``M = (I - w 1^T) diag(sigma)`` with ``w`` the weights normalised to sum to one: the
    weighted mean error is subtracted from every party.
    """
    w = weights / weights.sum() if weights.sum() > 0 else weights
    n = sigma.size
    return (np.eye(n) - np.outer(w, np.ones(n))) @ np.diag(sigma)


def candidacies(stood: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """CSR layout of the parties standing in each seat: ``(ptr, idx)``."""
    counts = stood.sum(axis=1)
    ptr = np.zeros(stood.shape[0] + 1, dtype=np.int64)
    np.cumsum(counts, out=ptr[1:])
    idx = np.nonzero(stood)[1].astype(np.int64)
    return ptr, idx


def simulate(
    projection: Projection,
    uncertainty: Uncertainty,
    draws: int,
    seed: int,
    *,
    threads: int | None = None,
    batch: int = DEFAULT_BATCH,
    progress: object = None,
) -> SimulationResult:
    """Simulate ``draws`` elections around a projection.

    Parameters
    ----------
    projection : Projection
        The deterministic scenario result.
    uncertainty : Uncertainty
        Error scales from the scenario file.
    draws, seed : int
        Number of simulated elections and the seed. The same seed gives identical output for
        any ``threads`` and ``batch``.
    threads : int, optional
        Numba threads for this call (restored afterwards).
    progress : callable, optional
        Called with the number of draws finished after each batch.

    """
    if draws < 1:
        raise ValueError("draws must be at least 1")
    election = projection.election
    stood = projection.stood & (projection.shares > 0)
    stood[np.arange(election.n_seats), np.argmax(projection.shares, axis=1)] = True
    ptr, idx = candidacies(stood)
    regions, region_index = np.unique(election.regions.astype(str), return_inverse=True)
    scale = party_scale(projection)
    weights = scope_shares(projection.shares, election.valid_votes * projection.turnout)
    nat = zero_sum_matrix(uncertainty.national * scale, weights)
    reg = zero_sum_matrix(uncertainty.regional * scale, weights)
    seat_sigma = uncertainty.seat * scale
    seat_counts = np.zeros((draws, len(election.parties)), dtype=np.int32)
    wins = np.zeros((election.n_seats, len(election.parties)), dtype=np.int64)
    previous = get_num_threads()
    try:
        if threads is not None:
            set_num_threads(threads)
        for first in range(0, draws, batch):
            n = min(batch, draws - first)
            counts, batch_wins = simulate_seats(
                projection.shares, projection.lead, ptr, idx,
                region_index.astype(np.int64), nat, reg, len(regions), seat_sigma,
                np.uint64(seed), first, n, *_TABLES,
            )  # fmt: skip
            seat_counts[first : first + n] = counts
            wins += batch_wins
            if callable(progress):
                progress(n)
    finally:
        set_num_threads(previous)
    return SimulationResult(projection=projection, seat_counts=seat_counts, wins=wins, seed=seed)
