"""Write a scenario as a TOML file that reads back to the same scenario (``backtest --write-scenario``)."""

from __future__ import annotations

from typing import Any

import tomli_w

from sim.scenario.schema import Scenario


def _plain(value: Any) -> Any:
    """Tuples as lists, recursively (TOML has arrays, not tuples)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def to_toml(scenario: Scenario, comment: str = "") -> str:
    """The scenario as TOML text: fields left at their defaults are left out; ``comment`` heads the file."""
    data = _plain(scenario.model_dump(by_alias=True, exclude_defaults=True))
    data = {"schema": data.pop("schema"), **data}
    head = "".join(f"# {line}\n" if line else "#\n" for line in comment.splitlines())
    return head + tomli_w.dumps(data)
