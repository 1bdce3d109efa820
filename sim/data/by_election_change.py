"""How each party's share moved at the by-elections of a Parliament, as seat arrays.

For the seats that held a by-election between a general election and the next, the change of each
party's share from that general election to the seat's last by-election; zero elsewhere, for a
party that did not stand in both contests, and for a by-election at which one of the seat's three
leading parties at the general election stood aside (as the main parties did at Southend West in
2022, after the murder of its MP), since the others' shares then measure no one's strength. A seat
model reads it as news about the seat known before polling day (a by-election gain is often held:
North Shropshire, Tiverton and Honiton and Chesham and Amersham went Liberal Democrat in 2021-22
and again in 2024).

By-elections are held on the boundaries of the Parliament that sat. For an election on other
boundaries (the notional 2019 result on the 2024 seats) the changes are carried onto its seats by
population overlap, seats without a by-election counting as no change, so a new seat made half of
a by-election seat gets half of its change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.core.parties import PARTIES, PARTY_INDEX, canonical_party
from sim.data.covariates import carry_over
from sim.data.election import DataDir, Election, load_election
from sim.data.readers import by_election_candidacies, overlaps

if TYPE_CHECKING:
    pass

PERIODS = {"2010": "2010_2015", "2015": "2015_2017", "2017": "2017_2019", "2019": "2019_2024", "2024": "2024_on"}
"""The by-election file of the Parliament elected at each general election."""


def by_election_change(
    election: Election, successors: dict[str, str] | None = None, data_dir: DataDir = None
) -> np.ndarray:
    """``(n_seats, n_parties)`` change in share from ``election`` to each seat's last by-election after it.

    ``successors`` folds parties into their successors first (``{"BRX": "REF"}``), on both sides.
    The notional 2019 election uses the real 2019 result and its by-elections, carried onto its seats.
    """
    fold = successors or {}
    real = load_election("2019", data_dir) if election.name == "2019-notional" else election
    if real.name not in PERIODS:  # the data have no by-elections before 2010
        return np.zeros((election.n_seats, len(PARTIES)))
    frame = by_election_candidacies(data_dir)
    frame = frame[frame["period"] == PERIODS[real.name]]
    row = {seat: i for i, seat in enumerate(real.seat_ids)}
    change = np.zeros((real.n_seats, len(PARTIES)))
    for seat, group in frame.groupby("ONS ID"):
        if seat not in row:
            continue  # a seat of another Parliament's boundaries: the files list none today
        last = group[group["date"] == group["date"].max()]
        votes = np.zeros(len(PARTIES))
        for label, v in zip(last["Party abbreviation"], last["Votes"], strict=True):
            code = canonical_party(label)
            votes[PARTY_INDEX[fold.get(code, code)]] += float(v)
        base = real.votes[row[seat]].astype(float).copy()
        for old, new in fold.items():
            base[PARTY_INDEX[new]] += base[PARTY_INDEX[old]]
            base[PARTY_INDEX[old]] = 0.0
        if votes.sum() <= 0 or base.sum() <= 0:
            continue
        top_three = np.argsort(-base)[:3]
        if (votes[top_three] > 0).sum() < 3:
            continue  # a main party stood aside (Southend West 2022): not a measure of anyone's strength
        both = (votes > 0) & (base > 0)  # a party absent from either contest has no change to measure
        change[row[seat]] = np.where(both, votes / votes.sum() - base / base.sum(), 0.0)
    if real is election:
        return change
    return _carried(change, real, election, data_dir)


def _carried(change: np.ndarray, real: Election, election: Election, data_dir: DataDir) -> np.ndarray:
    """Changes on ``real``'s seats carried onto ``election``'s seats by population overlap."""
    import pandas as pd

    pieces = overlaps(data_dir)
    weight = pieces["To population overlap"].to_numpy(dtype=float)
    out = np.zeros((election.n_seats, len(PARTIES)))
    for p in np.nonzero(np.abs(change).sum(axis=0) > 0)[0]:
        carried = carry_over(pd.Series(change[:, p], index=real.seat_ids), pieces, weight)
        out[:, p] = np.nan_to_num(carried.reindex(election.seat_ids).to_numpy(dtype=float))
    return out
