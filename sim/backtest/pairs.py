"""Backtest pairs as scenarios: an election projected from the one before, through the scenario path users run.

For a pair (earlier, later) the scenario is, on the earlier result:

1. ``merge``: a party folded into its successor where the later election has one (UKIP's 2017
   vote becomes the Brexit Party's in 2019; the Brexit Party's notional 2019 vote Reform's);
2. ``candidacies``: the later election's candidacies (who stands, independents as people, the
   Speaker, and who stands again as a sitting MP: all public before polling day);
3. ``layout``, when the UKIP - Brexit Party - Reform lineage stands at the later election in many
   seats it did not fight at the earlier one (more than a quarter of its later seats: Reform in
   2024, after the Brexit Party stood down in 317 seats in 2019; the Brexit Party in 2019): its
   votes in each region laid out by its share where it last stood (nearly) everywhere
   (:data:`LAYOUT`), the difference given to or taken from the Conservatives, whom the stand-downs
   had helped (where no Conservative stands, by every party standing, in proportion: Rotherham);
4. ``shares``: the later election's true shares in each area of the scope (Great Britain and
   Northern Ireland, each nation, or each region), by the method (the fitted ones with the
   coefficients they were fitted to, which the file carries).

:func:`pair_scenario` builds it; ``swingometer backtest --write-scenario PATH`` writes it, and
``swingometer project PATH`` gives the backtest's projection seat for seat.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from sim.core.errors import SwingometerError
from sim.core.parties import PARTIES, PARTY_INDEX
from sim.data.election import NATIONS, DataDir, Election, load_election
from sim.projection.coefficients import Coefficients
from sim.projection.project import project_state
from sim.projection.steps import State
from sim.projection.swing import scope_shares
from sim.scenario import schema as s
from sim.scenario.load import parse_scenario

PAIRS: tuple[tuple[str, str], ...] = (
    ("2005-notional", "2010"), ("2010", "2015"), ("2015", "2017"), ("2017", "2019"), ("2019-notional", "2024"),
)  # fmt: skip
CALIBRATION_PAIRS = PAIRS[1:]
"""The pairs the default error model is calibrated on: those with candidacy files on both sides."""
SUCCESSORS: dict[tuple[str, str], dict[str, str]] = {
    ("2017", "2019"): {"UKIP": "BRX"},
    ("2019-notional", "2024"): {"BRX": "REF"},
}
LINEAGE_PARTIES = ("UKIP", "BRX", "REF")
LAYOUT = {
    "2005-notional": ("UKIP", "2005-notional"),
    "2010": ("UKIP", "2010"),
    "2015": ("UKIP", "2015"),
    "2017": ("UKIP", "2015"),
    "2019": ("UKIP", "2015"),
    "2019-notional": ("UKIP", "2015"),
}
"""For each earlier election, the lineage's last election before it with a candidate in almost every GB seat,
whose shares lay out its start (of Great Britain's 632 seats UKIP fought 507 in the notional 2005 result, 558 in
2010, 614 in 2015 and 378 in 2017; the Brexit Party 275 in 2019)."""
LAYOUT_FROM = ("CON",)
"""Who gives or takes the difference when the lineage's start is laid out (see the module docstring)."""
NEW_SEATS = 0.25
"""The lineage's start is laid out when more than this share of its later seats are seats it had not fought."""
SCOPES = ("gb", "nation", "region")
DIGITS = 6
"""Target shares are written to this many decimals (a millionth of a point changes no seat)."""


@dataclass(frozen=True, eq=False)
class Pair:
    """A backtest pair: the two elections and the steps that set the later candidacies on the earlier result."""

    earlier: Election
    later: Election
    setup: tuple[dict[str, Any], ...]
    data_dir: DataDir = field(default=None, repr=False)

    @property
    def name(self) -> str:
        """``"EARLIER -> LATER"``."""
        return f"{self.earlier.name} -> {self.later.name}"

    @cached_property
    def start(self) -> State:
        """The earlier result with the later parties and candidacies: where the shares step starts."""
        scenario = parse_scenario({"schema": 1, "base": self.earlier.name, "steps": list(self.setup)})
        return project_state(scenario, self.earlier, None, self.data_dir)

    def areas(self, scope: str) -> dict[str, dict[str, float]]:
        """The later election's true shares in each area of ``scope`` (the Speaker's seat left out)."""
        e, later = self.earlier, self.later
        spk = PARTY_INDEX["SPK"]
        if scope == "gb":
            units = {"gb": e.gb, "Northern Ireland": ~e.gb}
        elif scope == "nation":
            units = {n: e.nations == n for n in NATIONS}
        elif scope == "region":
            units = {str(r): e.regions == r for r in sorted(set(e.regions))}
        else:
            raise SwingometerError(f"unknown scope '{scope}'; choose {', '.join(SCOPES)}", field="scope")
        out = {}
        for name, mask in units.items():
            m = mask & ~self.start.stood[:, spk]
            out[name] = _rounded(scope_shares(later.shares[m], later.valid_votes[m].astype(float)))
        return out


