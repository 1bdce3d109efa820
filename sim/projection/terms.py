"""The fitted models' terms: what ``method = "linked"`` and ``method = "multiparty"`` add before the swing.

Uniform swing by region misses seats for reasons the data can speak to. Each term below is
computed from what is known before polling day plus the change ``D[p] = S'[p] - S[p]`` the step
asks of each party (its area's target minus the area's share at the start of the step), with
``s`` a seat's start share and ``S`` its region's. A term is added to the start shares with its
fitted coefficient (:mod:`sim.backtest.fit` fits them on past elections; the shipped fits are in
:mod:`sim.projection.coefficients`), the shares are clipped at zero and each seat divided by its
total, and the swing then lands every area on its target: the terms move votes between the seats
of an area, never between areas. The terms apply to the parties the models are fitted on
(:data:`MODEL_PARTIES`) in Great Britain's seats where they stand with a share above zero.

The linked model's terms, one coefficient each per party lineage (UKIP, the Brexit Party and
Reform are one):

``kappa``
    ``slope[p] * leave``: the seat's Leave share, centred within its region (0 outside England
    and Wales), times the party's between-region slope: its change across the English and Welsh
    regions regressed on their Leave shares, read from the step's own targets when each of those
    regions has its own (``areas``), else the step's ``leave_slope`` (else the term is off). The
    within-region Leave slope tracks the between-region one (docs/accuracy.md).
``sophomore``
    1 where the party's MP, first elected at the base election, stands again (centred within region).
``retiring``
    1 where the party holds the seat and its MP stands down (centred within region).

The multiparty model adds terms whose coefficients every party shares:

``collapse``
    ``D * (s / S - 1)`` for a falling party (``D < 0``): coefficient 0 is uniform swing, 1
    proportional swing.
``damping``
    the same for a rising party (``D > 0``): a negative coefficient means gains are smaller where
    the party is already strong.
``tactical``
    consolidation against a falling incumbent (the base winner ``I``). The challenger ``c`` is the
    best-placed other party (start share plus by-election change); if ``c`` and a lower-placed
    ``q`` are both in :data:`PROGRESSIVE`, the fraction ``F * min(1, (r[c] - r[q]) / SQUEEZE_GAP)``
    of ``q``'s voters moves to ``c`` (``r`` the ranking shares), ``F = max(0, -D[I]) ** 2``.
``unionist``
    the same against a falling SNP incumbent, for :data:`UNIONIST`, the parties placed by their
    start share plus by-election change plus ``D`` (the order the campaign shows).
``by_election``
    each party's change in share at the seat's by-election in the Parliament the base elected
    (:mod:`sim.data.by_election_change`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.core.parties import PARTIES, PARTY_INDEX
from sim.scenario.schema import SHARED_TERMS

MODEL_PARTIES = ("CON", "LAB", "LD", "GRN", "UKIP", "BRX", "REF", "SNP", "PC")
"""The parties the fitted models are fitted on and apply to."""
LINEAGE = {"BRX": "UKIP", "REF": "UKIP"}
"""Parties sharing a lineage's coefficients."""
LINKED_TERMS = ("kappa", "sophomore", "retiring")
"""The linked model's terms, in coefficient order."""
LINKED_DESCRIPTIONS = ("kappa (x between-region Leave slope)", "sophomore MP", "MP standing down")
SLOPE_NATIONS = ("England", "Wales")
"""Nations whose regions give a between-region Leave slope (Scotland is one region; Northern Ireland apart)."""
PROGRESSIVE = frozenset({"LAB", "LD", "GRN", "SNP"})
"""Parties whose voters consolidate behind each other's best-placed candidate (Plaid Cymru is left out:
a Welsh nationalist party whose voters do not lend to Labour)."""
UNIONIST = frozenset({"CON", "LAB", "LD"})
"""Parties whose voters consolidate behind each other's best-placed candidate against a falling SNP incumbent."""
SQUEEZE_GAP = 0.05
"""The consolidation terms move a third party's voters in full when the challenger leads it by this much."""

__all__ = ["LINEAGE", "LINKED_TERMS", "MODEL_PARTIES", "SHARED_TERMS", "Context", "adjust", "centred",
           "linked_features", "shared_features"]  # fmt: skip


