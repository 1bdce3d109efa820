"""Helpers for the bad-input tests: a small TOML writer and the checks on a refused command."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from click.testing import Result
from typer.testing import CliRunner

from cli.main import app

runner = CliRunner()
ROOT = Path(__file__).resolve().parent.parent
SCENARIO = str(ROOT / "scenarios" / "uniform-2019-polls.toml")


def toml_value(value: Any) -> str:
    """One TOML value, inline (tables and arrays on one line)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(str(k))} = {toml_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"no TOML for {value!r}")


def toml_document(data: dict[str, Any]) -> str:
    """A TOML document of ``key = value`` lines."""
    return "".join(f"{json.dumps(str(k))} = {toml_value(v)}\n" for k, v in data.items())


def write_scenario(folder: Path, data: dict[str, Any], name: str = "scenario.toml") -> str:
    """Write a scenario dict as TOML; return its path."""
    path = folder / name
    path.write_text(toml_document(data), encoding="utf-8")
    return str(path)


def invoke(args: list[str]) -> Result:
    """Run the CLI in process."""
    return runner.invoke(app, args)


def clean(result: Result) -> bool:
    """No traceback and no stray exception: the command ended through its own exit."""
    return "Traceback" not in result.output and (result.exception is None or isinstance(result.exception, SystemExit))


def assert_refused(result: Result, *fragments: str) -> None:
    """The command failed cleanly (non-zero, no traceback), its message naming each fragment."""
    assert clean(result), f"not a clean failure:\n{result.output}\n{result.exception!r}"
    assert result.exit_code != 0, f"exit 0 on bad input:\n{result.output}"
    text = " ".join(result.output.split())
    for fragment in fragments:
        assert fragment in text, f"message lacks {fragment!r}:\n{result.output}"
