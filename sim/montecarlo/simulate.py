"""Monte Carlo: draw many elections around a projection and count seats.

The error model (``docs/model.md``): national, nation and regional errors per party, random
covariate slopes, uncertain scenario parameters and an independent seat error, all in share
points. A party's error scale is the scenario's value times ``sqrt(S(1-S)/0.25)``, S its vote
share in the seats it fights (a 50% party gets the full value, a 10% party 60%, a 1% party
20%). National, nation and regional errors sum to zero across parties, weighted by vote share.

Uncertain parameters enter to first order: the projection is made at each parameter's mean and
each draw adds ``(theta - mean) * d shares / d theta``, the sensitivity the projection carries
(:class:`sim.projection.project.Sensitivity`). This is exact for a parameter that enters linearly
and alone (a flow rate, a pact transfer) and an approximation where steps interact.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numba
import numpy as np

from kernels.montecarlo import ErrorGroups, KernelInputs, simulate_seats
from sim.core.errors import ScenarioError, did_you_mean
from sim.core.interrupts import sigint_deferred
from sim.data.names import NUMERIC
from sim.montecarlo.groups import contest_types, nation_scale, nations_set_by, poll_variances
from sim.montecarlo.nnls import nnls2
from sim.montecarlo.results import SimulationResult
from sim.montecarlo.summary import SeatSummary
from sim.projection.project import Projection
from sim.projection.terms import centred
from sim.scenario.distributions import QUANTILE_POINTS
from sim.scenario.schema import Scenario, Uncertainty

DEFAULT_BATCH = 50_000
TALLY_BYTES = 256 * 2**20
"""The most a batch's group counts may take (:func:`simulate` with ``tally``): batches are cut to fit."""
MAIN_SHARE = 0.05
"""Parties above this GB share set the national error's calibration (:func:`national_errors`)."""


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


@dataclass(frozen=True)
class Inputs:
    """A projection and what the kernel needs to simulate around it.

    Attributes
    ----------
    projection : Projection
    kernel : KernelInputs
        The kernel's input (:func:`kernels.montecarlo.simulate_seats`), candidacies in CSR order.
    sens : (n_params, n_seats, n_parties) float64
        Each uncertain parameter's effect on every share (the kernel keeps the candidacies' only).

    """

    projection: Projection
    kernel: KernelInputs
    sens: np.ndarray


def error_groups(
    projection: Projection, masks: list[np.ndarray], scales: np.ndarray, parents: np.ndarray,
    extra: np.ndarray | None = None,
) -> ErrorGroups:  # fmt: skip
    """Error terms for groups of seats whose party shares err together (the nation, nations, regions).

    In group ``g`` party ``p`` fights seats holding ``cover`` of the group's votes, with share
    ``S / cover`` there. Its error in those seats has the binomial-like scale
    ``scales[g] * sqrt(s (1 - s) / 0.25)`` of that share, so the group share moves by ``cover``
    times that: the variance each party's group share should have. The errors are drawn
    independently and then made zero-sum over parties (:func:`kernels.terms._zero_sum_errors`),
    which changes their variances; the independent variances are solved (non-negative least
    squares) so that after the projection each party's group-share variance is the target.
    ``parents`` labels the groups whose deviations are centred together (-1: none); the centring
    weights are the groups' shares of their parent's votes (the same for every party), so the
    deviations sum to zero, vote-weighted, within the parent, and a party standing in one nation
    (the SNP) keeps the part of its deviation that is not the parent's mean. ``extra``
    (``(n_groups, n_parties)``, optional) is variance added to each party's group-share target: a
    poll average's own variance (:func:`poll_variances`).
    """
    from scipy.optimize import nnls

    votes = projection.votes
    stood = projection.stood & (votes > 0)
    seat_total = votes.sum(axis=1)
    n_groups, n_parties = len(masks), votes.shape[1]
    sigma, weight, cover, group_weight = (np.zeros((n_groups, n_parties)) for _ in range(4))
    group_votes = np.zeros(n_groups)
    for g, m in enumerate(masks):
        total = seat_total[m].sum()
        if total <= 0:
            continue
        share = votes[m].sum(axis=0) / total
        cov = (stood[m] * seat_total[m][:, None]).sum(axis=0) / total
        group_votes[g] = total
        where = np.clip(np.divide(share, cov, out=np.zeros_like(share), where=cov > 0), 0.0, 1.0)
        cover[g], weight[g] = cov, where
        added = extra[g] if extra is not None else np.zeros(n_parties)
        if scales[g] <= 0 and not added.any():
            continue
        target = (scales[g] * np.sqrt(where * (1 - where) / 0.25) * cov) ** 2 + added
        # var of party p after the zero-sum step: (1 - S_p)^2 v_p + S_p^2 sum_{q != p} v_q
        model = share[:, None] ** 2 * np.ones((1, n_parties))
        np.fill_diagonal(model, (1 - share) ** 2)
        v, _ = nnls(model, target)
        sigma[g] = np.divide(np.sqrt(v), cov, out=np.zeros_like(v), where=cov > 0)
    for root in set(parents[parents >= 0].tolist()):
        members = parents == root
        group_weight[members] = (group_votes[members] / group_votes[members].sum())[:, None]
    return ErrorGroups(sigma, weight, cover, parents.astype(np.int64), group_weight, np.zeros((n_groups, n_parties)))


