"""Who stands at an election, on the seats of a base election, and which of the base's votes stand again.

A scenario (or a backtest) that makes the candidacies those of a named election needs, seat by
seat and on the base's seats (the two must share boundaries: the notional 2019 result for 2024):

* which parties stand (the named election's candidacy file);
* what share of each party's base vote belongs to candidates who stand again. A party is one
  candidate, so that is all or nothing. Independents are people, so ``IND`` votes carry only
  where the same person stands again (matched by Parliament member ID, else by name); ``OTH``
  pools small parties and other non-party candidates, so its votes carry where the same party
  (by its label) or the same person stands again, within the column. Claire Wright's 34.1% of
  the notional Exmouth and Exeter East (her 40.4% of East Devon in 2019) is not carried to the
  different independent who stood there in 2024. A person who changes column (an independent
  standing for a small party, a party's MP standing as an independent) is not followed. A
  notional base has no candidates' names, so its pooled votes are attributed to the candidates
  of its predecessor (the real 2019 result for the notional 2019 one) in proportion to the
  population each old seat gave the new one; a base with neither (the notional 2005 result)
  carries a pooled column wherever the column stands again, and says so;
* the incumbency the linked and multiparty models read: ``sophomore`` where the base winner's
  MP, first elected at the base election, stands again as the sitting MP; ``retiring`` where the
  base winner's party has no sitting MP standing (its MP stands down, or it does not stand).
  Both come from the named election's ``Sitting MP`` and member-ID columns, which are public
  once nominations close.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from sim.core.errors import ScenarioError
from sim.core.parties import PARTIES, PARTY_INDEX
from sim.data.election import DataDir, Election, load_election
from sim.data.readers import overlaps

POOLED = ("IND", "OTH")
"""Columns that pool several candidates, whose votes follow people (and, for ``OTH``, small parties)."""
PREDECESSOR = {"2019-notional": "2019"}
"""The real election a notional result was made from (its candidates' names and sitting MPs)."""


@dataclass(frozen=True, eq=False)
class Candidacies:
    """The named election's candidacies on the base's seats.

    Attributes
    ----------
    election : str
        The named election.
    stood : (n_seats, n_parties) bool
        The party stands at the named election.
    carried : (n_seats, n_parties) float64
        The fraction of the base's votes of each column that belongs to candidates standing again.
    lead : (n_seats, n_parties) float64
        For the pooled columns, the largest carried candidate's fraction of the carried votes (1 elsewhere).
    sophomore, retiring : (n_seats, n_parties) bool
        See the module docstring.
    by_person : bool
        Whether the pooled columns were matched by person (False: by column, for lack of names).

    """

    election: str
    stood: np.ndarray
    carried: np.ndarray
    lead: np.ndarray
    sophomore: np.ndarray
    retiring: np.ndarray
    by_person: bool


def _person(name: str, member: int) -> str:
    """A candidate's identity: the Parliament member ID, else the name in lower case without punctuation."""
    if member:
        return f"member:{member}"
    return "name:" + re.sub(r"[^a-z]+", " ", str(name).lower()).strip()


def _identities(election: Election) -> dict[tuple[str, str], set[str]]:
    """(seat_id, column) -> identities of its pooled candidates (people, and party labels for ``OTH``)."""
    cols = election.candidate_columns
    out: dict[tuple[str, str], set[str]] = {}
    for seat, party, label, name, member in zip(
        cols["seat_id"], cols["party"], cols["label"], cols["candidate"], cols["member_id"], strict=True
    ):
        if party in POOLED:
            ids = out.setdefault((seat, party), set())
            ids.add(_person(name, int(member)))
            if party == "OTH":
                ids.add(f"label:{str(label).strip().lower()}")
    return out


def _pooled_rows(election: Election) -> list[tuple[str, str, float, set[str]]]:
    """Each pooled candidate of ``election``: (seat_id, column, votes, identities)."""
    cols = election.candidate_columns
    rows = []
    for seat, party, label, name, member, votes in zip(
        cols["seat_id"], cols["party"], cols["label"], cols["candidate"], cols["member_id"], cols["votes"],
        strict=True,
    ):  # fmt: skip
        if party in POOLED:
            ids = {_person(name, int(member))} | ({f"label:{str(label).strip().lower()}"} if party == "OTH" else set())
            rows.append((seat, party, float(votes), ids))
    return rows


def _carried_pooled(
    base: Election, named: Election, data_dir: DataDir
) -> tuple[np.ndarray, np.ndarray, bool]:  # fmt: skip
    """Carried fraction and lead of the pooled columns, and whether people were matched."""
    n = base.n_seats
    carried = np.zeros((n, len(PARTIES)))
    lead = np.ones((n, len(PARTIES)))
    standing = _identities(named)
    row = {seat: i for i, seat in enumerate(base.seat_ids)}
    names_known = any(str(c).strip() for c in base.candidate_columns["candidate"])
    if names_known:
        kept: dict[tuple[int, int], list[float]] = {}
        for seat, party, votes, ids in _pooled_rows(base):
            if ids & standing.get((seat, party), set()):
                kept.setdefault((row[seat], PARTY_INDEX[party]), []).append(votes)
        for (i, j), people in kept.items():
            total = base.votes[i, j]
            carried[i, j] = min(sum(people) / total, 1.0) if total > 0 else 0.0
            lead[i, j] = max(people) / sum(people) if sum(people) > 0 else 1.0
        return carried, lead, True
    predecessor = PREDECESSOR.get(base.name)
    if predecessor is None:  # no names anywhere: the column carries where it stands again
        for j in (PARTY_INDEX[p] for p in POOLED):
            carried[:, j] = named.stood[:, j].astype(float)
            lead[:, j] = base.lead_fraction[:, j]
        return carried, lead, False
    old = load_election(predecessor, data_dir)
    pieces = overlaps(data_dir)
    # (old seat, new seat) -> the fraction of the old seat's population in the new one
    give: dict[tuple[str, str], float] = {}
    for a, b, f in zip(pieces["From ONS ID"], pieces["To ONS ID"], pieces["From population overlap"], strict=True):
        if b in row:
            give[(a, b)] = give.get((a, b), 0.0) + float(f)
    by_old: dict[str, list[tuple[str, float, set[str]]]] = {}
    for seat, party, votes, ids in _pooled_rows(old):
        by_old.setdefault(seat, []).append((party, votes, ids))
    total = np.zeros((n, len(PARTIES)))
    kept_votes = np.zeros((n, len(PARTIES)))
    for (a, b), f in give.items():
        i = row[b]
        for party, votes, ids in by_old.get(a, []):
            j = PARTY_INDEX[party]
            total[i, j] += f * votes
            if ids & standing.get((b, party), set()):
                kept_votes[i, j] += f * votes
    carried = np.divide(kept_votes, total, out=np.zeros_like(total), where=total > 0)
    lead = np.where(carried > 0, base.lead_fraction, 1.0)
    return carried, lead, True


def sitting_before(base: Election, data_dir: DataDir) -> set[int]:
    """Parliament IDs of the MPs sitting when the base election was called (empty when the data do not say)."""
    real = load_election(PREDECESSOR[base.name], data_dir) if base.name in PREDECESSOR else base
    cols = real.candidate_columns
    return {int(m) for m in cols["member_id"][cols["sitting"].astype(bool)]}


def incumbency(base: Election, named: Election, before: set[int]) -> tuple[np.ndarray, np.ndarray]:
    """Sophomore and retiring masks (see the module docstring); no sophomore term without ``before``."""
    held = np.zeros(named.votes.shape, dtype=bool)
    held[np.arange(base.n_seats), base.winners] = True
    sitting = named.sitting_mps()
    first_term = np.zeros(named.votes.shape, dtype=bool)
    cols = named.candidate_columns
    row = {seat: i for i, seat in enumerate(named.seat_ids)}
    for seat, party, is_sitting, member in zip(
        cols["seat_id"], cols["party"], cols["sitting"], cols["member_id"], strict=True
    ):
        if is_sitting and int(member) not in before:
            first_term[row[seat], PARTY_INDEX[party]] = True
    return held & sitting & first_term & bool(before), held & ~sitting


def candidacies(
    base: Election, named_election: str, data_dir: DataDir = None, *, where: str = "election"
) -> Candidacies:
    """The named election's candidacies on the base's seats (see the module docstring)."""
    named = load_election(named_election, data_dir)
    if named.boundaries != base.boundaries or list(named.seat_ids) != list(base.seat_ids):
        hint = " (use the 2019-notional base for 2024)" if named.boundaries == "2024" else ""
        raise ScenarioError(
            f"{where}: the {named.name} election is on the {named.boundaries} boundaries and the {base.name} base on "
            f"the {base.boundaries} boundaries; name an election on the base's boundaries{hint}"
        )
    carried, lead, by_person = _carried_pooled(base, named, data_dir)
    stood = named.stood.copy()
    pooled = np.isin(np.arange(len(PARTIES)), [PARTY_INDEX[p] for p in POOLED])
    carried = np.where(pooled, carried * stood, stood.astype(float))
    sophomore, retiring = incumbency(base, named, sitting_before(base, data_dir))
    return Candidacies(named.name, stood, carried, np.where(pooled, lead, 1.0), sophomore, retiring, by_person)
