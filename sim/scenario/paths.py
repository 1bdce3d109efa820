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
    """The container holding the path's last part, and that part's key (as the data spell it) or index."""
    node = data
    for part in parts[:-1]:
        container, key = _step(node, part, path)
        node = container[key]
    return _step(node, parts[-1], path)


def _index(node: list[Any], part: str, path: str) -> int:
    if not (part.isascii() and part.isdigit()) or int(part) >= len(node):
        raise ScenarioError(f"parameter path '{path}': '{part}' is not an index 0..{len(node) - 1}")
    return int(part)


def _step(node: Any, part: str, path: str) -> tuple[Any, str | int]:
    """``part`` within ``node``: a list index, or a table key matched exactly or, failing that, ignoring case."""
    if isinstance(node, list):
        return node, _index(node, part, path)
    if isinstance(node, dict):
        if part in node:
            return node, part
        same = [k for k in node if isinstance(k, str) and k.strip().upper() == part.strip().upper()]
        if len(same) == 1:
            return node, same[0]
    options = list(node) if isinstance(node, dict) else []
    raise ScenarioError(f"parameter path '{path}': no field '{part}'{did_you_mean(part, options)}")


def canonical_path(scenario: Scenario, path: str) -> str:
    """``path`` as the scenario spells it (``steps.00.to.con`` -> ``steps.0.to.CON``): two spellings compare equal."""
    node: Any = plain(scenario.model_dump(by_alias=True))
    out = []
    for part in path.split("."):
        container, key = _step(node, part, path)
        out.append(str(key))
        node = container[key]
    return ".".join(out)


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
