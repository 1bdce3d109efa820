"""Numeric scenario parameters named by their path in the file, e.g. ``steps.2.rate``.

Used by uncertain parameters (``[uncertainty.parameters]``) and by sweeps: a path is read from
and written to the scenario as a plain dict, and the result is validated again, so a value out
of a field's range is the same clear error as in a file.
"""

from __future__ import annotations

from typing import Any

from sim.core.errors import ScenarioError, did_you_mean
from sim.scenario.load import parse_scenario
from sim.scenario.schema import Scenario


def _walk(data: Any, parts: list[str], path: str) -> tuple[Any, str | int]:
    node = data
    for depth, part in enumerate(parts[:-1]):
        node = _child(node, part, path, depth)
    last = parts[-1]
    if isinstance(node, list):
        return node, _index(node, last, path)
    if not isinstance(node, dict) or last not in node:
        options = list(node) if isinstance(node, dict) else []
        raise ScenarioError(f"parameter path '{path}': no field '{last}'{did_you_mean(last, options)}")
    return node, last


def _index(node: list[Any], part: str, path: str) -> int:
    if not part.isdigit() or int(part) >= len(node):
        raise ScenarioError(f"parameter path '{path}': '{part}' is not an index 0..{len(node) - 1}")
    return int(part)


def _child(node: Any, part: str, path: str, depth: int) -> Any:
    if isinstance(node, list):
        return node[_index(node, part, path)]
    if isinstance(node, dict) and part in node:
        return node[part]
    options = list(node) if isinstance(node, dict) else []
    raise ScenarioError(f"parameter path '{path}': no field '{part}'{did_you_mean(part, options)}")


def plain(value: Any) -> Any:
    """A dumped scenario with its tuples (coefficient rows, covariate ranges) as lists, as paths and TOML want."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def get_value(scenario: Scenario, path: str) -> float:
    """The number at ``path`` (for a per-party table given as one number, that number)."""
    data = plain(scenario.model_dump(by_alias=True))
    node, key = _walk(data, path.split("."), path)
    value = node[key]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ScenarioError(f"parameter path '{path}' holds {value!r}, not a number")
    return float(value)


def with_value(scenario: Scenario, path: str, value: float) -> Scenario:
    """A copy of the scenario with the number at ``path`` replaced (validated again)."""
    data = plain(scenario.model_dump(by_alias=True))
    node, key = _walk(data, path.split("."), path)
    old = node[key]
    if isinstance(old, bool) or not isinstance(old, int | float):
        raise ScenarioError(f"parameter path '{path}' holds {old!r}, not a number")
    node[key] = float(value)
    try:
        return parse_scenario(data, f"<{path} = {value:g}>")
    except ScenarioError as exc:
        raise ScenarioError(f"setting {path} = {value:g} makes the scenario invalid: {exc}") from None
