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
``contest`` come from :func:`kernels.terms._zero_sum_errors`: per group, zero-sum over parties (in
the group's shares), plus a common factor where given, and centred within the group's parent
(nations within GB, regions within their nation, contest types over GB); ``slope`` are normal
errors on covariate slopes (covariates centred within region); ``theta`` are scenario parameters
drawn by inverse CDF from quantile tables, entering through their sensitivities. These shared
terms are computed for a whole block of draws at once (:func:`kernels.terms.draw_terms`).

Speed comes from loops over the block's draws that the compiler vectorises: for each candidacy,
the means, then the seat variates (:func:`kernels.rng.normals_over`: the hash in SIMD lanes), then
the scores, branch-free. Exact pruning: a variate of this generator never exceeds ``Z_MAX`` in
absolute value, so a party whose best possible score is below a score another party has already
reached cannot win the seat in that draw. Candidates are visited in descending order of projected
share (the library orders ``cand_idx`` so); a candidacy that can win in no draw of the block is
skipped, and one that can win in at most ``SPARSE`` draws is evaluated in those draws alone.
Skipping changes nothing: variates are keyed by position, not drawn in sequence.

Exact ties go to one of the tied parties chosen uniformly (reservoir sampling) by a hash of
(seed, draw, seat, tie number).
"""

from __future__ import annotations

import numpy as np
from numba import get_thread_id, njit, prange, uint64

from kernels.inputs import ErrorGroups, KernelInputs
from kernels.preferential import draw_preferences, irv_winner
from kernels.rng import Z_MAX, bits, mix64, normal_mixed, normals_over, to_uniform
from kernels.terms import STREAM_SEAT, STREAM_TIE, draw_terms, gb_before_seats, keys

__all__ = ["BLOCK", "N_LANES", "ErrorGroups", "KernelInputs", "simulate_block", "simulate_seats"]

# Tunables, the defaults of simulate_seats's ``block`` and ``lanes`` (neither changes a result).
N_LANES = 64
"""Accumulator lanes: win counts take N_LANES x n_seats x n_parties, whatever n_draws."""
BLOCK = 128
"""Draws simulated together, seat by seat: per-candidacy work is shared by the block's draws."""
SPARSE = 16
"""A candidacy that can win in at most this many of a block's draws is evaluated in those alone."""


@njit(cache=True)
def _keeps_tie(tie_base: np.uint64, i: int, tie: int) -> bool:
    """Whether the ``tie``-th party tied for seat ``i`` takes it (reservoir sampling).

    Exact ties go to one of the tied parties chosen uniformly, by a hash of (seed, draw, seat, tie
    number) under the draw's ``tie_base``.
    """
    return to_uniform(bits(tie_base, uint64(i) * uint64(1024) + uint64(tie))) * tie < 1.0


@njit(cache=True)
def _take(b: int, p: int, sc: float, i: int, best: np.ndarray, winner: np.ndarray, ties: np.ndarray,
          tie_base: np.ndarray) -> None:  # fmt: skip
    """Count party ``p``'s score ``sc`` in draw ``b`` of seat ``i``: it leads if highest so far, or wins a tie."""
    if sc > best[b]:
        best[b] = sc
        winner[b] = p
        ties[b] = 1
    elif sc == best[b]:
        ties[b] += 1
        if _keeps_tie(tie_base[b], i, ties[b]):
            winner[b] = p


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
    slope = np.empty((n_cov, n_parties, count))
    theta = np.empty((n_params, count))
    nat_err = np.empty((1, n_parties, count))
    draw_terms(first, seed, nat, nation, reg, contest, region_nation, slope_sigma, quantiles, centre, offset,
               contest_offset, slope, theta, nat_err)  # fmt: skip
    gb_before_seats(gb_base, nat[2][0], nat_err, slope, slope_agg, theta, sens_agg, gb_shares)
    seat_base = np.empty(count, dtype=np.uint64)
    tie_base = np.empty(count, dtype=np.uint64)
    keys(seed, uint64(STREAM_SEAT), first, seat_base)
    keys(seed, uint64(STREAM_TIE), first, tie_base)
    best = np.empty(count)
    winner = np.empty(count, dtype=np.int64)
    ties = np.empty(count, dtype=np.int64)
    total = np.empty(count)
    max_cands = 0
    for i in range(n_seats):
        max_cands = max(max_cands, cand_ptr[i + 1] - cand_ptr[i])
    value = np.empty((max_cands, count))
    mean = np.empty(count)
    z = np.empty(count)
    slow = np.empty(count, dtype=np.bool_)
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
    block_counts = np.zeros((n_parties, count), dtype=np.int32)
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
            if not full:  # exact test, draw by draw: can its variate make it win?
                need = 0
                for b in range(count):
                    need += max(mean[b] + edge, 0.0) * lead >= best[b]
                if need <= SPARSE:  # none or few: those draws alone
                    mixed = mix64(index)
                    for b in range(count if need > 0 else 0):
                        if max(mean[b] + edge, 0.0) * lead >= best[b]:
                            x = mean[b] + sigma * normal_mixed(seat_base[b], index, mixed) if sigma > 0.0 else mean[b]
                            _take(b, p, max(x, 0.0) * lead, i, best, winner, ties, tie_base)
                    continue
            # Every draw: the variates, then the scores, in branch-free loops (they vectorise).
            normals_over(seat_base, index, z, slow)
            n_tied = 0
            for b in range(count):
                x = max(mean[b] + sigma * z[b], 0.0)
                z[b] = x  # the value, from here on
                sc = x * lead
                up = sc > best[b]
                tied = sc == best[b]
                n_tied += tied
                winner[b] = p if up else winner[b]
                ties[b] = 1 if up else ties[b] + tied
                best[b] = sc if up else best[b]
            if full:  # only share histograms and regional votes need every value
                for b in range(count):
                    total[b] += z[b]
                    value[j - lo, b] = z[b]
            for b in range(count if n_tied > 0 else 0):  # exact ties (rare): the tied party may take the seat
                if winner[b] != p and z[b] * lead == best[b] and _keeps_tie(tie_base[b], i, ties[b]):
                    winner[b] = p
        for j in range(lo, hi):  # seats won per party, counted branch-free (it vectorises)
            p = cand_idx[j]
            won = 0
            row = block_counts[p]
            for b in range(count):
                hit = winner[b] == p
                row[b] += hit
                won += hit
            wins[i, p] += won
        for b in range(count if n_bins > 0 or groups_on else 0):
            w = winner[b]
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
    for b in range(count):
        for p in range(n_parties):
            seat_counts[b, p] += block_counts[p, b]


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