def national_errors(
    projection: Projection, gb: np.ndarray, national: float, lead: float | None,
    extra: np.ndarray | None = None, extra_lead: float = 0.0,
) -> ErrorGroups:  # fmt: skip
    """The national term: a zero-sum error per party and, with ``lead``, a two-largest-parties factor.

    Without ``lead`` each party's GB-share sd is ``national * sqrt(s (1 - s) / 0.25) * cover``
    (``s`` its share where it stands): a multinomial-like zero-sum error, which makes the two
    largest parties' errors strongly negatively correlated. Final-week polls erred otherwise:
    the two largest parties were often under- or over-estimated together against the rest.
    With ``lead`` (the measured RMS error of the two largest parties' lead), the zero-sum part is
    scaled by ``m`` and one common factor ``f ~ N(0, b^2)`` is added, loading ``S_p / (S_1 + S_2)``
    on the two largest parties and ``-S_q c_q / sum(S c)`` on every other (``c`` its coverage: a
    party fighting part of GB moves in its seats as a GB-wide party of its GB share; still zero-sum),
    with ``m`` and ``b`` solved by least squares (relative errors, equal weights) so that every
    party above ``MAIN_SHARE`` of GB keeps its calibrated variance and the sd of the lead is ``lead``.
    ``extra`` (per party) and ``extra_lead`` are variances added to those targets: a GB poll
    average's own (:func:`poll_variances`), on top of the calibrated industry error.
    """
    votes = projection.votes[gb]
    share = votes.sum(axis=0) / votes.sum()
    k = national**2 / 0.25
    top = np.argsort(-share)[:2]
    cover = error_groups(projection, [gb], np.array([national]), np.array([-1])).cover[0]
    rest = share * cover  # a party fighting part of GB takes its part where it stands, not concentrated there
    rest[top] = 0.0
    load = -rest / rest.sum() if rest.sum() > 0 else np.zeros_like(rest)
    load[top] = share[top] / share[top].sum()
    m2, b2 = 1.0, 0.0
    added = extra if extra is not None else np.zeros_like(share)
    if national <= 0 and not added.any():  # no national error at all, whatever the lead
        m2, b2 = 0.0, 0.0
    elif lead is not None and rest.sum() > 0 and national > 0:
        # Least squares over the main parties' variances and the lead's: rows [zero-sum part, factor].
        main = np.flatnonzero(share > MAIN_SHARE)
        rows = [[k * share[p] * (1 - share[p]), load[p] ** 2] for p in main]
        targets = [k * share[p] * (1 - share[p]) + added[p] for p in main]
        sa, sc = share[top]
        rows.append([k * (sa * (1 - sa) + sc * (1 - sc) + 2 * sa * sc), (load[top[0]] - load[top[1]]) ** 2])
        targets.append(lead**2 + extra_lead)
        weights = np.array([1.0 / v for v in targets])  # relative errors
        m2, b2 = nnls2(np.array(rows) * weights[:, None], np.array(targets) * weights)
        m2 = m2 if added.any() else min(m2, 1.0)
        added = None  # the solved scales carry it
    groups = error_groups(
        projection, [gb], np.array([national * np.sqrt(m2)]), np.array([-1]),
        extra=added[None, :] if added is not None else None,
    )  # fmt: skip
    factor = np.sqrt(b2) * np.divide(load, cover, out=np.zeros_like(load), where=cover > 0)
    return groups._replace(factor=factor[None, :])


