"""Monte Carlo seat kernel: perturb projected shares draw by draw and count who wins each seat.

Pure functions of arrays. Draws go in blocks of ``BLOCK`` to a fixed number of lanes (not
threads); each lane owns its per-seat counters, summed at the end. Counts are integers, so sums are exact in any
order, and every variate is keyed to (seed, stream, draw, index): the output is identical for
any thread count and any batch size.

Model of one draw (errors in share points, added to the projected share of party p in seat i)::

    mean[i, p] = share[i, p] + nat[p] + nation[n(i), p] + region[r(i), p] + contest[t(i), p]
                 + sum_c slope[c, p] * cov[c, i] + sum_k (theta[k] - centre[k]) * sens[k, i, p]
    score[i, p] = max(0, mean[i, p] + seat_sigma[p] * z[i, p]) * lead[i, p]

for the parties standing in seat ``i``; the highest score wins. ``nat``, ``nation``, ``region`` and
``contest`` come from :func:`_zero_sum_errors`: per group, zero-sum over parties (in the group's
shares), plus a common factor where given, and centred within the group's parent (nations within
GB, regions within their nation, contest types over GB); ``slope`` are normal errors on covariate
slopes (covariates centred within region); ``theta`` are scenario parameters drawn by inverse CDF
from quantile tables, entering through their sensitivities.

Exact pruning: a variate of this generator never exceeds ``Z_MAX`` in absolute value, so a party
whose best possible score is below a score another party has already reached cannot win the seat
in this draw, and its seat variate is not generated. Candidates are visited in descending order
of projected share (the library orders ``cand_idx`` so), which makes most trailing parties
skippable. Skipping changes nothing: variates are keyed by position, not drawn in sequence.

Exact ties go to one of the tied parties chosen uniformly (reservoir sampling) by a hash of
(seed, draw, seat, tie number).
"""

from __future__ import annotations

import numpy as np
from numba import get_thread_id, njit, prange, uint64

from kernels.inputs import ErrorGroups, KernelInputs
from kernels.preferential import draw_preferences, irv_winner
from kernels.rng import Z_MAX, bits, key, mix64, normal, normal_mixed, to_uniform

__all__ = ["BLOCK", "N_LANES", "ErrorGroups", "KernelInputs", "simulate_block", "simulate_seats"]

# Tunables, the defaults of simulate_seats's ``block`` and ``lanes`` (neither changes a result).
N_LANES = 64
"""Accumulator lanes: win counts take N_LANES x n_seats x n_parties, whatever n_draws."""
BLOCK = 128
"""Draws simulated together, seat by seat: per-candidacy work is shared by the block's draws."""


STREAM_NATIONAL = 1
STREAM_NATION = 2
STREAM_REGION = 3
STREAM_SLOPE = 4
STREAM_PARAMETER = 5
STREAM_SEAT = 6
STREAM_TIE = 7
STREAM_CONTEST = 8


