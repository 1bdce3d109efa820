"""Read a scenario file and turn every problem into a :class:`ScenarioError` a user can act on."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, get_args, get_origin

from pydantic import BaseModel, ValidationError

from sim.core.errors import LookupFailed, ScenarioError, did_you_mean
from sim.core.parties import party_index
from sim.core.resources import scenarios_dir
from sim.data.election import check_election_name
from sim.polls.sources import NAMES, source_path
from sim.scenario import schema
from sim.scenario.rules import check_raw, check_static
from sim.scenario.schema import ABSTAIN, STEP_MODELS, PollsStep, Scenario

STEP_KINDS: tuple[str, ...] = tuple(STEP_MODELS)


def _location(loc: tuple[Any, ...]) -> str:
    parts: list[str] = []
    skip_tag = False
    for item in loc:
        if isinstance(item, int):
            parts[-1] = f"{parts[-1]}[{item}]" if parts else f"[{item}]"
            skip_tag = parts[-1].startswith("steps[")
            continue
        if skip_tag and item in STEP_KINDS:
            skip_tag = False
            continue
        skip_tag = False
        parts.append(str(item))
    return ".".join(parts) or "(top level)"


def _models_in(annotation: Any) -> tuple[type[BaseModel] | None, type[BaseModel] | None]:
    """The model a field holds, and the model its dict values hold (``Coefficients | None``; ``dict[str, X]``)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation, None
    args = get_args(annotation)
    if get_origin(annotation) is dict and len(args) == 2:
        return None, _models_in(args[1])[0]
    for arg in args:
        found = _models_in(arg)[0]
        if found is not None:
            return found, None
    return None, None


def _model_at(loc: tuple[Any, ...], data: Any) -> type[BaseModel] | None:
    """The pydantic model that owns the field at ``loc`` (for did-you-mean on unknown keys)."""
    model: type[BaseModel] | None = Scenario
    values: type[BaseModel] | None = None  # the model of the values of the dict just entered
    node = data
    tag: str | None = None  # pydantic puts a step's kind in the location after its index
    for item in loc[:-1]:
        if item == tag:
            tag = None
            continue
        if isinstance(node, dict) and item in node:
            node = node[item]
        elif isinstance(node, list) and isinstance(item, int) and item < len(node):
            node = node[item]
        else:
            continue
        if isinstance(node, dict) and "kind" in node:
            model, values, tag = schema.STEP_MODELS.get(str(node["kind"])), None, str(node["kind"])
        elif values is not None:
            model, values = values, None
        elif isinstance(item, str) and model is not None and item in model.model_fields:
            inner, values = _models_in(model.model_fields[item].annotation)
            model = inner if inner is not None else model
    return model


def format_validation(path: str, exc: ValidationError, data: Any) -> str:
    """One line per problem: file, field path, what is wrong and what to write instead."""
    lines = [f"{path}: the scenario is not valid ({exc.error_count()} problem(s)):"]
    percents = [e for e in exc.errors() if _looks_like_percent(e)]
    if percents:
        tables = sorted({_location(tuple(e["loc"][:-1])) for e in percents})
        example = ", ".join(f"{e['loc'][-1]} = {float(e['input']) / 100:g}" for e in percents[:3])
        lines.append(f"  {', '.join(tables)}: shares are fractions of the vote, not percentages: write {example} "
                     f"({len(percents)} value(s) over 1)")  # fmt: skip
    for err in exc.errors():
        if err in percents:
            continue
        where = _location(tuple(err["loc"]))
        kind = err["type"]
        if kind == "extra_forbidden":
            field = str(err["loc"][-1])
            model = _model_at(tuple(err["loc"]), data)
            allowed = [f.alias or n for n, f in model.model_fields.items()] if model else []
            hint = did_you_mean(field, allowed)
            lines.append(f"  {where}: unknown field '{field}'{hint} (allowed here: {', '.join(allowed)})")
        elif kind == "union_tag_invalid" or kind == "union_tag_not_found":
            lines.append(f"  {where}: every step needs kind = one of {', '.join(STEP_KINDS)}")
        elif kind == "literal_error" and err["loc"][-1] == "kind":
            lines.append(f"  {where}: {err['msg']}")
        else:
            lines.append(f"  {where}: {err['msg']}")
    return "\n".join(lines)


