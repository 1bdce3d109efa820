"""The multiparty model: the linked model's terms plus five terms for multi-party, tactically driven change.

Uniform swing by region overstated the Conservatives by over 100 seats in 2024 (the linked model
by over 80), as uniform swing did in 1997: a collapsing party loses more where it was strong, its
opponents' voters gather behind whoever is best placed to beat it, an insurgent starts from where
its lineage was strong, and by-election gains are largely held. On top of the linked model's
per-party terms (:mod:`sim.projection.linked`: the within-region Leave term and the incumbency
terms), this model adds terms whose coefficients are shared by every party it is fitted on, each
computed from what is known before polling day plus the change ``D[p] = S'[p] - S[p]`` (the
region's target minus its start share in a backtest, the scenario step's scope change in a
scenario), with ``s`` a seat's start share and ``S`` its region's:

``collapse``
    ``D * (s / S - 1)`` for a falling party (``D < 0``): coefficient 0 is uniform swing, 1
    proportional swing; the mix is estimated.
``damping``
    the same for a rising party (``D > 0``): a negative coefficient means gains are smaller where
    the party is already strong.
``tactical``
    consolidation against a falling incumbent. In each seat the incumbent ``I`` is the earlier
    winner and the challenger ``c`` the best-placed other party (start share plus by-election
    change); if ``c`` and a lower-placed ``q`` are both in :data:`PROGRESSIVE`, the fraction
    ``F * min(1, (r[c] - r[q]) / SQUEEZE_GAP)`` of ``q``'s voters moves to ``c`` (``r`` the shares
    the parties are placed by), with
    ``F = max(0, -D[I]) ** 2``: small when the incumbent holds up, large when it collapses.
``unionist``
    the same against a falling SNP incumbent, for the parties in :data:`UNIONIST` (Conservative,
    Labour, Liberal Democrat), with the parties placed by their start share plus by-election
    change plus ``D``: in Scotland the unionist order was overturned by swings larger than the
    gaps between them (the Conservatives passed Labour in 2017, Labour passed them in 2024), and
    tactical voters followed the campaign's order, not the last election's.
``by_election``
    the change of each party's share at the seat's by-election in the Parliament just ended
    (:mod:`sim.data.by_election_change`): part of a by-election gain is held.

The coefficients are fitted jointly with the linked terms by least squares on the other (or the
earlier) elections' seat changes, each election weighted equally and every term and the change
centred within region. Where the UKIP - Brexit Party - Reform lineage newly stands widely (Reform
in 2024, after the Brexit Party stood down in 317 seats in 2019), its start share is first laid
out by its geography where it last stood (nearly) everywhere (:func:`lineage_layout`). The
adjustment is added to the start shares (clipped at zero and renormalised), and uniform swing
then lands every region on its target: in backtests :func:`swing`, which shares each seat's
residual (a collapsing party with less to lose than its change) in proportion to the moving
parties' shares rather than halfway between the gainers and losers; in scenario steps the
engine's uniform swing (:mod:`sim.projection.multiparty_step` says why).

What the data cannot give is left out, not tuned to: the independents who won on Gaza in 2024,
personal votes of new candidates (Farage in Clacton), local campaigns.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from sim.core.parties import PARTIES, PARTY_INDEX
from sim.projection.linked import LINEAGE, MIN_SEATS, MODEL_PARTIES, PairFeatures, centred, design
from sim.projection.steps import State
from sim.projection.swing import Swung, scope_shares, uniform_swing

POOLED = ("collapse", "damping", "tactical", "unionist", "by_election")
"""The model's shared terms, in coefficient order."""
PROGRESSIVE = frozenset({"LAB", "LD", "GRN", "SNP"})
"""Parties whose voters consolidate behind each other's best-placed candidate (Plaid Cymru is left out:
a Welsh nationalist party whose voters do not lend to Labour; with it in, Ynys Mon went to Labour)."""
UNIONIST = frozenset({"CON", "LAB", "LD"})
"""Parties whose voters consolidate behind each other's best-placed candidate against a falling SNP incumbent."""
SQUEEZE_GAP = 0.05
"""The tactical term moves a third party's voters in full when the challenger leads it by this much."""
LINEAGE_PARTIES = ("UKIP", "BRX", "REF")
LINEAGE_GEOGRAPHY = {
    "2005-notional": ("UKIP", "2005-notional"),
    "2010": ("UKIP", "2010"),
    "2015": ("UKIP", "2015"),
    "2017": ("UKIP", "2015"),
    "2019": ("UKIP", "2015"),
    "2019-notional": ("UKIP", "2015"),
}
"""For the earlier election of each backtest pair, the lineage's last election before it with a candidate in
almost every GB seat, by whose shares :func:`lineage_layout` lays out its start
(UKIP fought 507 of the 2010 seats in the notional 2005 result, 558 of 632 in 2010 and 624 in 2015, 378
in 2017; the Brexit Party 275 in 2019)."""