@njit(cache=True)
def _zero_sum_errors(seed: np.uint64, stream: np.uint64, draw: np.uint64, sigma: np.ndarray, weight: np.ndarray,
                     cover: np.ndarray, parent: np.ndarray, group_weight: np.ndarray, factor: np.ndarray,
                     out: np.ndarray) -> None:  # fmt: skip
    """Per-group errors that add up: zero across parties, and zero across groups within a parent.

    ``out[g, p] = sigma[g, p] z[g, p] - weight[g, p] * sum_q cover[g, q] sigma[g, q] z[g, q]``: in
    seat units (the change in each seat the party fights in group ``g``). ``cover`` is each party's
    share of the group's votes cast where it stands and ``weight`` its share there, so the changes
    of the group's shares, ``cover * out``, sum to zero over parties (before the centring below,
    which then leaves each group's sum off by its parent's means: the centring is exact, the
    groups' own sums approximate). Each group adds one common
    factor, ``factor[g, p] * z`` (its loadings also sum to zero once multiplied by ``cover``: the
    two largest parties against the rest). Then, for groups with a
    parent (``parent[g] >= 0``), each party's vote-weighted mean over the parent's groups
    (weights ``group_weight``, summing to one per parent and party) is subtracted, so nation and
    region deviations sum to zero within their nation or GB. ``z`` are keyed by (group, party).
    """
    groups, n = sigma.shape
    base = key(seed, uint64(stream), draw)
    for g in range(groups):
        total = 0.0
        for q in range(n):
            e = sigma[g, q] * normal(base, uint64(g * n + q)) if sigma[g, q] > 0.0 else 0.0
            out[g, q] = e
            total += cover[g, q] * e
        has_factor = False
        for p in range(n):
            has_factor = has_factor or factor[g, p] != 0.0
        z = normal(base, uint64(groups * n + g)) if has_factor else 0.0  # keyed: skipping it changes nothing
        for p in range(n):
            out[g, p] -= weight[g, p] * total
            out[g, p] += factor[g, p] * z
    # Centre within parents: each party's vote-weighted mean over the parent's groups, subtracted
    # (one pass for the means in group order, one to subtract them).
    centred = False
    for g in range(groups):
        centred = centred or parent[g] >= 0
    if not centred:
        return
    mean = np.zeros((groups, n))
    for g in range(groups):
        if parent[g] >= 0:
            for p in range(n):
                mean[parent[g], p] += group_weight[g, p] * out[g, p]
    for g in range(groups):
        if parent[g] >= 0:
            for p in range(n):
                out[g, p] -= mean[parent[g], p]


@njit(cache=True)
def _draw_parameters(seed: np.uint64, draw: np.uint64, quantiles: np.ndarray, centre: np.ndarray,
                     theta: np.ndarray) -> None:  # fmt: skip
    """Parameter deviations ``theta[k] - centre[k]`` by inverse CDF on quantile tables."""
    base = key(seed, uint64(STREAM_PARAMETER), draw)
    m = quantiles.shape[1] - 1
    for k in range(quantiles.shape[0]):
        u = to_uniform(bits(base, uint64(k))) * m
        j = min(int(u), m - 1)
        frac = u - j
        theta[k] = quantiles[k, j] + frac * (quantiles[k, j + 1] - quantiles[k, j]) - centre[k]


@njit(cache=True)
def _draw_terms(
    d: np.uint64, seed: np.uint64, nat: tuple, nation: tuple, reg: tuple, contest: tuple, region_nation: np.ndarray,
    slope_sigma: np.ndarray, quantiles: np.ndarray, centre: np.ndarray, seat_sigma: np.ndarray, offset: np.ndarray,
    slope: np.ndarray, theta: np.ndarray,
    nat_err: np.ndarray, nation_err: np.ndarray, contest_err: np.ndarray,
) -> None:  # fmt: skip
    """One draw's shared terms: region and contest offsets, slopes and parameters.

    ``nat``, ``nation``, ``reg`` and ``contest`` are each :class:`ErrorGroups` for
    :func:`_zero_sum_errors`. ``nat_err`` (1, n_parties) and ``nation_err`` (n_nations, n_parties)
    are scratch space; ``contest_err`` (n_contests, n_parties) receives the contest-type errors.
    """
    n_parties = seat_sigma.size
    n_regions = offset.shape[0]
    # The streams as uint64 values, not literals: a literal argument would compile one specialisation each.
    _zero_sum_errors(seed, uint64(STREAM_NATIONAL), d, nat[0], nat[1], nat[2], nat[3], nat[4], nat[5], nat_err)
    _zero_sum_errors(
        seed, uint64(STREAM_NATION), d, nation[0], nation[1], nation[2], nation[3], nation[4], nation[5], nation_err
    )
    _zero_sum_errors(seed, uint64(STREAM_REGION), d, reg[0], reg[1], reg[2], reg[3], reg[4], reg[5], offset)
    _zero_sum_errors(seed, uint64(STREAM_CONTEST), d, contest[0], contest[1], contest[2], contest[3], contest[4],
                     contest[5], contest_err)  # fmt: skip
    for r in range(n_regions):  # regions nest in nations: one offset per region and party
        for p in range(n_parties):
            offset[r, p] += nat_err[0, p] + nation_err[region_nation[r], p]
    n_cov = slope.shape[0]
    base = key(seed, uint64(STREAM_SLOPE), d)
    for c in range(n_cov):
        for p in range(n_parties):
            slope[c, p] = (
                slope_sigma[c, p] * normal(base, uint64(c * n_parties + p)) if slope_sigma[c, p] > 0.0 else 0.0
            )
    _draw_parameters(seed, d, quantiles, centre, theta)


