"""``swingometer compare``, ``sweep`` and ``coalitions``."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from cli.common import (
    DataDirOption,
    DrawsOption,
    ForceOption,
    Outputs,
    SeedOption,
    ThreadsOption,
    check_draws,
    console,
    err_console,
    simulating,
)
from cli.report_cmd import check_html_path
from cli.tables import frame_table
from sim.core.errors import SwingometerError
from sim.core.parties import PARTIES, party_index

if TYPE_CHECKING:
    from sim.montecarlo.results import SimulationResult

PlotOption = Annotated[Path | None, typer.Option("--plot", help="Write a chart (.png or .svg).")]
SWEEP_ROWS = 60
"""Grid points ``sweep`` prints (the CSV has them all)."""
COMPARE_ROWS = 25
"""Seats ``compare`` prints (the largest changes of favourite first)."""


def _progress(total: int, label: str) -> Progress:
    columns = (TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), TimeRemainingColumn())
    return Progress(*columns, console=err_console, transient=True, disable=total < 2)


@simulating
def compare(
    files: Annotated[list[Path], typer.Argument(help="Two or more scenario files on the same boundaries.")],
    draws: DrawsOption = 10_000,
    seed: SeedOption = 1,
    plot: PlotOption = None,
    json_path: Annotated[Path | None, typer.Option("--json", help="Write summaries and seat changes as JSON.")] = None,
    csv_path: Annotated[Path | None, typer.Option("--csv", help="Write the seats that change hands as CSV.")] = None,
    html: Annotated[
        Path | None, typer.Option("--html", help="Write an offline HTML page: the maps side by side, changes outlined.")
    ] = None,
    systems: Annotated[
        bool, typer.Option("--systems", help="Also each projection under other voting systems (docs/systems.md).")
    ] = False,
    threads: ThreadsOption = None,
    data_dir: DataDirOption = None,
    force: ForceOption = False,
) -> None:
    """Compare scenarios on common random numbers: seats, majority odds, seats changing hands."""
    from sim.analysis.comparison import comparison_tables
    from sim.analysis.sweep import simulate_scenarios
    from sim.provenance import elections_read
    from sim.scenario.load import load_scenario

    if len(files) < 2:
        raise SwingometerError("compare needs at least two scenario files")
    check_html_path(html, "--html")
    outputs = Outputs(force, [plot, json_path, csv_path, html], figures=[plot])
    stems = [f.stem for f in files]
    twice = sorted({s for s in stems if stems.count(s) > 1})
    if twice:
        raise SwingometerError(
            f"two scenario files are named {twice[0]} (the tables name each scenario by its file name); "
            "rename or copy one of them"
        )
    named = [(f.stem, load_scenario(f)) for f in files]
    outputs.describe(scenario_files=files, elections=sorted({e for _, s in named for e in elections_read(s)}),
                     seed=seed, draws=draws)  # fmt: skip
    with _progress(len(files), "scenarios") as bar:
        results = simulate_scenarios(named, draws, seed, data_dir=data_dir)
        bar.update(bar.add_task("", total=len(files)), completed=len(files))
    summary, moves = comparison_tables(results)
    console.print(frame_table(summary, f"{len(files)} scenarios, {draws:,} draws each, seed {seed} (common draws)"))
    shown = min(COMPARE_ROWS, len(moves))
    title = (f"{len(moves)} seats whose favourite differs from {results[0][0]}'s (showing {shown}, the largest changes "
             "first; --csv and --json have them all)")  # fmt: skip
    console.print(
        frame_table(
            moves.head(COMPARE_ROWS).set_index("seat"),
            title,
            percent=tuple(str(c) for c in moves.columns if str(c).startswith("p_") or str(c) == "change"),
        )
    )
    by_system: dict[str, dict[str, Any]] = {}
    if systems:
        table, by_system = _systems_table(results, [s.preferences for _, s in named], data_dir)
        console.print(table)
    if plot is not None:
        from sim.analysis.plots import seat_distributions

        outputs.add_figure(plot, seat_distributions(results))
    if json_path is not None:
        doc = {"draws": draws, "seed": seed, "summary": json.loads(summary.to_json(orient="index")),
               "changes": json.loads(moves.to_json(orient="records"))}  # fmt: skip
        if systems:
            doc["systems"] = by_system
        outputs.add(json_path, json.dumps(doc, indent=1) + "\n")
    if csv_path is not None:
        outputs.add(csv_path, moves.to_csv(index=False))
    if html is not None:
        from sim.data.hexmap import load_hexmap
        from sim.report import comparison_html

        hexmap = load_hexmap(results[0][1].projection.election, data_dir)
        runs = [(name, scenario, result) for (name, scenario), (_, result) in zip(named, results, strict=True)]
        outputs.add(html, comparison_html(runs, hexmap))
    outputs.commit()


def _systems_table(
    results: list[tuple[str, SimulationResult]], preferences: list[dict[str, dict[str, float]]], data_dir: Path | None
) -> tuple[Table, dict[str, dict[str, Any]]]:
    """Each scenario's projection under every system: the largest party's seats of the house, and Gallagher's index."""
    from sim.systems.preferences import projection_outcomes
    from sim.systems.rules import SYSTEMS, systems_for

    table = Table(title="the projections under other voting systems (largest party, seats of the house; Gallagher)")
    table.add_column("system")
    for name, _ in results:
        table.add_column(name, justify="right")
    found = {}
    for (name, result), rows in zip(results, preferences, strict=True):
        chosen = systems_for(result.projection.election.boundaries)
        found[name] = {o.system.key: o for o in projection_outcomes(result.projection, chosen, rows, data_dir)}
    by_system = {name: {key: {"seats": {PARTIES[k]: int(v) for k, v in enumerate(o.seats) if v},
                              "house": o.house, **o.indices()} for key, o in found[name].items()}
                 for name, _ in results}  # fmt: skip
    for system in SYSTEMS.values():
        if not any(system.key in found[name] for name, _ in results):
            continue
        cells = []
        for name, _ in results:
            if system.key not in found[name]:
                cells.append("(not on these boundaries)")
                continue
            o = found[name][system.key]
            top = int(o.seats.argmax())
            mark = " maj." if o.seats[top] >= o.majority else ""
            cells.append(f"{PARTIES[top]} {o.seats[top]}/{o.house}{mark}; {o.indices()['gallagher']:.1f}")
        table.add_row(system.label, *cells)
    return table, by_system