def _looks_like_percent(err: Any) -> bool:
    """A share written as a percentage (30 for 0.30): over 1, at most 100, in a table of shares."""
    value = err.get("input")
    return (
        err["type"] == "less_than_equal" and isinstance(value, int | float) and 1 < value <= 100
        and len(err["loc"]) >= 3 and (str(err["loc"][-2]) == "shares" or str(err["loc"][-3]) == "areas")
    )  # fmt: skip


def parse_scenario(data: dict[str, Any], path: str = "<scenario>") -> Scenario:
    """Validate a scenario given as a dict (the parsed TOML)."""
    if "schema" not in data:
        raise ScenarioError(f"{path}: missing 'schema = 1' at the top of the file")
    try:
        check_raw(data)
    except ScenarioError as exc:
        raise ScenarioError(f"{path}: {exc}") from None
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(format_validation(path, exc, data)) from None
    try:
        check_election_name(scenario.base)
    except LookupFailed as exc:
        raise ScenarioError(f"{path}: base: {exc}") from None
    for k, step in enumerate(scenario.steps):
        for where, code in _party_fields(step.model_dump(by_alias=True)):
            if code.strip().upper() == ABSTAIN and where.split(".")[0] in ("from", "to"):
                continue
            try:
                party_index(code, where=f"steps[{k}].{where}")
            except LookupFailed as exc:
                raise ScenarioError(f"{path}: {exc}") from None
    for origin, row in scenario.preferences.items():
        for where, code in [("preferences", origin), *((f"preferences.{origin}", dest) for dest in row)]:
            try:
                party_index(code, where=where)
            except LookupFailed as exc:
                raise ScenarioError(f"{path}: {exc}") from None
        if _code(origin) in {_code(dest) for dest in row}:
            raise ScenarioError(f"{path}: preferences.{origin}: a party's voters cannot transfer to the party itself")
        if not any(share > 0 for share in row.values()):
            raise ScenarioError(f"{path}: preferences.{origin}: give at least one party a share above 0")
    try:
        check_static(scenario)
    except ScenarioError as exc:
        raise ScenarioError(f"{path}: {exc}") from None
    return canonical_codes(scenario, path)


def canonical_codes(scenario: Scenario, path: str = "<scenario>") -> Scenario:
    """The scenario with every party code written canonically (``lab`` -> ``LAB``), validated again.

    Party codes ignore case in a file; every later stage reads the canonical codes only, so a
    table keyed ``lab`` is the same as one keyed ``LAB`` everywhere (and the schema's checks
    across fields, such as a pact's ``transfer + to_others <= 1`` per member, see them matched).
    """
    data = scenario.model_dump(by_alias=True)
    steps = [_canonical_step(step) for step in data["steps"]]
    preferences = {_code(origin): _keys(row) for origin, row in data["preferences"].items()}
    if steps == data["steps"] and preferences == data["preferences"]:
        return scenario
    data["steps"] = steps
    data["preferences"] = preferences
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(format_validation(path, exc, data)) from None


def _code(value: Any) -> Any:
    return value.strip().upper() if isinstance(value, str) else value


def _keys(table: dict[str, Any]) -> dict[str, Any]:
    return {_code(k): v for k, v in table.items()}


