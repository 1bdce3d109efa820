"""The ``override`` step (seat-by-seat edits) and withdrawing parties from a seat, which the candidacies step shares."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.core.errors import ScenarioError
from sim.core.parties import PARTIES, PARTY_INDEX, canonical_party
from sim.data.election import DataDir, Election
from sim.data.readers import by_election_candidacies
from sim.projection.steps import State, party_column, seat_filter, seat_row
from sim.scenario import schema as s
from sim.scenario.rules import WITHDRAWN_TO

if TYPE_CHECKING:
    pass


def apply_override(
    state: State, election: Election, step: s.OverrideStep, where: str, data_dir: DataDir = None
) -> None:
    """Per-seat edits: stand, withdraw (all or part of a pooled party), set shares, or use a by-election result."""
    rows = [seat_row(election, seat, f"{where}.seats") for seat in step.seats]
    if step.where is not None:
        rows += [int(i) for i in np.flatnonzero(seat_filter(election, step.where, f"{where}.where"))]
    leaving = {party_column(p, f"{where}.withdraw"): 1.0 for p in step.withdraw}
    leaving.update({party_column(p, f"{where}.withdraw_part"): f for p, f in step.withdraw_part.items()})
    seats = sorted(set(rows))
    for p in leaving:
        if not state.stood[seats, p].any():
            field = "withdraw" if PARTIES[p] in [c.strip().upper() for c in step.withdraw] else "withdraw_part"
            raise ScenarioError(
                f"{where}.{field}: {PARTIES[p]} stands in none of the step's seats at this step, so withdrawing it "
                "does nothing; remove it"
            )
    lead = {party_column(p, f"{where}.lead"): v for p, v in step.lead.items()}
    parted = frozenset(party_column(p, f"{where}.withdraw_part") for p in step.withdraw_part)
    for i in sorted(set(rows)):
        if step.by_election:
            _use_by_election(state, election, i, step.by_election, where, data_dir)
        for party in step.stand:
            p = party_column(party, f"{where}.stand")
            if not state.stood[i, p]:
                state.stood[i, p], state.lead[i, p] = True, 1.0
        withdraw(state, election, i, {p: f for p, f in leaving.items() if state.stood[i, p]}, step.withdrawn_to,
                 f"{where}.withdrawn_to", parted)  # fmt: skip
        for p, value in lead.items():
            state.lead[i, p] = value
        if step.shares:
            given = {party_column(k, f"{where}.shares"): v for k, v in step.shares.items()}
            total = state.total[i]
            shares = state.shares[i]
            rest = sum(shares[p] for p in range(len(PARTIES)) if p not in given)
            left = 1.0 - sum(given.values())
            new = shares * (left / rest if rest > 0 else 0.0)
            for p, value in given.items():
                new[p] = value
                state.stood[i, p] = True
            state.votes[i] = new / new.sum() * total


def withdraw(
    state: State, election: Election, i: int, leaving: dict[int, float], to: str, where: str,
    keep_standing: frozenset[int] = frozenset(),
) -> None:  # fmt: skip
    """Stand parties down in seat ``i`` at once: ``leaving`` maps a party to the fraction of its votes that goes.

    A party whose whole vote goes stands down, unless it is in ``keep_standing`` (a pooled column whose
    candidates all stand down while another stands for it); with less it keeps standing with the
    rest (some of a pooled column's candidates stand down). The voters go by ``to``: ``others``, the parties still
    standing in proportion to their votes (none standing: they abstain); ``abstain``; ``region``,
    the parties still standing in proportion to their shares in the seat's region (for a seat whose
    votes say nothing of them: the Speaker's, when the Speaker retires); or a party code, that
    party (which must stand there).
    """
    if not leaving:
        return
    to = to.strip()
    if to.lower() in WITHDRAWN_TO or to.upper() == s.ABSTAIN:
        to = "abstain" if to.upper() == s.ABSTAIN else to.lower()
    moving = 0.0
    for p, fraction in leaving.items():
        moving += state.votes[i, p] * fraction
        state.votes[i, p] *= 1.0 - fraction
        if fraction >= 1.0 and p not in keep_standing:
            state.stood[i, p] = False
    staying = state.stood[i].copy()
    if to in ("others", "region"):
        if to == "region":
            region = election.regions == election.regions[i]
            weight = state.votes[region].sum(axis=0) * staying
        else:
            weight = state.votes[i] * staying
        if weight.sum() > 0:
            state.votes[i] += weight / weight.sum() * moving
        else:
            state.abstain[i] += moving
    elif to == "abstain":
        state.abstain[i] += moving
    else:
        dest = party_column(to, where)
        if not staying[dest]:
            raise ScenarioError(
                f"{where}: {PARTIES[dest]} does not stand in {election.seat_names[i]} at this step, so the withdrawn "
                f"voters cannot go to it; make it stand (stand = ['{PARTIES[dest]}']) or choose "
                f"{', '.join(WITHDRAWN_TO)}"
            )
        state.votes[i, dest] += moving


def _use_by_election(state: State, election: Election, i: int, date: str, where: str, data_dir: DataDir) -> None:
    import pandas as pd

    frame = by_election_candidacies(data_dir)
    seat_id, name = election.seat_ids[i], election.seat_names[i]
    when = pd.Timestamp(date)
    rows = frame[(frame["date"] == when) & ((frame["ONS ID"] == seat_id) | (frame["Constituency name"] == name))]
    if rows.empty:
        held = frame[(frame["ONS ID"] == seat_id) | (frame["Constituency name"] == name)]["date"].dt.strftime(
            "%Y-%m-%d"
        )
        dates = ", ".join(sorted(set(held))) or "none"
        raise ScenarioError(f"{where}.by_election: no by-election in {name} on {date} (by-elections there: {dates})")
    votes = np.zeros(len(PARTIES))
    lead = np.zeros(len(PARTIES))
    for abbrev, v in zip(rows["Party abbreviation"], rows["Votes"], strict=True):
        p = PARTY_INDEX[canonical_party(abbrev)]
        votes[p] += v
        lead[p] = max(lead[p], v)
    electorate = state.votes[i].sum() + state.abstain[i]
    state.votes[i] = votes / votes.sum() * state.total[i]
    state.stood[i] = votes > 0
    state.lead[i] = np.divide(lead, votes, out=np.ones_like(lead), where=votes > 0)
    state.abstain[i] = electorate - state.votes[i].sum()