def centred(x: np.ndarray, regions: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """``x`` minus its weighted mean within each region; NaN (no figure) becomes 0 (the mean)."""
    out = np.zeros(x.shape, dtype=np.float64)
    for region in np.unique(regions):
        m = regions == region
        ok = m & ~np.isnan(x)
        if ok.any():
            out[ok] = x[ok] - np.average(x[ok], weights=weight[ok])
    return out


@dataclass(frozen=True, eq=False)
class Context:
    """What the terms read, for the seats of one shares step (the rows of its scope).

    Attributes
    ----------
    shares, stood : (n, n_parties)
        Start shares and candidacies.
    weight : (n,) float64
        Seat totals (valid votes).
    regions, nations : (n,) object
    region_shares, change : (n, n_parties) float64
        ``S``, each seat's region share at the start; ``D``, its area's target minus the area's start share.
    winners : (n,) int64
        The base election's winner (the incumbent party).
    by_election : (n, n_parties) float64
    sophomore, retiring : (n, n_parties) bool
    leave : (n,) float64
        Leave share centred within region, 0 outside England and Wales.
    slope : (n_parties,) float64
        Each party's between-region Leave slope (0: the Leave term is off).

    """

    shares: np.ndarray
    stood: np.ndarray
    weight: np.ndarray
    regions: np.ndarray
    nations: np.ndarray
    region_shares: np.ndarray
    change: np.ndarray
    winners: np.ndarray
    by_election: np.ndarray
    sophomore: np.ndarray
    retiring: np.ndarray
    leave: np.ndarray
    slope: np.ndarray

    @property
    def modelled(self) -> np.ndarray:
        """``(n, n_parties)`` bool: a Great Britain seat, a model party, standing with a share above zero."""
        parties = np.isin(np.arange(len(PARTIES)), [PARTY_INDEX[p] for p in MODEL_PARTIES])
        gb = self.nations != "Northern Ireland"
        return self.stood & (self.shares > 0) & parties[None, :] & gb[:, None]


def linked_features(ctx: Context) -> dict[str, np.ndarray]:
    """The linked model's terms, ``(n, n_parties)`` each (zero where the party is not modelled)."""
    m = ctx.modelled
    out = {
        "kappa": ctx.slope[None, :] * ctx.leave[:, None],
        "sophomore": np.column_stack([centred(c.astype(float), ctx.regions, ctx.weight) for c in ctx.sophomore.T]),
        "retiring": np.column_stack([centred(c.astype(float), ctx.regions, ctx.weight) for c in ctx.retiring.T]),
    }
    return {k: np.where(m, v, 0.0) for k, v in out.items()}


def shared_features(ctx: Context) -> dict[str, np.ndarray]:
    """The multiparty model's shared terms, ``(n, n_parties)`` each (zero where the party is not modelled).

    A small party's share in its one seat is many times its regional share, which would make
    ``s / S`` meaningless: independents, others, the Speaker and Northern Ireland's parties get none.
    """
    s, S, D = ctx.shares, ctx.region_shares, ctx.change
    relative = D * (np.divide(s, S, out=np.zeros_like(s), where=S > 0) - 1.0)
    out = {
        "collapse": np.where(D < 0, relative, 0.0),
        "damping": np.where(D > 0, relative, 0.0),
        "tactical": _consolidation(ctx, PROGRESSIVE),
        "unionist": _consolidation(ctx, UNIONIST, against="SNP", campaign=True),
        "by_election": ctx.by_election,
    }
    m = ctx.modelled
    return {k: np.where(m, out[k], 0.0) for k in SHARED_TERMS}


def _consolidation(
    ctx: Context, bloc: frozenset[str], against: str | None = None, campaign: bool = False
) -> np.ndarray:
    """A consolidation term: third-placed voters of ``bloc`` move to the bloc's challenger.

    In each seat whose incumbent party (``against`` only, when given) falls, if the best-placed
    other party is in ``bloc`` the voters of the bloc's lower-placed parties move to it. Parties
    are placed by their start shares moved by any by-election and, with ``campaign``, by the
    change ``D`` too. A third party's voters move in full when the challenger leads it by
    :data:`SQUEEZE_GAP` or more, and in proportion to the lead below that (so a tie for second
    moves nothing, and the term is continuous in the shares).
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


CONSOLIDATION = ("tactical", "unionist")
"""The terms that move voters between the parties of a seat (the challenger gains what the others lose)."""


def _at_most_all(moved: np.ndarray, shares: np.ndarray) -> np.ndarray:
    """A consolidation's moves, no party losing more voters than it has and the challenger gaining what they lose.

    A coefficient times the square of a fall beyond about 35 points would move more than all of a
    third party's voters.
    """
    losses = np.where(moved < 0, np.maximum(moved, -shares), 0.0)
    gains = np.where(moved > 0, moved, 0.0)
    total = gains.sum(axis=1, keepdims=True)
    return losses + gains * np.divide(-losses.sum(axis=1, keepdims=True), total, out=np.zeros_like(total),
                                      where=total > 0)  # fmt: skip


def adjust(
    ctx: Context, linked: dict[str, np.ndarray], shared: dict[str, float] | None = None
) -> np.ndarray:  # fmt: skip
    """The start shares plus the terms (``linked`` per lineage; ``shared``: multiparty), clipped and renormalised."""
    out = ctx.shares.copy()
    features = linked_features(ctx)
    for party in MODEL_PARTIES:
        key = LINEAGE.get(party, party)
        if key in linked:
            j = PARTY_INDEX[party]
            out[:, j] += sum(linked[key][k] * features[term][:, j] for k, term in enumerate(LINKED_TERMS))
    if shared:
        for term, values in shared_features(ctx).items():
            moved = shared.get(term, 0.0) * values
            out += _at_most_all(moved, ctx.shares) if term in CONSOLIDATION else moved
    out = np.where(ctx.stood, np.clip(out, 0.0, None), 0.0)
    total = out.sum(axis=1, keepdims=True)
    return np.divide(out, total, out=ctx.shares.copy(), where=total > 0)
