"""The ``swingometer`` command line: a thin layer over :mod:`sim`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from cli import data_cmd, project_cmd, scenario_cmd
from cli.common import DataDirOption, ForceOption, Group, console, write_output
from sim.errors import SwingometerError
from sim.results import SimulationResult
from sim.run import run_file

app = typer.Typer(
    cls=Group,
    help="Swingometer: simulate UK general elections (first past the post) from scenario files.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
app.add_typer(data_cmd.app, name="data")
app.add_typer(scenario_cmd.app, name="scenario")
app.command("project")(project_cmd.project)
app.command("flip")(project_cmd.flip)
app.command("targets")(project_cmd.targets)


def _summary_table(result: SimulationResult, title: str) -> Table:
    table = Table(title=title)
    table.add_column("party")
    for col in ("projected", "mean", "median", "5%", "95%", "P(majority)", "P(largest)"):
        table.add_column(col, justify="right")
    for party, row in result.to_frame().iterrows():
        table.add_row(
            str(party), f"{row['projected']:.0f}", f"{row['mean']:.1f}", f"{row['median']:.0f}",
            f"{row['p5']:.0f}", f"{row['p95']:.0f}", f"{row['p_majority']:.3f}", f"{row['p_largest']:.3f}",
        )  # fmt: skip
    return table


@app.command()
def run(
    file: Annotated[Path, typer.Argument(help="Scenario file (TOML).")],
    draws: Annotated[int, typer.Option("--draws", "-n", min=1, help="Simulated elections.")] = 10_000,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Random seed.")] = 1,
    threads: Annotated[int | None, typer.Option("--threads", min=1, help="Numba threads (default: all cores).")] = None,
    json_path: Annotated[Path | None, typer.Option("--json", help="Write the summary as JSON.")] = None,
    data_dir: DataDirOption = None,
    force: ForceOption = False,
) -> None:
    """Simulate a scenario many times and print each party's seat distribution."""
    if json_path is not None and json_path.exists() and not force:
        raise SwingometerError(f"{json_path} already exists; choose another name or pass --force to overwrite it")
    columns = (TextColumn("simulating"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=True, disable=draws < 200_000) as bar:
        task = bar.add_task("draws", total=draws)
        result = run_file(
            file, draws, seed, threads=threads, data_dir=data_dir, progress=lambda n: bar.advance(task, n)
        )
    console.print(_summary_table(result, f"{file.name}: {draws:,} draws, seed {seed}"))
    if json_path is not None:
        write_output(json_path, result.to_json() + "\n", force)


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
