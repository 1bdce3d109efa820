"""Apply a scenario's steps to its base election: the deterministic seat-by-seat projection."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sim.data.election import Election
from sim.errors import ScenarioError
from sim.parties import PARTY_INDEX, party_index
from sim.scenario.schema import Scenario, SharesStep
from sim.scope import scope_mask
from sim.swing import full_targets, proportional_swing, scope_shares, uniform_swing


@dataclass
class State:
    """Shares and candidacies as the steps transform them.

    ``shares`` are fractions of each seat's (possibly changed) turnout; ``turnout`` the votes
    cast, as a multiple of the base valid votes.
    """

    shares: np.ndarray
    stood: np.ndarray
    turnout: np.ndarray
    trace: list[tuple[str, np.ndarray]] = field(default_factory=list)


@dataclass(frozen=True)
class Projection:
    """A scenario's deterministic result.

    Attributes
    ----------
    election : Election
        The base election.
    shares : (n_seats, n_parties) float64
        Projected shares of the votes cast in each seat.
    stood : (n_seats, n_parties) bool
        Parties standing after the scenario.
    turnout : (n_seats,) float64
        Votes cast as a multiple of the base election's valid votes.
    trace : list of (label, shares)
        Shares after each step, the base first.

    """

    election: Election
    shares: np.ndarray
    stood: np.ndarray
    turnout: np.ndarray
    trace: list[tuple[str, np.ndarray]]

    @property
    def votes(self) -> np.ndarray:
        """Projected votes (float), ``(n_seats, n_parties)``."""
        return self.shares * (self.election.valid_votes * self.turnout)[:, None]

    @property
    def winners(self) -> np.ndarray:
        """Winning party column per seat (leading candidate's share decides)."""
        return np.argmax(self.shares * self.election.lead_fraction * self.stood, axis=1)

    def seat_totals(self) -> np.ndarray:
        """Seats per party, ``(n_parties,)``."""
        return np.bincount(self.winners, minlength=len(self.election.parties))


def _apply_shares(state: State, election: Election, step: SharesStep, where: str) -> None:
    # The Speaker's seat is not contested by the main parties: it is held as it is.
    mask = scope_mask(election, step.scope, where=f"{where}.scope") & ~state.stood[:, PARTY_INDEX["SPK"]]
    weight = (election.valid_votes * state.turnout)[mask]
    current = scope_shares(state.shares[mask], weight)
    can_stand = state.stood[mask].any(axis=0)
    targets: dict[int, float] = {}
    for party, value in step.shares.items():
        p = party_index(party, where=f"{where}.shares")
        if value > 0 and not can_stand[p]:
            raise ScenarioError(
                f"{where}.shares: {party} stands in no seat of scope '{step.scope}' in the base "
                f"election, so it cannot reach {value:.3f}; make it stand with an override step"
            )
        targets[p] = value
    target = full_targets(current, targets, can_stand)
    sub_shares, sub_stood = state.shares[mask], state.stood[mask]
    if step.method == "uniform":
        new = uniform_swing(sub_shares, sub_stood, weight, target)
    elif step.method == "proportional":
        new = proportional_swing(sub_shares, sub_stood, weight, target)
    else:
        raise ScenarioError(f"{where}.method: '{step.method}' is not implemented yet")
    state.shares[mask] = new


def project(scenario: Scenario, election: Election) -> Projection:
    """Apply every step of ``scenario`` to ``election`` in order."""
    state = State(
        shares=election.shares.copy(),
        stood=election.stood.copy(),
        turnout=np.ones(election.n_seats),
    )
    state.trace.append((f"base {election.name}", state.shares.copy()))
    for k, step in enumerate(scenario.steps):
        where = f"steps[{k}]"
        if isinstance(step, SharesStep):
            _apply_shares(state, election, step, where)
        state.trace.append((f"{where} {step.kind}", state.shares.copy()))
    return Projection(election, state.shares, state.stood, state.turnout, state.trace)