def prepare(scenario: Scenario, projection: Projection) -> Inputs:
    """Turn a scenario's uncertainty and its (checked) projection into kernel inputs.

    The projection is used as it is: with uncertain parameters it must be the one
    :func:`sim.projection.project.project` made at their means, which carries their sensitivities.
    """
    params = tuple(scenario.uncertainty.parameters)
    sensitivity = projection.sensitivity
    if params and (sensitivity is None or sensitivity.paths != params):
        raise ScenarioError(
            "this projection was not made for the scenario's uncertain parameters; project the scenario with "
            "sim.project (or sim.project_file) and pass that projection"
        )
    if sensitivity is None:
        return inputs_for(projection, scenario.uncertainty, set_nations=nations_set_by(scenario))
    return inputs_for(projection, scenario.uncertainty, sensitivity.quantiles, sensitivity.centre, sensitivity.sens,
                      set_nations=nations_set_by(scenario))  # fmt: skip


def inputs_for(
    projection: Projection,
    unc: Uncertainty,
    quantiles: np.ndarray | None = None,
    centre: np.ndarray | None = None,
    sens: np.ndarray | None = None,
    *,
    set_nations: frozenset[str] = frozenset(),
) -> Inputs:
    """Kernel inputs for a projection and an error model (uncertain parameters optional).

    ``set_nations``: nations whose shares the scenario sets itself (a ``shares`` step scoped to
    the nation); their deviation from GB is the scenario's, so it errs like a poll of the nation
    (the ``national`` scale) rather than by the GB-to-nation deviation of past elections.
    """
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
    gb = election.nations != "Northern Ireland"
    polled = poll_variances(projection)
    set_nations = set_nations | frozenset(n for n in polled if n in nations)
    top = np.argsort(-projection.votes[gb].sum(axis=0))[:2]
    gb_var, gb_cov = polled.get("GB", (np.zeros(scale.size), np.zeros((scale.size, scale.size))))
    lead_var = float(gb_var[top].sum() - 2 * gb_cov[top[0], top[1]])
    nat = national_errors(projection, gb, unc.national, unc.lead, gb_var, lead_var)
    nation_scales = np.array([min(nation_scale(unc, n), unc.national) if n in set_nations else nation_scale(unc, n)
                              for n in nations])  # fmt: skip
    gb_parent = np.array([0 if n != "Northern Ireland" else -1 for n in nations])
    nation = error_groups(
        projection, [election.nations == n for n in nations], nation_scales, gb_parent,
        extra=np.array([polled[n][0] if n in polled else np.zeros(scale.size) for n in nations]),
    )  # fmt: skip
    several = np.array([(region_nation == region_nation[r]).sum() > 1 for r in range(len(regions))])
    reg = error_groups(
        projection, [region_index == r for r in range(len(regions))],
        np.where(several, unc.regional, 0.0), np.where(several, region_nation, -1),
        extra=np.array([polled[r][0] if r in polled else np.zeros(scale.size) for r in regions]),
    )  # fmt: skip  # no regional error inside a nation that is one region
    seat_contest, contest_names = contest_types(projection)
    gb_contest = np.array([0 if "NI" not in n else -1 for n in contest_names])
    contest = error_groups(
        projection, [seat_contest == k for k in range(len(contest_names))],
        np.full(len(contest_names), unc.contest), gb_contest,
    )  # fmt: skip
    cov_names = list(unc.slopes)
    for name in cov_names:
        if name not in NUMERIC:
            raise ScenarioError(f"uncertainty.slopes: '{name}' is not a numeric covariate{did_you_mean(name, NUMERIC)}")
    cov = np.zeros((len(cov_names), election.n_seats))
    valid = election.valid_votes.astype(float)
    for c, name in enumerate(cov_names):
        # Centred within region, as the slopes are measured: between regions the regional error acts.
        cov[c] = centred(election.covariate(name).astype(float), election.regions, valid)
    slope_sigma = np.array([unc.slopes[n] * scale for n in cov_names]).reshape(len(cov_names), scale.size)
    votes = projection.votes.sum(axis=1) * gb
    weight = votes / votes.sum()
    fights = stood & gb[:, None]
    seat = np.repeat(np.arange(election.n_seats), np.diff(ptr))
    kernel = KernelInputs(
        cand_share=np.ascontiguousarray(projection.shares[seat, idx]),
        cand_lead=np.ascontiguousarray(projection.lead[seat, idx]),
        cand_ptr=ptr, cand_idx=idx, region=region_index.astype(np.int64), region_nation=region_nation,
        seat_contest=seat_contest, nat=nat, nation=nation, reg=reg, contest=contest, cov=cov,
        slope_sigma=slope_sigma, quantiles=quantiles, centre=centre,
        cand_sens=np.ascontiguousarray(sens[:, seat, idx]), seat_sigma=unc.seat * scale,
        gb_base=weight @ projection.shares,
        slope_agg=np.einsum("ci,i,ip->cp", cov, weight, fights.astype(float)),
        sens_agg=np.einsum("i,kip->kp", weight, sens), seat_votes=projection.votes.sum(axis=1).astype(float),
    )  # fmt: skip
    return Inputs(projection=projection, kernel=kernel, sens=sens)


