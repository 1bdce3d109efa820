"""The registry's voting-intention polls in one table: PollBase (to December 2020) and the 2020-2023 list.

Both come out in the poll-table layout of :mod:`sim.polls.table` (one row per published poll,
shares in percent): ``pollster, commissioner, mode, fieldwork_start, fieldwork_end, sample_size,
scope`` and one column per party. Neither source gives sample sizes (``sample_size`` is missing;
:mod:`sim.polls.average` counts such a poll as a nominal sample) nor polls of Scotland or Wales.

PollBase (Mark Pack's, via ``jackobailey/britpol``) has one sheet per parliament, with year and
month in separate columns, the fieldwork as text (``"12-13"``: the 12th to the 13th of the
start date's month, or of the next month when the second day is smaller) and the start date in
its own column. Its rows without all of Conservative, Labour and Lib Dem shares (leader ratings,
best-PM questions) are not voting intention and are left out, as are the exit poll and the
result rows, and polls not public before polling day (:data:`WITHHELD`: Survation's final 2015
phone poll). Where a firm has several rows with the same fieldwork start, the latest published is
kept (an interim figure is replaced by the final one), and among rows published together the
first, the headline question. Where one poll is listed twice with different turnout filters (MORI's ``All`` and
``Certain to vote`` in 2005-2010) the headline, certain to vote, is kept. UK-wide polls are read as
GB polls: Northern Ireland is under 3% of UK voters and few pollsters sample it.

The 2020-2023 list (``jwhandley/UK-Polling-Average``) has one date per poll, read as the last
day of fieldwork; it is used from 2021 on, where PollBase ends.
"""

from __future__ import annotations

import re
import warnings
from functools import cache
from typing import TYPE_CHECKING

import numpy as np

from sim.data.fetch import data_path
from sim.data.readers import DataDir, read_csv

if TYPE_CHECKING:
    import pandas as pd

POLLBASE = "polls/PollBase-Q4-2020.xlsx"
HANDLEY = "polls/jwhandley_pollbase_2020_2023.csv"
POLLBASE_SHEETS = ("05-10", "10-15", "15-17", "17-19", "19-")
"""The parliaments read: May 2005 to December 2020 (the elections of 2010 to 2019 and the year after)."""
POLLBASE_PARTIES = {"Con": "CON", "Lab": "LAB", "LD": "LD", "UKIP": "UKIP", "Ukip": "UKIP", "Green": "GRN",
                    "BXP": "BRX"}  # fmt: skip
"""PollBase's party columns and their codes (its BNP and TIG/CUK columns are counted among the others)."""
WITHHELD = {("Survation", "2015-05-06"): "fieldwork on the eve; withheld until the polls had closed"}
"""PollBase polls left out: not public by polling day, so no forecast could have read them."""
HANDLEY_PARTIES = {"con": "CON", "lab": "LAB", "lib": "LD", "grn": "GRN", "ref": "REF"}
HANDLEY_FROM = "2021-01-01"
"""The 2020-2023 list is read from this date (PollBase covers the months before)."""
POLL_COLUMNS = ("pollster", "commissioner", "mode", "fieldwork_start", "fieldwork_end", "sample_size", "scope")
MODES = {
    "internet": "online",
    "online": "online",
    "phone": "phone",
    "f2f": "face-to-face",
    "face-to-face": "face-to-face",
}


def pollbase(data_dir: DataDir = None) -> pd.DataFrame:
    """PollBase's GB voting-intention polls, May 2005 to December 2020, in the poll-table layout."""
    return _pollbase(str(data_path(POLLBASE, data_dir))).copy()


@cache
def _pollbase(path: str) -> pd.DataFrame:
    import pandas as pd

    frames = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # openpyxl: an unparsable page header
        sheets = pd.read_excel(path, sheet_name=list(POLLBASE_SHEETS), header=None)
    for name in POLLBASE_SHEETS:
        frames.append(_sheet(sheets[name], name))
    return pd.concat(frames, ignore_index=True)


