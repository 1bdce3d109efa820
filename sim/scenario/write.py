"""Write a scenario as a TOML file that reads back to the same scenario (``backtest --write-scenario``)."""

from __future__ import annotations

import tomli_w

from sim.scenario.paths import plain
from sim.scenario.schema import Scenario


def to_toml(scenario: Scenario, comment: str = "") -> str:
    """The scenario as TOML text: fields left at their defaults are left out; ``comment`` heads the file."""
    data = plain(scenario.model_dump(by_alias=True, exclude_defaults=True))
    data = {"schema": data.pop("schema"), **data}
    head = "".join(f"# {line}\n" if line else "#\n" for line in comment.splitlines())
    return head + tomli_w.dumps(data)
