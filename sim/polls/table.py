"""The poll table: one row per published voting-intention poll, and the CSV format a user writes it in.

A poll CSV has a header line and one line per poll (``docs/scenarios.md`` documents it):

- required: ``pollster``, ``fieldwork_start`` and ``fieldwork_end`` (``YYYY-MM-DD``), ``sample_size``
  (a whole number of respondents, or ``unknown`` where the publication gives none) and ``scope``
  (``GB``, ``Scotland``, ``Wales`` or ``London``);
- one column per party reported, by code (:data:`PARTY_CODES`), in percent; an empty cell is a
  party the poll did not report (``OTH``, others, may be given or left to the remainder);
- optional: ``commissioner``, ``mode`` and ``source`` (where the figures were published).

Nothing is guessed: a file with a problem is refused with every problem listed by line and column.
Pollster names are read as given, but for a few renamed firms (:data:`POLLSTER_NAMES`), so that a
house effect follows the firm.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from sim.core.errors import DataError, did_you_mean

if TYPE_CHECKING:
    import pandas as pd

SCOPES = ("GB", "Scotland", "Wales", "London")
PARTY_CODES = ("CON", "LAB", "LD", "GRN", "SNP", "PC", "UKIP", "BRX", "REF", "IND", "OTH")
"""Party columns a poll file may have (Northern Ireland's parties are not polled in these scopes)."""
REQUIRED = ("pollster", "fieldwork_start", "fieldwork_end", "sample_size", "scope")
OPTIONAL = ("commissioner", "mode", "source")
NOT_STANDING = {"SNP": ("Wales", "London"), "PC": ("Scotland", "London")}
"""Parties a poll of a scope cannot report: they stand in none of its seats."""
UNKNOWN = "unknown"
"""A ``sample_size`` of ``unknown``: the publication gives none (the average counts a nominal sample)."""
MAX_FIELDWORK_DAYS = 92
MAX_PROBLEMS = 20
POLLSTER_NAMES = {
    "mori": "Ipsos", "ipsos mori": "Ipsos", "ipsos": "Ipsos",
    "tns bmrb": "Verian", "tns-bmrb": "Verian", "kantar tns": "Verian", "kantar": "Verian",
    "kantar public": "Verian", "verian": "Verian",
    "comres": "Savanta", "savanta comres": "Savanta", "savanta": "Savanta",
    "r+w": "Redfield & Wilton", "redfield and wilton": "Redfield & Wilton",
    "find out now / electoral calculus": "Find Out Now", "peoplepolling": "People Polling",
    "ncp": "Number Cruncher", "number cruncher politics": "Number Cruncher", "angus rs": "Angus Reid",
}  # fmt: skip
"""Firms renamed over the years (Ipsos MORI, Kantar TNS and Verian, ComRes and Savanta), and short forms."""
COLUMNS = ("pollster", "commissioner", "mode", "fieldwork_start", "fieldwork_end", "sample_size", "scope")


def canonical_pollster(name: str) -> str:
    """The firm's one name (:data:`POLLSTER_NAMES`), or the name as given, trimmed."""
    key = re.sub(r"\s+", " ", str(name).strip())
    return POLLSTER_NAMES.get(key.lower(), key)


def standard(frame: pd.DataFrame) -> pd.DataFrame:
    """A poll table in the standard column order, pollsters under their one name, shares as floats."""
    parties = [p for p in PARTY_CODES if p in frame.columns]
    out = frame.copy()
    out["pollster"] = out["pollster"].map(canonical_pollster)
    for col in ("commissioner", "mode", "origin", "source"):
        out[col] = out[col].fillna("").astype(str) if col in out else ""
    for p in parties:
        out[p] = out[p].astype(float)
    out["sample_size"] = out["sample_size"].astype(float)
    return out[[*COLUMNS, *parties, "source", "origin"]].reset_index(drop=True)


def read_poll_csv(path: str | Path) -> pd.DataFrame:
    """A user's poll file as a poll table, or :class:`DataError` listing every problem by line and column."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"poll file '{path}' does not exist; give the path of a CSV file in the poll format "
                        "(docs/scenarios.md, 'Poll files')")  # fmt: skip
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            lines = list(csv.reader(handle))
    except UnicodeDecodeError:
        raise DataError(f"{path.name}: not a UTF-8 text file; save the poll file as UTF-8 CSV") from None
    except csv.Error as exc:
        raise DataError(f"{path.name}: not a readable CSV file ({exc})") from None
    lines = [line for line in lines if any(cell.strip() for cell in line)]
    if not lines:
        raise DataError(f"{path.name}: the file is empty; it needs a header line ({', '.join(REQUIRED)} and party "
                        "codes) and a line per poll")  # fmt: skip
    header = [h.strip() for h in lines[0]]
    _check_header(header, path.name)
    if len(lines) < 2:
        raise DataError(f"{path.name}: the file has a header but no polls")
    return _rows(header, lines[1:], path.name)


def _check_header(header: list[str], name: str) -> None:
    known = (*REQUIRED, *OPTIONAL, *PARTY_CODES)
    problems = []
    seen: set[str] = set()
    for col in header:
        key = col if col in known else col.upper() if col.upper() in PARTY_CODES else col
        if key in seen:
            problems.append(f"column '{col}' appears twice")
        seen.add(key)
        if key not in known:
            hint = did_you_mean(col, known) or (f" (party codes: {', '.join(PARTY_CODES)})" if col.isupper() else "")
            problems.append(f"unknown column '{col}'{hint}")
    missing = [c for c in REQUIRED if c not in seen]
    if missing:
        problems.append(f"missing required column(s) {', '.join(missing)}")
    if not any(c in seen for c in PARTY_CODES):
        problems.append(f"no party columns; add one per party reported, by code ({', '.join(PARTY_CODES)})")
    if problems:
        raise DataError(f"{name}: " + "; ".join(problems) + f" (columns: {', '.join(REQUIRED)}, optional "
                        f"{', '.join(OPTIONAL)}, and party codes)")  # fmt: skip


def _rows(header: list[str], lines: list[list[str]], name: str) -> pd.DataFrame:
    import pandas as pd

    cols = [c.upper() if c.upper() in PARTY_CODES else c for c in header]
    parties = [c for c in cols if c in PARTY_CODES]
    problems: list[str] = []
    records = []
    for k, line in enumerate(lines):
        at = f"{name} line {k + 2}"
        if len(line) != len(cols):
            problems.append(f"{at}: {len(line)} cells for {len(cols)} columns")
            continue
        cell = {c: v.strip() for c, v in zip(cols, line, strict=True)}
        record, wrong = _row(cell, parties, at)
        problems += wrong
        records.append(record)
        if len(problems) >= MAX_PROBLEMS:
            break
    frame = pd.DataFrame(records)
    if not problems:
        problems += _duplicates(frame)
    if problems:
        more = " (and perhaps more: fix these first)" if len(problems) >= MAX_PROBLEMS else ""
        raise DataError(f"{name}: {len(problems)} problem(s){more}:\n  " + "\n  ".join(problems[:MAX_PROBLEMS]))
    return standard(frame)


def _row(cell: dict[str, str], parties: list[str], at: str) -> tuple[dict[str, object], list[str]]:
    wrong: list[str] = []
    record: dict[str, object] = {"origin": at, "commissioner": cell.get("commissioner", ""),
                                 "mode": cell.get("mode", ""), "source": cell.get("source", "")}  # fmt: skip
    record["pollster"] = cell["pollster"]
    if not cell["pollster"]:
        wrong.append(f"{at}, column pollster: empty; give the polling firm's name")
    dates = {}
    for col in ("fieldwork_start", "fieldwork_end"):
        dates[col] = _date(cell[col])
        if dates[col] is None:
            wrong.append(f"{at}, column {col}: '{cell[col]}' is not a date; write YYYY-MM-DD, e.g. 2024-07-02")
        record[col] = dates[col]
    start, end = dates["fieldwork_start"], dates["fieldwork_end"]
    if start is not None and end is not None:
        if end < start:
            wrong.append(f"{at}, columns fieldwork_start/fieldwork_end: the fieldwork ends ({end.date()}) before "
                         f"it starts ({start.date()})")  # fmt: skip
        elif (end - start).days > MAX_FIELDWORK_DAYS:
            wrong.append(f"{at}, columns fieldwork_start/fieldwork_end: {(end - start).days} days of fieldwork; "
                         f"a poll's fieldwork is at most {MAX_FIELDWORK_DAYS} days here; check the dates")  # fmt: skip
    size = cell["sample_size"]
    record["sample_size"] = float(size) if size.isdigit() and int(size) > 0 else np.nan
    if not (size.isdigit() and int(size) > 0) and size.lower() != UNKNOWN:
        hint = "; write it without separators, e.g. 1744" if re.fullmatch(r"[\d,. ]+", size) else ""
        wrong.append(f"{at}, column sample_size: '{size}' is not a whole number of respondents{hint} (or "
                     f"'{UNKNOWN}' where the publication gives none)")  # fmt: skip
    scope = {s.lower(): s for s in SCOPES}.get(cell["scope"].lower())
    record["scope"] = scope
    if scope is None:
        hint = "; a UK-wide poll is read as a GB poll: write GB" if cell["scope"].upper() == "UK" else did_you_mean(
            cell["scope"], SCOPES)  # fmt: skip
        wrong.append(f"{at}, column scope: '{cell['scope']}' is not one of {', '.join(SCOPES)}{hint}")
    values = {}
    for p in parties:
        text = cell[p]
        if not text:
            record[p] = np.nan
            continue
        try:
            value = float(text)
        except ValueError:
            hint = f"; write {text.rstrip('%').strip()}, without %" if text.endswith("%") else ""
            wrong.append(f"{at}, column {p}: '{text}' is not a number (a percentage, or empty if not reported){hint}")
            record[p] = np.nan
            continue
        if not 0 <= value <= 100:
            wrong.append(f"{at}, column {p}: {text} is not a percentage between 0 and 100")
        elif scope in NOT_STANDING.get(p, ()) and value > 0:
            wrong.append(f"{at}, column {p}: {p} stands in no seat of {scope}; leave the cell empty")
        values[p] = value
        record[p] = value
    wrong += _row_total(values, at)
    return record, wrong


def _row_total(values: dict[str, float], at: str) -> list[str]:
    if len(values) < 2:
        return [f"{at}: {len(values)} party share(s); a poll needs at least two parties' shares"]
    total = sum(values.values())
    if total <= 1.0 + 1e-9 and max(values.values()) <= 1.0:
        return [f"{at}: the shares add up to {total:g}: they look like fractions; give percentages (41, not 0.41)"]
    slack = 0.5 * len(values)  # each share rounded to the nearest point at most
    if total > 100 + slack:
        return [f"{at}: the shares add up to {total:g}, more than 100"]
    if "OTH" in values and total < 100 - slack:
        return [f"{at}: with OTH given the shares should add up to 100, not {total:g}"]
    return []


def _date(text: str) -> pd.Timestamp | None:
    import pandas as pd

    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return None
    try:
        return pd.Timestamp(text)
    except ValueError:
        return None


def _duplicates(frame: pd.DataFrame) -> list[str]:
    keys = ["pollster", "scope", "fieldwork_start", "fieldwork_end"]
    named = frame.assign(pollster=frame["pollster"].map(canonical_pollster))
    dup = named[named.duplicated(keys, keep=False)]
    out = []
    for _, group in dup.groupby(keys, sort=False):
        origins = list(group["origin"])
        out.append(f"{origins[1]}: the same poll as {origins[0].split(' ', 1)[1]} (pollster, scope and fieldwork "
                   "dates); remove one, or correct its dates")  # fmt: skip
    return out
