"""What voters did between elections: survey vote-transition tables.

Two sources, both survey estimates of recalled previous vote against current vote:

* voteswitchR (Cohen, Krause & Abou-Chadi 2023): weighted counts of switching between
  consecutive GB elections, from the BES face-to-face surveys (2015->2017 and 2017->2019) and
  CSES module 4 (2010->2015). Read from the package's original R data files with ``pyreadr``;
  stack codes are mapped to parties with its ``mappings`` table (98: other party, 99: did not
  vote).
* YouGov's post-election survey of 2019 voters' 2024 vote, as a hand-typed pivot table
  (percentages of each 2019 party's voters, with unweighted sample sizes). Indicative only.

A rate comes with its sample size and a 95% Wilson score interval. For voteswitchR the size is
the row's weighted count (the weights average about one per respondent), an approximation of the
effective sample size; the survey's unweighted size is given too. For YouGov it is the unweighted
count of the 2019 party's voters.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from sim.core.errors import DataError
from sim.data.fetch import data_path
from sim.data.readers import DataDir

if TYPE_CHECKING:
    import pandas as pd

SWITCHES = "vote_transitions/voteswitchR_switches.rda"
MAPPINGS = "vote_transitions/voteswitchR_mappings.rda"
GUIDE = "vote_transitions/voteswitchR_data_guide.rda"
YOUGOV = "vote_transitions/YouGovPivot.xlsx"

# voteswitchR party abbreviations (or names, where the abbreviation is blank) to engine codes.
_VOTESWITCHR_PARTIES = {
    "GPEW": "GRN", "Labour": "LAB", "LibDems": "LD", "Conservatives": "CON", "PC": "PC",
    "SNP": "SNP", "UKIP": "UKIP", "Brexit Party": "BRX",
}  # fmt: skip
_SPECIAL_CODES = {98: "OTH", 99: "ABSTAIN"}
# voteswitchR election ids: the election a transition ends in.
_ELECTIONS = {"2015": "GB-2015-05", "2017": "GB-2017-06", "2019": "GB-2019-12"}
# YouGov pivot: column labels of 2019 parties and row labels of 2024 parties.
_YOUGOV_PARTIES = {
    "Con": "CON", "Lab": "LAB", "Lib Dem": "LD", "SNP": "SNP", "PC": "PC", "Brexit": "BRX",
    "Green": "GRN", "Reform": "REF", "Other": "OTH",
}  # fmt: skip
Z95 = 1.959963984540054


def wilson(successes: float, n: float, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion (95% by default).

    ``successes`` and ``n`` may be fractional (weighted counts); the interval then treats ``n``
    as the effective sample size.
    """
    if n <= 0:
        raise DataError("a transition rate needs at least one respondent in its row")
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class Transition:
    """The share of one party's voters at one election who voted for another at the next."""

    source: str
    previous: str
    election: str
    from_party: str
    to_party: str
    rate: float
    n: float
    low: float
    high: float
    survey_n: int

    @property
    def label(self) -> str:
        """One line: rate, interval, sample size and source."""
        return (
            f"{self.from_party} {self.previous} -> {self.to_party} {self.election}: {self.rate:.0%} "
            f"(95% Wilson {self.low:.0%}-{self.high:.0%}, n={self.n:,.0f} {self.from_party} voters; {self.source})"
        )

    def numbers(self, key: str) -> dict[str, float]:
        """The rate, its interval and its sample size as ``measured_<key>...`` numbers."""
        return {
            f"measured_{key}": self.rate,
            f"measured_{key}_low": self.low,
            f"measured_{key}_high": self.high,
            f"measured_{key}_n": self.n,
        }


def _rda(relpath: str, data_dir: DataDir) -> pd.DataFrame:
    import pyreadr

    frames = pyreadr.read_r(str(data_path(relpath, data_dir)))
    if len(frames) != 1:
        raise DataError(f"{relpath}: expected one data frame, found {len(frames)}")
    return next(iter(frames.values()))


@cache
def _voteswitchr_tables(data_dir: DataDir) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    return _rda(SWITCHES, data_dir), _rda(MAPPINGS, data_dir), _rda(GUIDE, data_dir)


