"""A slow, plain-numpy reference implementation of the Monte Carlo model.

Same model as :mod:`kernels.montecarlo`, written for clarity: vectorised over a batch of draws,
every party evaluated in every seat (no pruning), the same operation order. With
``rng="counter"`` it re-implements the counter-based generator of :mod:`kernels.rng` in numpy
(SplitMix64 on uint64 arrays, the same ziggurat), so its seat counts must equal the kernel's
exactly. With ``rng="numpy"`` it draws every normal from ``numpy.random.default_rng`` instead: an
independent stream, for statistical agreement, and the plain-numpy speed baseline.
"""

from __future__ import annotations

import math

import numpy as np

from kernels.montecarlo import ErrorGroups, KernelInputs
from kernels.rng import FN, KN, WN, Z_MAX

MASK = (1 << 64) - 1
R = 3.442619855899


def mix64(x: np.ndarray) -> np.ndarray:
    """SplitMix64 finaliser on uint64 arrays (wrapping arithmetic)."""
    z = x + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def keys(seed: int, stream: int, draws: np.ndarray) -> np.ndarray:
    """Base key per draw, ``(n_draws,)`` uint64."""
    s = np.array([(seed ^ (stream * 0xD1B54A32D192ED03)) & MASK], dtype=np.uint64)
    return mix64(mix64(s) + draws.astype(np.uint64))


def bits(base: np.ndarray, index: np.ndarray) -> np.ndarray:
    """Random bits for every (base, index) pair by broadcasting."""
    return mix64(base ^ mix64(index.astype(np.uint64)))


def to_uniform(b: np.ndarray) -> np.ndarray:
    """53-bit uniforms on (0, 1)."""
    return (b >> np.uint64(11)).astype(np.float64) * (1.0 / 9007199254740992.0) + 0.5 / 9007199254740992.0


def _scalar_bits(base: int, index: int) -> int:
    return int(bits(np.array([base], dtype=np.uint64), np.array([index], dtype=np.uint64))[0])


def _slow(base: int, index: int, hz: int, iz: int) -> float:
    """The ziggurat's rejection and tail path, scalar, as in the kernel."""
    retry = 1
    while True:
        x = hz * WN[iz]
        if iz == 0:
            while True:
                u1 = float(
                    to_uniform(np.array([_scalar_bits(base, index ^ ((retry << 40) & MASK))], dtype=np.uint64))[0]
                )
                u2 = float(
                    to_uniform(np.array([_scalar_bits(base, index ^ (((retry + 1) << 40) & MASK))], dtype=np.uint64))[0]
                )
                retry += 2
                xt = -math.log(u1) / R
                yt = -math.log(u2)
                if yt + yt >= xt * xt:
                    return R + xt if hz > 0 else -R - xt
        u = float(to_uniform(np.array([_scalar_bits(base, index ^ ((retry << 40) & MASK))], dtype=np.uint64))[0])
        retry += 1
        if FN[iz] + u * (FN[iz - 1] - FN[iz]) < math.exp(-0.5 * x * x):
            return float(x)
        b = _scalar_bits(base, index ^ ((retry << 40) & MASK))
        retry += 1
        hz = (b >> 32) - 2147483648
        iz = b & 127
        if abs(hz) < KN[iz]:
            return float(hz * WN[iz])


def normals(base: np.ndarray, index: np.ndarray) -> np.ndarray:
    """Standard normals for every (base, index) pair, broadcast: the kernel's ziggurat."""
    b = bits(base, index)
    hz = (b >> np.uint64(32)).astype(np.int64) - 2147483648
    iz = (b & np.uint64(127)).astype(np.int64)
    out = hz * WN[iz]
    slow = np.abs(hz) >= KN[iz]
    if slow.any():
        bases = np.broadcast_to(base, b.shape)
        indices = np.broadcast_to(index, b.shape)
        for pos in zip(*np.nonzero(slow), strict=True):
            out[pos] = _slow(int(bases[pos]), int(indices[pos]), int(hz[pos]), int(iz[pos]))
    return out


class _Streams:
    """Normals and uniforms by (stream, draw, index): counter-based or from numpy's generator."""

    def __init__(self, seed: int, rng: str) -> None:
        self.seed = seed
        self.generator = np.random.default_rng(seed) if rng == "numpy" else None

    def normal(self, stream: int, draws: np.ndarray, n: int) -> np.ndarray:
        if self.generator is not None:
            return self.generator.standard_normal((draws.size, n))
        return normals(keys(self.seed, stream, draws)[:, None], np.arange(n, dtype=np.uint64)[None, :])

    def uniform(self, stream: int, draws: np.ndarray, n: int) -> np.ndarray:
        if self.generator is not None:
            return self.generator.random((draws.size, n))
        base = keys(self.seed, stream, draws)[:, None]
        return to_uniform(bits(base, np.arange(n, dtype=np.uint64)[None, :]))