def _rounded(shares: np.ndarray) -> dict[str, float]:
    """Shares of the parties with votes, to :data:`DIGITS` decimals, adding up to 1 (the largest takes the rest)."""
    keep = np.flatnonzero(shares > 0)
    values = {PARTIES[p]: round(float(shares[p]), DIGITS) for p in keep}
    largest = max(values, key=lambda k: values[k])
    values[largest] = round(1.0 - sum(v for k, v in values.items() if k != largest), DIGITS + 3)
    return values


def load_pair(earlier_name: str, later_name: str, data_dir: DataDir = None) -> Pair:
    """A backtest pair with its setup steps (merge, candidacies, and the lineage's layout where it applies)."""
    earlier, later = load_election(earlier_name, data_dir), load_election(later_name, data_dir)
    if earlier.boundaries != later.boundaries:
        raise SwingometerError(
            f"{earlier.name} and {later.name} are on different boundaries; use 2019-notional for 2024", field="pair"
        )
    setup: list[dict[str, Any]] = [
        {"kind": "merge", "parties": [old, new], "into": new}
        for old, new in SUCCESSORS.get((earlier.name, later.name), {}).items()
    ]
    setup.append({"kind": "candidacies", "election": later.name})
    party = _laid_out(earlier, later)
    if party is not None:
        like_party, like_election = LAYOUT[earlier.name]
        setup.append({"kind": "layout", "party": party, "like": {"party": like_party, "election": like_election},
                      "from": list(LAYOUT_FROM), "scope": "gb", "by": "region"})  # fmt: skip
    key = (id(earlier), id(later), repr(setup), str(data_dir))
    if key not in _PAIRS:  # one object per pair and loaded data: its start state and fits are reused
        _PAIRS[key] = Pair(earlier, later, tuple(setup), data_dir)
    return _PAIRS[key]


_PAIRS: dict[tuple[int, int, str, str], Pair] = {}
"""Pairs made this session, by their elections (the loaded objects, cached per data file content) and setup."""


def _laid_out(earlier: Election, later: Election) -> str | None:
    """The lineage's main party at the later election, if it newly stands in many seats (see the module docstring)."""
    lineage = [PARTY_INDEX[p] for p in LINEAGE_PARTIES]
    before = earlier.stood[:, lineage].any(axis=1)
    j = lineage[int(np.argmax(later.stood[:, lineage].sum(axis=0)))]
    fights = later.stood[:, j] & earlier.gb
    return PARTIES[j] if (fights & ~before).sum() > NEW_SEATS * fights.sum() else None


def load_pairs(data_dir: DataDir = None, pairs: tuple[tuple[str, str], ...] = PAIRS) -> list[Pair]:
    """Every backtest pair (or those named)."""
    return [load_pair(a, b, data_dir) for a, b in pairs]


def pair_scenario(
    pair: Pair, method: str, scope: str, coefficients: Coefficients | None = None, fitted_on: str = ""
) -> s.Scenario:
    """The scenario a backtest projects: the pair's setup, then the later true shares by area with ``method``.

    ``coefficients`` (a fitted method's, fitted on the pairs ``fitted_on`` names) go into the file.
    """
    step: dict[str, Any] = {"kind": "shares", "method": method, "areas": pair.areas(scope)}
    if coefficients is not None:
        step["coefficients"] = coefficients.to_dict()
    fitted = f", coefficients fitted on {fitted_on}" if coefficients is not None and fitted_on else ""
    return parse_scenario({
        "schema": 1,
        "name": f"Backtest: {pair.later.name} from {pair.earlier.name}, {method} swing by {scope}{fitted}",
        "description": (
            f"The {pair.earlier.name} result with the {pair.later.name} candidacies, moved to the {pair.later.name} "
            f"election's true shares in each {scope if scope != 'gb' else 'of Great Britain and Northern Ireland'}"
            f" by {method} swing. Written by swingometer backtest; swingometer project gives the backtest's seats."
        ),
        "base": pair.earlier.name,
        "steps": [*pair.setup, step],
    })  # fmt: skip
