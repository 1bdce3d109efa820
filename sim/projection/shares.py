"""The ``shares`` step: move a scope's vote shares to targets by a swing method (:mod:`sim.projection.swing`).

It also makes parties stand with a geography (``stand``) and tells the user what it implied
(notes on untargeted parties' shares, targets met in few seats, balancing corrections).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.core.errors import LookupFailed, ScenarioError
from sim.core.parties import PARTIES
from sim.data.election import DataDir, Election
from sim.projection.steps import State, covariate_values, party_column, seat_row, step_scope
from sim.projection.swing import METHODS as SWING_METHODS
from sim.projection.swing import PARTIAL_COVERAGE, coverage, implied_gain_cap, implied_targets, scope_shares
from sim.scenario import schema as s

IMPLIED_NOTE = 0.005
"""An untargeted party whose implied scope share moves more than this is reported."""
PARTIAL_WARNING = PARTIAL_COVERAGE
"""A targeted party fighting seats with less than this share of the scope's votes may be warned about..."""
CONCENTRATION_WARNING = 0.02
"""... when meeting its target in those seats alone adds more than this (two points) to its per-seat change."""


def apply_shares(state: State, election: Election, step: s.SharesStep, where: str, data_dir: DataDir = None) -> None:
    """Swing the scope's shares to the targets (uniform, proportional, STM, linked or multiparty).

    See :mod:`sim.projection.swing`; ``linked`` is the linked model's within-region terms followed by uniform
    swing (:mod:`sim.projection.linked_step`), ``multiparty`` likewise (:mod:`sim.projection.multiparty_step`;
    the engine's uniform swing, not the backtests' renormalising one).
    """
    mask = step_scope(election, state, step.scope, f"{where}.scope")
    for party, candidacy in step.stand.items():
        _stand(state, election, mask, step, party, candidacy, f"{where}.stand.{party}", data_dir)
    shares, stood, weight = state.shares[mask], state.stood[mask], state.total[mask]
    can_stand = stood.any(axis=0)
    target = np.zeros(len(PARTIES))
    targeted = np.zeros(len(PARTIES), dtype=bool)
    for party, value in step.shares.items():
        p = party_column(party, f"{where}.shares")
        if value > 0 and not can_stand[p]:
            raise ScenarioError(
                f"{where}.shares: {party} stands in no seat of scope '{step.scope}', so it cannot reach "
                f"{value:.3f}; make it stand first (stand = {{ {party} = {{ like = {{ covariate = 'leave' }} }} }})"
            )
        target[p], targeted[p] = value, True
    if not (can_stand & ~targeted).any() and abs(target.sum() - 1.0) > 1e-9:
        raise ScenarioError(f"{where}.shares: every standing party has a target, so the targets must add up to 1")
    full = implied_targets(
        shares, stood, weight, target, targeted, others=step.others, multiplicative=step.method == "proportional"
    )
    start = shares
    if step.method in ("linked", "multiparty"):
        again = int((state.modelled & mask).sum()) if state.modelled is not None else 0
        if again:
            state.notes.append(
                f"warning: {where}: an earlier step already applied a fitted model's terms to {again} of these seats; "
                f"they are applied again here (give each seat one linked or multiparty step, e.g. by nation)"
            )
        state.modelled = mask | (state.modelled if state.modelled is not None else False)
    if step.method == "linked":  # the linked model's within-region terms, then uniform swing
        from sim.projection.linked_step import adjust

        start, linked_notes = adjust(shares, stood, weight, election, mask, step, where)
        state.notes += linked_notes
    if step.method == "multiparty":  # the multiparty model's terms, then uniform swing
        from sim.projection import multiparty_step

        start, model_notes = multiparty_step.adjust(shares, stood, weight, full, election, mask, step, where, data_dir)
        state.notes += model_notes
    method = "uniform" if step.method in ("linked", "multiparty") else step.method
    if method == "uniform":  # untargeted parties gain at most their implied change + half a point
        cap = implied_gain_cap(start, stood, weight, full, targeted)  # from where the swing starts
        swung = SWING_METHODS[method](start, stood, weight, full, gain_cap=cap)
    else:
        swung = SWING_METHODS[method](start, stood, weight, full)
    state.votes[mask] = swung.shares * weight[:, None]
    state.notes += _shares_notes(step, scope_shares(shares, weight), full, targeted, coverage(stood, weight))
    if swung.correction > 0.001:
        state.notes.append(
            f"{where}: seats were balanced where gains and losses differ (a party absent, or losing all it had) "
            "and no party fighting part of the scope could take the difference; the largest departure of a party "
            f"fighting the whole scope from the {method} change in any seat is {100 * swung.correction:.2f} points"
        )


