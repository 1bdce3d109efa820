"""``swingometer backtest``: past elections from their true shares, from their polls, and the error model's fit."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cli.common import (
    DataDirOption,
    ForceOption,
    Outputs,
    SeedOption,
    ThreadsOption,
    check_draws,
    console,
    simulating,
)
from cli.tables import frame_table, markdown_table
from sim.core.errors import SwingometerError

if TYPE_CHECKING:
    import pandas as pd

    from sim.backtest.pairs import Pair


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
                  "mean absolute value; c50/c90: 50%/90% intervals covering the actual totals (main: CON, LAB, LD, "
                  "SNP only); P(result): the probability given to what happened. The error model is measured on the "
                  "other elections, later ones included.")  # fmt: skip
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


SCORE_COLUMNS = ("brier", "log", "c50", "c90", "main c50", "main c90", "P(result)")


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
                    "c90": f"{sc.cover90}/7", "main c50": f"{sc.cover50_main}/4", "main c90": f"{sc.cover90_main}/4",
                    "P(result)": f"{sc.p_outcome:.0%}"}  # fmt: skip
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
