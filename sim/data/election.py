"""The typed :class:`Election` object and the builders that make one from the real results."""

from __future__ import annotations

import hashlib
import pickle
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from sim.data import readers
from sim.data.covariates import covariates_2010, covariates_2024
from sim.data.fetch import cache_dir, data_path, sha256_of
from sim.data.readers import DataDir
from sim.errors import DataError, LookupFailed, did_you_mean
from sim.parties import PARTIES, PARTY_INDEX, canonical_notional_party, canonical_party

ELECTIONS: tuple[str, ...] = ("2010", "2015", "2017", "2019", "2024", "2019-notional")
"""Names of the elections the engine can load."""

NATIONS: tuple[str, ...] = ("England", "Scotland", "Wales", "Northern Ireland")
MAJORITY = 326
N_SEATS = 650

# Bump when a builder changes what it produces: parsed elections cached under an older
# version are rebuilt.
_BUILD_VERSION = "2"


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
    candidates : DataFrame
        One row per candidate: ``seat_id, party, label, candidate, votes``.
    covariates : DataFrame
        Seat covariates indexed by ``seat_id`` (see :mod:`sim.data.covariates`).

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
    candidates: pd.DataFrame
    covariates: pd.DataFrame
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

    def vote_totals(self, mask: np.ndarray | None = None) -> np.ndarray:
        """Votes per party summed over the seats in ``mask`` (all seats by default)."""
        rows = self.votes if mask is None else self.votes[mask]
        return rows.sum(axis=0)


def _assemble(
    name: str,
    boundaries: str,
    seats: pd.DataFrame,
    candidates: pd.DataFrame,
    covariates: pd.DataFrame,
) -> Election:
    """Build an Election from a seat table and a candidate table (both keyed by ``seat_id``).

    ``seats`` has ``seat_id, seat_name, nation, region, electorate, valid_votes``;
    ``candidates`` has ``seat_id, party, label, candidate, votes``.
    """
    seats = seats.sort_values("seat_id").reset_index(drop=True)
    row = pd.Series(np.arange(len(seats)), index=seats["seat_id"])
    if len(seats) != N_SEATS or row.index.has_duplicates:
        raise DataError(f"{name}: expected {N_SEATS} distinct seats, found {row.index.nunique()}")
    unknown = set(candidates["seat_id"]) - set(row.index)
    if unknown:
        raise DataError(f"{name}: candidates in unknown seats {sorted(unknown)[:5]}")
    r = row.reindex(candidates["seat_id"]).to_numpy()
    c = candidates["party"].map(PARTY_INDEX).to_numpy()
    v = candidates["votes"].to_numpy(dtype=np.int64)
    votes = np.zeros((len(seats), len(PARTIES)), dtype=np.int64)
    np.add.at(votes, (r, c), v)
    stood = np.zeros(votes.shape, dtype=bool)
    stood[r, c] = True
    lead = np.zeros(votes.shape, dtype=np.int64)
    np.maximum.at(lead, (r, c), v)
    lead_fraction = np.divide(lead, votes, out=np.ones(votes.shape), where=votes > 0)
    top = candidates.assign(_row=r).sort_values(["_row", "votes"], ascending=[True, False])
    top = top.drop_duplicates("_row")
    winners = top["party"].map(PARTY_INDEX).to_numpy(dtype=np.int64)
    valid = seats["valid_votes"].to_numpy(dtype=np.int64)
    bad = np.flatnonzero(votes.sum(axis=1) != valid)
    if bad.size:
        raise DataError(f"{name}: candidate votes do not sum to valid votes in {seats['seat_name'][bad[:5]].tolist()}")
    return Election(
        name=name,
        boundaries=boundaries,
        seat_ids=seats["seat_id"].to_numpy(dtype=object),
        seat_names=seats["seat_name"].to_numpy(dtype=object),
        nations=seats["nation"].to_numpy(dtype=object),
        regions=seats["region"].to_numpy(dtype=object),
        electorate=seats["electorate"].to_numpy(dtype=np.int64),
        valid_votes=valid,
        votes=votes,
        stood=stood,
        lead_fraction=lead_fraction,
        winners=winners,
        candidates=candidates.reset_index(drop=True),
        covariates=covariates.reindex(seats["seat_id"]),
    )


