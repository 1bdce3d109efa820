"""Read each registered file into a pandas DataFrame with named, cleaned columns.

The quirks handled here (see the data folder's README): files without header lines, UTF-8 BOMs,
CRLF line endings, ``NA`` for missing values, aggregate rows in the notional file, trailing
spaces in region names, and the five Scottish 2024 seats that first reused 2005-set codes.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sim.data.fetch import data_path

if TYPE_CHECKING:
    import pandas as pd

DataDir = str | Path | None

_SEAT_COLUMNS = [
    "ONS ID", "ONS region ID", "Constituency name", "County name", "Region name", "Country name",
    "Constituency type", "Declaration time", "Member first name", "Member surname",
    "Member gender", "Result", "First party", "Second party", "Electorate", "Valid votes",
    "Invalid votes", "Majority",
]  # fmt: skip

_PARTY_COLUMNS = {
    2010: ["Con", "Lab", "LD", "UKIP", "Green", "SNP", "PC", "DUP", "SF", "SDLP",
           "UUP (as UCUNF)", "APNI", "All other candidates"],
    2015: ["Con", "Lab", "LD", "UKIP", "Green", "SNP", "PC", "DUP", "SF", "SDLP", "UUP", "APNI",
           "All other candidates"],
    2017: ["Con", "Lab", "LD", "UKIP", "Green", "SNP", "PC", "DUP", "SF", "SDLP", "UUP", "APNI",
           "All other candidates", "Of which other winner"],
    2019: ["Con", "Lab", "LD", "BRX", "Green", "SNP", "PC", "DUP", "SF", "SDLP", "UUP", "APNI",
           "All other candidates", "Of which other winner"],
}  # fmt: skip

_CANDIDACY_COLUMNS = [
    "ONS ID", "ONS region ID", "Constituency name", "County name", "Region name", "Country name",
    "Constituency type", "Party name", "Party abbreviation", "Electoral Commission party ID",
    "MNIS party ID", "Electoral Commission adjunct party ID", "Candidate first name",
    "Candidate surname", "Candidate gender", "Sitting MP", "Former MP", "Member MNIS ID",
    "Votes", "Share", "Change",
]  # fmt: skip

_OVERLAP_COLUMNS = [
    "Overlap ID", "From ONS ID", "From constituency name", "To ONS ID", "To constituency name",
    "From residential overlap", "To residential overlap", "From geographic overlap",
    "To geographic overlap", "From population overlap", "To population overlap",
]  # fmt: skip

_NOTIONAL_COLUMNS = [
    "Boundary Comm name", "PA name", "ONS ID", "PANO", "Region code", "Country name",
    "Constituency type", "Turnout", "Electorate", "Valid votes", "Majority", "Party code",
    "Votes", "Party abbreviation", "Party name", "MNIS party ID",
]  # fmt: skip

NOTIONAL_AGGREGATE_CODES = frozenset({"TOTOTHV", "MAXOTHV"})


def read_csv(relpath: str, data_dir: DataDir, names: list[str] | None = None) -> pd.DataFrame:
    """Read a registered CSV: BOM-tolerant, ``NA`` as missing, names given for headerless files."""
    import pandas as pd

    path = data_path(relpath, data_dir)
    frame = pd.read_csv(
        path,
        encoding="utf-8-sig",
        header=None if names else "infer",
        names=names,
        na_values=["NA", ""],
        keep_default_na=False,
        dtype={"Electoral Commission adjunct party ID": "string"} if names else None,
    )
    frame.columns = [str(c).strip().strip('"') for c in frame.columns]
    for col in frame.columns:
        if frame[col].dtype == object or str(frame[col].dtype).startswith("str"):
            frame[col] = frame[col].str.strip()
    return frame


def read_excel(relpath: str, data_dir: DataDir, sheet: str | int = 0) -> pd.DataFrame:
    """Read one sheet of a registered xlsx file."""
    import pandas as pd

    return pd.read_excel(data_path(relpath, data_dir), sheet_name=sheet)


def ge_constituencies(year: int, data_dir: DataDir) -> pd.DataFrame:
    """GE 2010-2019 constituency results (Parliament's headerless files)."""
    return read_csv(
        f"parliament_psephology/ge{year}_constituencies.noheader.csv",
        data_dir,
        _SEAT_COLUMNS + _PARTY_COLUMNS[year],
    )


def ge_candidacies(year: int, data_dir: DataDir) -> pd.DataFrame:
    """GE 2010-2019 candidate results (Parliament's headerless files)."""
    return read_csv(f"parliament_psephology/ge{year}_candidacies.noheader.csv", data_dir, _CANDIDACY_COLUMNS)


def ge2024_constituencies(data_dir: DataDir) -> pd.DataFrame:
    """GE 2024 constituency results (Commons Library, September 2024 corrected version)."""
    return read_csv("hoc_general_election_results/HoC-GE2024-results-by-constituency.csv", data_dir)


def ge2024_candidacies(data_dir: DataDir) -> pd.DataFrame:
    """GE 2024 candidate results."""
    return read_csv("hoc_general_election_results/HoC-GE2024-results-by-candidate.csv", data_dir)


def scottish_code_fixes(data_dir: DataDir) -> dict[str, str]:
    """Old (2005-set) code -> new code for the five renamed Scottish 2024 seats (caveat C1)."""
    frame = read_csv(
        "parliament_psephology/revised_constituency_ids_scotland_2024.noheader.csv",
        data_dir,
        ["old", "name", "new"],
    )
    return dict(zip(frame["old"], frame["new"], strict=True))


def notional_2019(data_dir: DataDir) -> pd.DataFrame:
    """Rallings & Thrasher notional 2019 on the 2024 boundaries, candidates only, new codes."""
    frame = read_csv(
        "notional_2019_on_2024_boundaries/parliament_notional_ge2019_candidacies.noheader.csv",
        data_dir,
        _NOTIONAL_COLUMNS,
    )
    frame = frame[~frame["Party code"].str.upper().isin(NOTIONAL_AGGREGATE_CODES)].copy()
    frame["ONS ID"] = frame["ONS ID"].replace(scottish_code_fixes(data_dir))
    return frame


def notional_2005(data_dir: DataDir) -> pd.DataFrame:
    """The 2005 result recast onto the 2010 boundaries (Parliament's notional file), one row per party and seat.

    Its ``NA`` party rows pool the seat's other candidates (read as missing, so labelled ``Oth`` here).
    """
    frame = read_csv("parliament_psephology/notional_ge2005_on_2010_boundaries.csv", data_dir)
    frame["mnis_party_abbrev"] = frame["mnis_party_abbrev"].fillna("Oth")
    return frame


def overlaps(data_dir: DataDir) -> pd.DataFrame:
    """Overlaps of 2010-set seats (From) with 2024 seats (To), with new Scottish codes."""
    frame = read_csv(
        "parliament_psephology/constituency_area_overlaps_2010_to_2024.noheader.csv",
        data_dir,
        _OVERLAP_COLUMNS,
    )
    frame["To ONS ID"] = frame["To ONS ID"].replace(scottish_code_fixes(data_dir))
    return frame


BY_ELECTION_PERIODS = ("2010_2015", "2015_2017", "2017_2019", "2019_2024", "2024_on")


def by_election_candidacies(data_dir: DataDir) -> pd.DataFrame:
    """Every by-election candidacy 2010 onwards, with a parsed ``date`` column."""
    import pandas as pd

    frames = []
    for period in BY_ELECTION_PERIODS:
        frame = read_csv(f"by_elections/byelections_{period}_candidacies.csv", data_dir)
        frame = frame.rename(columns={"ONS ID2": "ONS ID"})
        frame["period"] = period
        frames.append(frame)
    out = pd.concat(frames, ignore_index=True)
    out["date"] = pd.to_datetime(out["Election date"], format="%d/%m/%Y")
    return out


def by_election_constituencies(data_dir: DataDir) -> pd.DataFrame:
    """Every by-election's seat-level result (electorate, valid votes), with a ``date`` column."""
    import pandas as pd

    frames = []
    for period in BY_ELECTION_PERIODS:
        frame = read_csv(f"by_elections/byelections_{period}_constituencies.csv", data_dir)
        frame["period"] = period
        frames.append(frame)
    out = pd.concat(frames, ignore_index=True)
    out["date"] = pd.to_datetime(out["By-election date"], format="%d/%m/%Y")
    return out


POLL_SHEETS = {"2010": "05-10", "2015": "10-15", "2017": "15-17", "2019": "17-19"}
_POLL_PARTIES = {"Con": "CON", "Lab": "LAB", "LD": "LD", "UKIP": "UKIP", "Green": "GRN", "BXP": "BRX"}


def final_polls(election: str, data_dir: DataDir, days: int = 7) -> pd.DataFrame:
    """PollBase's GB polls with fieldwork starting in the last ``days`` days, and the result.

    Returns one row per poll plus a row with ``pollster == "Result"``; columns are the party
    codes present in the sheet (shares in percent) and ``date``.
    """
    import warnings

    import pandas as pd

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # openpyxl: an unparsable page header
        raw = read_excel("polls/PollBase-Q4-2020.xlsx", data_dir, sheet=POLL_SHEETS[election])
    header = list(raw.columns)  # read_excel used row 0 as the header
    cols = {c: _POLL_PARTIES[c] for c in header if isinstance(c, str) and c in _POLL_PARTIES}
    frame = pd.DataFrame({"pollster": raw.iloc[:, 5], "date": pd.to_datetime(raw.iloc[:, 3], errors="coerce")})
    for source, code in cols.items():
        frame[code] = pd.to_numeric(raw[source], errors="coerce")
    result = frame[frame["pollster"] == "Result"]
    polls = frame[frame["date"].notna() & frame[["CON", "LAB", "LD"]].notna().all(axis=1)]
    polls = polls[polls["date"] >= polls["date"].max() - pd.Timedelta(days=days - 1)]
    return pd.concat([polls, result], ignore_index=True)
