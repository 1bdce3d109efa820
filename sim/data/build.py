"""Build an :class:`~sim.data.election.Election` from the real results files (uses pandas)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.core.errors import DataError
from sim.core.parties import PARTIES, PARTY_INDEX, canonical_notional_party, canonical_party
from sim.data import readers
from sim.data.covariates import covariates_2010, covariates_2024
from sim.data.fetch import recording_reads
from sim.data.model import N_SEATS, Election
from sim.data.readers import DataDir
from sim.data.sources import ELECTION_FILES

if TYPE_CHECKING:
    import pandas as pd

CANDIDATE_COLUMNS = ("seat_id", "party", "label", "candidate", "votes", "sitting", "member_id")


def build(name: str, data_dir: DataDir) -> Election:
    """Build one election by name from the data files declared for it (:mod:`sim.data.sources`).

    Every file read is recorded; reading one that is not declared is an error, so the parsed
    cache's key (the declared files' sha256) always covers what the build read.
    """
    with recording_reads() as reads:
        election = _build_any(name, data_dir)
    undeclared = reads - set(ELECTION_FILES[name])
    if undeclared:
        raise DataError(
            f"building {name} read {', '.join(sorted(undeclared))}, which sim/data/sources.py does not declare "
            "for it; declare it there so the parsed cache is keyed by it"
        )
    return election


def files_read(name: str, data_dir: DataDir) -> set[str]:
    """The registered files a build of ``name`` reads (for tests of the declaration)."""
    with recording_reads() as reads:
        _build_any(name, data_dir)
    return reads


def _build_any(name: str, data_dir: DataDir) -> Election:
    if name == "2024":
        return _build_2024(data_dir)
    if name == "2019-notional":
        return _build_notional(data_dir)
    if name == "2005-notional":
        return _build_notional_2005(data_dir)
    return _build_general(int(name), data_dir)


def _assemble(
    name: str,
    boundaries: str,
    seats: pd.DataFrame,
    candidates: pd.DataFrame,
    covariates: pd.DataFrame,
) -> Election:
    """Build an Election from a seat table and a candidate table (both keyed by ``seat_id``).

    ``seats`` has ``seat_id, seat_name, nation, region, electorate, valid_votes``;
    ``candidates`` has the :data:`CANDIDATE_COLUMNS`.
    """
    import pandas as pd

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
        candidate_columns={c: candidates[c].to_numpy() for c in CANDIDATE_COLUMNS},
        covariate_columns=_columns(covariates.reindex(seats["seat_id"])),
    )


def _seat_table(frame: pd.DataFrame) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame({
        "seat_id": frame["ONS ID"],
        "seat_name": frame["Constituency name"],
        "nation": frame["Country name"],
        "region": frame["Region name"],
        "electorate": frame["Electorate"],
        "valid_votes": frame["Valid votes"],
    })  # fmt: skip


def _candidate_table(frame: pd.DataFrame) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame({
        "seat_id": frame["ONS ID"],
        "party": frame["Party abbreviation"].map(canonical_party),
        "label": frame["Party abbreviation"],
        "candidate": frame["Candidate first name"].fillna("") + " " + frame["Candidate surname"].fillna(""),
        "votes": frame["Votes"].astype(np.int64),
        "sitting": frame["Sitting MP"].eq("Yes"),
        "member_id": frame["Member MNIS ID"].fillna(0).astype(np.int64),
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
    first = raw.drop_duplicates("ONS ID").set_index("ONS ID")
    seats = _notional_seats(
        _seat_table(readers.ge2024_constituencies(data_dir)), first["Electorate"], first["Valid votes"]
    )
    labels = raw["Party abbreviation"].fillna(raw["Party code"])
    cands = _notional_candidates(raw["ONS ID"], raw["Party code"].map(canonical_notional_party), labels, raw["Votes"])
    covs = covariates_2024(list(seats["seat_id"]), list(seats["seat_name"]), data_dir)
    return _assemble("2019-notional", "2024", seats, cands, covs)


def _build_notional_2005(data_dir: DataDir) -> Election:
    """The notional 2005 result on the 2010 seats: names and regions from the 2010 file, no candidates' names."""
    raw = readers.notional_2005(data_dir)
    first = raw.drop_duplicates("constituency_id").set_index("constituency_id")
    valid = raw.groupby("constituency_id")["votes"].sum()
    seats = _notional_seats(_seat_table(readers.ge_constituencies(2010, data_dir)), first["electorate"], valid)
    cands = _notional_candidates(
        raw["constituency_id"], raw["mnis_party_abbrev"].map(canonical_party), raw["mnis_party_abbrev"], raw["votes"]
    )
    return _assemble("2005-notional", "2010", seats, cands, covariates_2010(list(seats["seat_id"]), data_dir))


def _notional_seats(reference: pd.DataFrame, electorate: pd.Series, valid: pd.Series) -> pd.DataFrame:
    """A notional result's seat table: names, nations and regions from ``reference`` (a :func:`_seat_table`).

    ``electorate`` is indexed by seat code, in the order the seats are listed; ``valid`` by seat code.
    """
    import pandas as pd

    ref = reference.set_index("seat_id")
    ids = electorate.index
    return pd.DataFrame({
        "seat_id": ids,
        "seat_name": ref["seat_name"].reindex(ids).to_numpy(),
        "nation": ref["nation"].reindex(ids).to_numpy(),
        "region": ref["region"].reindex(ids).to_numpy(),
        "electorate": electorate.to_numpy(),
        "valid_votes": valid.reindex(ids).to_numpy(),
    })  # fmt: skip


def _notional_candidates(seat_id: pd.Series, party: pd.Series, label: pd.Series, votes: pd.Series) -> pd.DataFrame:
    """A notional result's party rows as candidates (no names, no sitting MPs: notional results have none)."""
    import pandas as pd

    return pd.DataFrame({
        "seat_id": seat_id, "party": party, "label": label, "candidate": "",
        "votes": votes.astype(np.int64), "sitting": False, "member_id": 0,
    })  # fmt: skip


def _columns(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    """Covariate columns as plain arrays: float for numeric, str ('nan' where missing) otherwise."""
    import pandas as pd

    out: dict[str, np.ndarray] = {}
    for col in frame.columns:
        values = frame[col]
        if pd.api.types.is_numeric_dtype(values):
            out[col] = values.to_numpy(dtype=np.float64)
        else:
            out[col] = values.astype(object).where(values.notna(), "nan").astype(str).to_numpy(dtype=object)
    return out
