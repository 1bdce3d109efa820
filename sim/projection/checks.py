"""What the projection checks around every step: instructions that would do nothing, and the state's invariants.

Before a step, :func:`require_inputs` refuses an instruction that cannot act on the state the
step starts from: a ``where`` that matches no seat, or a party the step needs that stands in none
of the step's seats (merged away, withdrawn everywhere, or never standing there). It reads the
real state, so withdrawals and merges by earlier steps count. After a step, :func:`check_state`
holds the invariants every step must keep: finite, non-negative votes, non-voters at least zero
(so valid votes never exceed the electorate), and some votes in every seat.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.core.errors import ScenarioError
from sim.core.parties import PARTIES
from sim.data.election import Election
from sim.projection.steps import State, party_column, seat_filter, seat_row, step_scope
from sim.scenario import schema as s

TOLERANCE = 1e-6
"""Votes (and non-voters) below ``-TOLERANCE`` times the electorate break the invariants; above, rounding."""


def _needs(step: Any) -> list[tuple[str, str]]:
    """The (field, party) pairs a step acts on: each must stand in at least one of the step's seats."""
    if isinstance(step, s.PactStep):
        return [("members", m) for m in step.members]
    if isinstance(step, s.TacticalStep):
        pairs = [("party", step.party)] + [("prefer", p) for p in step.prefer]
        return pairs + ([("against", step.against)] if step.against else [])
    if isinstance(step, s.TurnoutStep):
        return [("parties", p) for p in step.parties]
    if isinstance(step, s.CovariateSwingStep | s.LayoutStep):
        return [("party", step.party)]
    if isinstance(step, s.FlowsStep):
        pairs = [] if step.from_ == s.ABSTAIN else [("from", step.from_)]
        return pairs + [("to", p) for p in step.to if p != s.ABSTAIN]
    return []


def _acts_with_first(step: Any) -> bool:
    """A step whose later parties act only where its first stands (a flow's source, the tactical voters' party)."""
    return isinstance(step, s.TacticalStep) or (isinstance(step, s.FlowsStep) and step.from_ != s.ABSTAIN)


def _why(state: State, election: Election, mask: np.ndarray, p: int) -> str:
    if (election.stood[:, p] & mask).any():
        return "an earlier step withdrew it there or merged it into another party"
    if state.stood[:, p].any():
        return "it stands only in other seats"
    return f"it stands nowhere in the {election.name} election"


def _seats(state: State, election: Election, step: Any, where: str) -> np.ndarray:
    """The seats a step acts on (its ``where`` filter, or its scope)."""
    if isinstance(step, s.CovariateSwingStep | s.LayoutStep):
        return step_scope(election, state, step.scope, f"{where}.scope")
    f = getattr(step, "where", None)
    if f is None:
        return np.ones(election.n_seats, dtype=bool)
    mask = seat_filter(election, f, f"{where}.where")
    if not mask.any():
        raise ScenarioError(
            f"{where}.where: matches no seat of the {election.name} election (every condition must hold: "
            f"{_conditions(f)}), so the step does nothing; widen the filter or remove the step"
        )
    return mask


def _conditions(f: s.SeatFilter) -> str:
    given = f.model_dump(exclude_defaults=True)
    return ", ".join(f"{k} = {v}" for k, v in given.items()) or "none"


def require_inputs(state: State, election: Election, step: Any, where: str) -> None:
    """Refuse a step that would do nothing, read against the state it starts from."""
    mask = _seats(state, election, step, where)
    first: str | None = None  # a flow's or a tactical switch's later parties matter only where the first stands
    for field, code in _needs(step):
        p = party_column(code, f"{where}.{field}")
        if not (state.stood[:, p] & mask).any():
            why = f"the seats where {first} stands" if first else _why(state, election, mask, p)
            raise ScenarioError(
                f"{where}.{field}: {PARTIES[p]} stands in none of the {int(mask.sum())} seat(s) this step acts on "
                f"({why}), so this instruction does nothing; remove it, or make {PARTIES[p]} stand first with an "
                "override step (stand = [...])"
            )
        if first is None and _acts_with_first(step):
            first, mask = PARTIES[p], mask & state.stood[:, p]
    if isinstance(step, s.PactStep):
        members = [party_column(m, f"{where}.members") for m in step.members]
        together = state.stood[:, members].sum(axis=1) >= 2
        if not step.candidates and not (together & mask).any():
            raise ScenarioError(
                f"{where}.members: no seat this step acts on has two of {', '.join(PARTIES[m] for m in members)} "
                "standing, so no one stands aside and the pact does nothing; check the members and where"
            )
        seen: dict[int, str] = {}
        for seat in step.candidates:
            i = seat_row(election, seat, f"{where}.candidates")
            if i in seen:
                raise ScenarioError(
                    f"{where}.candidates: '{seat}' and '{seen[i]}' are the same seat ({election.seat_names[i]}); "
                    "give it once"
                )
            seen[i] = seat
            if not mask[i]:
                raise ScenarioError(
                    f"{where}.candidates: {election.seat_names[i]} is not among the seats the pact's where filter "
                    "selects, so its candidate would be ignored; widen where or remove the seat"
                )


def check_state(state: State, election: Election, label: str) -> None:
    """The invariants after a step (``label``: ``steps[k]: kind``)."""
    names = election.seat_names
    if not (np.isfinite(state.votes).all() and np.isfinite(state.abstain).all()):
        raise ScenarioError(f"{label} gives non-finite votes; check the step's numbers")
    slack = TOLERANCE * np.maximum(election.electorate, 1.0)
    negative = np.flatnonzero((state.votes < -slack[:, None]).any(axis=1))
    if negative.size:
        raise ScenarioError(
            f"{label} leaves {names[negative[0]]} ({negative.size} seat(s) in all) with negative votes for a party; "
            "check the step's numbers"
        )
    over = np.flatnonzero(state.abstain < -slack)
    if over.size:
        i = over[0]
        raise ScenarioError(
            f"{label} gives {names[i]} {-state.abstain[i]:,.0f} more voters than its electorate "
            f"({over.size} seat(s) in all: turnout over 100%); the step moves more voters than there are: keep each "
            "party's rates (transfer + to_others, a flow's fractions) at most 1, and turnout rises within the "
            "seat's non-voters"
        )
    empty = np.flatnonzero(~(state.votes.sum(axis=1) > 0.5))
    if empty.size:
        raise ScenarioError(
            f"{label} leaves {names[empty[0]]} ({empty.size} seat(s) in all) with no votes: every party there has "
            "withdrawn or lost all its voters; keep at least one party standing"
        )
