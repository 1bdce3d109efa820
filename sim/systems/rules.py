"""The voting systems: the seats each would give from the same constituency votes (deterministic).

* ``fptp``: today's system, the constituency winners.
* ``list-dhondt``, ``list-sainte-lague``: regional list PR in the twelve nations and regions, each
  electing as many members as it has constituencies, by D'Hondt or Sainte-Lague on the parties'
  votes in the region.
* ``national-dhondt``, ``national-sainte-lague``: one national list of 650 seats.
* ``ams-scottish``: the additional member system with the Scottish Parliament's top-up share
  (56 regional seats of 129, 43.4%): the constituency winners, and in each region ``n * 56 / 73``
  top-up seats rounded half up (``n`` its constituencies) by D'Hondt on the
  party votes, each party's divisor counting the constituencies it won there. A party winning more
  constituencies than its proportional entitlement keeps them (overhang, as in Scotland and Wales:
  no levelling seats), so the house is 650 plus the top-ups.
* ``ams-senedd-1999``: the same with the Senedd's 1999-2021 share (20 regional seats of 60, 33.3%).
* ``av``: the alternative vote (instant runoff) in every constituency, later preferences from a
  preference matrix (:mod:`sim.systems.preferences`; the count: :mod:`kernels.preferential`).
* ``av-plus``: the Jenkins Commission's AV+ (1998): AV constituencies, and corrective top-ups by
  region as under AMS, 17.5% of the house (``n * 7 / 33`` per region, the middle of the
  Commission's 15-20%), each party's divisor counting the constituencies it won by AV.
* ``stv``: the single transferable vote in districts of 3-5 constituencies joined within each
  region (:mod:`sim.systems.districts`), each electing as many members as it joins, counted party
  by party with the preference matrix (:func:`kernels.preferential.stv_count`).
* ``senedd-2026``: the Senedd's 2026 system, Wales only: closed lists in the sixteen pairs of
  Welsh constituencies, six members each by D'Hondt (96 members).

Lists: every party column but ``IND``, ``OTH`` (candidates of many separate groups, no list) and
``SPK`` (the Speaker stands in no list) may win list and top-up seats; their votes still count in the
indices. A ``threshold`` keeps parties with under that share of the UK vote, and of the region's,
out of the list and top-up seats there (not out of the constituencies); see :func:`eligible`. The
model cannot know how people would vote under another system: the votes are the
first-past-the-post ones as cast or projected (docs/systems.md).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.core.errors import SwingometerError, did_you_mean
from sim.core.parties import PARTIES
from sim.systems.districts import Districts
from sim.systems.divisor import allocate
from sim.systems.indices import INDEX_NAMES, indices

if TYPE_CHECKING:
    import pandas as pd

MAX_THRESHOLD = 0.2
"""The highest list threshold accepted (a share of the vote)."""
NO_LIST = ("IND", "OTH", "SPK")
"""Columns that are not a party list: they win constituencies only."""


@dataclass(frozen=True)
class System:
    """A voting system's rules (see the module docstring)."""

    key: str
    label: str
    kind: str  # "fptp" (constituencies only), "list", "ams" or "stv"
    method: str = "dhondt"
    national: bool = False
    topup: tuple[int, int] = (0, 1)  # AMS: regional seats to constituency seats, e.g. (56, 73) in Scotland
    rule: str = "plurality"  # how constituencies are won: "plurality" or "av"
    districts: str = ""  # lists and STV: the districts (sim.systems.districts.DISTRICTINGS) instead of the regions
    boundaries: str = ""  # the only boundary set the system exists on ("" for any)

    @property
    def thresholded(self) -> bool:
        """Whether a list threshold applies: regional and national lists, AMS and AV+ top-ups (not the Senedd's)."""
        return self.kind in ("list", "ams") and not self.districts

    def topups(self, constituencies: int) -> int:
        """Top-up seats of a region with this many constituencies, rounded half up (exact: integers)."""
        regional, seats = self.topup
        return (2 * constituencies * regional + seats) // (2 * seats) if self.kind == "ams" else 0


SYSTEMS: dict[str, System] = {s.key: s for s in (
    System("fptp", "FPTP (today)", "fptp"),
    System("list-dhondt", "Regional list, D'Hondt", "list", "dhondt"),
    System("list-sainte-lague", "Regional list, Sainte-Lague", "list", "sainte-lague"),
    System("national-dhondt", "National list, D'Hondt", "list", "dhondt", national=True),
    System("national-sainte-lague", "National list, Sainte-Lague", "list", "sainte-lague", national=True),
    System("ams-scottish", "AMS, Scottish top-ups (43%)", "ams", "dhondt", topup=(56, 73)),
    System("ams-senedd-1999", "AMS, Senedd 1999-2021 top-ups (33%)", "ams", "dhondt", topup=(20, 40)),
    System("av", "AV (instant runoff)", "fptp", rule="av"),
    System("av-plus", "AV+, Jenkins top-ups (17.5%)", "ams", "dhondt", topup=(7, 33), rule="av"),
    System("stv", "STV, districts of 3-5", "stv", districts="stv"),
    System("senedd-2026", "Senedd 2026 (Wales: 16 x 6 lists)", "list", "dhondt", districts="senedd-2026",
           boundaries="2024"),
)}  # fmt: skip