@njit(cache=True)
def simulate_block(
    first: int, count: int, seed: np.uint64, cand_share: np.ndarray, cand_lead: np.ndarray, cand_ptr: np.ndarray,
    cand_idx: np.ndarray, region: np.ndarray, region_nation: np.ndarray, seat_contest: np.ndarray, nat: tuple,
    nation: tuple, reg: tuple, contest: tuple, cov: np.ndarray, slope_sigma: np.ndarray, quantiles: np.ndarray,
    centre: np.ndarray, cand_sens: np.ndarray, seat_sigma: np.ndarray, gb_base: np.ndarray, slope_agg: np.ndarray,
    sens_agg: np.ndarray, seat_counts: np.ndarray, gb_shares: np.ndarray, wins: np.ndarray, hist: np.ndarray,
    seat_votes: np.ndarray, tally: np.ndarray, group_seats: np.ndarray, group_votes: np.ndarray, prefs: np.ndarray,
    group_av: np.ndarray, top_slot: np.ndarray, group_top: np.ndarray,
) -> None:  # fmt: skip
    """Simulate draws ``first .. first + count - 1``; ``seat_counts`` and ``gb_shares`` rows are those draws.

    Seats are visited once per block; for each candidacy the block's draws are handled in an
    inner loop (the shared terms are laid out draw-last so that loop reads contiguous memory).
    With ``hist.shape[1] > 0`` each candidacy's share is binned, and with ``group_seats.shape[0]
    > 0`` the seats won and votes (``seat_votes`` times the seat's shares after noise, scaled to add
    up to 1) of each group of seats (``tally[i]``, the seat's group) are counted per draw; both need
    every variate. With ``group_top.shape[0] > 0`` the group's strongest single candidate of each
    column with a slot (``top_slot[p] >= 0``: the pooled independents and others) is kept as well,
    its votes being the column's times its lead fraction. With ``group_av.shape[0] > 0`` each seat
    is also counted by the alternative vote (:func:`kernels.preferential.irv_winner`, first
    preferences the candidates' shares after noise, transfers by the draw's preference matrix,
    :func:`kernels.preferential.draw_preferences`) and its winner counted in ``group_av``.
    """
    n_seats = cand_ptr.size - 1
    n_parties = seat_sigma.size
    n_nations = nation[0].shape[0]
    n_regions = reg[0].shape[0]
    n_contests = contest[0].shape[0]
    n_cov = cov.shape[0]
    n_params = quantiles.shape[0]
    n_bins = hist.shape[1]
    groups_on = group_seats.shape[0] > 0
    top_on = group_top.shape[0] > 0
    av_on = group_av.shape[0] > 0
    full = n_bins > 0 or groups_on or av_on  # every candidacy's value is needed, not only the winner
    offset = np.empty((n_regions, n_parties, count))
    contest_offset = np.empty((n_contests, n_parties, count))
    one_contest = np.empty((n_contests, n_parties))
    slope = np.empty((n_cov, n_parties, count))
    theta = np.empty((n_params, count))
    seat_base = np.empty(count, dtype=np.uint64)
    tie_base = np.empty(count, dtype=np.uint64)
    one_offset = np.empty((n_regions, n_parties))
    one_slope = np.empty((n_cov, n_parties))
    one_theta = np.empty(n_params)
    nat_err = np.empty((1, n_parties))
    nation_err = np.empty((n_nations, n_parties))
    for b in range(count):
        d = uint64(first + b)
        _draw_terms(d, seed, nat, nation, reg, contest, region_nation, slope_sigma, quantiles, centre, seat_sigma,
                    one_offset, one_slope, one_theta, nat_err, nation_err, one_contest)  # fmt: skip
        contest_offset[:, :, b] = one_contest
        g_total = 0.0
        for p in range(n_parties):  # the draw's GB share before seat noise: the shared terms, aggregated
            g = gb_base[p] + nat[2][0, p] * nat_err[0, p]
            for c in range(n_cov):
                g += one_slope[c, p] * slope_agg[c, p]
            for k in range(n_params):
                g += one_theta[k] * sens_agg[k, p]
            g = max(g, 0.0)  # a share, so at least 0; then the row is scaled to add up to 1
            gb_shares[b, p] = g
            g_total += g
        if g_total > 0.0:
            for p in range(n_parties):
                gb_shares[b, p] /= g_total
        offset[:, :, b] = one_offset
        slope[:, :, b] = one_slope
        theta[:, b] = one_theta
        seat_base[b] = key(seed, uint64(STREAM_SEAT), d)
        tie_base[b] = key(seed, uint64(STREAM_TIE), d)
    best = np.empty(count)
    winner = np.empty(count, dtype=np.int64)
    ties = np.empty(count, dtype=np.int64)
    total = np.empty(count)
    max_cands = 0
    for i in range(n_seats):
        max_cands = max(max_cands, cand_ptr[i + 1] - cand_ptr[i])
    value = np.empty((max_cands, count))
    mean = np.empty(count)
    av_first = np.empty(max_cands)
    av_parties = np.empty(max_cands, dtype=np.int64)
    av_pile = np.empty(max_cands)
    av_alive = np.empty(max_cands, dtype=np.bool_)
    n_pref = prefs.shape[1] if av_on else 0
    draw_prefs = np.empty((count if av_on else 0, n_pref, n_pref))
    group_seats[:] = 0  # the block's rows of the caller's arrays, which may hold an earlier batch
    group_votes[:] = 0.0
    group_av[:] = 0
    group_top[:] = 0.0
    for b in range(draw_prefs.shape[0]):
        draw_preferences(seed, uint64(first + b), prefs, draw_prefs[b])
    for i in range(n_seats):
        lo = cand_ptr[i]
        hi = cand_ptr[i + 1]
        r = region[i]
        g = tally[i] if groups_on else 0
        t = seat_contest[i]
        # Candidates come in descending order of projected share, so the best score so far is
        # soon high and most trailing parties are skipped without their variate.
        for b in range(count):
            best[b] = -np.inf
            winner[b] = -1
            ties[b] = 0
            total[b] = 0.0
        for j in range(lo, hi):
            p = cand_idx[j]
            share = cand_share[j]
            lead = cand_lead[j]
            sigma = seat_sigma[p]
            edge = Z_MAX * sigma
            index = uint64(i * n_parties + p)
            mixed = mix64(index)  # the same for every draw: hashed once
            # The block's means first, in branch-free loops over draws (they vectorise), in the
            # reference's order of additions; then the draws that need a variate.
            for b in range(count):
                mean[b] = share + offset[r, p, b] + contest_offset[t, p, b]
            for c in range(n_cov):
                x_c = cov[c, i]
                for b in range(count):
                    mean[b] += slope[c, p, b] * x_c
            for k in range(n_params):
                s_k = cand_sens[k, j]
                for b in range(count):
                    mean[b] += theta[k, b] * s_k
            for b in range(count):
                m = mean[b]
                if not full and max(m + edge, 0.0) * lead < best[b]:
                    continue  # exact test: its variate is not needed
                x = m
                if sigma > 0.0:
                    x += sigma * normal_mixed(seat_base[b], index, mixed)
                x = max(x, 0.0)
                if full:  # only share histograms and regional votes need every value
                    total[b] += x
                    value[j - lo, b] = x
                sc = x * lead
                if sc > best[b]:
                    best[b] = sc
                    winner[b] = p
                    ties[b] = 1
                elif sc == best[b]:
                    ties[b] += 1  # exact tie: reservoir choice keyed to (seed, draw, seat, tie number)
                    if to_uniform(bits(tie_base[b], uint64(i) * uint64(1024) + uint64(ties[b]))) * ties[b] < 1.0:
                        winner[b] = p
        for b in range(count):
            w = winner[b]
            seat_counts[b, w] += 1
            wins[i, w] += 1
            if n_bins > 0 and total[b] > 0.0:
                for j in range(lo, hi):
                    hist[j, min(int(value[j - lo, b] / total[b] * n_bins), n_bins - 1)] += 1
            if groups_on:
                group_seats[b, g, w] += 1
                if total[b] > 0.0:
                    for j in range(lo, hi):
                        p = cand_idx[j]
                        v = seat_votes[i] * value[j - lo, b] / total[b]
                        group_votes[b, g, p] += v
                        if top_on and top_slot[p] >= 0:
                            group_top[b, g, top_slot[p]] = max(group_top[b, g, top_slot[p]], v * cand_lead[j])
        if av_on:  # outside the draw loop above, so the loop the plurality count runs stays as it was
            _count_av(lo, hi, g, count, value, cand_lead, cand_idx, draw_prefs, group_av, av_first, av_parties,
                      av_pile, av_alive)  # fmt: skip