def _group_errors(streams: _Streams, stream: int, d: np.ndarray, groups: ErrorGroups) -> np.ndarray:
    """The kernel's ``_zero_sum_errors`` for a batch of draws, ``(n_draws, n_groups, n_parties)``, same order."""
    sigma, weight, cover, parent, group_weight, factor = groups
    n_groups, n = sigma.shape
    z_all = streams.normal(stream, d, n_groups * n + n_groups)
    z = z_all[:, : n_groups * n].reshape(d.size, n_groups, n)
    e = np.where(sigma > 0, sigma * z, 0.0)
    total = np.zeros(e.shape[:-1])
    for q in range(n):
        total = total + cover[:, q] * e[..., q]
    out = e - weight * total[..., None]
    out = out + factor * z_all[:, n_groups * n :, None]
    mean = np.zeros((d.size, n_groups, n))
    for g in range(n_groups):
        if parent[g] >= 0:
            mean[:, parent[g], :] += group_weight[g] * out[:, g, :]
    for g in range(n_groups):
        if parent[g] >= 0:
            out[:, g, :] -= mean[:, parent[g], :]
    return out


def simulate_reference(
    inputs: KernelInputs, draws: int, seed: int, rng: str = "counter", batch: int = 256
) -> tuple[np.ndarray, np.ndarray]:
    """Seat counts ``(draws, n_parties)`` and per-seat wins ``(n_seats, n_parties)``.

    Reads the kernel's own input object (nothing of :mod:`sim`) and lays it out densely, seat by
    party: a party that does not stand in a seat has no score there.
    """
    n_seats, n_parties = inputs.cand_ptr.size - 1, inputs.seat_sigma.size
    seat_of = np.repeat(np.arange(n_seats), np.diff(inputs.cand_ptr))
    shares = np.zeros((n_seats, n_parties))
    lead = np.zeros((n_seats, n_parties))
    sens = np.zeros((inputs.cand_sens.shape[0], n_seats, n_parties))
    shares[seat_of, inputs.cand_idx] = inputs.cand_share
    lead[seat_of, inputs.cand_idx] = inputs.cand_lead
    sens[:, seat_of, inputs.cand_idx] = inputs.cand_sens
    stood = np.zeros((n_seats, n_parties), dtype=bool)
    rank = np.full((n_seats, n_parties), -1)
    for i in range(n_seats):
        cand = inputs.cand_idx[inputs.cand_ptr[i] : inputs.cand_ptr[i + 1]]
        stood[i, cand] = True
        rank[i, cand] = np.arange(cand.size)
    streams = _Streams(seed, rng)
    seat_counts = np.zeros((draws, n_parties), dtype=np.int32)
    wins = np.zeros((n_seats, n_parties), dtype=np.int64)
    n_cov = inputs.cov.shape[0]
    for first in range(0, draws, batch):
        d = np.arange(first, min(first + batch, draws), dtype=np.uint64)
        nd = d.size
        nat = _group_errors(streams, 1, d, inputs.nat)[:, 0, :]
        nation = _group_errors(streams, 2, d, inputs.nation)
        offset = _group_errors(streams, 3, d, inputs.reg)
        offset = offset + (nat[:, None, :] + nation[:, inputs.region_nation, :])
        contest = _group_errors(streams, 8, d, inputs.contest)
        z_slope = streams.normal(4, d, n_cov * n_parties).reshape(nd, n_cov, n_parties)
        slope = np.where(inputs.slope_sigma > 0, inputs.slope_sigma * z_slope, 0.0)
        m_q = inputs.quantiles.shape[1] - 1
        u = streams.uniform(5, d, inputs.quantiles.shape[0]) * m_q
        j = np.minimum(u.astype(np.int64), m_q - 1)
        k_idx = np.arange(inputs.quantiles.shape[0])
        q = inputs.quantiles
        theta = q[k_idx, j] + (u - j) * (q[k_idx, j + 1] - q[k_idx, j]) - inputs.centre
        mean = shares[None] + offset[:, inputs.region, :] + contest[:, inputs.seat_contest, :]
        for c in range(n_cov):
            mean = mean + slope[:, c, None, :] * inputs.cov[c][None, :, None]
        for k in range(theta.shape[1]):
            mean = mean + theta[:, k, None, None] * sens[k][None]
        z = streams.normal(6, d, n_seats * n_parties).reshape(nd, n_seats, n_parties)
        x = np.maximum(mean + np.where(inputs.seat_sigma > 0, inputs.seat_sigma * z, 0.0), 0.0)
        score = np.where(stood[None], x * lead[None], -np.inf)
        winner = score.argmax(axis=2)
        top = score.max(axis=2, keepdims=True)
        tied = (score == top).sum(axis=2) > 1
        for b, i in zip(*np.nonzero(tied), strict=True):
            winner[b, i] = _break_tie(score[b, i], rank[i], int(keys(seed, 7, d[b : b + 1])[0]), int(i))
        for p in range(n_parties):
            seat_counts[first : first + nd, p] = (winner == p).sum(axis=1)
            wins[:, p] += (winner == p).sum(axis=0)
    return seat_counts, wins


def _break_tie(score: np.ndarray, rank: np.ndarray, tie_base: int, seat: int) -> int:
    """The kernel's reservoir rule over candidates in their CSR order."""
    order = [p for p in np.argsort(np.where(rank >= 0, rank, 10**6)) if rank[p] >= 0]
    best, winner, ties = -np.inf, -1, 0
    for p in order:
        s = score[p]
        if s > best:
            best, winner, ties = s, int(p), 1
        elif s == best:
            ties += 1
            u = float(to_uniform(np.array([_scalar_bits(tie_base, (seat * 1024 + ties) & MASK)], dtype=np.uint64))[0])
            if u * ties < 1.0:
                winner = int(p)
    return winner


assert Z_MAX > 14  # the kernel's pruning bound; the reference prunes nothing