@dataclass(frozen=True)
class Coefficients:
    """Per-lineage linked coefficients ``(kappa, sophomore, standing down)`` and the shared terms' values."""

    linked: dict[str, np.ndarray]
    pooled: dict[str, float]

    def without(self, *terms: str) -> Coefficients:
        """The same model with some shared terms switched off (for ablation)."""
        return Coefficients(self.linked, {k: (0.0 if k in terms else v) for k, v in self.pooled.items()})


@dataclass(frozen=True)
class Context:
    """What the shared terms read, for the seats of one projection.

    Attributes
    ----------
    shares, scope_shares, change : (n_seats, n_parties) float64
        Start shares; the start and the target-minus-start shares of each seat's region (or scope).
    stood : (n_seats, n_parties) bool
        The party stands at the start and in the projection.
    winners : (n_seats,) int64
        The earlier winner (the incumbent party).
    by_election : (n_seats, n_parties) float64
        See :mod:`sim.data.by_election_change`.

    """

    shares: np.ndarray
    scope_shares: np.ndarray
    change: np.ndarray
    stood: np.ndarray
    winners: np.ndarray
    by_election: np.ndarray


def swing(shares: np.ndarray, stood: np.ndarray, weight: np.ndarray, full: np.ndarray, *, strict: bool = True) -> Swung:
    """The model's last step: uniform swing to the targets, each seat's residual renormalised.

    Where a collapsing party has less to lose in a seat than its uniform change, or no longer
    stands there (UKIP in 2017), the loss that is not there leaves every moving party's share
    smaller in proportion (the engine's halfway rule for scenarios makes the losers lose more
    instead). Leave-one-out this gains one seat in 2010 and three in
    2017 and 2024, and cuts the 2017 margin spread from 7.1 to 6.2 points (docs/accuracy.md).
    Backtests only: scenario steps end with the engine's uniform swing (:mod:`.multiparty_step`
    says why).
    """
    return uniform_swing(shares, stood, weight, full, strict=strict, renormalise=True)


def unit_shares(shares: np.ndarray, weight: np.ndarray, units: np.ndarray) -> np.ndarray:
    """Each seat's unit (region or scope) vote-weighted shares, ``(n_seats, n_parties)``."""
    out = np.zeros_like(shares)
    for unit in np.unique(units):
        m = units == unit
        out[m] = scope_shares(shares[m], weight[m])
    return out


def features(ctx: Context) -> dict[str, np.ndarray]:
    """Each shared term, ``(n_seats, n_parties)``.

    Zero where the party does not stand, and for the parties the model is not fitted on
    (independents, others, the Speaker, Northern Ireland's parties): a small party's share in its
    one seat is many times its regional share, which would make ``s / S`` meaningless.
    """
    s, S, D = ctx.shares, ctx.scope_shares, ctx.change
    relative = D * (np.divide(s, S, out=np.zeros_like(s), where=S > 0) - 1.0)
    out = {
        "collapse": np.where(D < 0, relative, 0.0),
        "damping": np.where(D > 0, relative, 0.0),
        "tactical": _consolidation(ctx, PROGRESSIVE),
        "unionist": _consolidation(ctx, UNIONIST, against="SNP", campaign=True),
        "by_election": ctx.by_election,
    }
    modelled = ctx.stood & np.isin(np.arange(len(PARTIES)), [PARTY_INDEX[p] for p in MODEL_PARTIES])
    return {k: np.where(modelled, v, 0.0) for k, v in out.items()}


