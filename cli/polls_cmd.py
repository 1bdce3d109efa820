"""``swingometer polls``: the poll average as of a date, its trend, and a scenario file from it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from cli.common import DataDirOption, ForceOption, Outputs, console, print_notes
from cli.tables import frame_table
from sim.core.errors import SwingometerError
from sim.polls import NAMES


def polls(
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="The date, YYYY-MM-DD (default: the last poll's last fieldwork day).")
    ] = None,
    source: Annotated[
        list[str] | None,
        typer.Option("--source", help=f"{', '.join(NAMES)} or a poll file (repeatable; default pollbase)."),
    ] = None,
    plot: Annotated[Path | None, typer.Option("--plot", help="Draw the trend and the polls (.png or .svg).")] = None,
    json_path: Annotated[
        Path | None, typer.Option("--json", help="Write per scope and party the mean share and its 90% interval.")
    ] = None,
    scenario: Annotated[
        Path | None, typer.Option("--scenario", help="Write a scenario file (TOML) that projects these polls.")
    ] = None,
    base: Annotated[
        str | None, typer.Option("--base", help="The scenario's base election (default: the last before the date).")
    ] = None,
    method: Annotated[str, typer.Option("--method", help="The scenario's swing method.")] = "multiparty",
    window: Annotated[int, typer.Option("--window", min=7, max=3650, help="Days of polls read before the date.")] = 365,
    data_dir: DataDirOption = None,
    force: ForceOption = False,
) -> None:
    """The poll average (a Kalman filter with house effects) as of a date, per scope with polls."""
    import pandas as pd

    from sim.analysis.nowcast import polls_scenario
    from sim.analysis.plots import poll_trend
    from sim.polls.average import Settings
    from sim.polls.sources import cached_average, cached_polls, latest
    from sim.polls.table import SCOPES
    from sim.scenario.write import to_toml

    outputs = Outputs(force, [plot, json_path, scenario], figures=[plot])
    sources = list(source) if source else ["pollbase"]
    table = cached_polls(tuple(sources), data_dir)
    if as_of is None:
        as_of = str(table["fieldwork_end"].max().date())
    else:
        try:
            pd.Timestamp(as_of)
        except ValueError:
            raise SwingometerError(f"--as-of '{as_of}' is not a date; write YYYY-MM-DD", field="as_of") from None
    settings = Settings(window=window)
    last = {sc: latest(table, sc, as_of) for sc in SCOPES}
    scopes = [sc for sc, day in last.items() if day is not None and (pd.Timestamp(as_of) - day).days <= window]
    if not scopes:
        first = table["fieldwork_end"].min().date()
        raise SwingometerError(
            f"no polls in {', '.join(sources)} ended in the {window} days to {as_of}; its polls run from {first} "
            f"to {table['fieldwork_end'].max().date()}", field="as_of",
        )  # fmt: skip
    averages = [cached_average(tuple(sources), sc, as_of, data_dir, settings) for sc in scopes]
    for avg in averages:
        frame = avg.to_frame()[["share", "low", "high"]]
        frame.columns = ["average", "5%", "95%"]
        last = avg.polls["fieldwork_end"].max().date()
        title = f"{avg.scope} poll average as of {as_of}: {len(avg.polls)} polls to {last} (90% interval)"
        console.print(frame_table(frame, title, percent=("average", "5%", "95%")))
        house = avg.house.copy()
        for party in avg.parties:
            house[party] = [f"{v:+.1f}" for v in house[party]]
        console.print(frame_table(house, f"{avg.scope} house effects (points; they sum to zero over pollsters)"))
        print_notes(avg.notes)
    if json_path is not None:
        doc = {"as_of": as_of, "sources": sources, "settings": settings.__dict__,
               "scopes": {avg.scope: avg.to_dict() for avg in averages}}  # fmt: skip
        outputs.add(json_path, json.dumps(doc, indent=1) + "\n")
    if plot is not None:
        outputs.add_figure(plot, poll_trend(averages))
    if scenario is not None:
        written = polls_scenario(as_of, sources, method=method, base=base, data_dir=data_dir)
        command = f"swingometer polls --as-of {as_of} " + " ".join(f"--source {x}" for x in sources)
        outputs.add(scenario, to_toml(written, f"Written by: {command} --scenario {scenario.name}"))
    outputs.commit()
