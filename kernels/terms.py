"""The terms a draw shares across seats, for a block of draws at once (see :mod:`kernels.montecarlo`).

National, nation, region and contest-type errors, covariate slopes and scenario parameters, and
the GB shares they make before seat noise. Each is computed for every draw of a block in loops
over the draws, which vectorise: the same operations in the same order as one draw at a time, so
every value is identical, and each variate is keyed to (seed, stream, draw, index) as before.
"""

from __future__ import annotations

import numpy as np
from numba import njit, uint64

from kernels.rng import bits, key, normals_over, to_uniform

STREAM_NATIONAL = 1
STREAM_NATION = 2
STREAM_REGION = 3
STREAM_SLOPE = 4
STREAM_PARAMETER = 5
STREAM_SEAT = 6
STREAM_TIE = 7
STREAM_CONTEST = 8
STREAM_PREFERENCE = 9
"""The random streams, one per kind of variate (the last: the preference matrix's draw-by-draw noise)."""


@njit(cache=True)
def keys(seed: np.uint64, stream: np.uint64, first: int, base: np.ndarray) -> None:
    """``base[b]``: the key of draw ``first + b`` in ``stream``."""
    for b in range(base.size):
        base[b] = key(seed, stream, uint64(first + b))


@njit(cache=True)
def _scaled_normals(sigma: float, base: np.ndarray, index: np.uint64, out: np.ndarray, z: np.ndarray,
                    slow: np.ndarray) -> None:  # fmt: skip
    """``out[b] = sigma * normal(base[b], index)``; 0 without generating a variate when ``sigma`` is 0."""
    if sigma > 0.0:
        normals_over(base, index, z, slow)
        for b in range(out.size):
            out[b] = sigma * z[b]
    else:
        out[:] = 0.0


@njit(cache=True)
def _zero_sum_errors(seed: np.uint64, stream: np.uint64, first: int, sigma: np.ndarray, weight: np.ndarray,
                     cover: np.ndarray, parent: np.ndarray, group_weight: np.ndarray, factor: np.ndarray,
                     out: np.ndarray, base: np.ndarray, z: np.ndarray, slow: np.ndarray) -> None:  # fmt: skip
    """Per-group errors that add up: zero across parties, and zero across groups within a parent.

    For draw ``first + b``, ``out[g, p, b] = sigma[g, p] z[g, p] - weight[g, p] * sum_q cover[g, q]
    sigma[g, q] z[g, q]``: in seat units (the change in each seat the party fights in group ``g``).
    ``cover`` is each party's share of the group's votes cast where it stands and ``weight`` its
    share there, so the changes of the group's shares, ``cover * out``, sum to zero over parties
    (before the centring below, which then leaves each group's sum off by its parent's means: the
    centring is exact, the groups' own sums approximate). Each group adds one common factor,
    ``factor[g, p] * z`` (its loadings also sum to zero once multiplied by ``cover``: the two
    largest parties against the rest). Then, for groups with a parent (``parent[g] >= 0``), each
    party's vote-weighted mean over the parent's groups (weights ``group_weight``, summing to one
    per parent and party) is subtracted, so nation and region deviations sum to zero within their
    nation or GB. ``z`` are keyed by (group, party). ``base``, ``z`` and ``slow`` are scratch, one
    item per draw.
    """
    groups, n = sigma.shape
    count = out.shape[2]
    keys(seed, stream, first, base)
    total = np.empty(count)
    for g in range(groups):
        total[:] = 0.0
        for q in range(n):
            _scaled_normals(sigma[g, q], base, uint64(g * n + q), out[g, q], z, slow)
            c = cover[g, q]
            for b in range(count):
                total[b] += c * out[g, q, b]
        has_factor = False
        for p in range(n):
            has_factor = has_factor or factor[g, p] != 0.0
        if has_factor:  # keyed: skipping it changes nothing
            normals_over(base, uint64(groups * n + g), z, slow)
        else:
            z[:] = 0.0
        for p in range(n):
            w = weight[g, p]
            f = factor[g, p]
            for b in range(count):
                out[g, p, b] -= w * total[b]
                out[g, p, b] += f * z[b]
    # Centre within parents: each party's vote-weighted mean over the parent's groups, subtracted
    # (one pass for the means in group order, one to subtract them).
    centred = False
    for g in range(groups):
        centred = centred or parent[g] >= 0
    if not centred:
        return
    mean = np.zeros((groups, n, count))
    for g in range(groups):
        if parent[g] >= 0:
            for p in range(n):
                gw = group_weight[g, p]
                for b in range(count):
                    mean[parent[g], p, b] += gw * out[g, p, b]
    for g in range(groups):
        if parent[g] >= 0:
            for p in range(n):
                for b in range(count):
                    out[g, p, b] -= mean[parent[g], p, b]


