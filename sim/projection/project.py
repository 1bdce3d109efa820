"""Apply a scenario's steps to its base election: the deterministic seat-by-seat projection."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

from sim.core.errors import ScenarioError
from sim.core.output import Outputs
from sim.data.election import DataDir, Election
from sim.polls.average import Average
from sim.projection.candidacies import apply_candidacies
from sim.projection.checks import check_state, require_inputs
from sim.projection.layout import apply_layout
from sim.projection.override import apply_override
from sim.projection.polls import apply_polls
from sim.projection.shares import apply_shares
from sim.projection.steps import (
    State,
    apply_covariate_swing,
    apply_flows,
    apply_merge,
    apply_pact,
    apply_tactical,
    apply_turnout,
)
from sim.scenario import schema as s
from sim.scenario.distributions import QUANTILE_POINTS, quantile_table
from sim.scenario.paths import with_value


@dataclass(frozen=True, eq=False)
class Sensitivity:
    """Uncertain scenario parameters and how the projected shares move with them.

    Attributes
    ----------
    paths : tuple of str
    quantiles : (n_params, QUANTILE_POINTS) float64
        Each parameter's inverse-CDF table.
    centre : (n_params,) float64
        Each parameter's mean (the value the projection is made at).
    sens : (n_params, n_seats, n_parties) float64
        ``d shares / d parameter`` by a central difference of the whole projection.

    """

    paths: tuple[str, ...]
    quantiles: np.ndarray
    centre: np.ndarray
    sens: np.ndarray


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
    sensitivity : Sensitivity, optional
        For a scenario with uncertain parameters: their distributions and the shares' derivatives
        (the projection itself is made at the parameters' means).
    polls : tuple of (step, Average)
        The poll averages ``polls`` steps set targets from.

    """

    election: Election
    votes: np.ndarray
    abstain: np.ndarray
    stood: np.ndarray
    lead: np.ndarray
    trace: list[tuple[str, np.ndarray]]
    stood_down: np.ndarray
    notes: tuple[str, ...] = ()
    sensitivity: Sensitivity | None = None
    polls: tuple[tuple[str, Average], ...] = ()

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

    def to_frame(self, scope: str = "uk") -> pd.DataFrame:
        """Seats and vote shares per party: base and projected (parties with a seat or 0.1% of the vote).

        Shares are of the UK vote, or with ``scope = "gb"`` of Great Britain's (the scope most
        targets are given in); a party standing only outside the scope (Northern Ireland's) has no
        share there (NaN).
        """
        import pandas as pd

        e = self.election
        mask = e.gb if scope == "gb" else np.ones(e.n_seats, dtype=bool)
        base_votes = e.votes[mask].sum(axis=0).astype(float)
        new_votes = self.votes[mask].sum(axis=0)
        outside = ~(e.stood[mask] | self.stood[mask]).any(axis=0)
        base_votes[outside] = np.nan
        new_votes = np.where(outside, np.nan, new_votes)
        frame = pd.DataFrame(
            {
                "base_seats": np.bincount(e.winners, minlength=len(e.parties)),
                "seats": self.seat_totals(),
                "base_share": base_votes / np.nansum(base_votes),
                "share": new_votes / np.nansum(new_votes),
            },
            index=pd.Index(e.parties, name="party"),
        )
        frame["change"] = frame["seats"] - frame["base_seats"]
        return frame[(frame["base_seats"] > 0) | (frame["seats"] > 0) | (frame["share"] > 0.001)]

    def changes(self) -> pd.DataFrame:
        """Seats whose winner differs from the base election: ``seat, seat_id, from, to, share``."""
        import pandas as pd

        e = self.election
        new = self.winners
        moved = np.flatnonzero(new != e.winners)
        return pd.DataFrame({
            "seat": e.seat_names[moved],
            "seat_id": e.seat_ids[moved],
            "from": [e.parties[w] for w in e.winners[moved]],
            "to": [e.parties[w] for w in new[moved]],
            "share": self.shares[moved, new[moved]],
        })  # fmt: skip

    def to_json(self, scenario: str = "") -> str:
        """The seats per party and the seats changing hands as JSON (what ``project --json`` writes)."""
        import json

        doc = {
            "scenario": scenario,
            "base": self.election.name,
            "seats": json.loads(self.to_frame().reset_index().to_json(orient="records")),
            "changes": json.loads(self.changes().to_json(orient="records")),
        }
        return json.dumps(doc, indent=2) + "\n"

    def add_to(
        self, out: Outputs, *, json: Path | None = None, csv: Path | None = None, seats_csv: Path | None = None,
        scenario: str = "",
    ) -> None:  # fmt: skip
        """Queue the files ``swingometer project`` writes into ``out`` (``--json``, ``--csv``, ``--seats-csv``)."""
        if json is not None:
            out.add(json, self.to_json(scenario))
        if csv is not None:
            out.add(csv, self.to_frame().to_csv())
        if seats_csv is not None:
            out.add(seats_csv, self.seat_frame().to_csv(index=False))

    def write(
        self, *, json: str | Path | None = None, csv: str | Path | None = None, seats_csv: str | Path | None = None,
        scenario: str = "", provenance: dict[str, Any] | None = None, force: bool = False,
    ) -> list[Path]:  # fmt: skip
        """Write the files ``swingometer project`` writes (:meth:`add_to`), all or none; the paths written.

        Each carries ``provenance`` (:func:`sim.provenance.scenario_provenance`); ``force`` replaces existing files.
        """
        paths = [Path(p) if p is not None else None for p in (json, csv, seats_csv)]
        out = Outputs(force, paths, provenance=provenance)
        self.add_to(out, json=paths[0], csv=paths[1], seats_csv=paths[2], scenario=scenario)
        return out.commit()

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
            polls=tuple(state.polls),
        )  # fmt: skip


