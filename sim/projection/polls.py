"""The ``polls`` step: targets from a poll average (:mod:`sim.polls`), moved like a ``shares`` step.

For ``scope = "gb"`` the GB average sets Great Britain's targets. Where the source also has
Scotland's or Wales's own polls (the latest ended within ``NATION_DAYS`` of ``as_of``, and
``nations = "own"``), those nations take their own averages, and England takes what is left of
the GB average once they are taken out (weighted by each nation's votes); a nation without its own
polls moves with the GB average's change. The step is then a ``shares`` step with one area per
nation (or one, Great Britain, without nation polls), run by the step's method with
``others = "keep"``: parties the polls do not track (independents, small parties) take the polls'
"others" together, the difference from their current share spread as the same change in every
seat each of them fights (new candidates start from nothing, so a proportional share would
give them nothing).

Two readings of a poll share, both documented in ``docs/model.md``:

- a party standing in only part of an area (``c`` its share of the area's votes in seats it
  fights, under 90%; for the SNP and Plaid Cymru, of their own nation's) is polled as if it stood
  everywhere, so its target is ``c`` times its share, and what that takes off goes to every
  party in proportion (its voters elsewhere vote for someone else: :mod:`sim.polls.reading`);
- a party the polls track but that stands in no seat of the area (UKIP after its voters were
  merged into the Brexit Party's) is left out, with a note, when under ``DROP_LIMIT``; above it the
  step is refused, as the scenario probably lacks a merge or candidacies step.

The averages are kept on the state for the Monte Carlo (their covariance is added to the
calibrated poll error: :mod:`sim.montecarlo.simulate`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.core.errors import ScenarioError
from sim.core.parties import PARTIES, PARTY_INDEX
from sim.data.election import DataDir, Election
from sim.polls.average import Average
from sim.polls.reading import HOME, read_shares
from sim.polls.reading import coverage as fought
from sim.polls.sources import cached_average, cached_polls, latest
from sim.projection.shares import apply_shares
from sim.projection.steps import State, step_scope
from sim.projection.swing import scope_shares
from sim.scenario import schema as s

if TYPE_CHECKING:
    pass

NATION_DAYS = 60
"""A nation's own polls are used when its latest ended within this many days of ``as_of``."""
OWN_NATIONS = ("Scotland", "Wales")
DROP_LIMIT = 0.02
CLIP_NOTE = 0.005


def apply_polls(state: State, election: Election, step: s.PollsStep, where: str, data_dir: DataDir = None) -> None:
    """Set the step's targets from the poll average (see the module docstring) and swing to them."""
    import pandas as pd

    sources = tuple(step.sources)
    polls = cached_polls(sources, data_dir)
    own = "GB" if step.scope == "gb" else step.scope
    main = cached_average(sources, own, step.as_of, data_dir)
    used = {own: main}
    if step.scope == "gb" and step.nations == "own":
        for nation in OWN_NATIONS:
            last = latest(polls, nation, step.as_of)
            if last is not None and (pd.Timestamp(step.as_of) - last).days <= NATION_DAYS:
                used[nation] = cached_average(sources, nation, step.as_of, data_dir)
    if step.scope == "gb" and len(used) > 1:
        tables = _by_nation(state, election, used, where)
    else:
        mask = step_scope(election, state, step.scope, f"{where}.scope")
        tables = {step.scope: _table(state, election, mask, main.shares(), step.scope, where)}
    shares = s.SharesStep(
        kind="shares", method=step.method, areas=tables, others="keep", coefficients=step.coefficients,
        sophomore=step.sophomore,
    )  # fmt: skip
    apply_shares(state, election, shares, where, data_dir)
    state.polls += [(where, avg) for avg in used.values()]
    summary = ", ".join(
        f"{name} {len(avg.polls)} polls to {avg.polls['fieldwork_end'].max().date()}" for name, avg in used.items()
    )
    state.notes.append(f"note: {where}: polls as of {step.as_of} ({summary}); targets set for {', '.join(tables)}")
    state.notes += [f"{where}: {note}" for avg in used.values() for note in avg.notes]


def _vector(shares: dict[str, float]) -> np.ndarray:
    """A poll average's shares on the party axis (``OTH``: the polls' others)."""
    out = np.zeros(len(PARTIES))
    for code, value in shares.items():
        out[PARTY_INDEX[code]] = value
    return out