@njit(cache=True)
def _draw_parameters(seed: np.uint64, first: int, quantiles: np.ndarray, centre: np.ndarray,
                     theta: np.ndarray) -> None:  # fmt: skip
    """Parameter deviations ``theta[k, b] = theta[k] - centre[k]`` of draw ``first + b``, by inverse CDF."""
    m = quantiles.shape[1] - 1
    for b in range(theta.shape[1]):
        base = key(seed, uint64(STREAM_PARAMETER), uint64(first + b))
        for k in range(quantiles.shape[0]):
            u = to_uniform(bits(base, uint64(k))) * m
            j = min(int(u), m - 1)
            frac = u - j
            theta[k, b] = quantiles[k, j] + frac * (quantiles[k, j + 1] - quantiles[k, j]) - centre[k]


@njit(cache=True)
def draw_terms(
    first: int, seed: np.uint64, nat: tuple, nation: tuple, reg: tuple, contest: tuple, region_nation: np.ndarray,
    slope_sigma: np.ndarray, quantiles: np.ndarray, centre: np.ndarray,
    offset: np.ndarray, contest_err: np.ndarray, slope: np.ndarray, theta: np.ndarray, nat_err: np.ndarray,
) -> None:  # fmt: skip
    """The shared terms of draws ``first .. first + count - 1``, draw-last (``count``: the arrays' last axis).

    ``nat``, ``nation``, ``reg`` and ``contest`` are each :class:`~kernels.inputs.ErrorGroups` for
    :func:`_zero_sum_errors`. Fills ``offset`` (n_regions, n_parties, count): each region's error
    plus its nation's and the national one; ``contest_err`` (n_contests, n_parties, count);
    ``slope`` (n_cov, n_parties, count); ``theta`` (n_params, count); and ``nat_err`` (1,
    n_parties, count), the national errors alone.
    """
    n_regions, n_parties, count = offset.shape
    base = np.empty(count, dtype=np.uint64)
    z = np.empty(count)
    slow = np.empty(count, dtype=np.bool_)
    nation_err = np.empty((nation[0].shape[0], n_parties, count))
    # The streams as uint64 values, not literals: a literal argument would compile one specialisation each.
    _zero_sum_errors(seed, uint64(STREAM_NATIONAL), first, nat[0], nat[1], nat[2], nat[3], nat[4], nat[5], nat_err,
                     base, z, slow)  # fmt: skip
    _zero_sum_errors(seed, uint64(STREAM_NATION), first, nation[0], nation[1], nation[2], nation[3], nation[4],
                     nation[5], nation_err, base, z, slow)  # fmt: skip
    _zero_sum_errors(seed, uint64(STREAM_REGION), first, reg[0], reg[1], reg[2], reg[3], reg[4], reg[5], offset,
                     base, z, slow)  # fmt: skip
    _zero_sum_errors(seed, uint64(STREAM_CONTEST), first, contest[0], contest[1], contest[2], contest[3], contest[4],
                     contest[5], contest_err, base, z, slow)  # fmt: skip
    for r in range(n_regions):  # regions nest in nations: one offset per region and party
        for p in range(n_parties):
            for b in range(count):
                offset[r, p, b] += nat_err[0, p, b] + nation_err[region_nation[r], p, b]
    keys(seed, uint64(STREAM_SLOPE), first, base)
    for c in range(slope.shape[0]):
        for p in range(n_parties):
            _scaled_normals(slope_sigma[c, p], base, uint64(c * n_parties + p), slope[c, p], z, slow)
    _draw_parameters(seed, first, quantiles, centre, theta)


@njit(cache=True)
def gb_before_seats(gb_base: np.ndarray, nat_cover: np.ndarray, nat_err: np.ndarray, slope: np.ndarray,
                    slope_agg: np.ndarray, theta: np.ndarray, sens_agg: np.ndarray,
                    out: np.ndarray) -> None:  # fmt: skip
    """Each draw's GB shares before seat noise: the shared terms aggregated, ``out[b, p]``, rows adding up to 1.

    ``gb_base`` is the projection's GB share, ``nat_cover`` the national group's ``cover``,
    ``slope_agg`` and ``sens_agg`` the covariates' and parameters' GB aggregates (see
    :class:`~kernels.inputs.KernelInputs`).
    """
    n_parties = gb_base.size
    for b in range(out.shape[0]):
        total = 0.0
        for p in range(n_parties):
            g = gb_base[p] + nat_cover[p] * nat_err[0, p, b]
            for c in range(slope.shape[0]):
                g += slope[c, p, b] * slope_agg[c, p]
            for k in range(theta.shape[0]):
                g += theta[k, b] * sens_agg[k, p]
            g = max(g, 0.0)  # a share, so at least 0; then the row is scaled to add up to 1
            out[b, p] = g
            total += g
        if total > 0.0:
            for p in range(n_parties):
                out[b, p] /= total