def _sheet(raw: pd.DataFrame, sheet: str) -> pd.DataFrame:
    import pandas as pd

    header = [str(h).strip() if isinstance(h, str) else "" for h in raw.iloc[0]]
    body = raw.iloc[1:].reset_index(drop=True)
    start = pd.to_datetime(body[3], errors="coerce")
    out = pd.DataFrame({
        "pollster": body[5].astype(str).str.strip(),
        "commissioner": body[6].where(body[6].notna(), "").astype(str).str.strip(),
        "mode": _column_of(body, {"Internet", "Phone", "F2F"}).map(lambda v: MODES.get(str(v).lower(), "")),
        "fieldwork_start": start,
        "fieldwork_end": [_end_date(s, text) for s, text in zip(start, body[2], strict=True)],
        "sample_size": np.nan,
        "scope": "GB",
    })  # fmt: skip
    for k, label in enumerate(header):
        code = POLLBASE_PARTIES.get(label)
        if code is not None and code not in out:  # the first: a later block of columns asks another question
            out[code] = pd.to_numeric(body[k], errors="coerce")
    out["origin"] = [f"PollBase sheet {sheet}, row {i + 2}" for i in range(len(out))]
    published = pd.to_numeric(body[4], errors="coerce")
    keep = out["fieldwork_start"].notna() & out[["CON", "LAB", "LD"]].notna().all(axis=1)
    keep &= ~out["pollster"].isin(["Result", "Exit poll"])
    turnout = _column_of(body, {"Certain to vote", "All"})
    keep &= ~((turnout == "All") & _listed_twice(out))
    keep &= ~pd.Series([(p, str(d.date()) if pd.notna(d) else "") in WITHHELD for p, d in
                        zip(out["pollster"], out["fieldwork_end"], strict=True)])  # fmt: skip
    kept = out[keep].assign(_published=published[keep])
    return _last_update(kept).drop(columns="_published").reset_index(drop=True)


def _last_update(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per poll: of a firm's rows with the same fieldwork start, the latest published (ties: the first listed).

    PollBase lists an interim figure and the final one of the same fieldwork (ICM, 5 and 6 May 2015),
    and the headline question before a hypothetical one (Opinium, BMG and Deltapoll in 2019): the
    latest publication is the final figure; among rows published together the first is the headline.
    """
    order = frame.assign(_row=range(len(frame)), _pub=frame["_published"].fillna(-1))
    order = order.sort_values(["pollster", "fieldwork_start", "_pub", "_row"], ascending=[True, True, False, True])
    first = order.drop_duplicates(["pollster", "fieldwork_start"], keep="first")
    return frame.loc[sorted(first.index)]


def _column_of(body: pd.DataFrame, values: set[str]) -> pd.Series:
    """The unnamed column whose entries are drawn from ``values`` (mode, turnout filter), or empty."""
    import pandas as pd

    for col in body.columns:
        found = set(body[col].dropna().astype(str).str.strip())
        if found and found <= values:
            return body[col].where(body[col].notna(), "").astype(str).str.strip()
    return pd.Series([""] * len(body), index=body.index)


def _listed_twice(frame: pd.DataFrame) -> pd.Series:
    return frame.duplicated(["pollster", "fieldwork_start"], keep=False)


def _end_date(start: pd.Timestamp, text: object) -> pd.Timestamp:
    """The last fieldwork day from PollBase's text (``"12-13"``, ``"30-2"``, ``"5"``; unknown: the start)."""
    import pandas as pd

    if pd.isna(start):
        return pd.NaT
    days = re.findall(r"\d+", str(text))
    if len(days) < 2:
        return start
    last = int(days[1])
    end = start.replace(day=1) + pd.offsets.MonthBegin(1) if last < start.day else start.replace(day=1)
    try:
        return end.replace(day=last)
    except ValueError:  # a day the month does not have: keep the start
        return start


def handley(data_dir: DataDir = None) -> pd.DataFrame:
    """The 2020-2023 list (GB polls, January 2021 to July 2023) in the poll-table layout."""
    import pandas as pd

    raw = read_csv(HANDLEY, data_dir)
    raw = raw[raw["pollster"] != "pollster"]  # a repeated header line inside the file
    date = pd.to_datetime(raw["date"], errors="coerce")
    out = pd.DataFrame({
        "pollster": raw["pollster"].astype(str).str.strip(), "commissioner": "", "mode": "",
        "fieldwork_start": date, "fieldwork_end": date, "sample_size": np.nan, "scope": "GB",
    })  # fmt: skip
    for source, code in HANDLEY_PARTIES.items():
        out[code] = pd.to_numeric(raw[source], errors="coerce")
    out["origin"] = [f"2020-2023 list, line {i + 2}" for i in raw.index]
    keep = date.notna() & (date >= pd.Timestamp(HANDLEY_FROM)) & out[["CON", "LAB"]].notna().all(axis=1)
    return out[keep].reset_index(drop=True)


def registry_polls(data_dir: DataDir = None) -> pd.DataFrame:
    """PollBase to December 2020, then the 2020-2023 list: GB polls, May 2005 to July 2023."""
    import pandas as pd

    return pd.concat([pollbase(data_dir), handley(data_dir)], ignore_index=True)
