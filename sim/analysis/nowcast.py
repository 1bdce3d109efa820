"""A scenario file from the polls as of a date (what ``swingometer polls --scenario`` writes).

The base is the last general election before the date (on the boundaries of the next one: the
notional 2019 result for dates between the 2019 and 2024 elections). The polls' main party of the
UKIP - Brexit Party - Reform lineage takes over its predecessor's votes (a ``merge``) and, where
it stood in under ``FEW_SEATS`` of Great Britain's seats at the base, is made to stand in every
GB seat with its votes laid out like UKIP's last near-complete slate (an ``override`` and a
``layout``, as the backtests do for Reform in 2024). Then a ``polls`` step sets the targets.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sim.backtest.pairs import LAYOUT, LAYOUT_FROM, LINEAGE_PARTIES
from sim.core.parties import PARTY_INDEX
from sim.data.election import DataDir, load_election
from sim.polls.sources import cached_average
from sim.scenario import schema as s
from sim.scenario.load import parse_scenario

POLLING_DAYS = (
    ("2010-05-06", "2005-notional"), ("2015-05-07", "2010"), ("2017-06-08", "2015"), ("2019-12-12", "2017"),
    ("2024-07-04", "2019-notional"),
)  # fmt: skip
"""Each general election's polling day and the base for a date before it (after the last: 2024)."""
FEW_SEATS = 0.8


def base_for(as_of: str) -> str:
    """The base election for polls as of ``as_of`` (see the module docstring)."""
    when = pd.Timestamp(as_of)
    for day, base in POLLING_DAYS:
        if when < pd.Timestamp(day):
            return base
    return "2024"


def polls_scenario(
    as_of: str, sources: list[str], *, scope: str = "gb", method: str = "multiparty", base: str | None = None,
    data_dir: DataDir = None,
) -> s.Scenario:  # fmt: skip
    """The scenario of the polls as of ``as_of`` (see the module docstring)."""
    base = base or base_for(as_of)
    election = load_election(base, data_dir)
    poll_scope = "GB" if scope.lower() == "gb" else scope
    average = cached_average(tuple(sources), poll_scope, as_of, data_dir)
    steps: list[dict[str, Any]] = []
    polled = [p for p in LINEAGE_PARTIES if p in average.parties]
    if polled:
        main = max(polled, key=lambda p: average.shares()[p])
        j = PARTY_INDEX[main]
        standing = [p for p in LINEAGE_PARTIES if p != main and election.stood[:, PARTY_INDEX[p]].any()]
        if standing and not election.stood[:, j].any():
            steps.append({"kind": "merge", "parties": [*standing, main], "into": main})
        stands = election.stood[election.gb][:, [PARTY_INDEX[p] for p in [*standing, main]]].any(axis=1)
        if scope.lower() == "gb" and stands.mean() < FEW_SEATS and base in LAYOUT:
            like_party, like_election = LAYOUT[base]
            steps.append({"kind": "override", "where": {"scope": ["gb"]}, "stand": [main]})
            steps.append({"kind": "layout", "party": main, "like": {"party": like_party, "election": like_election},
                          "from": list(LAYOUT_FROM), "scope": "gb", "by": "region"})  # fmt: skip
    steps.append({"kind": "polls", "as_of": as_of, "source": sources if len(sources) > 1 else sources[0],
                  "scope": scope, "method": method})  # fmt: skip
    shares = ", ".join(f"{p} {100 * v:.1f}" for p, v in zip(average.parties, average.share, strict=True))
    return parse_scenario({
        "schema": 1,
        "name": f"The polls as of {as_of} ({', '.join(sources)})",
        "description": (
            f"The {base} result moved to the {poll_scope} poll average as of {as_of} ({shares}; {len(average.polls)} "
            f"polls) by {method} swing, with Scotland's and Wales's own polls where the source has recent ones. "
            "Written by swingometer polls --scenario."
        ),
        "base": base,
        "steps": steps,
    })  # fmt: skip


def lineage_share(shares: dict[str, float]) -> float:
    """The UKIP - Brexit Party - Reform lineage's total share."""
    return float(np.sum([shares.get(p, 0.0) for p in LINEAGE_PARTIES]))