def _by_nation(state: State, election: Election, used: dict[str, Average], where: str) -> dict[str, dict[str, float]]:
    """Targets for England, Scotland and Wales from the GB average and the nations' own."""
    gb = _vector(used["GB"].shares())
    tracked = gb > 0
    masks = {n: step_scope(election, state, n, where) for n in ("England", *OWN_NATIONS)}
    votes = {n: state.total[m].sum() for n, m in masks.items()}
    start_gb = _polled(state, np.any(list(masks.values()), axis=0), tracked)
    nations: dict[str, np.ndarray] = {}
    for nation in OWN_NATIONS:
        if nation in used:
            nations[nation] = _vector(used[nation].shares())
        else:  # the GB change, a one-nation party's scaled up to its nation
            start = _polled(state, masks[nation], tracked)
            change = gb - start_gb
            for code, home in HOME.items():
                change[PARTY_INDEX[code]] *= sum(votes.values()) / votes[home] if home == nation else 0.0
            nations[nation] = _renormalised(start + change)
    oth = PARTY_INDEX["OTH"]
    england = gb * sum(votes.values())
    for nation, table in nations.items():
        folded = table.copy()
        folded[oth] += folded[~tracked].sum()  # a party the GB polls do not track is among their others
        folded[~tracked] = 0.0
        england -= folded * votes[nation]
    england /= votes["England"]
    for code in HOME:
        england[PARTY_INDEX[code]] = 0.0
    clipped = -england[england < 0].sum()
    if clipped > CLIP_NOTE:
        state.notes.append(f"warning: {where}: England's shares (GB less Scotland and Wales) had {100 * clipped:.1f} "
                           "points below zero, set to zero: the GB and nation polls disagree")  # fmt: skip
    tables = {"England": _table(state, election, masks["England"], _named(_renormalised(england)), "England", where)}
    for nation, table in nations.items():
        tables[nation] = _table(state, election, masks[nation], _named(table), nation, where)
    return tables


def _polled(state: State, mask: np.ndarray, tracked: np.ndarray) -> np.ndarray:
    """The area's current shares as the polls see them: untracked parties among the others."""
    shares = scope_shares(state.shares[mask], state.total[mask])
    out = np.where(tracked, shares, 0.0)
    out[PARTY_INDEX["OTH"]] = shares[~tracked].sum() + (shares[PARTY_INDEX["OTH"]] if tracked[PARTY_INDEX["OTH"]]
                                                         else 0.0)  # fmt: skip
    return out


def _renormalised(v: np.ndarray) -> np.ndarray:
    v = np.clip(v, 0.0, None)
    return v / v.sum()


def _named(v: np.ndarray) -> dict[str, float]:
    return {PARTIES[j]: float(v[j]) for j in np.flatnonzero(v > 0)}


def _table(
    state: State, election: Election, mask: np.ndarray, shares: dict[str, float], area: str, where: str
) -> dict[str, float]:  # fmt: skip
    """An area's targets from its poll shares (partial candidacies read: :mod:`sim.polls.reading`)."""
    coverage = fought(state.stood, state.total, election.nations, mask, [c for c in shares if c != "OTH"])
    for code in coverage:
        if coverage[code] == 0:
            if shares[code] > DROP_LIMIT:
                raise ScenarioError(
                    f"{where}: the polls put {code} at {100 * shares[code]:.1f}% in {area}, but it stands in no seat "
                    "there; make it stand before the polls step (a merge of its predecessor into it, or a "
                    "candidacies step)"
                )
            state.notes.append(f"warning: {where}: {code} polls {100 * shares[code]:.1f}% in {area} but stands in "
                               "no seat there; its share goes to the parties standing")  # fmt: skip
    read = read_shares(shares, coverage)
    target = {code: value for code, value in read.items() if code != "OTH" and coverage[code] > 0}
    if "OTH" not in shares:  # the polls leave nothing over: parties they do not track keep their shares
        current = scope_shares(state.shares[mask], state.total[mask])
        untracked = [j for j in np.flatnonzero(state.stood[mask].any(axis=0)) if PARTIES[j] not in shares]
        scale = (1.0 - float(current[untracked].sum())) / sum(target.values())
    else:
        scale = 1.0 / (sum(target.values()) + read["OTH"])
    return {code: round(value * scale, 6) for code, value in target.items()}
