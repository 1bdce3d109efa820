"""``swingometer compare``, ``sweep`` and ``coalitions``."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

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
from cli.tables import frame_table, markdown_table
from sim.core.errors import SwingometerError
from sim.core.parties import PARTIES, party_index
from sim.provenance import elections_read, scenario_provenance
from sim.scenario.load import load_scenario

if TYPE_CHECKING:
    import pandas as pd

    from sim.backtest.pairs import Pair

PlotOption = Annotated[Path | None, typer.Option("--plot", help="Write a chart (.png or .svg).")]


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
    threads: ThreadsOption = None,
    data_dir: DataDirOption = None,
    force: ForceOption = False,
) -> None:
    """Compare scenarios on common random numbers: seats, majority odds, seats changing hands."""
    from sim.analysis.comparison import comparison_tables
    from sim.analysis.sweep import simulate_scenarios

    if len(files) < 2:
        raise SwingometerError("compare needs at least two scenario files")
    check_html_path(html, "--html")
    outputs = Outputs(force, [plot, json_path, csv_path, html], figures=[plot])
    check_draws(draws, len(files))
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
    if plot is not None:
        from sim.analysis.plots import seat_distributions

        outputs.add_figure(plot, seat_distributions(results))
    if json_path is not None:
        doc = {"draws": draws, "seed": seed, "summary": json.loads(summary.to_json(orient="index")),
               "changes": json.loads(moves.to_json(orient="records"))}  # fmt: skip
        outputs.add(json_path, json.dumps(doc, indent=1) + "\n")
    if csv_path is not None:
        outputs.add(csv_path, moves.to_csv(index=False))
    if html is not None:
        from sim.report import comparison_html
        from sim.report.hexmap import load_hexmap

        hexmap = load_hexmap(results[0][1].projection.election, data_dir)
        runs = [(name, scenario, result) for (name, scenario), (_, result) in zip(named, results, strict=True)]
        outputs.add(html, comparison_html(runs, hexmap))
    outputs.commit()


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

    outputs = Outputs(force, [plot, csv_path, parquet_path], figures=[plot])
    check_draws(draws)
    parsed = check_axes([Axis.parse(a) for a in axes])
    scenario = load_scenario(file)
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
        result = run_file(scenario, draws, seed, data_dir=data_dir)
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


@simulating
def backtest(
    earlier: Annotated[
        str | None, typer.Option("--from", help="Earlier election (2005-notional, 2010, 2015, 2017, 2019-notional).")
    ] = None,
    later: Annotated[str | None, typer.Option("--to", help="Later election, projected from the earlier one.")] = None,
    method: Annotated[
        str,
        typer.Option(
            "--method",
            help="uniform, proportional, stm, linked or multiparty (the best model, the default; region scope).",
        ),
    ] = "multiparty",
    scope: Annotated[
        str, typer.Option("--scope", help="gb, nation or region: where the true shares are given.")
    ] = "region",
    all_pairs: Annotated[bool, typer.Option("--all", help="Every pair, method and scope, as one table.")] = False,
    in_sample: Annotated[
        bool,
        typer.Option(
            "--in-sample", help="Fit linked and multiparty on the predicted election itself: a bound, not a score."
        ),
    ] = False,
    draws: Annotated[
        int, typer.Option("--draws", min=0, help="Also simulate: Brier and log scores, interval coverage (0: no).")
    ] = 0,
    seed: SeedOption = 1,
    calibrate: Annotated[
        bool, typer.Option("--calibrate", help="Refit the default error model to the backtests and print it.")
    ] = False,
    forecast: Annotated[
        bool,
        typer.Option(
            "--forecast",
            help="Forecast 2010-2024 from each eve's polls (the model fitted on earlier elections only); "
            "--to picks one election.",
        ),
    ] = False,
    json_path: Annotated[Path | None, typer.Option("--json", help="Write the scores as JSON.")] = None,
    markdown_path: Annotated[Path | None, typer.Option("--markdown", help="Write the table as Markdown.")] = None,
    write_scenario: Annotated[
        Path | None,
        typer.Option(
            "--write-scenario",
            help="Write the scenario this backtest projects (one pair); `swingometer project` on it gives its seats.",
        ),
    ] = None,
    threads: ThreadsOption = None,
    data_dir: DataDirOption = None,
    force: ForceOption = False,
) -> None:
    """Project a later election from an earlier one with its true shares, and score the seats."""
    from sim.backtest.pairs import CALIBRATION_PAIRS, load_pairs
    from sim.backtest.scores import knife_edges, run_backtest, score_frame

    outputs = Outputs(force, [json_path, markdown_path, write_scenario])
    if forecast:
        if all_pairs or calibrate or in_sample or earlier is not None:
            given = "--all" if all_pairs else "--calibrate" if calibrate else "--in-sample" if in_sample else "--from"
            raise SwingometerError(f"--forecast scores each election from its own eve's polls: drop {given}")
        _print_forecasts(later, method, draws, seed, data_dir, json_path, markdown_path, write_scenario, outputs)
        outputs.commit()
        return
    if write_scenario is not None and (all_pairs or calibrate):
        given = "--all" if all_pairs else "--calibrate"
        raise SwingometerError(f"--write-scenario writes one pair's scenario: give --from and --to, not {given}")
    check_draws(draws)
    if calibrate:
        _print_calibration(load_pairs(data_dir, CALIBRATION_PAIRS), data_dir, json_path, outputs)
        outputs.commit()
        return
    if all_pairs and (earlier is not None or later is not None):
        raise SwingometerError("--all runs every pair: give --all, or --from and --to, not both", field="pair")
    run = run_backtest(
        None if all_pairs else (earlier, later), method, scope, draws=draws, seed=seed, in_sample=in_sample,
        data_dir=data_dir,
    )  # fmt: skip
    pairs, scores = run.pairs, run.scores
    frame = score_frame(scores)
    console.print(frame_table(frame.set_index("pair"), "backtest: GB seats called wrong from the true shares"))
    edges = _knife_edge_frame([knife_edges(p.later) for p in pairs])
    console.print(frame_table(edges, "knife-edges: close GB seats, and the misses expected at a margin-error spread"))
    if len(scores) == 1:
        errors = ", ".join(f"{p} {v:+d}" for p, v in scores[0].seat_error.items() if v)
        console.print(f"seat error by party (projected - actual): {errors or 'none'}")
        if scores[0].simulation is not None:
            for party, v in scores[0].simulation.intervals.items():
                console.print(f"  {party}: actual {v['actual']}, 50% {v['50']}, 90% {v['90']}")
    if draws:
        sims = [s.simulation for s in scores if s.simulation is not None]
        for level in ("50", "90"):
            hit, n = (sum(x) for x in zip(*(sim.covered(level) for sim in sims), strict=True))
            console.print(f"{level}% intervals of party seat totals cover the actual total {hit}/{n} ({hit / n:.0%})")
    if markdown_path is not None:
        outputs.add(markdown_path, markdown_table(frame.set_index("pair")) + "\n" + markdown_table(edges))
    command = f"swingometer backtest --from {earlier} --to {later} --method {method} --scope {scope}"
    note = f"Written by: {command}\nReproduce its seats with: swingometer project {getattr(write_scenario, 'name', '')}"
    run.add_to(outputs, json=json_path, scenario=write_scenario, note=note)
    outputs.commit()


def _print_forecasts(
    later: str | None, method: str, draws: int, seed: int, data_dir: Path | None, json_path: Path | None,
    markdown_path: Path | None, write_scenario: Path | None, outputs: Outputs,
) -> None:  # fmt: skip
    from sim.backtest.forecast import FORECASTS, forecast, forecasts_json
    from sim.backtest.pairs import load_pairs
    from sim.scenario.write import to_toml

    if later is not None and later not in FORECASTS:
        raise SwingometerError(f"forecasts are of {', '.join(FORECASTS)}; --to {later} is not one", field="to")
    if write_scenario is not None and later is None:
        raise SwingometerError("--write-scenario writes one forecast's scenario: give --to, e.g. --to 2024")
    pairs = load_pairs(data_dir)
    runs = [forecast(e, method, draws=draws, seed=seed, data_dir=data_dir, pairs=pairs)
            for e in ([later] if later else FORECASTS)]  # fmt: skip
    scores = [sc for sc, _ in runs]
    frame = forecast_frame(scores)
    seats = [c for c in frame.columns if c not in SCORE_COLUMNS]
    console.print(frame_table(frame[seats], f"forecasts from the eve-of-poll polls ({method}, fitted on earlier "
                              "elections)"))  # fmt: skip
    if draws:
        console.print(frame_table(frame[list(SCORE_COLUMNS)], f"forecast probabilities ({draws:,} draws)"))
    console.print("wrong: GB seats called wrong; seat errors (forecast - actual), REF*: UKIP/Brexit/Reform; MAE: their "
                  "mean absolute value; c50/c90: 50%/90% intervals covering the actual totals; P(result): the "
                  "probability given to what happened")  # fmt: skip
    for sc in scores:
        detail = ", ".join(f"{p} {v:+d}" for p, v in sc.seat_error.items())
        console.print(f"{sc.election}: seat error {detail}; polls read {sc.polls}")
        if sc.draws:
            top = ", ".join(f"{k} {v:.0%}" for k, v in list(sc.outcomes.items())[:3])
            console.print(f"  outcomes: {top}; what happened: {sc.outcome} (given {sc.p_outcome:.0%})")
    if json_path is not None:
        outputs.add(json_path, forecasts_json(scores))
    if markdown_path is not None:
        outputs.add(markdown_path, markdown_table(frame))
    if write_scenario is not None:
        command = f"swingometer backtest --forecast --to {later} --method {method}"
        note = f"Written by: {command}\nReproduce its seats with: swingometer project {write_scenario.name}"
        outputs.add(write_scenario, to_toml(runs[0][1], note))


SCORE_COLUMNS = ("brier", "log", "c50", "c90", "P(result)")
SWEEP_ROWS = 60
"""Grid points ``sweep`` prints (the CSV has them all)."""
COMPARE_ROWS = 25
"""Seats ``compare`` prints (the largest changes of favourite first)."""


def forecast_frame(scores: list[Any]) -> pd.DataFrame:
    """One row per forecast election: seats wrong, seat errors, their MAE and, when simulated, the scores."""
    import pandas as pd

    rows = []
    for sc in scores:
        row: dict[str, object] = {"election": sc.election, "wrong": sc.gb_wrong}
        row |= {("REF*" if p == "UKIP/BRX/REF" else p): sc.seat_error[p] for p in sc.seat_error}
        row["MAE"] = f"{sc.mae:.1f}"
        if sc.draws:
            row |= {"brier": f"{sc.brier:.3f}", "log": f"{sc.log_score:.3f}", "c50": f"{sc.cover50}/7",
                    "c90": f"{sc.cover90}/7", "P(result)": f"{sc.p_outcome:.0%}"}  # fmt: skip
        rows.append(row)
    return pd.DataFrame(rows).set_index("election")


def _knife_edge_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """One row per election: seats won by under 2 and 5 points; expected misses per spread."""
    import pandas as pd

    return pd.DataFrame([
        {"election": r["later"], "won_<2pt": r["close"]["2"], "won_<5pt": r["close"]["5"]}
        | {f"miss@{float(sd) * 100:g}pt": round(v, 1) for sd, v in r["expected_wrong"].items()}
        for r in rows
    ]).set_index("election")  # fmt: skip


def _print_calibration(pairs: list[Pair], data_dir: Path | None, json_path: Path | None, outputs: Outputs) -> None:
    import dataclasses

    import pandas as pd

    from sim.backtest.calibrate import calibrate, calibration_check

    cal = calibrate(pairs, data_dir)
    scores = pd.DataFrame(cal.scores).T
    console.print(frame_table(scores, "coverage of party seat totals and scores at the defaults (multiparty model)"))
    unc = cal.uncertainty()
    console.print(
        f"measured: national {cal.national:.4f} (eve-of-poll averages, net of their own variance), "
        f"lead {cal.lead:.4f}, regional {cal.regional:.4f}, "
        f"contest {cal.contest:.4f}, seat {cal.seat:.4f} (net of slopes and contest types), slopes "
        + ", ".join(f"{c} {v:.3f}" for c, v in cal.slopes.items())
    )
    console.print("nation deviations by nation: " + ", ".join(f"{n} {v:.3f}" for n, v in cal.nations.items())
                  + "; independent scales giving them once centred: "
                  + ", ".join(f"{n} {v:.3f}" for n, v in cal.nation_scales.items()))  # fmt: skip
    console.print(
        f"defaults: national = {unc.national}, lead = {unc.lead}, regional = {unc.regional}, "
        f"contest = {unc.contest}, seat = {unc.seat}, "
        "nations = { " + ", ".join(f'"{n}" = {v}' for n, v in unc.nations.items()) + " }, "
        "slopes = { " + ", ".join(f"{c} = {v}" for c, v in unc.slopes.items()) + " }"
    )
    check = calibration_check(unc, data_dir)
    console.print(
        frame_table(
            check,
            "calibration check: simulated GB-share sd (2019 base, defaults) against the eve-of-poll averages' errors",
        )
    )
    if json_path is not None:
        outputs.add(json_path, json.dumps(dataclasses.asdict(cal), indent=1) + "\n")
