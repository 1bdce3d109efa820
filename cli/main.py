"""The ``swingometer`` command line: a thin layer over :mod:`sim`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import numpy as np
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from cli import (
    analysis_cmd,
    backtest_cmd,
    claims_cmd,
    data_cmd,
    polls_cmd,
    project_cmd,
    report_cmd,
    scenario_cmd,
    serve_cmd,
    systems_cmd,
)
from cli.common import (
    INTERRUPTED,
    DataDirOption,
    DrawsOption,
    ForceOption,
    Group,
    Outputs,
    SeedOption,
    ThreadsOption,
    VerboseOption,
    check_disk,
    check_stood,
    check_threads,
    console,
    err_console,
    interrupted,
    parse_bloc,
    print_notes,
)
from cli.tables import columns_table

if TYPE_CHECKING:
    from sim.core.output import ParquetStream
    from sim.montecarlo.results import SimulationResult
    from sim.projection.project import Projection
    from sim.scenario.schema import Scenario

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
app.command("compare")(analysis_cmd.compare)
app.command("sweep")(analysis_cmd.sweep)
app.command("coalitions")(analysis_cmd.coalitions)
app.command("systems")(systems_cmd.systems)
app.command("backtest")(backtest_cmd.backtest)
app.command("polls")(polls_cmd.polls)
app.command("claims")(claims_cmd.claims)
app.command("report")(report_cmd.report)
app.command("serve")(serve_cmd.serve)


def _summary_table(result: SimulationResult, title: str) -> Table:
    table = Table(title=title)
    table.add_column("party")
    for col in ("proj.", "mean", "median", "5%", "95%", "P(maj)", "P(eff.maj)", "P(1st)"):
        table.add_column(col, justify="right")
    parties, columns = result.party_columns()  # plain arrays: printing needs no pandas
    for k, party in enumerate(parties):
        row = {name: values[k] for name, values in columns.items()}
        table.add_row(
            party, f"{row['projected']:.0f}", f"{row['mean']:.1f}", f"{row['median']:.0f}",
            f"{row['p5']:.0f}", f"{row['p95']:.0f}", f"{row['p_majority']:.3f}",
            f"{row['p_effective_majority']:.3f}", f"{row['p_largest']:.3f}",
        )  # fmt: skip
    return table


@app.command()
def run(
    file: Annotated[Path, typer.Argument(help="Scenario file (TOML).")],
    draws: DrawsOption = 10_000,
    seed: SeedOption = 1,
    threads: ThreadsOption = None,
    bloc: Annotated[
        list[str] | None, typer.Option("--bloc", help="A bloc of parties, e.g. LAB+LD+SNP+GRN+PC (repeatable).")
    ] = None,
    seats: Annotated[int, typer.Option("--seats", min=0, max=650, help="Print the N closest seats.")] = 0,
    json_path: Annotated[
        Path | None, typer.Option("--json", help="Write the full result (parties, blocs, seats) as JSON.")
    ] = None,
    csv_path: Annotated[Path | None, typer.Option("--csv", help="Write the per-seat win probabilities as CSV.")] = None,
    parquet_path: Annotated[
        Path | None,
        typer.Option(
            "--parquet", help="Write every draw as Parquet: seats per party and share_PARTY, its GB vote share."
        ),
    ] = None,
    plot: Annotated[
        Path | None, typer.Option("--plot", help="Chart of the main parties' seat distributions (.png/.svg).")
    ] = None,
    battleground: Annotated[
        Path | None, typer.Option("--battleground", help="Chart of the 30 seats nearest to changing hands (.png/.svg).")
    ] = None,
    verbose: VerboseOption = False,
    data_dir: DataDirOption = None,
    force: ForceOption = False,
) -> None:
    """Simulate a scenario many times: seat distributions, majority odds, blocs and seats."""
    from sim.provenance import scenario_provenance
    from sim.run import project_file

    outputs = Outputs(force, [json_path, csv_path, parquet_path, plot, battleground], figures=[plot, battleground])
    check_disk(parquet_path, draws)  # memory does not grow with draws; only the per-draw file does
    check_threads(threads)
    blocs = [parse_bloc(b) for b in bloc or []]
    scenario, projection = project_file(file, data_dir)
    outputs.provenance = scenario_provenance(file, scenario, seed, draws)
    for text, members in zip(bloc or [], blocs, strict=True):
        check_stood(members, projection.election, f"--bloc {text}", projection.stood)
    with outputs:  # an error or Ctrl-C leaves no file behind, the streamed draws included
        stream = outputs.stream_parquet(parquet_path)
        result = _simulate(scenario, projection, draws, seed, threads, blocs, stream)
        _print_result(result, f"{file.name}: {draws:,} draws, seed {seed}", blocs, seats, verbose)
        result.add_to(outputs, json=json_path, csv=csv_path, blocs=blocs)  # the draws were streamed
        if plot is not None or battleground is not None:
            from sim.analysis.plots import battleground as battleground_chart
            from sim.analysis.plots import seat_distributions

            if plot is not None:
                outputs.add_figure(plot, seat_distributions([(file.stem, result)]))
            if battleground is not None:
                outputs.add_figure(battleground, battleground_chart(result))
        outputs.commit()


def _simulate(
    scenario: Scenario, projection: Projection, draws: int, seed: int, threads: int | None,
    blocs: list[list[str]], stream: ParquetStream | None,
) -> SimulationResult:  # fmt: skip
    """Simulate with a progress bar (from 200,000 draws), each batch of draws written to ``stream``."""
    from sim.montecarlo.results import draws_frame
    from sim.run import simulate_projection

    parties = projection.election.parties

    def write_batch(first: int, counts: np.ndarray, shares: np.ndarray) -> None:
        assert stream is not None
        stream.write(draws_frame(parties, first, counts, shares))

    columns = (TextColumn("simulating"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    # No refresh thread: a thread started before the kernel would not hold Ctrl-C (sim.montecarlo.simulate).
    with Progress(*columns, console=err_console, transient=True, disable=draws < 200_000, auto_refresh=False) as bar:
        task = bar.add_task("draws", total=draws)

        def advance(n: int) -> None:
            bar.advance(task, n)
            bar.refresh()

        return simulate_projection(scenario, projection, draws, seed, threads=threads, progress=advance,
                                   blocs=blocs, on_batch=write_batch if stream is not None else None)  # fmt: skip


def _print_result(result: SimulationResult, title: str, blocs: list[list[str]], seats: int, verbose: bool) -> None:
    """What ``run`` prints: notes, the party table, the headline, blocs, seat labels, the closest seats."""
    print_notes(result.projection.notes, verbose)
    console.print(_summary_table(result, title))
    console.print(result.headline())
    for members in blocs:
        b = result.bloc(members)
        console.print(
            f"bloc {'+'.join(members)}: mean {b['mean']:.1f} seats (90% {b['p5']:.0f}-{b['p95']:.0f}), "
            f"P(majority) {b['p_majority']:.3f}, P(effective majority) {b['p_effective_majority']:.3f}"
        )
    frame = result.seat_columns()
    labels = list(frame["label"])
    console.print(
        "seats: " + ", ".join(f"{labels.count(k)} {k}" for k in ("safe", "likely", "lean", "toss-up"))
        + f"; expected changes of hands against {result.projection.election.name}: {frame['p_change'].sum():.1f}"
    )  # fmt: skip
    if seats:
        close = np.argsort(frame["p_favourite"], kind="quicksort")[:seats]
        shown = {name: frame[name][close] for name in ("base_winner", "favourite", "p_favourite", "label")}
        console.print(columns_table("seat", list(frame["seat"][close]), shown, f"the {seats} closest seats",
                                    percent=("p_favourite",)))  # fmt: skip


def _terminated(signum: int, frame: object) -> None:
    """SIGTERM or SIGHUP: leave like an error, so unfinished outputs are removed (exit 128 + signal)."""
    raise SystemExit(128 + signum)


def main() -> None:
    """Console-script entry point (Ctrl-C outside a command also ends with one line and 130).

    SIGTERM and SIGHUP end the command as an error does: the files not yet committed (a streamed
    ``--parquet`` included) are removed, and the exit code is 128 plus the signal's number.
    """
    import signal

    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), _terminated)
    try:
        app()
    except (KeyboardInterrupt, Exception) as exc:  # a Ctrl-C, bare or wrapped (see cli.common.Group)
        if not interrupted(exc):
            raise
        err_console.print("interrupted", highlight=False)
        raise SystemExit(INTERRUPTED) from None


if __name__ == "__main__":
    main()
