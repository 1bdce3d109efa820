"""Monte Carlo seat kernel: perturb projected shares draw by draw and count who wins each seat.

Pure functions of arrays. Draws are split into a fixed number of lanes (not threads); each lane
owns its own per-seat win counters, summed at the end. Counts are integers, so the sum is exact
in any order, and every variate is keyed to (seed, stream, draw, index): the output is identical
for any thread count and any batch size.

Model of one draw ``d`` (all errors in share points, added to the projected share):

``score[i, p] = max(0, share[i, p] + nat[d, p] + reg[d, region[i], p] + seat_sigma[p] * z) * lead[i, p]``

for the parties that stand in seat ``i``; the seat goes to the highest score. ``nat = nat_matrix @ z``
and ``reg = reg_matrix @ z`` map independent standard normals onto correlated party errors (the
library builds matrices whose errors sum to zero across parties: one party's gain is another's
loss). ``lead`` is the leading candidate's fraction of a pooled party's vote (independents).
Exact ties go to one of the tied parties chosen uniformly by a hash of (seed, draw, seat).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange, uint64

from kernels.rng import bits, key, normal, to_uniform

N_LANES = 64
"""Fixed number of accumulator lanes: memory is N_LANES x n_seats x n_parties, whatever n_draws."""

STREAM_NATIONAL = 1
STREAM_REGIONAL = 2
STREAM_SEAT = 3
STREAM_TIE = 4


@njit(cache=True)
def _winner(scores: np.ndarray, cand: np.ndarray, tie_base: np.uint64, seat: int) -> int:
    """Argmax over candidate parties; exact ties decided by a seeded uniform choice."""
    best = -1.0
    winner = -1
    ties = 0
    for j in range(cand.size):
        s = scores[j]
        if s > best:
            best = s
            winner = cand[j]
            ties = 1
        elif s == best:
            ties += 1
            u = to_uniform(bits(tie_base, uint64(seat) * uint64(1024) + uint64(ties)))
            if u * ties < 1.0:
                winner = cand[j]
    return winner


@njit(cache=True)
def _one_draw(draw: int, seed: np.uint64, shares: np.ndarray, lead: np.ndarray,
              cand_ptr: np.ndarray, cand_idx: np.ndarray, region: np.ndarray,
              nat_matrix: np.ndarray, reg_matrix: np.ndarray, n_regions: int,
              seat_sigma: np.ndarray, kn: np.ndarray, wn: np.ndarray, fn: np.ndarray,
              seat_counts: np.ndarray, wins: np.ndarray) -> None:  # fmt: skip
    n_seats, n_parties = shares.shape
    d = uint64(draw)
    base = key(seed, uint64(STREAM_NATIONAL), d)
    z = np.empty(n_parties)
    for q in range(n_parties):
        z[q] = normal(base, uint64(q), kn, wn, fn)
    nat = nat_matrix @ z
    reg = np.zeros((n_regions, n_parties))
    base = key(seed, uint64(STREAM_REGIONAL), d)
    for r in range(n_regions):
        for q in range(n_parties):
            z[q] = normal(base, uint64(r * n_parties + q), kn, wn, fn)
        reg[r] = reg_matrix @ z
    seat_base = key(seed, uint64(STREAM_SEAT), d)
    tie_base = key(seed, uint64(STREAM_TIE), d)
    scores = np.empty(n_parties)
    for i in range(n_seats):
        lo = cand_ptr[i]
        hi = cand_ptr[i + 1]
        r = region[i]
        for j in range(lo, hi):
            p = cand_idx[j]
            x = shares[i, p] + nat[p] + reg[r, p]
            if seat_sigma[p] > 0.0:
                x += seat_sigma[p] * normal(seat_base, uint64(i * n_parties + p), kn, wn, fn)
            scores[j - lo] = max(x, 0.0) * lead[i, p]
        w = _winner(scores[: hi - lo], cand_idx[lo:hi], tie_base, i)
        seat_counts[w] += 1
        wins[i, w] += 1


@njit(parallel=True, cache=False)
def simulate_seats(shares: np.ndarray, lead: np.ndarray, cand_ptr: np.ndarray,
                   cand_idx: np.ndarray, region: np.ndarray, nat_matrix: np.ndarray,
                   reg_matrix: np.ndarray, n_regions: int, seat_sigma: np.ndarray,
                   seed: np.uint64, first_draw: int, n_draws: int,
                   kn: np.ndarray, wn: np.ndarray, fn: np.ndarray) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Simulate draws ``first_draw .. first_draw + n_draws - 1``.

    Parameters
    ----------
    shares : (n_seats, n_parties) float64
        Projected shares (the deterministic scenario result).
    lead : (n_seats, n_parties) float64
        Leading candidate's fraction of the party's vote in the seat.
    cand_ptr : (n_seats + 1,) int64 and cand_idx : (n_candidacies,) int64
        Parties standing in each seat, CSR layout: seat ``i`` has ``cand_idx[cand_ptr[i]:cand_ptr[i+1]]``.
    region : (n_seats,) int64
        Region number of each seat, ``0 .. n_regions-1``.
    nat_matrix, reg_matrix : (n_parties, n_parties) float64
        Map standard normals onto national and regional party errors.
    seat_sigma : (n_parties,) float64
        Independent seat error per party.

    Returns
    -------
    seat_counts : (n_draws, n_parties) int32
        Seats won per party in each draw.
    wins : (n_seats, n_parties) int64
        Draws in which each party won each seat.

    """
    n_seats, n_parties = shares.shape
    seat_counts = np.zeros((n_draws, n_parties), dtype=np.int32)
    lane_wins = np.zeros((N_LANES, n_seats, n_parties), dtype=np.int64)
    for lane in prange(N_LANES):
        for k in range(lane, n_draws, N_LANES):
            _one_draw(first_draw + k, seed, shares, lead, cand_ptr, cand_idx, region,
                      nat_matrix, reg_matrix, n_regions, seat_sigma, kn, wn, fn,
                      seat_counts[k], lane_wins[lane])  # fmt: skip
    wins = np.zeros((n_seats, n_parties), dtype=np.int64)
    for lane in range(N_LANES):
        wins += lane_wins[lane]
    return seat_counts, wins
