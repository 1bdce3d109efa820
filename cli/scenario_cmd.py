"""``swingometer scenario``: validate scenario files and print their JSON Schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from cli.common import DataDirOption, Group, console

app = typer.Typer(cls=Group, help="Check scenario files and print the scenario JSON Schema.", no_args_is_help=True)


@app.command()
def check(
    files: Annotated[list[Path], typer.Argument(help="Scenario files (TOML).")],
    data_dir: DataDirOption = None,
) -> None:
    """Validate scenario files against the schema and their base election."""
    from sim.run import project_file

    for file in files:
        scenario, _ = project_file(file, data_dir)
        console.print(f"[green]ok[/green] {file}: base {scenario.base}, {len(scenario.steps)} step(s)")


@app.command()
def schema() -> None:
    """Print the JSON Schema of scenario files."""
    from sim.scenario.schema import Scenario

    console.print_json(json.dumps(Scenario.model_json_schema(by_alias=True)))
