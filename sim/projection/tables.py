"""Seats per party and seats changing hands between a base result and a projection."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.core.parties import PARTIES
from sim.projection.project import Projection

if TYPE_CHECKING:
    import pandas as pd


def seat_table(projection: Projection) -> pd.DataFrame:
    """Seats and UK vote shares per party: base and projected (:meth:`Projection.to_frame`)."""
    return projection.to_frame()


def changes(projection: Projection) -> pd.DataFrame:
    """Seats whose winner differs from the base election (:meth:`Projection.changes`)."""
    return projection.changes()


def explain(projection: Projection, seat: str) -> pd.DataFrame:
    """A seat's shares after every step (rows: parties that ever stood; columns: steps)."""
    import pandas as pd

    e = projection.election
    i = e.seat_index(seat)
    frame = pd.DataFrame(
        {label: shares[i] for label, shares in projection.trace}, index=pd.Index(PARTIES, name="party")
    )
    return frame[(frame > 0).any(axis=1)]