Handler = Callable[[State, Election, Any, str], object]


def _handlers(data_dir: DataDir) -> dict[type, Handler]:
    return {
        s.SharesStep: partial(apply_shares, data_dir=data_dir),
        s.PollsStep: partial(apply_polls, data_dir=data_dir),
        s.FlowsStep: apply_flows,
        s.CovariateSwingStep: apply_covariate_swing,
        s.TacticalStep: apply_tactical,
        s.TurnoutStep: apply_turnout,
        s.OverrideStep: partial(apply_override, data_dir=data_dir),
        s.MergeStep: apply_merge,
        s.CandidaciesStep: partial(apply_candidacies, data_dir=data_dir),
        s.LayoutStep: partial(apply_layout, data_dir=data_dir),
    }


def project_state(
    scenario: s.Scenario, election: Election, until: int | None = None, data_dir: DataDir = None
) -> State:
    """The state after ``scenario``'s first ``until`` steps (all by default): what step ``until`` starts from."""
    return _run(scenario, election, until, data_dir)[0]


def _run(
    scenario: s.Scenario, election: Election, until: int | None, data_dir: DataDir
) -> tuple[State, list[tuple[str, np.ndarray]], np.ndarray]:  # fmt: skip
    state = State.from_election(election)
    trace = [(f"base {election.name}", state.shares.copy())]
    stood_down = np.zeros(state.stood.shape, dtype=bool)
    handlers = _handlers(data_dir)
    for k, step in enumerate(scenario.steps[:until]):
        where = f"steps[{k}]"
        require_inputs(state, election, step, where)
        if isinstance(step, s.PactStep):
            stood_down |= apply_pact(state, election, step, where)
        else:
            handlers[type(step)](state, election, step, where)
        check_state(state, election, f"{where}: {step.kind}")
        trace.append((f"{where} {step.kind}", state.shares.copy()))
    return state, trace, stood_down


def project(scenario: s.Scenario, election: Election, data_dir: DataDir = None) -> Projection:
    """Apply every step of ``scenario`` to ``election`` in order, and check the result.

    ``data_dir`` is where other elections and data files are read from (a candidacies step, a
    party's geography, a by-election). With uncertain parameters (``[uncertainty.parameters]``)
    the projection is made at their means and carries each one's sensitivity (a central
    difference of the whole projection; one-sided where the mean lies within ``STEP`` of the
    field's bound). Raises :class:`ScenarioError` when a step would do nothing or breaks an
    invariant (:mod:`sim.projection.checks`).
    """
    params = list(scenario.uncertainty.parameters.items())
    if not params:
        return _checked(scenario, election, data_dir)
    quantiles = np.array([quantile_table(d) for _, d in params]).reshape(len(params), QUANTILE_POINTS)
    centre = quantiles.mean(axis=1)
    at_mean = scenario
    for (path, _), mean in zip(params, centre, strict=True):
        at_mean = with_value(at_mean, path, float(mean))
    projection = _checked(at_mean, election, data_dir)
    sens = np.zeros((len(params), election.n_seats, len(election.parties)))
    for k, ((path, _), mean) in enumerate(zip(params, centre, strict=True)):
        ends = []
        for side in (STEP, -STEP):
            try:
                ends.append((side, _checked(with_value(at_mean, path, mean + side), election, data_dir).shares))
            except ScenarioError:
                ends.append((0.0, projection.shares))  # the mean is at the field's bound: one-sided
        (hi, up), (lo, down) = ends
        sens[k] = (up - down) / (hi - lo)
        if not np.abs(sens[k]).max() > 0:
            raise ScenarioError(
                f"uncertainty.parameters.{path}: the parameter moves no seat's shares, so the simulation would "
                "ignore its uncertainty (a pooled column's lead, say); sweep it instead (swingometer sweep --set)"
            )
    paths = tuple(path for path, _ in params)
    return replace(projection, sensitivity=Sensitivity(paths, quantiles, centre, sens))


STEP = 1e-4
"""The step of the central difference that measures an uncertain parameter's sensitivity."""


def _checked(scenario: s.Scenario, election: Election, data_dir: DataDir) -> Projection:
    state, trace, stood_down = _run(scenario, election, None, data_dir)
    return Projection.from_state(election, state, trace, stood_down)
