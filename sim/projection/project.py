"""Apply a scenario's steps to its base election: the deterministic seat-by-seat projection."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

from sim.data.election import DataDir, Election
from sim.projection.shares import apply_shares
from sim.projection.steps import (
    State,
    apply_covariate_swing,
    apply_flows,
    apply_merge,
    apply_override,
    apply_pact,
    apply_tactical,
    apply_turnout,
)
from sim.scenario import schema as s


@dataclass(frozen=True, eq=False)
class Projection:
    """A scenario's deterministic result.

    Attributes
    ----------
    election : Election
        The base election.
    votes : (n_seats, n_parties) float64
        Projected votes.
    abstain : (n_seats,) float64
        Projected non-voters.
    stood : (n_seats, n_parties) bool
        Parties standing after the scenario.
    lead : (n_seats, n_parties) float64
        Leading candidate's fraction of a pooled party's vote.
    trace : list of (label, shares)
        Shares after each step, the base first.
    stood_down : (n_seats, n_parties) bool
        Where a pact step stood a party down.
    notes : tuple of str
        What the steps want the user to know: implied shares of parties without a target,
        targets met in few seats, balancing corrections.

    """

    election: Election
    votes: np.ndarray
    abstain: np.ndarray
    stood: np.ndarray
    lead: np.ndarray
    trace: list[tuple[str, np.ndarray]]
    stood_down: np.ndarray
    notes: tuple[str, ...] = ()

    @property
    def shares(self) -> np.ndarray:
        """Projected shares of valid votes, ``(n_seats, n_parties)``."""
        total = self.votes.sum(axis=1, keepdims=True)
        return np.divide(self.votes, total, out=np.zeros_like(self.votes), where=total > 0)

    @property
    def turnout(self) -> np.ndarray:
        """Valid votes as a multiple of the base election's valid votes, ``(n_seats,)``."""
        return self.votes.sum(axis=1) / self.election.valid_votes

    @property
    def winners(self) -> np.ndarray:
        """Winning party column per seat (the leading candidate's share decides)."""
        return np.argmax(self.shares * self.lead * self.stood, axis=1)

    def seat_frame(self) -> pd.DataFrame:
        """One row per seat and party that stood (in the base or the projection), seat order.

        Columns: ``seat_id, seat, nation, region, party, base_votes, base_share, votes, share,
        winner`` (the seat's projected winner) and ``base_winner``.
        """
        import pandas as pd

        e = self.election
        rows, cols = np.nonzero(self.stood | e.stood)
        parties = np.array(e.parties, dtype=object)
        return pd.DataFrame({
            "seat_id": e.seat_ids[rows], "seat": e.seat_names[rows], "nation": e.nations[rows],
            "region": e.regions[rows], "party": parties[cols], "base_votes": e.votes[rows, cols],
            "base_share": e.shares[rows, cols], "votes": self.votes[rows, cols], "share": self.shares[rows, cols],
            "winner": parties[self.winners[rows]], "base_winner": parties[e.winners[rows]],
        })  # fmt: skip

    def seat_totals(self) -> np.ndarray:
        """Seats per party, ``(n_parties,)``."""
        return np.bincount(self.winners, minlength=len(self.election.parties))

    @classmethod
    def from_state(
        cls,
        election: Election,
        state: State,
        trace: list[tuple[str, np.ndarray]] | None = None,
        stood_down: np.ndarray | None = None,
    ) -> Projection:
        """A projection holding a state's arrays (no trace and no stand-downs unless given)."""
        return cls(
            election, state.votes, state.abstain, state.stood, state.lead, trace if trace is not None else [],
            stood_down if stood_down is not None else np.zeros_like(state.stood), tuple(state.notes),
        )  # fmt: skip


def project(
    scenario: s.Scenario,
    election: Election,
    by_elections: Callable[[], object] | None = None,
    data_dir: DataDir = None,
) -> Projection:
    """Apply every step of ``scenario`` to ``election`` in order.

    ``by_elections`` returns the by-election candidacies table, for override steps that use one;
    ``data_dir`` is where other elections are read from (a party's geography in a shares step).
    """
    state = State.from_election(election)
    trace = [(f"base {election.name}", state.shares.copy())]
    stood_down = np.zeros(state.stood.shape, dtype=bool)
    handlers: dict[type, Callable[..., object]] = {
        s.SharesStep: partial(apply_shares, data_dir=data_dir),
        s.FlowsStep: apply_flows,
        s.CovariateSwingStep: apply_covariate_swing,
        s.TacticalStep: apply_tactical,
        s.TurnoutStep: apply_turnout,
        s.OverrideStep: partial(apply_override, by_elections=by_elections),
        s.MergeStep: apply_merge,
    }
    for k, step in enumerate(scenario.steps):
        where = f"steps[{k}]"
        if isinstance(step, s.PactStep):
            stood_down |= apply_pact(state, election, step, where)
        else:
            handlers[type(step)](state, election, step, where)
        trace.append((f"{where} {step.kind}", state.shares.copy()))
    return Projection.from_state(election, state, trace, stood_down)
