"""Seat arithmetic on one election: fewest votes to flip a seat, and target lists."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.core.errors import SwingometerError
from sim.core.parties import PARTIES, party_index
from sim.data.election import Election

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class Flip:
    """The fewest votes that change a seat's winner.

    ``votes`` move from ``source`` (a party, or ``ABSTAIN`` for new voters) to ``dest``.
    """

    election: str
    seat: str
    winner: str
    source: str
    dest: str
    votes: int
    majority: int

    def to_dict(self) -> dict[str, object]:
        """Plain-Python fields."""
        return asdict(self)


def flip(election: Election, seat: str, source: str | None = None, dest: str | None = None) -> Flip:
    """Fewest votes that change the winner of ``seat``.

    Moving ``v`` votes from party A to party B: if A is the winner, B needs ``v > (W - B) / 2``;
    otherwise B needs ``v > W - B`` (and A must have ``v`` votes). With no ``source`` the votes come
    from non-voters (``v > W - B``). With no ``dest`` the runner-up is the destination. A tie is
    not a win (the law decides ties by lot), so the destination must finish strictly ahead.
    """
    i = election.seat_index(seat)
    votes = election.votes[i]
    lead = votes * election.lead_fraction[i]
    order = np.argsort(-lead, kind="stable")
    w, runner = int(order[0]), int(order[1])
    b = party_index(dest, where="dest") if dest else (runner if runner != w else int(order[2]))
    for code, where in ((dest, "dest"), (source, "source")):
        p = party_index(code, where=where) if code else -1
        if p >= 0 and not election.stood[i, p]:
            raise SwingometerError(
                f"{PARTIES[p]} did not stand in {election.seat_names[i]} in {election.name}; "
                f"parties that stood: {', '.join(PARTIES[q] for q in np.flatnonzero(election.stood[i]))}",
                field=where,
            )
    if b == w:
        raise SwingometerError(
            f"{PARTIES[b]} already won {election.seat_names[i]} in {election.name}; pick another party to gain",
            field="dest",
        )
    gap = int(lead[w] - lead[b])
    if source is None:
        needed, src = gap + 1, "ABSTAIN"
    else:
        a = party_index(source, where="source")
        if a == b:
            raise SwingometerError("source and dest name the same party", field="dest")
        needed = gap // 2 + 1 if a == w else gap + 1
        if needed > votes[a]:
            raise SwingometerError(
                f"{PARTIES[a]} has only {int(votes[a]):,} votes in {election.seat_names[i]}; moving all of them to "
                f"{PARTIES[b]} does not overturn a lead of {gap:,}"
            )
        src = PARTIES[a]
    # A third party might still lead after the move: check the outcome directly.
    after = lead.copy()
    after[b] += needed
    if src != "ABSTAIN":
        after[party_index(src)] -= needed
    if int(np.argmax(after)) != b or np.sort(after)[-2] == after[b]:
        raise SwingometerError(f"moving votes to {PARTIES[b]} alone does not make it win: another party leads")
    return Flip(election.name, str(election.seat_names[i]), PARTIES[w], src, PARTIES[b], needed, gap)


def targets(election: Election, party: str, limit: int | None = None) -> pd.DataFrame:
    """The party's candidates who did not win their seat, ranked by the swing each needs.

    ``swing_needed`` is the two-party (Butler) swing from the winner: half the gap in share
    points between the winning candidate and the party's. Independents and other small
    candidates (``IND``, ``OTH``) are people, not one vote: each is a row of its own, so two
    independents in one seat are two targets, each with its own votes (a pooled column's sum
    would be no one's). Seats where the party did not stand are left out.
    """
    import pandas as pd

    p = party_index(party, where="PARTY")
    cols = election.candidate_columns
    row = {seat: i for i, seat in enumerate(election.seat_ids)}
    lead = election.votes * election.lead_fraction
    winner_votes = lead[np.arange(election.n_seats), election.winners]
    records = []
    for seat, code, name, votes in zip(cols["seat_id"], cols["party"], cols["candidate"], cols["votes"], strict=True):
        i = row[seat]
        if code != PARTIES[p] or (election.winners[i] == p and votes >= winner_votes[i]):
            continue  # another party's candidate, or the seat's winner itself
        w = election.winners[i]
        valid = float(election.valid_votes[i])
        records.append({
            "seat": election.seat_names[i], "seat_id": seat, "region": election.regions[i],
            "candidate": str(name).strip(), "winner": PARTIES[w], "winner_share": winner_votes[i] / valid,
            "party_share": int(votes) / valid, "gap_votes": int(winner_votes[i] - votes),
        })  # fmt: skip
    frame = pd.DataFrame.from_records(records, columns=["seat", "seat_id", "region", "candidate", "winner",
                                                        "winner_share", "party_share", "gap_votes"])  # fmt: skip
    frame["swing_needed"] = (frame["winner_share"] - frame["party_share"]) / 2
    frame = frame.sort_values(["swing_needed", "seat", "candidate"]).reset_index(drop=True)
    frame.index = frame.index + 1
    frame.index.name = "rank"
    return frame.head(limit) if limit else frame