@njit(cache=True, inline="never")
def _count_av(
    lo: int, hi: int, g: int, count: int, value: np.ndarray, cand_lead: np.ndarray, cand_idx: np.ndarray,
    prefs: np.ndarray, group_av: np.ndarray, first: np.ndarray, parties: np.ndarray, pile: np.ndarray,
    alive: np.ndarray,
) -> None:  # fmt: skip
    """One seat's AV count in each of a block's draws (``prefs[b]``: draw ``b``'s matrix), in group ``g``."""
    k = hi - lo
    for j in range(lo, hi):
        parties[j - lo] = cand_idx[j]
    for b in range(count):
        for j in range(lo, hi):
            first[j - lo] = value[j - lo, b] * cand_lead[j]
        won = irv_winner(first[:k], parties[:k], prefs[b], pile, alive)
        group_av[b, g, parties[won]] += 1


@njit(cache=True)
def simulate_seats(
    inp: KernelInputs, seed: np.uint64, first_draw: int, n_draws: int, n_bins: int, n_slots: int,
    tally: np.ndarray, top_slot: np.ndarray, prefs: np.ndarray, group_seats: np.ndarray, group_votes: np.ndarray,
    group_av: np.ndarray, group_top: np.ndarray, block: int = BLOCK, lanes: int = N_LANES,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """Simulate draws ``first_draw .. first_draw + n_draws - 1`` in parallel.

    Parameters
    ----------
    inp : KernelInputs
        The projection and the error model as arrays.
    seed : uint64
    first_draw, n_draws : int
        The draws to simulate (a batch of a longer run: variates are keyed by draw number).
    n_bins : int
        Share histogram bins per candidacy (0 for none).
    n_slots : int
        Numba's maximum thread count: histograms are accumulated per thread (integer counts, so
        the total does not depend on which thread counted what).
    tally : (n_seats,) int64, or (0,)
        Each seat's group (0 to ``n_groups - 1``; for other voting systems, a region or a
        district): also count each group's seats won and votes cast per party in every draw, into
        ``group_seats`` and ``group_votes``. This needs every variate, as share histograms do. An
        empty array for none.
    top_slot : (n_parties,) int64, or (0,)
        With ``tally``, the columns whose strongest single candidate per group is also kept (their
        slot, from 0; -1 for the others), into ``group_top``: the pooled independents and others,
        for STV. An empty array for none.
    block, lanes : int
        Tunables: draws simulated together seat by seat, and accumulator lanes. Neither changes
        a result (variates are keyed by draw; counts are integers).
    prefs : (2, n_parties, n_parties) float64, or (0, 0, 0)
        A preference matrix and the sd of each cell's log (its sampling error): with ``tally``,
        also count every seat by the alternative vote, per group and draw, into ``group_av``, each
        draw with its own matrix (an empty array for none: one compiled specialisation either way).
    group_seats : (>= n_draws, n_groups, n_parties) int32 and group_votes : same, float64
        Filled (their first ``n_draws`` rows, zeroed first) with the seats won and votes per
        group, party and draw; ``(0, 0, 0)`` arrays without ``tally``. The caller owns them, so a
        long run reuses the same memory batch after batch.
    group_av : (>= n_draws, n_groups, n_parties) int32, or (0, 0, 0)
        Filled with the seats won by the alternative vote (with ``prefs``).
    group_top : (>= n_draws, n_groups, n_top) float64, or (0, 0, 0)
        Filled with the strongest candidate's votes of each slot's column (with ``top_slot``).

    Returns
    -------
    seat_counts : (n_draws, n_parties) int32
    gb_shares : (n_draws, n_parties) float32
    wins : (n_seats, n_parties) int64
    hist : (n_candidacies, n_bins) int64

    """
    # The parallel driver takes the fields as arguments: numba's parallel loops cannot trace a
    # named tuple that holds named tuples.
    return _simulate_parallel(
        inp.cand_share, inp.cand_lead, inp.cand_ptr, inp.cand_idx, inp.region, inp.region_nation, inp.seat_contest,
        inp.nat, inp.nation, inp.reg, inp.contest, inp.cov, inp.slope_sigma, inp.quantiles, inp.centre,
        inp.cand_sens, inp.seat_sigma, inp.gb_base, inp.slope_agg, inp.sens_agg, inp.seat_votes, seed, first_draw,
        n_draws, n_bins, n_slots, tally, top_slot, block, lanes, prefs, group_seats, group_votes, group_av, group_top,
    )  # fmt: skip


@njit(parallel=True, cache=True)
def _simulate_parallel(
    cand_share: np.ndarray, cand_lead: np.ndarray, cand_ptr: np.ndarray, cand_idx: np.ndarray, region: np.ndarray,
    region_nation: np.ndarray, seat_contest: np.ndarray, nat: tuple, nation: tuple, reg: tuple, contest: tuple,
    cov: np.ndarray, slope_sigma: np.ndarray, quantiles: np.ndarray, centre: np.ndarray, cand_sens: np.ndarray,
    seat_sigma: np.ndarray, gb_base: np.ndarray, slope_agg: np.ndarray, sens_agg: np.ndarray, seat_votes: np.ndarray,
    seed: np.uint64, first_draw: int, n_draws: int, n_bins: int, n_slots: int, tally: np.ndarray, top_slot: np.ndarray,
    block: int, lanes: int, prefs: np.ndarray, group_seats: np.ndarray, group_votes: np.ndarray, group_av: np.ndarray,
    group_top: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """The parallel driver of :func:`simulate_seats` (its fields as arguments)."""
    n_seats = cand_ptr.size - 1
    n_parties = seat_sigma.size
    n_candidacies = cand_idx.size
    seat_counts = np.zeros((n_draws, n_parties), dtype=np.int32)
    gb_shares = np.zeros((n_draws, n_parties), dtype=np.float32)
    lane_wins = np.zeros((lanes, n_seats, n_parties), dtype=np.int32)  # a lane has < 2**31 draws
    lane_hist = np.zeros((n_slots if n_bins > 0 else 1, n_candidacies, max(n_bins, 1)), dtype=np.int32)
    n_blocks = (n_draws + block - 1) // block
    for lane in prange(lanes):
        thread = get_thread_id() if n_bins > 0 else 0
        hist = lane_hist[thread, :, :n_bins]
        for blk in range(lane, n_blocks, lanes):
            start = blk * block
            count = min(block, n_draws - start)
            simulate_block(
                first_draw + start, count, seed, cand_share, cand_lead, cand_ptr, cand_idx, region, region_nation,
                seat_contest, nat, nation, reg, contest, cov, slope_sigma, quantiles, centre, cand_sens, seat_sigma,
                gb_base, slope_agg, sens_agg, seat_counts[start : start + count], gb_shares[start : start + count],
                lane_wins[lane], hist, seat_votes, tally, group_seats[start : start + count],
                group_votes[start : start + count], prefs, group_av[start : start + count], top_slot,
                group_top[start : start + count],
            )  # fmt: skip
    wins = np.zeros((n_seats, n_parties), dtype=np.int64)
    for lane in range(lanes):
        for i in range(n_seats):
            for p in range(n_parties):
                wins[i, p] += lane_wins[lane, i, p]
    hist_total = np.zeros((n_candidacies, n_bins), dtype=np.int64)
    if n_bins > 0:
        for t in range(lane_hist.shape[0]):
            hist_total += lane_hist[t]
    return seat_counts, gb_shares, wins, hist_total
