"""The ``candidacies`` step: stand exactly the candidacies of a named election, and its long form.

In each seat (see :mod:`sim.data.candidacies` for who counts as standing again):

1. parties that newly stand do so with no votes yet (the swing gives them their change);
2. the votes of parties that no longer stand, and of the pooled candidates (independents, small
   parties) who do not stand again, go to the parties still standing in proportion to their
   votes, as when a party stands down;
3. the Speaker: where the Speaker newly stands (Chorley in 2019), the main parties do not stand
   against the Speaker, and their voters go to the Speaker; where the Speaker retires (Buckingham
   in 2019, Glasgow North East in 2010), the seat's last result (the Speaker against a few small
   parties) says nothing about the parties that now stand, so the seat's votes are shared by them
   in proportion to their shares in the seat's region at the start of the step;
4. the incumbency of the named election (sophomore MPs, MPs standing down) is kept for a later
   ``linked`` or ``multiparty`` step.

:func:`long_form` writes the same step as explicit ``override`` steps and ``sophomore`` /
``retiring`` lists (a test holds the two to the same numbers).
"""

from __future__ import annotations

import numpy as np

from sim.core.parties import PARTIES, PARTY_INDEX
from sim.data.candidacies import Candidacies, candidacies
from sim.data.election import DataDir, Election
from sim.projection.override import withdraw
from sim.projection.steps import SPEAKER, State
from sim.scenario import schema as s

POOLED = [PARTY_INDEX[p] for p in ("IND", "OTH")]


def _seat_plan(state: State, named: Candidacies, i: int) -> tuple[list[int], dict[int, float], str]:
    """One seat's new parties, the fractions of votes that leave, and where those voters go."""
    new = [int(p) for p in np.flatnonzero(named.stood[i] & ~state.stood[i])]
    leaving = {
        int(p): float(1.0 - named.carried[i, p]) for p in np.flatnonzero(state.stood[i] & (named.carried[i] < 1.0))
    }
    to = "others"
    if named.stood[i, SPEAKER] and not state.stood[i, SPEAKER]:
        to = "SPK"
    return new, leaving, to


def _speaker_retires(state: State, named: Candidacies, i: int) -> bool:
    return bool(state.stood[i, SPEAKER] and not named.stood[i, SPEAKER])


def _region_shares(state: State, election: Election, i: int, standing: np.ndarray) -> np.ndarray:
    """The seat's region's shares of the parties in ``standing``, adding up to one."""
    region = election.regions == election.regions[i]
    weight = state.votes[region].sum(axis=0) * standing
    return weight / weight.sum()


def _staying(named: Candidacies, i: int, leaving: dict[int, float]) -> frozenset[int]:
    """Pooled columns whose base candidates all stand down while another stands in their place."""
    return frozenset(p for p in leaving if p in POOLED and named.stood[i, p])


def apply_candidacies(
    state: State, election: Election, step: s.CandidaciesStep, where: str, data_dir: DataDir = None
) -> None:
    """Make the candidacies those of ``step.election`` (see the module docstring)."""
    named = candidacies(election, step.election, data_dir, where=f"{where}.election")
    before = State(state.votes.copy(), state.abstain.copy(), state.stood.copy(), state.lead.copy())
    moved = 0
    for i in range(election.n_seats):
        new, leaving, to = _seat_plan(state, named, i)
        state.stood[i, new] = True
        state.lead[i, new] = 1.0
        moved += bool(leaving)
        if _speaker_retires(before, named, i):  # the seat's votes, all of them, by the region's shares
            state.votes[i] = _region_shares(before, election, i, named.stood[i]) * state.votes[i].sum()
            state.stood[i] = named.stood[i]
            state.lead[i] = np.where(named.stood[i], 1.0, state.lead[i])
            continue
        withdraw(state, election, i, leaving, to, f"{where}.election", _staying(named, i, leaving))
        for p in POOLED:
            if named.carried[i, p] > 0:
                state.lead[i, p] = named.lead[i, p]
    state.incumbency = (named.sophomore, named.retiring)
    state.notes.append(
        f"{where}: the {named.election} candidacies: parties or candidates stand down in {moved} seats; "
        f"{int(named.sophomore.any(axis=1).sum())} sophomore and {int(named.retiring.any(axis=1).sum())} "
        "retiring MPs for the fitted models"
        + ("" if named.by_person else "; the base has no candidates' names, so independents' votes stand again "
           "wherever an independent stands")
    )  # fmt: skip


def long_form(state: State, election: Election, step: s.CandidaciesStep, where: str, data_dir: DataDir = None) -> tuple[
    list[dict[str, object]], list[str], list[str]
]:  # fmt: skip
    """The candidacies step as override steps, with the sophomore and retiring seats (ONS codes) it implies.

    ``state`` is the state the step would be applied to. The steps are plain dicts, as in a TOML file.
    The seat lists leave out the Speaker's seat, which no shares step reaches.
    """
    named = candidacies(election, step.election, data_dir, where=f"{where}.election")
    steps: list[dict[str, object]] = []
    for i in range(election.n_seats):
        new, leaving, to = _seat_plan(state, named, i)
        if _speaker_retires(state, named, i):
            seat = [str(election.seat_ids[i])]
            shares = _region_shares(state, election, i, named.stood[i])
            steps.append(
                {
                    "kind": "override",
                    "seats": seat,
                    "stand": [PARTIES[p] for p in new],
                    "shares": {PARTIES[p]: float(shares[p]) for p in np.flatnonzero(named.stood[i])},
                }
            )
            gone = [PARTIES[p] for p in leaving if not named.stood[i, p]]
            steps += [{"kind": "override", "seats": seat, "withdraw": gone}] if gone else []
            continue
        lead = {PARTIES[p]: float(named.lead[i, p]) for p in POOLED if named.carried[i, p] > 0}
        if not new and not leaving and all(abs(state.lead[i, PARTY_INDEX[k]] - v) < 1e-15 for k, v in lead.items()):
            continue
        override: dict[str, object] = {"kind": "override", "seats": [str(election.seat_ids[i])]}
        if new:
            override["stand"] = [PARTIES[p] for p in new]
        staying = _staying(named, i, leaving)
        whole = [PARTIES[p] for p, f in leaving.items() if f >= 1.0 and p not in staying]
        part = {PARTIES[p]: f for p, f in leaving.items() if 0.0 < f < 1.0 or p in staying}
        if whole:
            override["withdraw"] = whole
        if part:
            override["withdraw_part"] = part
        if leaving and to != "others":
            override["withdrawn_to"] = to
        if lead:
            override["lead"] = lead
        steps.append(override)
    contested = ~named.stood[:, SPEAKER]  # the Speaker's seat is outside every shares step
    sophomore = [str(election.seat_ids[i]) for i in np.flatnonzero(named.sophomore.any(axis=1) & contested)]
    retiring = [str(election.seat_ids[i]) for i in np.flatnonzero(named.retiring.any(axis=1) & contested)]
    return steps, sophomore, retiring
