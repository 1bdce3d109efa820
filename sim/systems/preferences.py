"""Later preferences: where a party's voters turn when their candidate is out of an AV or STV count.

No survey in the data asks British voters for a second preference. The matrices here take the
nearest measured behaviour instead: where each party's voters went **when they left it** between
two elections. Row ``A``, column ``B``: of ``A``'s voters who voted for another party next time,
the share who voted ``B`` (``A``'s loyal voters and non-voters left out). A voter's next party is a
revealed second choice; a ranked ballot might differ, and the matrix is the lever to say so (a
scenario's ``[preferences]``, docs/systems.md). Two sources (:data:`SOURCES`):

* ``yougov-2024`` (the default): YouGov's post-election survey of 2019 voters' 2024 vote (5-8 July
  2024, about 34,000 respondents; a hand-typed pivot, indicative). Recent and large; its rows are
  whole percentages.
* ``bes-2019``: the British Election Study's 2019 post-election random-probability survey, 2017 to
  2019, as tabulated by voteswitchR (Cohen, Krause & Abou-Chadi 2023). The stronger design, but
  few leavers per party (4 for Plaid Cymru, 14 for the SNP) and the Brexit realignment of 2019 in
  every row: half of Labour's leavers went to the Conservatives.

Both read the data's ``vote_transitions/`` files. In both:

* The insurgent right (UKIP, the Brexit Party, Reform UK) is one family. Its row is its voters who
  left it: 2019 Brexit Party voters (YouGov), or 2017 UKIP voters (BES). A transfer to the family
  goes to whichever of the three stands.
* The surveys' "other party" is a destination for other parties' and independent candidates alike.
* Rows with no GB measurement transfer nothing: their piles exhaust. These are Northern Ireland's
  parties (no GB survey asks there), independents, others and the Speaker. Northern Ireland's seats
  therefore keep their plurality winners under AV, and its STV districts count without transfers.
* A family's share is repeated in each of its columns (only one of them stands in nearly every
  seat), so a row adds up to 1 over the parties standing in a seat, not over all columns.
* Only ratios within a row matter. An excluded pile is shared over the continuing candidates in
  proportion to its row, so every ballot ranks every candidate (as in Australia's House elections).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

import numpy as np

from sim.core.errors import SwingometerError
from sim.core.parties import PARTIES, party_index
from sim.data.election import load_election
from sim.data.readers import DataDir
from sim.data.transitions import voteswitchr_switches, yougov_table
from sim.systems.districts import districts_for
from sim.systems.rules import (
    Outcome,
    System,
    av_winners,
    needs_av,
    needs_preferences,
    outcomes,
    single_candidates,
)

if TYPE_CHECKING:
    from sim.projection.project import Projection

RIGHT = ("UKIP", "BRX", "REF")
"""The insurgent right, one family in the matrix."""
OTHERS = ("OTH", "IND")
"""The surveys' "other party" destination: other parties' and independent candidates' columns."""
NATIONAL = {"SNP": "Scotland", "PC": "Wales"}
"""Parties standing in one nation only, and the nation."""
SOURCES = ("yougov-2024", "bes-2019")
MAX_SD = 2.0
"""The largest sd of a cell's log (a share of few leavers is barely known)."""
"""The matrices offered, the default first."""


@dataclass(frozen=True)
class Preferences:
    """A preference matrix over the engine's party columns, and where each row came from.

    Attributes
    ----------
    matrix : (n_parties, n_parties) float64
        Row ``e``: the shares of ``e``'s excluded pile going to each party (rows sum to 1 or 0).
    sd : (n_parties, n_parties) float64
        Each cell's sampling error as the sd of its log, ``sqrt((1 - p) / (n p))`` for a share ``p``
        of ``n`` leavers (the delta method), at most :data:`MAX_SD`; 0 for a scenario's own rows. The
        Monte Carlo draws each cell as the share times a mean-one log-normal factor of this sd.
    leavers : dict
        Party -> weighted survey respondents behind its row (rows not measured are absent).
    source : str
        The survey.

    """

    matrix: np.ndarray
    leavers: dict[str, float]
    source: str
    sd: np.ndarray

    def row(self, party: str) -> dict[str, float]:
        """A party's row, as ``{party: share}`` for the shares above zero."""
        values = self.matrix[PARTIES.index(party)]
        return {PARTIES[q]: float(v) for q in np.argsort(-values, kind="stable") if (v := values[q]) > 0}