def _consolidation(
    ctx: Context, bloc: frozenset[str], against: str | None = None, campaign: bool = False
) -> np.ndarray:
    """A consolidation term: third-placed voters of ``bloc`` move to the bloc's challenger.

    In each seat whose incumbent party (``against`` only, when given) falls, if the best-placed
    other party is in ``bloc`` the voters of the bloc's lower-placed parties move to it. Parties
    are placed by their start shares moved by any by-election and, with ``campaign``, by the
    change ``D`` too (the order voters see in the campaign). A third party's voters move in full
    when the challenger leads it by :data:`SQUEEZE_GAP` or more, and in proportion to the lead
    below that (so a tie for second moves nothing, and the term is continuous in the shares).
    """
    s, D, stood = ctx.shares, ctx.change, ctx.stood
    member = np.array([p in bloc for p in PARTIES])
    out = np.zeros_like(s)
    seen = s + ctx.by_election + (D if campaign else 0.0)
    ranked = np.argsort(-np.where(stood, seen, -1.0), axis=1, kind="stable")
    for i in range(s.shape[0]):
        incumbent = ctx.winners[i]
        fall = max(0.0, -D[i, incumbent]) ** 2
        if fall == 0.0 or not stood[i, incumbent] or (against is not None and PARTIES[incumbent] != against):
            continue
        others = [p for p in ranked[i] if stood[i, p] and p != incumbent]
        if not others or not member[others[0]]:
            continue
        challenger, pool = others[0], np.array([p for p in others[1:] if member[p]], dtype=np.int64)
        if pool.size:
            moved = fall * np.clip((seen[i, challenger] - seen[i, pool]) / SQUEEZE_GAP, 0.0, 1.0) * s[i, pool]
            out[i, challenger] += moved.sum()
            out[i, pool] -= moved
    return out


def pair_context(pair: PairFeatures) -> Context:
    """The context of a backtest pair: regional changes to the later election's true shares."""
    e, start, later = pair.earlier, pair.start, pair.later
    S = unit_shares(start.shares, start.total, e.regions)
    target = unit_shares(later.shares, later.valid_votes.astype(float), e.regions)
    by = pair.by_election if pair.by_election is not None else np.zeros(start.shares.shape)
    return Context(start.shares, S, target - S, start.stood & later.stood, e.winners, by)


MIN_INCUMBENCY_SEATS = 10
"""A lineage gets its own sophomore (or standing-down) coefficient with at least this many such seats in the fit."""


def fit(pairs: list[PairFeatures], drop: tuple[str, ...] = ()) -> Coefficients:
    """Fit the linked and shared terms jointly on ``pairs`` (each election weighted equally).

    The Leave multiple ``kappa`` is fitted per party lineage, as in the linked model. Each
    incumbency term is fitted per lineage where the lineage has at least
    :data:`MIN_INCUMBENCY_SEATS` such seats in the fit; a smaller lineage's seats are left out of
    that term's fit and it takes the mean of the fitted lineages' coefficients (the Greens' only
    sophomore seat, Brighton Pavilion, alone gave them a 25-point term). ``drop`` names shared
    terms left out of the fit (their coefficient is 0), for ablation.
    """
    keys = sorted({LINEAGE.get(p, p) for p in MODEL_PARTIES})
    cases = []  # (pair, party column, lineage, seats in the fit, linked features)
    for pair in map(lineage_layout, pairs):
        for party in MODEL_PARTIES:
            mask, x = design(pair, PARTY_INDEX[party])
            if mask.sum() >= MIN_SEATS:
                cases.append((pair, PARTY_INDEX[party], LINEAGE.get(party, party), mask, x))
    counts = {key: np.zeros(2) for key in keys}
    for pair, j, key, mask, _ in cases:
        counts[key] += [pair.sophomore[mask, j].sum(), pair.retiring[mask, j].sum()]
    own = {key: counts[key] >= MIN_INCUMBENCY_SEATS for key in keys}
    # columns: kappa per lineage, (sophomore, standing down) per lineage, POOLED
    n_lin = len(keys)
    shared_at = 3 * n_lin
    n_cols = shared_at + len(POOLED)
    blocks, ys, shared = [], [], {}
    for pair, j, key, mask, x in cases:
        e = pair.earlier
        weight = e.valid_votes.astype(float)
        if id(pair) not in shared:
            shared[id(pair)] = features(pair_context(pair))
        k = keys.index(key)
        row = np.zeros((int(mask.sum()), n_cols))
        row[:, k] = x[mask, 0]
        for f in (0, 1):
            if own[key][f]:
                row[:, n_lin + 2 * k + f] = x[mask, 1 + f]
        for t, term in enumerate(POOLED):
            if term not in drop:
                values = np.where(mask, shared[id(pair)][term][:, j], np.nan)
                row[:, shared_at + t] = centred(values, e.regions, weight)[mask]
        change = np.where(mask, pair.target[:, j] - pair.start.shares[:, j], np.nan)
        w = 1.0 / np.sqrt(mask.sum())
        blocks.append(row * w)
        ys.append(centred(change, e.regions, weight)[mask] * w)
    a, b = np.vstack(blocks), np.concatenate(ys)
    used = np.abs(a).sum(axis=0) > 0
    beta = np.zeros(n_cols)
    beta[used] = np.linalg.solve(a[:, used].T @ a[:, used] + 1e-9 * np.eye(int(used.sum())), a[:, used].T @ b)
    fitted = [[beta[n_lin + 2 * k + f] for k, key in enumerate(keys) if own[key][f]] for f in (0, 1)]
    small = [float(np.mean(v)) if v else 0.0 for v in fitted]
    linked = {
        key: np.array([beta[k], *(beta[n_lin + 2 * k + f] if own[key][f] else small[f] for f in (0, 1))])
        for k, key in enumerate(keys)
    }
    return Coefficients(linked, {term: float(beta[shared_at + t]) for t, term in enumerate(POOLED)})


