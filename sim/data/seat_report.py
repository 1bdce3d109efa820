"""One seat's result in a form people read: candidates, shares, winner, majority."""

from __future__ import annotations

from dataclasses import dataclass

from sim.data.election import DataDir, load_election


@dataclass(frozen=True)
class CandidateRow:
    """One candidate (or, for the notional result, one party column)."""

    party: str
    label: str
    candidate: str
    votes: int
    share: float


@dataclass(frozen=True)
class SeatReport:
    """A seat's result."""

    election: str
    seat_id: str
    seat_name: str
    nation: str
    region: str
    electorate: int
    valid_votes: int
    rows: list[CandidateRow]
    winner: str
    runner_up: str
    majority: int

    @property
    def turnout(self) -> float:
        """Valid votes over the electorate."""
        return self.valid_votes / self.electorate

    @property
    def majority_share(self) -> float:
        """Majority over valid votes."""
        return self.majority / self.valid_votes


def seat_report(seat: str, election_name: str, data_dir: DataDir = None) -> SeatReport:
    """Build the report of one seat in one election."""
    election = load_election(election_name, data_dir)
    i = election.seat_index(seat)
    seat_id = election.seat_ids[i]
    cands = election.candidates[election.candidates["seat_id"] == seat_id]
    cands = cands.sort_values("votes", ascending=False)
    valid = int(election.valid_votes[i])
    rows = [
        CandidateRow(r.party, str(r.label), str(r.candidate).strip(), int(r.votes), r.votes / valid)
        for r in cands.itertuples()
    ]
    first, second = rows[0], rows[1] if len(rows) > 1 else CandidateRow("-", "-", "", 0, 0.0)
    return SeatReport(
        election=election.name, seat_id=str(seat_id), seat_name=str(election.seat_names[i]),
        nation=str(election.nations[i]), region=str(election.regions[i]),
        electorate=int(election.electorate[i]), valid_votes=valid, rows=rows,
        winner=first.party, runner_up=second.party, majority=first.votes - second.votes,
    )  # fmt: skip
