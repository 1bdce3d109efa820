"""Backtests: project a later election from an earlier one using only its true vote shares.

For a pair (earlier, later), the projection starts from the earlier result and:

1. folds a party into its successor where the later election has one (UKIP's 2017 vote becomes
   the Brexit Party's in 2019; the Brexit Party's notional 2019 vote becomes Reform's in 2024);
2. makes the candidacies those of the later election (from its candidacy files): a party that
   stands down hands its voters to the others in proportion to their votes; a party that newly
   stands starts from nothing and takes the swing. This is how the 2019 Brexit Party stand-downs
   and the Unite to Remain pact enter the test;
3. applies a swing method with the later election's true shares at the chosen scope (GB, each
   nation, or each region); Northern Ireland always uses its own shares.

The score compares the projected winners with the actual ones: GB seats called wrong (the
headline, as in ``docs/model.md``'s baseline table), per-party seat error, and the mean absolute
error of the projected vote shares.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

from sim.data.election import NATIONS, DataDir, Election, load_election
from sim.errors import SwingometerError
from sim.parties import PARTIES, PARTY_INDEX
from sim.steps import State, transfer_voters
from sim.swing import proportional_swing, scope_shares, stm_swing, uniform_swing

PAIRS: tuple[tuple[str, str], ...] = (("2010", "2015"), ("2015", "2017"), ("2017", "2019"), ("2019-notional", "2024"))
SUCCESSORS: dict[tuple[str, str], dict[str, str]] = {
    ("2017", "2019"): {"UKIP": "BRX"},
    ("2019-notional", "2024"): {"BRX": "REF"},
}
METHODS = {"uniform": uniform_swing, "proportional": proportional_swing, "stm": stm_swing}
SCOPES = ("gb", "nation", "region")


@dataclass(frozen=True)
class Score:
    """How a projection of ``later`` from ``earlier`` compares with the actual result."""

    earlier: str
    later: str
    method: str
    scope: str
    gb_wrong: int
    ni_wrong: int
    seat_error: dict[str, int] = field(default_factory=dict)
    total_seat_error: int = 0
    share_mae: float = 0.0

    def to_dict(self) -> dict[str, object]:
        """Plain-Python fields."""
        return asdict(self)


def units(election: Election, scope: str) -> list[np.ndarray]:
    """The seat masks a scope splits the UK into (NI always on its own)."""
    ni = election.nations == "Northern Ireland"
    if scope == "gb":
        return [election.gb, ni]
    if scope == "nation":
        return [election.nations == n for n in NATIONS]
    if scope == "region":
        return [election.regions == r for r in sorted(set(election.regions))]
    raise SwingometerError(f"unknown scope '{scope}'; choose gb, nation or region")


def project_pair(earlier: Election, later: Election, method: str, scope: str) -> State:
    """Project ``later`` from ``earlier`` with ``later``'s true shares at ``scope``."""
    if earlier.boundaries != later.boundaries:
        raise SwingometerError(
            f"{earlier.name} and {later.name} are on different boundaries; use 2019-notional for 2024"
        )
    if method not in METHODS:
        raise SwingometerError(f"unknown method '{method}'; choose {', '.join(METHODS)}")
    state = State.from_election(earlier)
    for old, new in SUCCESSORS.get((earlier.name, later.name), {}).items():
        o, n = PARTY_INDEX[old], PARTY_INDEX[new]
        state.votes[:, n] += state.votes[:, o]
        state.votes[:, o] = 0.0
        state.stood[:, n] |= state.stood[:, o]
        state.stood[:, o] = False
    for i, p in zip(*np.nonzero(state.stood & ~later.stood), strict=True):
        transfer_voters(state, int(i), int(p), -1, 0.0, 1.0)  # stood down: voters go to the others
    state.stood |= later.stood
    speaker = later.stood[:, PARTY_INDEX["SPK"]] | earlier.stood[:, PARTY_INDEX["SPK"]]
    for mask in units(earlier, scope):
        mask = mask & ~speaker
        if not mask.any():
            continue
        weight = state.total[mask]
        target = scope_shares(later.shares[mask], later.valid_votes[mask].astype(float))
        stood = state.stood[mask]
        targeted = stood.any(axis=0)
        # Backtests take the closest reachable result where a target cannot be met exactly (a
        # party surging from a few votes in a handful of seats, under proportional swing).
        shares = METHODS[method](state.shares[mask], stood, weight, target, targeted, strict=False)
        state.votes[mask] = shares * weight[:, None]
    state.votes[speaker] = later.shares[speaker] * state.total[speaker][:, None]  # the Speaker's seat is not projected
    return state


def score(earlier: Election, later: Election, method: str, scope: str) -> Score:
    """Project and score one pair, method and scope."""
    state = project_pair(earlier, later, method, scope)
    winners = np.argmax(state.shares * state.lead * state.stood, axis=1)
    actual = later.winners
    gb = later.gb
    projected_seats = np.bincount(winners, minlength=len(PARTIES))
    actual_seats = np.bincount(actual, minlength=len(PARTIES))
    error = {
        PARTIES[p]: int(projected_seats[p] - actual_seats[p])
        for p in range(len(PARTIES))
        if projected_seats[p] or actual_seats[p]
    }
    stood = later.stood
    return Score(
        earlier=earlier.name, later=later.name, method=method, scope=scope,
        gb_wrong=int((winners[gb] != actual[gb]).sum()), ni_wrong=int((winners[~gb] != actual[~gb]).sum()),
        seat_error=error, total_seat_error=int(sum(abs(v) for v in error.values())),
        share_mae=float(np.abs(state.shares - later.shares)[stood].mean()),
    )  # fmt: skip


def backtest_all(data_dir: DataDir = None) -> list[Score]:
    """Every pair, method and scope."""
    out = []
    for earlier_name, later_name in PAIRS:
        earlier, later = load_election(earlier_name, data_dir), load_election(later_name, data_dir)
        for method in METHODS:
            for scope in SCOPES:
                out.append(score(earlier, later, method, scope))
    return out