def systems_for(boundaries: str) -> list[System]:
    """Every system that exists on a boundary set (the Senedd's pairs are of the 2024 constituencies)."""
    return [s for s in SYSTEMS.values() if s.boundaries in ("", boundaries)]


def needs_av(systems: Sequence[System]) -> bool:
    """Whether any of the systems counts its constituencies by the alternative vote."""
    return any(s.rule == "av" for s in systems)


def needs_preferences(systems: Sequence[System]) -> bool:
    """Whether any of the systems transfers votes (AV, AV+, STV): it then needs a preference matrix."""
    return needs_av(systems) or any(s.kind == "stv" for s in systems)


def listed(n_parties: int) -> np.ndarray:
    """Which of the first ``n_parties`` columns are party lists (all but :data:`NO_LIST`), as a bool array."""
    return np.array([p not in NO_LIST for p in PARTIES[:n_parties]])


def single_candidates(votes: np.ndarray, lead: np.ndarray) -> np.ndarray:
    """The leading single candidate's votes of each pooled column (independents, others, the Speaker), else 0.

    STV counts each district's strongest such candidate (:func:`kernels.preferential.stv_district`).
    """
    return np.where(listed(votes.shape[1]), 0.0, np.asarray(votes, dtype=float) * np.asarray(lead, dtype=float))


def av_winners(votes: np.ndarray, stood: np.ndarray, lead: np.ndarray, prefs: np.ndarray) -> np.ndarray:
    """Each constituency's AV winner from its votes ``(n_seats, n_parties)``, as the Monte Carlo counts it.

    A candidate's first preferences are its column's votes times its ``lead`` fraction (a pooled
    column such as independents counts its leading candidate only, as the plurality count does).
    """
    from kernels.preferential import av_winners as count

    first = np.asarray(votes, dtype=float) * np.asarray(lead, dtype=float)
    return count(np.ascontiguousarray(first), np.ascontiguousarray(stood, dtype=np.bool_),
                 np.ascontiguousarray(prefs, dtype=float))  # fmt: skip


@dataclass(frozen=True)
class Outcome:
    """One system's seats per party (the engine's columns), its house size and its indices."""

    system: System
    seats: np.ndarray
    votes: np.ndarray

    @property
    def house(self) -> int:
        """Members elected."""
        return int(self.seats.sum())

    @property
    def majority(self) -> int:
        """Seats needed for a majority of this house."""
        return self.house // 2 + 1

    def indices(self) -> dict[str, float]:
        """Gallagher, Loosemore-Hanby and the effective numbers of parties by votes and by seats."""
        return {key: float(value) for key, value in indices(self.votes, self.seats).items()}


def house_size(system: System, sizes: np.ndarray, topups: np.ndarray, districts: Districts | None = None) -> int:
    """A system's house: its districts' members, or the constituencies plus the top-ups under AMS."""
    if districts is not None:
        return int(districts.members.sum())
    return int(sizes.sum() + (topups.sum() if system.kind == "ams" else 0))


def parse_systems(text: str | None) -> list[System]:
    """``fptp,list-dhondt,...`` (or None for all) as systems; an unknown name is refused with the known ones."""
    if text is None:
        return list(SYSTEMS.values())
    names = [n.strip().lower() for n in text.split(",") if n.strip()]
    if not names:
        raise SwingometerError(f"--systems names no system; give some of {', '.join(SYSTEMS)}")
    for name in names:
        if name not in SYSTEMS:
            raise SwingometerError(
                f"--systems: unknown system '{name}'{did_you_mean(name, list(SYSTEMS))}; the systems are "
                f"{', '.join(SYSTEMS)}"
            )
    return [SYSTEMS[n] for n in dict.fromkeys(names)]


