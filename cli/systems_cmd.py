"""``swingometer systems``: the same votes under other voting systems, with disproportionality."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from cli.common import (
    DRAWS_MAX,
    DataDirOption,
    ForceOption,
    Outputs,
    SeedOption,
    ThreadsOption,
    check_threads,
    console,
    threads_used,
)
from cli.tables import export
from sim.core.errors import SwingometerError
from sim.systems.indices import INDEX_NAMES

if TYPE_CHECKING:
    import pandas as pd

INDEX_KEYS = INDEX_NAMES
"""The index rows of the simulated table (``simulated_frame``'s keys) and their names."""


def systems(
    file: Annotated[Path | None, typer.Argument(help="Scenario file (TOML), projected; or give --election.")] = None,
    election: Annotated[
        str | None, typer.Option("--election", "-e", help="A real result: 2010 ... 2024, 2019-notional.")
    ] = None,
    names: Annotated[
        str | None,
        typer.Option(
            "--systems",
            help="Comma-separated: fptp, list-dhondt, list-sainte-lague, national-dhondt, "
            "national-sainte-lague, ams-scottish, ams-senedd-1999, av, av-plus, stv, senedd-2026 (default: all; "
            "senedd-2026 on the 2024 boundaries only).",
        ),
    ] = None,
    source: Annotated[
        str | None,
        typer.Option(
            "--preferences",
            help="AV, AV+ and STV: whose later preferences, yougov-2024 (2019-2024 switchers) or bes-2019 "
            "(2017-2019); default yougov-2024. A scenario's [preferences] rows replace the matrix's.",
        ),
    ] = None,
    threshold: Annotated[
        float,
        typer.Option(
            "--threshold",
            min=0.0,
            max=0.2,
            help="Share of the UK vote, or of a region's, a party needs for list and top-up seats there (at most "
            "0.2; not the Senedd's lists, which have no threshold in law).",
        ),
    ] = 0.0,
    draws: Annotated[
        int, typer.Option("--draws", "-n", min=0, max=DRAWS_MAX, help="Simulated elections (0: the votes as they are).")
    ] = 0,
    seed: SeedOption = 1,
    threads: ThreadsOption = None,
    json_path: Annotated[
        Path | None, typer.Option("--json", help="Write the tables as JSON (with --draws, the simulated one too).")
    ] = None,
    csv_path: Annotated[Path | None, typer.Option("--csv", help="Write the seats-and-indices table as CSV.")] = None,
    districts_path: Annotated[
        Path | None,
        typer.Option("--districts", help="Write the districts of STV and the Senedd's lists as CSV, seat by seat."),
    ] = None,
    data_dir: DataDirOption = None,
    force: ForceOption = False,
) -> None:
    """Seats per party under FPTP, AV, list PR, AMS, AV+, STV and the Senedd's lists from the same votes."""
    import json

    from sim.data.fetch import recording_reads
    from sim.data.registry import BY_PATH
    from sim.provenance import scenario_provenance
    from sim.run import project_checked, project_file
    from sim.scenario.load import parse_scenario
    from sim.systems.preferences import SOURCES, preferences_for, projection_outcomes
    from sim.systems.rules import needs_preferences, parse_systems, systems_for, systems_frame

    if (election is None) == (file is None):
        raise SwingometerError("give either a scenario FILE or --election YEAR (e.g. --election 2024)")
    chosen = parse_systems(names)  # all, if not named: those the boundaries have are kept below
    if source is not None and source not in SOURCES:
        raise SwingometerError(f"--preferences {source}: choose one of {', '.join(SOURCES)}")
    if source is not None and not needs_preferences(chosen):
        raise SwingometerError(
            "--preferences applies to av, av-plus and stv, which transfer votes: choose one in --systems"
        )
    if threshold and not any(s.thresholded for s in chosen):
        raise SwingometerError(
            "--threshold applies to list and top-up seats (list-*, national-*, ams-*, av-plus): choose one in --systems"
        )
    check_threads(threads)
    if threads is not None and not draws:
        raise SwingometerError("--threads applies to the simulation: add --draws N (e.g. --draws 10000)")
    outputs = Outputs(force, [json_path, csv_path, districts_path])
    if election is not None:  # the real result, simulated with the default errors as a scenario with no steps
        scenario = parse_scenario({"schema": 1, "base": election})
        projection = project_checked(scenario, data_dir, name=f"--election {election}")
        title = f"the {projection.election.name} result"
        outputs.describe(elections=[projection.election.name], seed=seed if draws else None, draws=draws or None)
    else:
        assert file is not None
        scenario, projection = project_file(file, data_dir)
        title = f"{file.name} (projected)"
        outputs.provenance = scenario_provenance(file, scenario, seed if draws else None, draws or None)
    e = projection.election
    if names is None:
        chosen = systems_for(e.boundaries)
    if districts_path is not None and not any(s.districts for s in chosen):
        raise SwingometerError("--districts writes the districts of stv and senedd-2026: choose one in --systems")
    source = source or SOURCES[0]
    with recording_reads() as reads:
        found = projection_outcomes(projection, chosen, scenario.preferences, data_dir, threshold, source)
        prefs = preferences_for(scenario.preferences, source, data_dir) if needs_preferences(chosen) else None
    outputs.provenance["data"] = dict(sorted({**outputs.provenance.get("data", {}),
                                              **{f: BY_PATH[f].sha256 for f in reads}}.items()))  # fmt: skip
    outputs.provenance["systems"] = [s.key for s in chosen]
    outputs.provenance["threshold"] = threshold
    if prefs is not None:
        outputs.provenance["preferences"] = source
    frame = systems_frame(found, e.parties, projection.votes.sum(axis=0))
    if threshold:
        title += f", list and top-up seats for parties with at least {threshold:.1%} of the UK vote or of the region's"
    console.print(_table(frame, f"{title}: seats under each system"))
    doc: dict[str, object] = {"votes_as_given": json.loads(frame.reset_index().to_json(orient="records"))}
    if draws:
        from sim.systems.simulate import simulate_systems, simulated_frame

        matrix, sd = (prefs.matrix, prefs.sd) if prefs else (None, None)
        with threads_used(threads):
            _, summaries = simulate_systems(scenario, projection, draws, seed, chosen, threshold, prefs=matrix,
                                            prefs_sd=sd, data_dir=data_dir)  # fmt: skip
        simulated = simulated_frame(summaries, e.parties)
        console.print(_simulated_table(simulated, f"{title}: {draws:,} simulated elections, seed {seed}"))
        doc["simulated"] = json.loads(simulated.to_json(orient="records"))
    console.print(
        "The votes are the first-past-the-post votes as cast (or projected): under another system people would vote "
        "differently, which no model here knows (docs/systems.md)."
    )
    if json_path is not None:
        outputs.add(json_path, json.dumps(doc, indent=1) + "\n")
    export(frame, None, csv_path, outputs)
    if districts_path is not None:
        from sim.systems.districts import districts_for, districts_frame

        named = districts_for({s.districts for s in chosen if s.districts}, e, data_dir)
        outputs.add(districts_path, districts_frame(named, e).to_csv(index=False))
    outputs.commit()


def _table(frame: pd.DataFrame, title: str) -> Table:
    """The systems table as printed: whole seats, the vote share and the indices to one decimal."""
    table = Table(title=title)
    table.add_column("party")
    for col in frame.columns:
        table.add_column(str(col), justify="right")
    for name, row in frame.iterrows():
        whole = name in ("house", "majority") or name not in INDEX_NAMES.values()
        cells = [f"{row['vote %']:.1f}" if row["vote %"] == row["vote %"] else ""]
        cells += [f"{v:,.0f}" if whole else f"{v:.2f}" for v in row.iloc[1:]]
        table.add_row(str(name), *cells, end_section=name == "majority")
    return table


def _simulated_table(frame: pd.DataFrame, title: str) -> Table:
    """Per party and system: mean seats and 90% interval, P(majority) of that system's house; then the indices."""
    systems = list(dict.fromkeys(frame["system"]))
    table = Table(title=title)
    table.add_column("party")
    for key in systems:
        table.add_column(key, justify="right")
    parties = [str(r) for r in dict.fromkeys(frame["row"]) if r not in ("house", *INDEX_KEYS)]
    cell: dict[tuple[str, str], dict[str, Any]] = {
        (str(r["system"]), str(r["row"])): {str(k): v for k, v in r.items()} for r in frame.to_dict("records")
    }
    for party in parties:
        cells = []
        for key in systems:
            r = cell.get((key, party))
            cells.append("" if r is None else f"{r['mean']:.0f} ({r['p5']:.0f}-{r['p95']:.0f})")
        table.add_row(party, *cells)
    for party in parties:
        odds = [float(cell[(k, party)]["p_majority"]) if (k, party) in cell else 0.0 for k in systems]
        if max(odds) >= 0.0005:
            table.add_row(f"P({party} majority)", *[f"{p:.3f}" for p in odds])
    table.add_row("house", *[f"{cell[(k, 'house')]['mean']:,.0f}" for k in systems], end_section=True)
    for key, name in INDEX_KEYS.items():
        rows = [cell[(k, key)] for k in systems]
        table.add_row(name, *[f"{r['mean']:.2f} ({r['p5']:.2f}-{r['p95']:.2f})" for r in rows])
    return table
