"""Lay out a party's votes by a geography: the ``layout`` step, and ``stand`` in a ``shares`` step.

A geography is a pattern over the seats: a covariate (``leave``) or a party's shares at an
election (UKIP's in 2015), carried onto the 2024 seats by population overlap. A party laid out by
it keeps its votes in each region (``layout``, ``by = "region"``) or in the scope (``layout``,
``by = "scope"``; ``stand``, which can also start it at a target), spread over the seats where it
stands in proportion to the pattern. In each seat the difference is given to or taken from the
parties the file names in ``from``, in proportion to their shares (by default every other party
standing there); where they have too little, the rest of the seat makes room in proportion.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.core.errors import LookupFailed, ScenarioError
from sim.core.parties import PARTIES
from sim.data.covariates import carry_over
from sim.data.election import DataDir, Election, load_election
from sim.data.readers import overlaps
from sim.projection.steps import State, covariate_values, party_column, seat_row, step_scope
from sim.scenario import schema as s

if TYPE_CHECKING:
    pass

MAX_SHARE = 0.95
"""A laid-out party's share in a seat is capped here (a pattern's outlier cannot take a whole seat)."""


def geography(election: Election, like: s.Geography, where: str, data_dir: DataDir = None) -> np.ndarray:
    """A pattern over the election's seats: a covariate, or a party's shares at an election.

    A party's shares at an election on the 2010-2024 boundaries are carried onto 2024 seats by
    population overlap. NaN where unknown (where the party did not stand, its strength is unknown).
    """
    import pandas as pd

    if like.covariate is not None:
        return covariate_values(election, like.covariate, f"{where}.covariate").astype(float)
    assert like.party is not None and like.election is not None
    p = party_column(like.party, f"{where}.party")
    try:
        other = load_election(like.election, data_dir)
    except LookupFailed as exc:
        raise ScenarioError(f"{where}.election: {exc}") from None
    if not other.stood[:, p].any():
        raise ScenarioError(f"{where}: {like.party} stood nowhere at the {like.election} election")
    values = pd.Series(np.where(other.stood[:, p], other.shares[:, p], np.nan), index=other.seat_ids)
    if other.boundaries == election.boundaries:
        return values.reindex(election.seat_ids).to_numpy(dtype=float)
    if other.boundaries == "2024":
        raise ScenarioError(
            f"{where}.election: {like.election} is on the 2024 boundaries and the base is not; "
            "name an election on the base's boundaries (2010, 2015, 2017 or 2019)"
        )
    pieces = overlaps(data_dir)
    carried = carry_over(values, pieces, pieces["To population overlap"].to_numpy(dtype=float))
    return carried.reindex(election.seat_ids).to_numpy(dtype=float)


def givers(codes: list[str], party: int, where: str, stood: np.ndarray) -> np.ndarray:
    """``(n_parties,)`` bool: the parties named in ``from`` (every party but ``party`` when none are named).

    ``stood`` is the candidacies of the seats concerned: a named party must stand in one of them.
    """
    mask = np.zeros(len(PARTIES), dtype=bool)
    for code in codes:
        q = party_column(code, f"{where}.from")
        if q == party:
            raise ScenarioError(f"{where}.from: a party cannot make room for itself; name the others")
        if not stood[:, q].any():
            raise ScenarioError(f"{where}.from: {PARTIES[q]} stands in none of these seats, so it cannot make room")
        mask[q] = True
    if not codes:
        mask[:] = True
        mask[party] = False
    return mask


def replace_share(state: State, rows: np.ndarray, party: int, new: np.ndarray, giving: np.ndarray) -> None:
    """Set ``party``'s share in ``rows`` to ``new``; the ``giving`` parties make up the difference first.

    Each giving party standing in the seat gives (or takes) the difference in proportion to its
    share, down to nothing; what they cannot give is taken from every other party in proportion.
    Seat totals are kept; a seat where no other party has votes keeps the party at all of them.
    """
    others_have = (state.votes[rows] > 0).sum(axis=1) - (state.votes[rows, party] > 0) > 0
    rows, new = rows[others_have], new[others_have]
    total = state.total[rows]
    shares = state.shares[rows]
    stood = state.stood[rows]
    delta = new - shares[:, party]
    g = np.where(giving[None, :] & stood, shares, 0.0)
    g[:, party] = 0.0
    pool = g.sum(axis=1)
    from_givers = np.minimum(delta, pool)
    out = shares - g * np.divide(from_givers, pool, out=np.zeros_like(pool), where=pool > 0)[:, None]
    out[:, party] = new
    others = out.sum(axis=1) - new
    rescale = np.divide(1.0 - new, others, out=np.ones_like(others), where=others > 0)
    out = out * rescale[:, None]
    out[:, party] = new
    state.votes[rows] = np.clip(out, 0.0, None) * total[:, None]


def lay_out(
    state: State, party: int, pattern: np.ndarray, units: list[np.ndarray], levels: list[float] | None,
    giving: np.ndarray, where: str,
) -> None:  # fmt: skip
    """Spread ``party``'s votes over each unit's seats in proportion to ``pattern``.

    ``units`` are seat masks (the party stands in each seat); ``levels`` the votes each unit
    should hold (default: the party's votes there now). Seats where the pattern is unknown take
    its vote-weighted mean over the unit.
    """
    weight = state.total
    short = 0.0
    for k, m in enumerate(units):
        if not m.any():
            continue
        pat = np.clip(pattern[m], 0.0, None)
        known = ~np.isnan(pat)
        if not known.any() or pat[known].max() <= 0:
            raise ScenarioError(f"{where}: the pattern is zero or missing in every seat where the party stands")
        pat = np.where(known, pat, np.average(pat[known], weights=weight[m][known]))
        level = levels[k] if levels is not None else float((state.votes[m, party]).sum())
        if level <= 0:
            continue
        new = np.clip(pat * level / (pat * weight[m]).sum(), 0.0, MAX_SHARE)
        replace_share(state, np.flatnonzero(m), party, new, giving)
        short = max(short, 1.0 - float(state.votes[m, party].sum()) / level)
    if short > 0.001:
        state.notes.append(
            f"{where}: {PARTIES[party]}'s votes in a unit are {100 * short:.1f}% short of its total after the "
            f"lay-out (no seat takes more than {100 * MAX_SHARE:.0f}%, and a seat where it alone has votes keeps them)"
        )


def apply_layout(state: State, election: Election, step: s.LayoutStep, where: str, data_dir: DataDir = None) -> None:
    """The ``layout`` step: the party's votes kept per region (or in the scope), spread by the pattern."""
    p = party_column(step.party, f"{where}.party")
    scope = step_scope(election, state, step.scope, f"{where}.scope") & state.stood[:, p]
    if not scope.any():
        raise ScenarioError(f"{where}.party: {step.party} stands in no seat of scope '{step.scope}' at this step")
    if not state.votes[scope, p].sum() > 0:
        raise ScenarioError(
            f"{where}.party: {step.party} has no votes in scope '{step.scope}' to lay out; give it a share first (a "
            "shares step, with stand = {...} to make it stand everywhere) or merge its predecessor into it"
        )
    pattern = geography(election, step.like, f"{where}.like", data_dir)
    units = [scope & (election.regions == r) for r in np.unique(election.regions[scope])]
    giving = givers(step.from_, p, where, state.stood[scope])
    lay_out(state, p, pattern, units if step.by == "region" else [scope], None, giving, where)


def stand(
    state: State, election: Election, mask: np.ndarray, step: s.SharesStep, party: str, candidacy: s.Candidacy,
    where: str, data_dir: DataDir,
) -> None:  # fmt: skip
    """Make ``party`` stand in the scope (or the named seats) with its shares following a geography.

    The party keeps its scope share (or, with a target in the step, starts at that target): its
    votes are laid out across its seats in proportion to the pattern.
    """
    p = party_column(party, where)
    rows = mask.copy()
    if candidacy.seats:
        named = np.zeros_like(mask)
        for seat in candidacy.seats:
            i = seat_row(election, seat, f"{where}.seats")
            if not mask[i]:
                raise ScenarioError(
                    f"{where}.seats: {election.seat_names[i]} is not in scope '{step.scope_name}' (or is the Speaker's "
                    "seat); name seats of the step's scope"
                )
            named[i] = True
        rows &= named
    weight = state.total
    scope_total = weight[mask].sum()
    given = {party_column(k, where): v for k, v in step.shares.items()}
    level = given[p] if p in given else float((state.shares[mask, p] * weight[mask]).sum() / scope_total)
    if level <= 0:
        raise ScenarioError(f"{where}: {party} has no votes in scope '{step.scope_name}'; give it a target share")
    elsewhere = float((state.shares[mask & ~rows, p] * weight[mask & ~rows]).sum())
    state.stood[rows, p] = True
    state.lead[rows, p] = 1.0
    pattern = geography(election, candidacy.like, f"{where}.like", data_dir)
    giving = givers(candidacy.from_, p, where, state.stood[rows])
    lay_out(state, p, pattern, [rows], [max(level * scope_total - elsewhere, 0.0)], giving, where)