def outcomes(
    votes: np.ndarray, winners: np.ndarray, regions: np.ndarray, systems: Sequence[System], threshold: float = 0.0,
    av: np.ndarray | None = None, *, districts: Mapping[str, Districts] | None = None, prefs: np.ndarray | None = None,
    single: np.ndarray | None = None,
) -> list[Outcome]:  # fmt: skip
    """Each system's seats from constituency ``votes`` ``(n_seats, n_parties)``, ``winners`` and ``regions``.

    ``av`` holds each constituency's AV winner (:func:`av_winners`), needed by the AV systems;
    ``districts`` the districts of the systems that have them (by ``System.districts``); STV needs
    the preference matrix ``prefs`` and each seat's ``single`` candidates (:func:`single_candidates`).
    """
    if needs_av(systems) and av is None:
        raise SwingometerError("the AV systems need each constituency's AV winner: give av=av_winners(...)")
    wanted = {s.districts for s in systems if s.districts}
    if wanted - set(districts or {}) or (any(s.kind == "stv" for s in systems) and (prefs is None or single is None)):
        raise SwingometerError(
            f"outcomes: give districts= for {', '.join(sorted(wanted))}, and prefs= and single= for stv "
            "(sim.systems.preferences.projection_outcomes gives them all)"
        )
    if not 0.0 <= threshold <= MAX_THRESHOLD:
        raise SwingometerError(f"--threshold {threshold:g}: give a share of the vote from 0 to 0.2 (0.05 for 5%)")
    votes = np.asarray(votes, dtype=float)
    total = votes.sum(axis=0)
    lists = listed(votes.shape[1])
    won = {"plurality": winners, "av": av}
    out = []
    for system in systems:
        local = np.asarray(won[system.rule])
        fptp = np.bincount(local, minlength=votes.shape[1])
        if system.districts:
            assert districts is not None
            out.append(_district_outcome(system, votes, districts[system.districts], lists, prefs, single))
            continue
        if system.kind == "fptp":
            seats = fptp
        elif system.kind == "list" and system.national:
            seats = allocate(total * eligible(lists, total, total, threshold), len(winners), system.method)
        else:
            seats = fptp.copy() if system.kind == "ams" else np.zeros_like(fptp)
            for region in np.unique(regions):
                here = regions == region
                n = int(here.sum())
                region_votes = votes[here].sum(axis=0)
                region_votes = region_votes * eligible(lists, total, region_votes, threshold)
                if system.kind == "list":
                    seats += allocate(region_votes, n, system.method)
                else:
                    held = np.bincount(local[here], minlength=votes.shape[1])
                    seats += allocate(region_votes, system.topups(n), system.method, held=held)
        out.append(Outcome(system, np.asarray(seats, dtype=np.int64), total))
    return out


def _district_outcome(
    system: System, votes: np.ndarray, districts: Districts, listed: np.ndarray, prefs: np.ndarray | None,
    single: np.ndarray | None,
) -> Outcome:  # fmt: skip
    """A district system's seats: STV, or lists by district (no threshold: the Senedd's law has none).

    Only the votes of the districts' seats count.
    """
    from kernels.preferential import stv_district

    scope = votes[districts.of_seat >= 0].sum(axis=0)
    seats = np.zeros(votes.shape[1], dtype=np.int64)
    for k in range(districts.n):
        here = districts.of_seat == k
        district_votes = votes[here].sum(axis=0)
        if system.kind == "stv":
            assert prefs is not None and single is not None
            stv_district(district_votes, single[here].max(axis=0), listed, int(districts.members[k]),
                         np.ascontiguousarray(prefs, dtype=float), seats)  # fmt: skip
        else:
            seats += allocate(district_votes * listed, int(districts.members[k]), system.method)
    return Outcome(system, seats, scope)


def eligible(listed: np.ndarray, uk: np.ndarray, region: np.ndarray, threshold: float) -> np.ndarray:
    """Parties that may win list seats in a region: a list, and ``threshold`` of the UK vote or of the region's.

    A party reaching the threshold in its own region qualifies there (so Northern Ireland's and
    Scotland's parties are not shut out by a UK-wide bar). Should no party with votes reach it, every
    list qualifies: the region's seats are always filled.
    """
    ok = listed & ((uk >= threshold * uk.sum()) | (region >= threshold * region.sum()))
    if not (ok & (region > 0)).any():
        ok = listed.copy()
    return ok


def systems_frame(results: Sequence[Outcome], parties: Sequence[str], votes: np.ndarray) -> pd.DataFrame:
    """Seats per party under each system (columns), the vote share first, then house, majority and indices.

    ``votes`` are the UK votes per party (the first column's shares); party rows are every party with
    votes or a seat under any system, most votes first. A system of part of the UK (the Senedd's)
    has its indices on its own votes.
    """
    import pandas as pd

    votes = np.asarray(votes, dtype=float)
    share = votes / votes.sum()
    won = np.any([r.seats > 0 for r in results], axis=0) | (votes > 0)
    order = [p for p in np.argsort(-votes, kind="stable") if won[p]]
    rows = {parties[p]: {"vote %": 100 * share[p], **{r.system.key: int(r.seats[p]) for r in results}} for p in order}
    rows["house"] = {"vote %": 100.0, **{r.system.key: r.house for r in results}}
    rows["majority"] = {"vote %": np.nan, **{r.system.key: r.majority for r in results}}
    found = {r.system.key: r.indices() for r in results}
    for key, name in INDEX_NAMES.items():
        rows[name] = {"vote %": np.nan, **{system: values[key] for system, values in found.items()}}
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.name = "party"
    return frame
