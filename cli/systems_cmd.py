"""``swingometer systems``: the same votes under other voting systems, with disproportionality."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from cli.common import DataDirOption, ForceOption, Outputs, console
from cli.tables import export
from sim.core.errors import SwingometerError

if TYPE_CHECKING:
    import pandas as pd

INDEX_ROWS = ("Gallagher index", "Loosemore-Hanby index", "eff. parties (votes)", "eff. parties (seats)")


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
            "national-sainte-lague, ams-scottish, ams-senedd-1999 (default: all).",
        ),
    ] = None,
    threshold: Annotated[
        float, typer.Option("--threshold", min=0.0, max=0.5, help="Share of the UK vote a party needs for list seats.")
    ] = 0.0,
    json_path: Annotated[Path | None, typer.Option("--json", help="Write the table as JSON.")] = None,
    csv_path: Annotated[Path | None, typer.Option("--csv", help="Write the table as CSV.")] = None,
    data_dir: DataDirOption = None,
    force: ForceOption = False,
) -> None:
    """Seats per party under FPTP, list PR and AMS from the same votes, with disproportionality indices."""
    from sim.systems.rules import outcomes, parse_systems, systems_frame

    if (election is None) == (file is None):
        raise SwingometerError("give either a scenario FILE or --election YEAR (e.g. --election 2024)")
    chosen = parse_systems(names)
    outputs = Outputs(force, [json_path, csv_path])
    if election is not None:
        from sim.data.election import load_election

        e = load_election(election, data_dir)
        votes, winners, regions, title = e.votes, e.winners, e.regions, f"the {e.name} result"
        outputs.describe(elections=[e.name])
    else:
        assert file is not None
        from sim.provenance import scenario_provenance
        from sim.run import project_file

        scenario, projection = project_file(file, data_dir)
        e = projection.election
        votes, winners, regions, title = projection.votes, projection.winners, e.regions, f"{file.name} (projected)"
        outputs.provenance = scenario_provenance(file, scenario)
    frame = systems_frame(outcomes(votes, winners, regions, chosen, threshold), e.parties)
    if threshold:
        title += f", list seats for parties with {threshold:.1%} of the UK vote"
    console.print(_table(frame, f"{title}: seats under each system"))
    console.print(
        "The votes are the first-past-the-post votes as cast (or projected): under another system people would vote "
        "differently, which no model here knows (docs/systems.md)."
    )
    export(frame, json_path, csv_path, outputs)
    outputs.commit()


def _table(frame: pd.DataFrame, title: str) -> Table:
    """The systems table as printed: whole seats, the vote share and the indices to one decimal."""
    table = Table(title=title)
    table.add_column("party")
    for col in frame.columns:
        table.add_column(str(col), justify="right")
    for name, row in frame.iterrows():
        whole = name in ("house", "majority") or name not in INDEX_ROWS
        cells = [f"{row['vote %']:.1f}" if row["vote %"] == row["vote %"] else ""]
        cells += [f"{v:,.0f}" if whole else f"{v:.2f}" for v in row.iloc[1:]]
        table.add_row(str(name), *cells, end_section=name == "majority")
    return table