def apply_terms(shares: np.ndarray, ctx: Context, coefs: Coefficients) -> np.ndarray:
    """``shares`` plus the shared terms (not yet clipped or renormalised)."""
    out = shares.copy()
    for term, values in features(ctx).items():
        out += coefs.pooled.get(term, 0.0) * values
    return out


def adjusted_shares(pair: PairFeatures, coefs: Coefficients) -> np.ndarray:
    """The start shares with the linked and shared terms (before the regional swing)."""
    pair = lineage_layout(pair)
    shares = pair.start.shares.copy()
    for party in MODEL_PARTIES:
        key = LINEAGE.get(party, party)
        if key in coefs.linked:
            j = PARTY_INDEX[party]
            mask, x = design(pair, j)
            shares[mask, j] += x[mask] @ coefs.linked[key]
    shares = apply_terms(shares, pair_context(pair), coefs)
    shares = np.where(pair.start.stood, np.clip(shares, 0.0, None), 0.0)
    total = shares.sum(axis=1, keepdims=True)
    return np.divide(shares, total, out=np.zeros_like(shares), where=total > 0)


def lineage_layout(pair: PairFeatures) -> PairFeatures:
    """The pair with the lineage's start votes laid out by its geography where it newly stands widely.

    When the UKIP - Brexit Party - Reform lineage stands at the later election in many seats it did
    not fight at the earlier one (more than a quarter of its later seats: the Brexit Party stood
    down in 317 Conservative seats in 2019, Reform fought almost every seat in 2024), its start
    share in each region is laid out in proportion to its lineage geography, and the difference is
    given to or taken from the Conservatives, whom the stand-down helped and from whom its voters
    came (taking it from each seat's earlier winner instead measured worse in 2024, docs/accuracy.md).
    """
    if pair.lineage_geography is None:
        return pair
    e, later, start = pair.earlier, pair.later, pair.start
    lineage = [PARTY_INDEX[p] for p in LINEAGE_PARTIES]
    before = e.stood[:, lineage].any(axis=1)
    j = lineage[int(np.argmax(later.stood[:, lineage].sum(axis=0)))]  # the lineage's main party (Reform in 2024)
    fights = later.stood[:, j] & e.gb
    if (fights & ~before).sum() <= 0.25 * fights.sum():
        return pair
    geo = pair.lineage_geography
    con = PARTY_INDEX["CON"]
    shares, weight = start.shares.copy(), start.total
    for region in np.unique(e.regions[fights]):
        m = fights & (e.regions == region)
        level = (shares[m, j] * weight[m]).sum()
        if level <= 0 or (geo[m] * weight[m]).sum() <= 0:
            continue
        new = geo[m] * level / (geo[m] * weight[m]).sum()
        rows = np.nonzero(m)[0]
        shares[rows, con] = np.maximum(shares[rows, con] - (new - shares[rows, j]), 0.0)
        shares[rows, j] = new
    shares /= shares.sum(axis=1, keepdims=True)
    laid = State(shares * weight[:, None], start.abstain.copy(), start.stood.copy(), start.lead.copy())
    return replace(pair, start=laid)