def preference_stack(prefs: np.ndarray, prefs_sd: np.ndarray | None) -> np.ndarray:
    """A preference matrix and its cells' log sd (0 if none) as the kernels take them: ``(2, n, n)`` float64."""
    sd = np.zeros_like(prefs) if prefs_sd is None else prefs_sd
    return np.ascontiguousarray(np.stack([prefs, sd]), dtype=np.float64)


def simulate(
    inputs: Inputs,
    draws: int,
    seed: int,
    *,
    threads: int | None = None,
    batch: int = DEFAULT_BATCH,
    share_bins: int = 0,
    progress: Callable[[int], object] | None = None,
    keep_draws: bool = False,
    blocs: Sequence[Sequence[str]] = (),
    on_batch: Callable[[int, np.ndarray, np.ndarray], object] | None = None,
    tally: np.ndarray | None = None,
    tally_batch: Callable[[int, np.ndarray, np.ndarray, np.ndarray, np.ndarray], object] | None = None,
    top_slot: np.ndarray | None = None,
    prefs: np.ndarray | None = None,
    prefs_sd: np.ndarray | None = None,
) -> SimulationResult:
    """Simulate ``draws`` elections.

    Memory does not grow with ``draws`` unless ``keep_draws``: each batch's seat counts are folded
    into a fixed-size :class:`~sim.montecarlo.summary.SeatSummary` (and handed to ``on_batch``)
    and then dropped.

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
    keep_draws : bool
        Keep every draw's seat counts and GB shares in the result (``seat_counts``,
        ``gb_shares``): 184 bytes a draw, for analyses that need the joint draws.
    blocs : sequence of sequences of party codes
        Blocs whose seat distribution the summary keeps (``result.bloc``).
    on_batch : callable, optional
        Called after each batch with the batch's first draw number, its ``(n, n_parties)`` int32
        seat counts and float32 GB shares (to stream the draws to a file).
    tally : (n_seats,) int array, optional
        Each seat's group (0, 1, ...; for other voting systems, a region or a district): the seat
        kernel then counts each group's seats won and votes per party in every draw (every variate
        is drawn, as with ``share_bins``), for ``tally_batch``. Batches are made smaller, so that
        the counts of one take at most :data:`TALLY_BYTES`.
    tally_batch : callable, optional
        Called after each batch with its first draw number and its ``(n, n_groups, n_parties)``
        seats won, votes, seats won by the alternative vote (no draws without ``prefs``), and
        ``(n, n_groups, n_slots)`` strongest single candidates of ``top_slot``'s columns (no draws
        without it): what other voting systems are counted from (:mod:`sim.systems`). The arrays
        are reused by the next batch: copy what must outlast the call.
    top_slot : (n_parties,) int array, optional
        With ``tally``: the slot (0, 1, ...) of each column whose strongest single candidate per
        group is kept, -1 for the others.
    prefs : (n_parties, n_parties) array, optional
        A preference matrix (:mod:`sim.systems.preferences`): count every seat by the alternative
        vote as well (for ``tally_batch``). It changes no other output.
    prefs_sd : (n_parties, n_parties) array, optional
        The sd of each cell's log: each draw multiplies the cell by a mean-one log-normal factor
        (its own variates, keyed by draw). Default: the matrix is the same in every draw.

    """
    if draws < 1:
        raise ValueError("draws must be at least 1")
    if not 0 <= seed < 2**64:
        raise ValueError("seed must be between 0 and 2**64 - 1")
    n_seats, n_parties = inputs.projection.shares.shape
    summary = SeatSummary(n_parties, blocs)
    seat_counts = np.zeros((draws, n_parties), dtype=np.int32) if keep_draws else None
    gb_shares = np.zeros((draws, n_parties), dtype=np.float32) if keep_draws else None
    wins = np.zeros((n_seats, n_parties), dtype=np.int64)
    hist = np.zeros((inputs.kernel.cand_idx.size, share_bins), dtype=np.int64)
    if prefs is None:
        av = np.zeros((0, 0, 0))
    else:
        if prefs.shape != (n_parties, n_parties) or (prefs_sd is not None and prefs_sd.shape != prefs.shape):
            raise ValueError(f"prefs (and prefs_sd) must be ({n_parties}, {n_parties}) matrices")
        av = preference_stack(prefs, prefs_sd)
    if (tally is None) != (tally_batch is None):
        raise ValueError("tally and tally_batch go together")
    groups = np.ascontiguousarray(tally if tally is not None else np.zeros(0), dtype=np.int64)
    slots = np.ascontiguousarray(top_slot if top_slot is not None else np.zeros(0), dtype=np.int64)
    tallies = [np.zeros((0, 0, n_parties), dtype=t) for t in (np.int32, np.float64, np.int32, np.float64)]
    if groups.size:  # the kernel fills these batch after batch (the same memory: fresh pages are slow to touch)
        n_groups, n_slots = int(groups.max()) + 1, int(slots.max()) + 1 if slots.size else 0
        per_draw = n_groups * (n_parties * (4 + 8 + (4 if prefs is not None else 0)) + 8 * n_slots)
        batch = max(1, min(batch, draws, TALLY_BYTES // per_draw))
        tallies = [np.empty((batch, n_groups, n_parties), dtype=np.int32), np.empty((batch, n_groups, n_parties)),
                   np.empty((batch if prefs is not None else 0, n_groups, n_parties), dtype=np.int32),
                   np.empty((batch if n_slots else 0, n_groups, n_slots))]  # fmt: skip
    previous = numba.get_num_threads()
    try:
        if threads is not None:
            numba.set_num_threads(threads)
        for first in range(0, draws, batch):
            n = min(batch, draws - first)
            with sigint_deferred():
                counts, batch_gb, batch_wins, batch_hist = simulate_seats(
                    inputs.kernel, np.uint64(seed), first, n, share_bins, max_threads(), groups, slots, av,
                    tallies[0], tallies[1], tallies[2], tallies[3],
                )  # fmt: skip
            summary.add(counts)
            if seat_counts is not None and gb_shares is not None:
                seat_counts[first : first + n] = counts
                gb_shares[first : first + n] = batch_gb
            if on_batch is not None:
                on_batch(first, counts, batch_gb)
            if tally_batch is not None:
                tally_batch(first, *(t[:n] for t in tallies))
            wins += batch_wins
            hist += batch_hist
            if progress is not None:
                progress(n)
    finally:
        numba.set_num_threads(previous)
    return SimulationResult(
        projection=inputs.projection, wins=wins, seed=seed, summary=summary, seat_counts=seat_counts,
        gb_shares=gb_shares, share_hist=hist if share_bins else None, cand_ptr=inputs.kernel.cand_ptr,
        cand_idx=inputs.kernel.cand_idx,
    )  # fmt: skip