def _canonical_step(step: dict[str, Any]) -> dict[str, Any]:
    out = dict(step)
    for name, value in step.items():
        if (name in _PARTY_KEYS or name == "leave_slope") and isinstance(value, dict):
            out[name] = _keys(value)
        elif name == "areas" and isinstance(value, dict):
            out[name] = {area: _keys(table) if isinstance(table, dict) else table for area, table in value.items()}
        elif name == "stand" and isinstance(value, dict):
            out[name] = {_code(k): _canonical_step(v) if isinstance(v, dict) else v for k, v in value.items()}
        elif name == "candidates" and isinstance(value, dict):
            out[name] = {seat: _code(v) for seat, v in value.items()}
        elif name in ("where", "like") and isinstance(value, dict):
            out[name] = _canonical_step(value)
        elif name == "withdrawn_to" and isinstance(value, str):
            out[name] = value if value.strip().lower() in ("others", "abstain", "region") else _code(value)
        elif name in _PARTY_VALUES:
            out[name] = [_code(v) for v in value] if isinstance(value, list) else _code(value)
    return out


_PARTY_KEYS = ("shares", "to", "transfer", "to_others", "parties", "withdraw_part", "lead")
_PARTY_VALUES = ("from", "party", "members", "prefer", "against", "stand", "withdraw", "parties", "into",
                 "only_stand_down", "candidates", "winner", "runner_up")  # fmt: skip
"""Fields holding party codes (``from`` is a list of parties in a layout step, a party or ABSTAIN in flows)."""


def _party_fields(data: dict[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    """Every (field path, party code) in a step, for static validation."""
    found: list[tuple[str, str]] = []
    for name, value in data.items():
        where = f"{prefix}{name}"
        if isinstance(value, dict) and name in _PARTY_KEYS:
            found += [(where, str(k)) for k in value]
        if name == "where" and isinstance(value, dict):
            found += _party_fields(value, "where.")
        elif name == "areas" and isinstance(value, dict):
            found += [
                (f"areas.{area}", str(k)) for area, table in value.items() if isinstance(table, dict) for k in table
            ]
        elif name in _PARTY_VALUES:
            if isinstance(value, str):
                found.append((where, value))
            elif isinstance(value, list):
                found += [(where, str(v)) for v in value]
            elif isinstance(value, dict) and name == "candidates":
                found += [(where, str(v)) for v in value.values()]
    return found


def scenario_path(path: str | Path) -> Path:
    """The file a scenario path names: as given, or a shipped ``scenarios/...`` file outside the checkout."""
    file = Path(path)
    if not file.is_file() and not file.is_absolute() and file.parts[:1] == ("scenarios",):
        shipped = scenarios_dir().joinpath(*file.parts[1:])
        file = shipped if shipped.is_file() else file
    return file


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file (TOML); see :func:`scenario_path` for where it is found."""
    file = scenario_path(path)
    if not file.is_file():
        raise ScenarioError(f"scenario file '{file}' not found; check the path (scenarios live in scenarios/)")
    try:
        text = file.read_text(encoding="utf-8-sig")  # a byte-order mark (Notepad's) is no error
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"{file}: not a UTF-8 text file ({exc})") from None
    except OSError as exc:
        raise ScenarioError(f"{file}: cannot read the file ({exc.strerror}); check its permissions") from None
    return with_poll_paths(loads_scenario(text, str(file)), file.parent)


def loads_scenario(text: str, name: str = "<scenario>") -> Scenario:
    """Parse and validate a scenario's TOML text (``name`` heads every error)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{name}: not valid TOML: {exc}") from None
    except RecursionError:
        raise ScenarioError(f"{name}: arrays or tables nested too deeply to read; no scenario field needs it") from None
    return parse_scenario(data, name)


def with_poll_paths(scenario: Scenario, base: Path) -> Scenario:
    """``scenario`` with its polls steps' relative file sources made relative to ``base`` (the file's folder)."""
    steps = list(scenario.steps)
    for k, step in enumerate(steps):
        if isinstance(step, PollsStep):
            sources = [x if x in NAMES else str(source_path(x, base)) for x in step.sources]
            steps[k] = step.model_copy(update={"source": sources[0] if isinstance(step.source, str) else sources})
    return scenario.model_copy(update={"steps": steps}) if steps != list(scenario.steps) else scenario