@simulating
def sweep(
    file: Annotated[Path, typer.Argument(help="Scenario file (TOML).")],
    axes: Annotated[list[str], typer.Option("--set", help="PATH=LO:HI:N, e.g. steps.0.to.CON=0:1:21 (once or twice).")],
    draws: DrawsOption = 10_000,
    seed: SeedOption = 1,
    find: Annotated[
        str | None, typer.Option("--find", help='Bisect a 1-D sweep for a metric, e.g. "P(CON majority)=0.5".')
    ] = None,
    metric: Annotated[
        list[str] | None, typer.Option("--metric", help='Extra columns, e.g. "P(LAB+LD+SNP majority)".')
    ] = None,
    scheduler: Annotated[
        str | None, typer.Option("--scheduler", help="Run on a Dask cluster: tcp://HOST:PORT.")
    ] = None,
    plot: PlotOption = None,
    csv_path: Annotated[Path | None, typer.Option("--csv", help="Write every grid point as CSV.")] = None,
    parquet_path: Annotated[Path | None, typer.Option("--parquet", help="Write every grid point as Parquet.")] = None,
    threads: ThreadsOption = None,
    data_dir: DataDirOption = None,
    force: ForceOption = False,
) -> None:
    """Sweep numeric scenario parameters over a 1-D or 2-D grid on common random numbers."""
    from sim.analysis.executors import DaskExecutor, LocalExecutor
    from sim.analysis.sweep import Axis, check_axes, find_threshold, parse_target
    from sim.analysis.sweep import sweep as run_sweep
    from sim.montecarlo.metrics import check_metric
    from sim.provenance import scenario_provenance
    from sim.scenario.load import load_scenario
    from sim.scenario.paths import canonical_path

    outputs = Outputs(force, [plot, csv_path, parquet_path], figures=[plot])
    parsed = check_axes([Axis.parse(a) for a in axes])
    scenario = load_scenario(file)
    parsed = [Axis(canonical_path(scenario, a.path), a.values) for a in parsed]  # the table's column names
    outputs.provenance = scenario_provenance(file, scenario, seed, draws)
    metrics = [check_metric(m) for m in metric or []]
    if find is not None:
        if len(parsed) != 1:
            raise SwingometerError("--find works along one --set axis")
        expression, value = parse_target(find)
        with _progress(30, "bisecting") as bar:
            task = bar.add_task("", total=None)
            found = find_threshold(scenario, parsed[0], expression.strip(), value, draws, seed, data_dir=data_dir,
                                   progress=lambda n: bar.advance(task, n))  # fmt: skip
        for x, y in sorted(found.evaluations):
            console.print(f"  {found.path} = {x:.3f}: {found.metric} = {y:.3f}")
        if found.value is None:
            console.print(f"{found.metric} does not cross {value:g} between {found.low:g} and {found.high:g}")
        else:
            se = found.se
            error = (f" (Monte Carlo se {se:.3f} at {draws:,} draws; more --draws narrow it)" if se is not None
                     else " (its Monte Carlo error: rerun with another --seed to see it)")  # fmt: skip
            console.print(f"{found.metric} = {value:g} at {found.path} = {found.value:.3f}{error}")
        return
    executor = DaskExecutor(check_scheduler(scheduler)) if scheduler else LocalExecutor()
    points = math.prod(len(a.values) for a in parsed)
    try:
        with _progress(points, "grid points") as bar:
            task = bar.add_task("", total=points)
            frame = run_sweep(scenario, parsed, draws, seed, data_dir=data_dir, metrics=metrics, executor=executor,
                              progress=lambda n: bar.advance(task, n))  # fmt: skip
    finally:
        if isinstance(executor, DaskExecutor):
            executor.close()
    leaders = [c.split(".")[0] for c in frame.columns if c.endswith(".mean")]
    leaders = sorted(leaders, key=lambda p: -frame[f"{p}.mean"].mean())[:3]
    shown = [a.path for a in parsed] + [f"{p}.mean" for p in leaders] + [f"{leaders[0]}.p_majority"] + metrics
    rows = min(SWEEP_ROWS, len(frame))
    more = f" (showing {rows}; --csv has every point)" if rows < len(frame) else ""
    title = f"{file.name}: {points} points x {draws:,} draws{more}"
    console.print(frame_table(frame[shown].head(rows).set_index(parsed[0].path), title))
    if plot is not None:
        from sim.analysis.plots import sweep_heatmap, sweep_lines

        if len(parsed) == 1:
            fig = sweep_lines(frame, parsed[0].path, leaders, metrics[0] if metrics else f"{leaders[0]}.p_majority")
        else:
            fig = sweep_heatmap(
                frame, parsed[0].path, parsed[1].path, metrics[0] if metrics else f"{leaders[0]}.p_majority"
            )
        outputs.add_figure(plot, fig)
    if csv_path is not None:
        outputs.add(csv_path, frame.to_csv(index=False))
    if parquet_path is not None:
        outputs.add_parquet(parquet_path, frame.reset_index(drop=True))
    outputs.commit()


