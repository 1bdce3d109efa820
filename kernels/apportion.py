"""Seats under other voting systems, draw by draw: divisor methods on each region's votes.

The compiled twin of :mod:`sim.systems.divisor` (tested equal to it): highest averages, ties to
the party with more votes, then to the lower column. Each party's quotient is kept and only the
winner's is recomputed after a seat, with the same division, so the quotients compared are those
the reference computes.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

KIND_LIST, KIND_NATIONAL, KIND_AMS = 0, 1, 2


@njit(cache=True)
def _quotient(votes: float, k: int, sainte_lague: bool) -> float:
    return votes / (2.0 * k + 1.0 if sainte_lague else k + 1.0)


@njit(cache=True)
def highest_averages(
    votes: np.ndarray, eligible: np.ndarray, seats: int, sainte_lague: bool, held: np.ndarray, out: np.ndarray,
    quotient: np.ndarray,
) -> None:  # fmt: skip
    """Add ``seats`` seats to ``out``, each to the highest ``votes / d(held + out)`` among eligible parties with votes.

    ``quotient`` is scratch space of the parties' length.
    """
    n = votes.size
    for p in range(n):
        quotient[p] = _quotient(votes[p], held[p] + out[p], sainte_lague) if eligible[p] and votes[p] > 0.0 else -1.0
    for _ in range(seats):
        best = -1
        best_q = -1.0
        best_v = -1.0
        for p in range(n):
            q = quotient[p]
            if q > best_q or (q == best_q and q >= 0.0 and votes[p] > best_v):
                best, best_q, best_v = p, q, votes[p]
        if best < 0 or best_q < 0.0:
            return
        out[best] += 1
        quotient[best] = _quotient(votes[best], held[best] + out[best], sainte_lague)


@njit(cache=True)
def _eligible(listed: np.ndarray, uk: np.ndarray, region: np.ndarray, threshold: float, out: np.ndarray) -> None:
    """:func:`sim.systems.rules.eligible`: a list with ``threshold`` of the UK vote or the region's; else every list."""
    uk_total = uk.sum()
    region_total = region.sum()
    any_ok = False
    for p in range(uk.size):
        out[p] = listed[p] and (uk[p] >= threshold * uk_total or region[p] >= threshold * region_total)
        any_ok = any_ok or (out[p] and region[p] > 0.0)
    if not any_ok:
        for p in range(uk.size):
            out[p] = listed[p]


@njit(parallel=True, cache=True)
def allocate_draws(
    region_votes: np.ndarray, region_seats: np.ndarray, sizes: np.ndarray, listed: np.ndarray, threshold: float,
    kind: int, sainte_lague: bool, topups: np.ndarray,
) -> np.ndarray:  # fmt: skip
    """Seats per party in every draw, ``(n_draws, n_parties)`` int64, under one list or AMS system.

    ``region_votes`` and ``region_seats`` are ``(n_draws, n_regions, n_parties)`` (from the seat
    kernel); ``sizes`` each region's constituencies; ``listed`` the parties with lists, of which
    those under ``threshold`` of the draw's UK vote and of the region's win no list seats there
    (:func:`_eligible`); ``kind`` regional list,
    national list or AMS (constituencies plus ``topups[r]`` seats per region).
    """
    n_draws, n_regions, n_parties = region_votes.shape
    out = np.zeros((n_draws, n_parties), dtype=np.int64)
    for d in prange(n_draws):
        uk = np.zeros(n_parties)
        eligible = np.zeros(n_parties, dtype=np.bool_)
        none = np.zeros(n_parties, dtype=np.int64)
        here = np.zeros(n_parties, dtype=np.int64)
        quotient = np.empty(n_parties)
        for r in range(n_regions):
            for p in range(n_parties):
                uk[p] += region_votes[d, r, p]
        if kind == KIND_NATIONAL:
            _eligible(listed, uk, uk, threshold, eligible)
            highest_averages(uk, eligible, int(sizes.sum()), sainte_lague, none, out[d], quotient)
            continue
        for r in range(n_regions):
            _eligible(listed, uk, region_votes[d, r], threshold, eligible)
            here[:] = 0
            held = region_seats[d, r].astype(np.int64) if kind == KIND_AMS else none
            seats = topups[r] if kind == KIND_AMS else sizes[r]
            highest_averages(region_votes[d, r], eligible, seats, sainte_lague, held, here, quotient)
            for p in range(n_parties):
                out[d, p] += here[p] + (held[p] if kind == KIND_AMS else 0)
    return out
