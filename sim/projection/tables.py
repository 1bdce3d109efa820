"""Seats per party and seats changing hands between a base result and a projection."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.core.parties import PARTIES
from sim.projection.project import Projection
from sim.scenario import schema as s
from sim.scenario.schema import Scenario

if TYPE_CHECKING:
    import pandas as pd


def seat_table(projection: Projection, scope: str = "uk") -> pd.DataFrame:
    """Seats and vote shares per party in ``scope`` (``uk`` or ``gb``), base and projected (``Projection.to_frame``)."""
    return projection.to_frame(scope)


def target_scope(scenario: Scenario) -> str:
    """``uk`` if a shares or polls step sets UK-wide targets, else ``gb``: the scope shares are best read in."""
    steps = [st for st in scenario.steps if isinstance(st, s.SharesStep | s.PollsStep)]
    scopes = [(st.scope_name if isinstance(st, s.SharesStep) else st.scope).lower() for st in steps]
    return "uk" if "uk" in scopes else "gb"


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