@cache
def preferences(source: str = SOURCES[0], data_dir: DataDir = None) -> Preferences:
    """A survey's leavers matrix (the module docstring): ``yougov-2024`` or ``bes-2019``."""
    if source not in SOURCES:
        raise SwingometerError(f"unknown preference source '{source}'; choose one of {', '.join(SOURCES)}")
    if source == "bes-2019":
        rows = voteswitchr_switches("2019", data_dir)
        flows: dict[str, dict[str, float]] = {
            str(origin): {str(to): float(w) for to, w in zip(group["to_party"], group["weights"], strict=True)}
            for origin, group in rows.groupby("from_party")
        }
        label = f"{rows.attrs['source']} (2017 to 2019, via voteswitchR)"
    else:
        table = yougov_table(data_dir)
        flows = {origin: {to: share * column["n"] for to, share in column.items() if to != "n"}
                 for origin, column in table.items()}  # fmt: skip
        label = "YouGov post-election survey, 2019 to 2024 (indicative)"
    n = len(PARTIES)
    matrix = np.zeros((n, n))
    leavers: dict[str, float] = {}
    for origin, destinations in flows.items():
        if origin not in PARTIES or origin in ("OTH", "ABSTAIN"):
            continue
        family = RIGHT if origin in RIGHT else (origin,)
        gone = {to: w for to, w in destinations.items() if to not in (*family, "ABSTAIN") and w > 0}
        total = sum(gone.values())
        if total <= 0:
            continue
        row = np.zeros(n)
        for to, weight in gone.items():
            for dest in RIGHT if to in RIGHT else OTHERS if to == "OTH" else (to,):
                row[PARTIES.index(dest)] += weight / total
        for party in family:
            matrix[PARTIES.index(party)] = row
            leavers[party] = total
    sd = np.zeros_like(matrix)
    for party, total in leavers.items():
        e = PARTIES.index(party)
        p = matrix[e]
        with np.errstate(divide="ignore", invalid="ignore"):
            sd[e] = np.where(p > 0, np.minimum(np.sqrt((1 - np.minimum(p, 1.0)) / (total * p)), MAX_SD), 0.0)
    # A party standing in one nation only is measured among all GB leavers; where it stands its share is
    # that divided by the nation's share of GB voters (only ratios within a seat matter)
    for party, share in nation_shares(data_dir).items():
        matrix[:, PARTIES.index(party)] /= share
    return Preferences(matrix, leavers, label, sd)


@cache
def nation_shares(data_dir: DataDir = None) -> dict[str, float]:
    """Scotland's and Wales's shares of GB valid votes in 2024, for the SNP's and Plaid Cymru's columns."""
    e = load_election("2024", data_dir)
    gb = e.nations != "Northern Ireland"
    total = float(e.votes[gb].sum())
    return {party: float(e.votes[e.nations == nation].sum()) / total for party, nation in NATIONAL.items()}


def with_rows(base: Preferences, rows: dict[str, dict[str, float]]) -> Preferences:
    """``base`` with some rows replaced (a scenario's ``[preferences]``); each row is rescaled to add up to 1.

    Raises
    ------
    SwingometerError
        On an unknown party, a negative share, a row giving a party to itself, or a row of zeros.

    """
    matrix = base.matrix.copy()
    sd = base.sd.copy()
    for origin, row in rows.items():
        e = party_index(origin, where="preferences")
        values = np.zeros(len(PARTIES))
        for dest, share in row.items():
            q = party_index(dest, where=f"preferences.{origin}")
            if q == e:
                raise SwingometerError(f"preferences.{origin}: a party's voters cannot transfer to itself ({dest})")
            if not share >= 0:
                raise SwingometerError(f"preferences.{origin}.{dest}: {share} is not a share (give 0 to 1)")
            values[q] = share
        if values.sum() <= 0:
            raise SwingometerError(f"preferences.{origin}: give at least one party a share above 0")
        matrix[e] = values / values.sum()
        sd[e] = 0.0  # the scenario's own figures: no survey behind them, no sampling error
    return Preferences(matrix, {k: v for k, v in base.leavers.items() if k not in rows}, base.source, sd)


def preferences_for(
    rows: dict[str, dict[str, float]], source: str = SOURCES[0], data_dir: DataDir = None
) -> Preferences:
    """What the AV systems count with: a source's matrix, with a scenario's ``[preferences]`` rows in place."""
    return with_rows(preferences(source, data_dir), rows)


def projection_outcomes(
    projection: Projection, systems: Sequence[System], rows: dict[str, dict[str, float]] | None = None,
    data_dir: DataDir = None, threshold: float = 0.0, source: str = SOURCES[0],
) -> list[Outcome]:  # fmt: skip
    """A projection's votes under ``systems``; those that transfer votes count with ``source``'s matrix and ``rows``.

    Raises
    ------
    SwingometerError
        If a row names a party with no candidate anywhere in the projection (the row would change
        nothing, or send its votes nowhere).

    """
    e = projection.election
    prefs = None
    if needs_preferences(systems):
        check_rows(rows or {}, projection)
        prefs = preferences_for(rows or {}, source, data_dir).matrix
    av = (
        av_winners(projection.votes, projection.stood, projection.lead, prefs)
        if prefs is not None and needs_av(systems)
        else None
    )
    return outcomes(
        projection.votes, projection.winners, e.regions, systems, threshold, av=av, prefs=prefs,
        districts=districts_for({s.districts for s in systems if s.districts}, e, data_dir),
        single=single_candidates(projection.votes, projection.lead),
    )  # fmt: skip


def check_rows(rows: dict[str, dict[str, float]], projection: Projection) -> None:
    """Refuse ``[preferences]`` rows naming a party that stands nowhere in the projection (see above)."""
    stood = np.asarray(projection.stood, dtype=bool)
    standing = [bool(stood[:, p].any()) for p in range(stood.shape[1])]
    base = projection.election.name
    for origin, row in rows.items():
        for where, party in [(f"preferences.{origin}", origin), *((f"preferences.{origin}.{d}", d) for d in row)]:
            if not standing[party_index(party, where=where)]:
                right = [p for p in RIGHT if standing[PARTIES.index(p)]]
                hint = f" (the insurgent right there is {', '.join(right)})" if party in RIGHT and right else ""
                raise SwingometerError(
                    f"{where}: {party} stands in no seat of the {base} base{hint}, so the row would change nothing "
                    "or send votes nowhere; name a party that stands"
                )