def voteswitchr_switches(election: str, data_dir: DataDir = None) -> pd.DataFrame:
    """Weighted switching counts ending at a GB election (2015, 2017 or 2019), with party codes.

    Columns: ``from_party``, ``to_party`` (engine codes, ``OTH``, ``ABSTAIN``), ``weights``
    (weighted respondents) and ``n`` (the survey's respondents); attribute ``source`` names the
    survey.
    """
    if election not in _ELECTIONS:
        raise DataError(f"no voteswitchR transition ends in {election}; choose one of {', '.join(_ELECTIONS)}")
    elec_id = _ELECTIONS[election]
    switches, mappings, guide = _voteswitchr_tables(data_dir)
    rows = switches[switches["elec_id"] == elec_id].copy()
    maps = mappings[mappings["elec_id"] == elec_id]
    codes: dict[int, str] = dict(_SPECIAL_CODES)
    for stack, abbrev, name in zip(maps["stack"], maps["partyabbrev"], maps["party_name"], strict=True):
        key = abbrev if isinstance(abbrev, str) and abbrev else name
        if key not in _VOTESWITCHR_PARTIES:
            raise DataError(f"voteswitchR {elec_id}: no engine party for '{key}'")
        codes[int(stack)] = _VOTESWITCHR_PARTIES[key]
    rows["from_party"] = rows["switch_from"].astype(int).map(codes)
    rows["to_party"] = rows["switch_to"].astype(int).map(codes)
    if rows[["from_party", "to_party"]].isna().any().any():
        raise DataError(f"voteswitchR {elec_id}: a stack code has no party in the mappings table")
    rows.attrs["source"] = str(guide.loc[guide["elec_id"] == elec_id, "source"].iloc[0]).split(":")[0].split(" [")[0]
    return rows[["from_party", "to_party", "weights", "n"]].reset_index(drop=True)


def measured(from_party: str, to_party: str, election: str, data_dir: DataDir = None) -> Transition:
    """The voteswitchR rate of ``from_party``'s voters at the previous election voting ``to_party``.

    ``election`` is the later election (2015, 2017 or 2019). The denominator is every respondent
    who recalled voting ``from_party``, including those who did not vote the second time.
    """
    rows = voteswitchr_switches(election, data_dir)
    row = rows[rows["from_party"] == from_party]
    if row.empty:
        raise DataError(f"voteswitchR {election}: no respondents recalled voting {from_party}")
    total = float(row["weights"].sum())
    hits = float(row.loc[row["to_party"] == to_party, "weights"].sum())
    low, high = wilson(hits, total)
    previous = {"2015": "2010", "2017": "2015", "2019": "2017"}[election]
    return Transition(
        rows.attrs["source"], previous, election, from_party, to_party, hits / total, total, low, high,
        int(row["n"].iloc[0]),
    )  # fmt: skip


@cache
def _yougov(data_dir: DataDir) -> dict[str, dict[str, float]]:
    """Per 2019 party: the share of its voters for each 2024 party, and ``n`` (unweighted)."""
    import pandas as pd

    raw = pd.read_excel(data_path(YOUGOV, data_dir), sheet_name=0, header=None).to_numpy(dtype=object)
    labels = [str(x).strip() for x in raw[:, 0]]
    try:
        header, sample = labels.index("2024 Parties"), labels.index("Unweighted Sample")
    except ValueError as exc:
        raise DataError(f"{YOUGOV}: no '2024 Parties' or 'Unweighted Sample' row; is it the registered file?") from exc
    columns = [str(c).strip() for c in raw[header]]
    out: dict[str, dict[str, float]] = {}
    for j, col in enumerate(columns):
        if col not in _YOUGOV_PARTIES:
            continue
        shares = {}
        for i in range(header + 1, len(raw)):
            label = labels[i]
            if label == "Total" or label not in _YOUGOV_PARTIES:
                break
            shares[_YOUGOV_PARTIES[label]] = float(raw[i, j])
        shares["n"] = float(raw[sample, j])
        out[_YOUGOV_PARTIES[col]] = shares
    return out


def yougov_table(data_dir: DataDir = None) -> dict[str, dict[str, float]]:
    """YouGov's pivot: per 2019 party, the share of its voters for each 2024 party, and ``n`` (unweighted)."""
    return {party: dict(column) for party, column in _yougov(data_dir).items()}


def yougov_2019_2024(from_party: str, to_party: str, data_dir: DataDir = None) -> Transition:
    """YouGov's share of 2019 ``from_party`` voters who voted ``to_party`` in 2024 (indicative).

    The pivot gives whole percentages; ``n`` is the unweighted count of 2019 ``from_party`` voters.
    """
    table = _yougov(data_dir)
    if from_party not in table or to_party == "n" or to_party not in table[from_party]:
        raise DataError(f"YouGov pivot: no {from_party} 2019 -> {to_party} 2024 cell")
    n, rate = table[from_party]["n"], table[from_party][to_party]
    low, high = wilson(rate * n, n)
    total = int(sum(column["n"] for column in table.values()))
    return Transition("YouGov 2024 post-election survey, indicative", "2019", "2024", from_party, to_party, rate, n,
                      low, high, total)  # fmt: skip
