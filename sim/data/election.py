"""The typed :class:`Election` object and the builders that make one from the real results."""

from __future__ import annotations

import hashlib
import os
import pickle
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from sim.data.fetch import cache_dir, data_path, sha256_of
from sim.errors import LookupFailed, did_you_mean
from sim.parties import PARTIES, PARTY_INDEX

if TYPE_CHECKING:
    import pandas as pd

DataDir = str | Path | None

ELECTIONS: tuple[str, ...] = ("2010", "2015", "2017", "2019", "2024", "2019-notional")
"""Names of the elections the engine can load."""

NATIONS: tuple[str, ...] = ("England", "Scotland", "Wales", "Northern Ireland")
MAJORITY = 326
N_SEATS = 650

# Bump when a builder changes what it produces: parsed elections cached under an older
# version are rebuilt.
_BUILD_VERSION = "4"


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
        Votes per canonical party (:data:`sim.parties.PARTIES`); rows sum to ``valid_votes``.
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


def _inputs(name: str) -> list[str]:
    """Registered files an election is built from (for the parsed-election cache key)."""
    common = [
        "eu_referendum_2016/hanretty_final_estimates_leave_share_2010_boundaries.xlsx",
        "eu_referendum_2016/brexit-ni-constituencies.xlsx",
        "settlement_classification/pcon-classification-csv.csv",
    ]
    if name in ("2010", "2015", "2017", "2019"):
        return [
            *common,
            f"parliament_psephology/ge{name}_constituencies.noheader.csv",
            f"parliament_psephology/ge{name}_candidacies.noheader.csv",
            "settlement_classification/pcon_ruc.csv",
            "bes_constituency_results/BES-2019-General-Election-results-file-v1.1.xlsx",
        ]
    new = [
        *common,
        "hoc_general_election_results/HoC-GE2024-results-by-constituency.csv",
        "parliament_psephology/constituency_area_overlaps_2010_to_2024.noheader.csv",
        "parliament_psephology/revised_constituency_ids_scotland_2024.noheader.csv",
        "eu_referendum_2016/Hanretty_Brexit_estimates_2024_boundaries.csv",
        "settlement_classification/pcon_2025_ruc.csv",
        "census_2024_boundaries/2024-UK-General-Election-Census-Constituency-Summaries-File-v1.1.csv",
    ]
    if name == "2024":
        return [*new, "hoc_general_election_results/HoC-GE2024-results-by-candidate.csv"]
    return [*new, "notional_2019_on_2024_boundaries/parliament_notional_ge2019_candidacies.noheader.csv"]


def election_names() -> tuple[str, ...]:
    """Names accepted by :func:`load_election`."""
    return ELECTIONS


def check_election_name(name: str | int) -> str:
    """Return the canonical election name, or raise with the accepted names."""
    key = str(name).strip().lower()
    if key in ELECTIONS:
        return key
    hint = did_you_mean(key, ELECTIONS)
    raise LookupFailed(f"unknown election '{name}'{hint} (elections: {', '.join(ELECTIONS)})")


_LOADED: dict[tuple[str, str], Election] = {}


def load_election(name: str | int, data_dir: DataDir = None, *, use_cache: bool = True) -> Election:
    """Load an election by name, from the parsed cache when its input files are unchanged.

    Parameters
    ----------
    name : str
        One of :data:`ELECTIONS`.
    data_dir : path, optional
        A folder laid out like the shared data folder (see :mod:`sim.data.fetch`).
    use_cache : bool
        Reuse a parsed copy (kept in the user cache, keyed by the sha256 of every input file).

    """
    key_name = check_election_name(name)
    paths = [data_path(p, data_dir) for p in _inputs(key_name)]
    digest = hashlib.sha256(_BUILD_VERSION.encode())
    for path in paths:
        digest.update(sha256_of(path).encode())
    key = (key_name, digest.hexdigest()[:16])
    if key in _LOADED:
        return _LOADED[key]
    store = cache_dir() / "parsed" / f"election-{key_name}-{key[1]}.pkl"
    election = _read_parsed(store) if use_cache else None
    if election is None:
        election = _build(key_name, data_dir)
        if use_cache:
            _write_parsed(store, election)
    _LOADED[key] = election
    return election


def _build(name: str, data_dir: DataDir) -> Election:
    from sim.data import build  # pandas and the readers are needed only to build

    return build.build(name, data_dir)


_MAGIC = b"swingometer-election\n"
"""Start of a parsed-election cache file, followed by the sha256 of the pickle and the pickle."""


def _read_parsed(path: Path) -> Election | None:
    """A cached election, or None when the file is missing, damaged or not ours (then it is rebuilt)."""
    try:
        blob = path.read_bytes()
    except OSError:
        return None
    head, digest, payload = blob[: len(_MAGIC)], blob[len(_MAGIC) : len(_MAGIC) + 32], blob[len(_MAGIC) + 32 :]
    if head != _MAGIC or hashlib.sha256(payload).digest() != digest:
        return None  # written by another version, truncated, or corrupted: never trusted
    try:
        loaded = pickle.loads(payload)
    except Exception:  # any failure to read the cache means: rebuild it
        return None
    return loaded if isinstance(loaded, Election) else None


def _write_parsed(path: Path, election: Election) -> None:
    """Cache a parsed election with a checksum, through a temporary file renamed into place."""
    payload = pickle.dumps(election, protocol=pickle.HIGHEST_PROTOCOL)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(_MAGIC + hashlib.sha256(payload).digest() + payload)
        tmp.replace(path)
    except OSError:
        pass  # a read-only cache only costs speed
