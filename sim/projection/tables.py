"""Seats per party and seats changing hands between a base result and a projection."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.core.parties import PARTIES
from sim.projection.project import Projection

if TYPE_CHECKING:
    import pandas as pd


def seat_table(projection: Projection) -> pd.DataFrame:
    """Seats and GB/UK vote shares per party: base and projected."""
    import pandas as pd

    e = projection.election
    base_votes = e.votes.sum(axis=0)
    new_votes = projection.votes.sum(axis=0)
    frame = pd.DataFrame(
        {
            "base_seats": np.bincount(e.winners, minlength=len(PARTIES)),
            "seats": projection.seat_totals(),
            "base_share": base_votes / base_votes.sum(),
            "share": new_votes / new_votes.sum(),
        },
        index=pd.Index(PARTIES, name="party"),
    )
    frame["change"] = frame["seats"] - frame["base_seats"]
    return frame[(frame["base_seats"] > 0) | (frame["seats"] > 0) | (frame["share"] > 0.001)]


def changes(projection: Projection) -> pd.DataFrame:
    """Seats whose winner differs from the base election."""
    import pandas as pd

    e = projection.election
    new = projection.winners
    moved = np.flatnonzero(new != e.winners)
    shares = projection.shares
    return pd.DataFrame({
        "seat": e.seat_names[moved],
        "seat_id": e.seat_ids[moved],
        "from": [PARTIES[w] for w in e.winners[moved]],
        "to": [PARTIES[w] for w in new[moved]],
        "share": shares[moved, new[moved]],
    })  # fmt: skip


def explain(projection: Projection, seat: str) -> pd.DataFrame:
    """A seat's shares after every step (rows: parties that ever stood; columns: steps)."""
    import pandas as pd

    e = projection.election
    i = e.seat_index(seat)
    frame = pd.DataFrame(
        {label: shares[i] for label, shares in projection.trace}, index=pd.Index(PARTIES, name="party")
    )
    return frame[(frame > 0).any(axis=1)]