def _seat_table(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "seat_id": frame["ONS ID"],
        "seat_name": frame["Constituency name"],
        "nation": frame["Country name"],
        "region": frame["Region name"],
        "electorate": frame["Electorate"],
        "valid_votes": frame["Valid votes"],
    })  # fmt: skip


def _candidate_table(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "seat_id": frame["ONS ID"],
        "party": frame["Party abbreviation"].map(canonical_party),
        "label": frame["Party abbreviation"],
        "candidate": frame["Candidate first name"].fillna("") + " " + frame["Candidate surname"].fillna(""),
        "votes": frame["Votes"].astype(np.int64),
    })  # fmt: skip


def _build_general(year: int, data_dir: DataDir) -> Election:
    seats_raw = readers.ge_constituencies(year, data_dir)
    cands = _candidate_table(readers.ge_candidacies(year, data_dir))
    if year == 2010:
        # Caveat C3: the 2010 candidacy file codes the UCUNF (Conservative/UUP) candidates as
        # independents; the constituency file's 'UUP (as UCUNF)' column identifies them.
        ucunf = seats_raw.set_index("ONS ID")["UUP (as UCUNF)"]
        ucunf_votes = cands["seat_id"].map(ucunf).fillna(0)
        is_ucunf = (cands["party"] == "IND") & (ucunf_votes > 0) & (cands["votes"] == ucunf_votes)
        cands.loc[is_ucunf, "party"] = "UUP"
        cands.loc[is_ucunf, "label"] = "UCUNF"
    seats = _seat_table(seats_raw)
    return _assemble(str(year), "2010", seats, cands, covariates_2010(list(seats["seat_id"]), data_dir))


def _build_2024(data_dir: DataDir) -> Election:
    seats = _seat_table(readers.ge2024_constituencies(data_dir))
    cands = _candidate_table(readers.ge2024_candidacies(data_dir))
    covs = covariates_2024(list(seats["seat_id"]), list(seats["seat_name"]), data_dir)
    return _assemble("2024", "2024", seats, cands, covs)


def _build_notional(data_dir: DataDir) -> Election:
    raw = readers.notional_2019(data_dir)
    raw = raw[raw["Votes"].notna()]
    ref = _seat_table(readers.ge2024_constituencies(data_dir)).set_index("seat_id")
    first = raw.drop_duplicates("ONS ID").set_index("ONS ID")
    seats = pd.DataFrame({
        "seat_id": first.index,
        "seat_name": ref["seat_name"].reindex(first.index).to_numpy(),
        "nation": ref["nation"].reindex(first.index).to_numpy(),
        "region": ref["region"].reindex(first.index).to_numpy(),
        "electorate": first["Electorate"].to_numpy(),
        "valid_votes": first["Valid votes"].to_numpy(),
    })  # fmt: skip
    cands = pd.DataFrame({
        "seat_id": raw["ONS ID"],
        "party": raw["Party code"].map(canonical_notional_party),
        "label": raw["Party abbreviation"].fillna(raw["Party code"]),
        "candidate": "",
        "votes": raw["Votes"].astype(np.int64),
    })  # fmt: skip
    covs = covariates_2024(list(seats["seat_id"]), list(seats["seat_name"]), data_dir)
    return _assemble("2019-notional", "2024", seats, cands, covs)


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
    if name == "2024":
        return _build_2024(data_dir)
    if name == "2019-notional":
        return _build_notional(data_dir)
    return _build_general(int(name), data_dir)


def _read_parsed(path: Path) -> Election | None:
    try:
        with path.open("rb") as fh:
            loaded = pickle.load(fh)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        return None
    return loaded if isinstance(loaded, Election) else None


def _write_parsed(path: Path, election: Election) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        with tmp.open("wb") as fh:
            pickle.dump(election, fh, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)
    except OSError:
        pass  # a read-only cache only costs speed