def _shares_notes(
    step: s.SharesStep, before: np.ndarray, full: np.ndarray, targeted: np.ndarray, cov: np.ndarray
) -> list[str]:
    """What the user should know: implied shares of untargeted parties, targets met in few seats.

    A targeted party fighting less than ``PARTIAL_WARNING`` of the scope's votes is warned about
    when its change where it stands exceeds its scope change by more than ``CONCENTRATION_WARNING``.
    """
    notes = []
    for p in np.flatnonzero(~targeted & (np.abs(full - before) > IMPLIED_NOTE)):
        notes.append(
            f"{PARTIES[p]}: implied {step.scope} share {100 * full[p]:.1f}% ({100 * (full[p] - before[p]):+.1f}), "
            f"not set by the scenario (others = '{step.others}')"
        )
    extra = np.abs(full - before) * np.divide(1.0 - cov, cov, out=np.zeros_like(cov), where=cov > 0)
    for p in np.flatnonzero(targeted & (cov < PARTIAL_WARNING) & (full > 0) & (extra > CONCENTRATION_WARNING)):
        notes.append(
            f"warning: {PARTIES[p]} fights seats with only {100 * cov[p]:.0f}% of the {step.scope} scope's votes, "
            f"so its target is met there alone (its change there is {1 / max(cov[p], 1e-9):.1f}x the scope change, "
            f"{100 * (full[p] - before[p]) / max(cov[p], 1e-9):+.1f} points); "
            f"to make it stand everywhere give it a geography, e.g. stand = {{ {PARTIES[p]} = {{ like = "
            f"{{ covariate = 'leave' }} }} }} or a party's shares at an earlier election"
        )
    return notes


def _stand(
    state: State, election: Election, mask: np.ndarray, step: s.SharesStep, party: str, candidacy: s.Candidacy,
    where: str, data_dir: DataDir,
) -> None:  # fmt: skip
    """Make ``party`` stand in the scope (or the named seats) with its shares following a geography.

    The party keeps its scope share (or, with a target in the step, starts at that target): its
    votes are laid out across its seats in proportion to the pattern, and each seat's other
    parties make room in proportion to their shares.
    """
    p = party_column(party, where)
    rows = mask.copy()
    if candidacy.seats:
        named = np.zeros_like(mask)
        named[[seat_row(election, seat, f"{where}.seats") for seat in candidacy.seats]] = True
        rows &= named
    pattern = np.clip(geography(election, candidacy.like, f"{where}.like", data_dir), 0.0, None)
    known = rows & ~np.isnan(pattern)
    if not known.any() or pattern[known].max() <= 0:
        raise ScenarioError(f"{where}.like: the pattern is zero or missing in every seat it names")
    pattern = np.where(np.isnan(pattern), np.average(pattern[known], weights=state.total[known]), pattern)
    weight = state.total
    shares = state.shares
    scope_total = weight[mask].sum()
    given = {party_column(k, where): v for k, v in step.shares.items()}
    level = given[p] if p in given else float((shares[mask, p] * weight[mask]).sum() / scope_total)
    if level <= 0:
        raise ScenarioError(f"{where}: {party} has no votes in scope '{step.scope}'; give it a target share")
    elsewhere = (shares[mask & ~rows, p] * weight[mask & ~rows]).sum()
    scale = max(level * scope_total - elsewhere, 0.0) / (pattern[rows] * weight[rows]).sum()
    new = np.clip(pattern * scale, 0.0, 0.95)
    old = shares[:, p]
    room = np.divide(1.0 - new, 1.0 - old, out=np.zeros_like(old), where=old < 1.0)
    out = shares * room[:, None]
    out[:, p] = new
    state.votes[rows] = out[rows] * weight[rows, None]
    state.stood[rows, p] = True
    state.lead[rows, p] = 1.0


def geography(election: Election, like: s.Geography, where: str, data_dir: DataDir = None) -> np.ndarray:
    """A pattern over the election's seats: a covariate, or a party's shares at an election.

    A party's shares at an election on the 2010-2024 boundaries are carried onto 2024 seats by
    population overlap. NaN where unknown.
    """
    if like.covariate is not None:
        return covariate_values(election, like.covariate, f"{where}.covariate").astype(float)
    from sim.data.election import load_election

    assert like.party is not None and like.election is not None
    p = party_column(like.party, f"{where}.party")
    try:
        other = load_election(like.election, data_dir)
    except LookupFailed as exc:
        raise ScenarioError(f"{where}.election: {exc}") from None
    # Where the party did not stand its strength there is unknown (NaN), not zero.
    values = pd.Series(np.where(other.stood[:, p], other.shares[:, p], np.nan), index=other.seat_ids)
    if not other.stood[:, p].any():
        raise ScenarioError(f"{where}: {like.party} stood nowhere at the {like.election} election")
    if other.boundaries == election.boundaries:
        return values.reindex(election.seat_ids).to_numpy(dtype=float)
    if other.boundaries == "2024":
        raise ScenarioError(
            f"{where}.election: {like.election} is on the 2024 boundaries and the base is not; "
            "name an election on the base's boundaries (2010, 2015, 2017 or 2019)"
        )
    from sim.data.covariates import carry_over
    from sim.data.readers import overlaps

    pieces = overlaps(data_dir)
    carried = carry_over(values, pieces, pieces["To population overlap"].to_numpy(dtype=float))
    return carried.reindex(election.seat_ids).to_numpy(dtype=float)
