"""The typed :class:`Election`: one general election (or notional result) seat by seat, and its constants."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from sim.core.errors import LookupFailed, did_you_mean
from sim.core.parties import PARTIES, PARTY_INDEX

if TYPE_CHECKING:
    import pandas as pd

DataDir = str | Path | None

ELECTIONS: tuple[str, ...] = ("2010", "2015", "2017", "2019", "2024", "2019-notional", "2005-notional")
"""Names of the elections the engine can load."""

NATIONS: tuple[str, ...] = ("England", "Scotland", "Wales", "Northern Ireland")
MAJORITY = 326
N_SEATS = 650


@dataclass(frozen=True, eq=False)
class Election:
    """One general election (or notional result), seat by seat, on the canonical party axis.

    Attributes
    ----------
    name : str
        ``"2010"``, ``"2015"``, ``"2017"``, ``"2019"``, ``"2024"`` or ``"2019-notional"``.
    boundaries : str
        ``"2010"`` (the 2010-2024 seats) or ``"2024"``.
    seat_ids, seat_names, nations, regions : (n_seats,) object arrays
        ONS code, name, nation (England, Scotland, Wales, Northern Ireland) and region.
    electorate, valid_votes : (n_seats,) int64
    votes : (n_seats, n_parties) int64
        Votes per canonical party (:data:`sim.core.parties.PARTIES`); rows sum to ``valid_votes``.
    stood : (n_seats, n_parties) bool
        Whether the party had a candidate in the seat (from the candidacy files).
    lead_fraction : (n_seats, n_parties) float64
        Largest single candidate's votes over the party's votes in the seat: 1 for a party with
        one candidate, less for the IND and OTH columns, which pool several candidates. Seat
        winners are decided on ``share * lead_fraction``, the leading candidate's own share.
    winners : (n_seats,) int64
        Column of the winning candidate's party.
    candidate_columns : dict of (n_candidates,) arrays
        One entry per candidate: ``seat_id, party, label, candidate, votes``, ``sitting`` (the
        candidate was the seat's MP when Parliament was dissolved) and ``member_id`` (the
        Parliament member ID of a current or former MP, else 0; see :attr:`candidates`).
    covariate_columns : dict of (n_seats,) arrays
        Seat covariates in seat order (see :meth:`covariate`, :attr:`covariates` and
        :mod:`sim.data.covariates`). Plain arrays, so a cached election loads without pandas.

    """

    name: str
    boundaries: str
    seat_ids: np.ndarray
    seat_names: np.ndarray
    nations: np.ndarray
    regions: np.ndarray
    electorate: np.ndarray
    valid_votes: np.ndarray
    votes: np.ndarray
    stood: np.ndarray
    lead_fraction: np.ndarray
    winners: np.ndarray
    candidate_columns: dict[str, np.ndarray]
    covariate_columns: dict[str, np.ndarray]
    parties: tuple[str, ...] = field(default=PARTIES)

    @property
    def n_seats(self) -> int:
        """Number of seats."""
        return len(self.seat_ids)

    @cached_property
    def shares(self) -> np.ndarray:
        """Vote shares of valid votes, ``(n_seats, n_parties)`` float64."""
        return self.votes / self.valid_votes[:, None]

    @property
    def gb(self) -> np.ndarray:
        """Mask of the 632 seats in Great Britain."""
        return self.nations != "Northern Ireland"

    def seat_totals(self) -> dict[str, int]:
        """Seats won per party, in party order, parties with no seat left out."""
        counts = np.bincount(self.winners, minlength=len(self.parties))
        return {p: int(c) for p, c in zip(self.parties, counts, strict=True) if c}

    def seat_index(self, seat: str) -> int:
        """Row of a seat given by ONS code or name (case-insensitive), with did-you-mean."""
        key = seat.strip().lower()
        for i, (code, name) in enumerate(zip(self.seat_ids, self.seat_names, strict=True)):
            if key in (code.lower(), name.lower()):
                return i
        hint = did_you_mean(seat, list(self.seat_names))
        raise LookupFailed(f"no seat '{seat}' in the {self.name} election{hint}")

    def covariate(self, name: str) -> np.ndarray:
        """One covariate in seat order (NaN or 'nan' where the source has no figure)."""
        return self.covariate_columns[name]

    @property
    def covariates(self) -> pd.DataFrame:
        """Seat covariates as a DataFrame indexed by ``seat_id``."""
        import pandas as pd

        return pd.DataFrame(self.covariate_columns, index=pd.Index(self.seat_ids, name="seat_id"))

    @property
    def candidates(self) -> pd.DataFrame:
        """One row per candidate: ``seat_id, party, label, candidate, votes, sitting, member_id``."""
        import pandas as pd

        return pd.DataFrame(self.candidate_columns)

    def sitting_mps(self) -> np.ndarray:
        """``(n_seats, n_parties)`` bool: the party's candidate was the seat's MP at dissolution."""
        row = {seat: i for i, seat in enumerate(self.seat_ids)}
        rows = np.array([row[seat] for seat in self.candidate_columns["seat_id"]], dtype=np.int64)
        out = np.zeros(self.votes.shape, dtype=bool)
        sitting = self.candidate_columns["sitting"].astype(bool)
        cols = np.array([PARTY_INDEX[p] for p in self.candidate_columns["party"][sitting]], dtype=np.int64)
        out[rows[sitting], cols] = True
        return out

    def vote_totals(self, mask: np.ndarray | None = None) -> np.ndarray:
        """Votes per party summed over the seats in ``mask`` (all seats by default)."""
        rows = self.votes if mask is None else self.votes[mask]
        return rows.sum(axis=0)