def check_scheduler(address: str) -> str:
    """Validate a scheduler address."""
    if not address.startswith(("tcp://", "tls://", "inproc://")):
        raise SwingometerError(f"--scheduler '{address}' should look like tcp://HOST:PORT")
    return address


@simulating
def coalitions(
    election: Annotated[
        str | None, typer.Option("--election", "-e", help="A real result: 2010 ... 2024, 2019-notional.")
    ] = None,
    scenario: Annotated[Path | None, typer.Option("--scenario", help="Or a scenario file, simulated.")] = None,
    draws: DrawsOption = 10_000,
    seed: SeedOption = 1,
    max_size: Annotated[int, typer.Option("--max-size", min=1, max=8, help="Largest coalition considered.")] = 5,
    require: Annotated[
        list[str] | None, typer.Option("--require", help="Only coalitions with this party (repeatable).")
    ] = None,
    exclude: Annotated[
        list[str] | None, typer.Option("--exclude", help="Only coalitions without this party (repeatable).")
    ] = None,
    top: Annotated[int, typer.Option("--top", min=1, max=500, help="Rows printed (the JSON has them all).")] = 20,
    json_path: Annotated[Path | None, typer.Option("--json", help="Write the table as JSON.")] = None,
    threads: ThreadsOption = None,
    data_dir: DataDirOption = None,
    force: ForceOption = False,
) -> None:
    """Which combinations of parties reach a majority and an effective majority, and how often."""
    from sim.analysis.coalitions import election_coalitions, simulated_coalitions

    if (election is None) == (scenario is None):
        raise SwingometerError("give either --election YEAR or --scenario FILE")
    if election is not None and (require or exclude):
        raise SwingometerError("--require and --exclude filter a simulated scenario's coalitions: give --scenario")
    outputs = Outputs(force, [json_path])
    check_draws(draws)
    if election is not None:
        from sim.data.election import load_election

        frame = election_coalitions(load_election(election, data_dir), max_size)
        console.print(frame_table(frame.set_index("parties"), f"minimal winning coalitions, {election} result"))
    else:
        assert scenario is not None
        from sim.run import run_file

        wanted = [PARTIES[party_index(c, where="--require")] for c in require or []]
        unwanted = [PARTIES[party_index(c, where="--exclude")] for c in exclude or []]
        result = run_file(scenario, draws, seed, data_dir=data_dir, keep_draws=True)  # coalitions need joint draws
        frame = simulated_coalitions(result, min(max_size, 3), wanted, unwanted)
        title = (f"{scenario.name}: who governs alone, {draws:,} draws (showing {min(top, len(frame))} of "
                 f"{len(frame)}; sorted by P(minimal winning))")  # fmt: skip
        percent = ("p_majority", "p_effective_majority", "p_minimal")
        console.print(frame_table(frame.head(top).set_index("parties"), title, percent=percent))
        console.print("p_minimal: the share of simulated elections in which the coalition has an effective majority "
                      "and needs every member (a party with a majority on its own is not counted again in larger "
                      "coalitions)")  # fmt: skip
    if json_path is not None:
        outputs.add(json_path, frame.to_json(orient="records", indent=1) + "\n")
    outputs.commit()
