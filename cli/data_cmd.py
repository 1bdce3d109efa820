"""``swingometer data``: list, fetch, verify and inspect the public data files."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from cli.common import DataDirOption, Group, console
from sim.core.errors import DataError

app = typer.Typer(cls=Group, help="List, download, verify and inspect the election data.", no_args_is_help=True)


@app.command("list")
def list_files(data_dir: DataDirOption = None) -> None:
    """List every data file the engine reads, where it was found, and its origin."""
    from sim.data.fetch import all_files, locate

    table = Table(title="Swingometer data files")
    for col in ("file", "found in", "origin"):
        table.add_column(col, overflow="fold")
    for entry in all_files():
        found = locate(entry.path, data_dir)
        where = f"{found.source}: {found.path}" if found.path else "[red]missing[/red]"
        table.add_row(entry.path, where, entry.url)
    console.print(table)


@app.command()
def fetch(data_dir: DataDirOption = None) -> None:
    """Download every data file missing locally into the user cache and check its sha256."""
    from sim.data.fetch import all_files, data_path

    for entry in all_files():
        path = data_path(entry.path, data_dir)
        console.print(f"[green]ok[/green] {entry.path} ({path})")


@app.command()
def verify(data_dir: DataDirOption = None) -> None:
    """Check the sha256 of every data file found locally (downloads nothing)."""
    from sim.data.fetch import all_files, locate, sha256_of

    bad = 0
    for entry in all_files():
        found = locate(entry.path, data_dir)
        if found.path is None:
            console.print(f"[red]missing[/red] {entry.path}")
            bad += 1
        elif sha256_of(found.path) != entry.sha256:
            console.print(f"[red]BAD sha256[/red] {entry.path} ({found.path})")
            bad += 1
        else:
            console.print(f"[green]good[/green] {entry.path} ({found.source})")
    if bad:
        raise DataError(
            f"{bad} of {len(all_files())} data files are missing or damaged; run "
            "'swingometer data fetch' (needs the network) or point --data-dir at a good copy"
        )
    console.print(f"all {len(all_files())} data files good")


@app.command()
def show(
    seat: Annotated[str, typer.Argument(help="Seat name or ONS code, e.g. 'Croydon Central'.")],
    election: Annotated[str, typer.Option("--election", "-e", help="2010, 2015, 2017, 2019, 2024 or 2019-notional.")],
    data_dir: DataDirOption = None,
) -> None:
    """Show one seat's result: candidates, party votes and shares, winner and majority."""
    from sim.data.seat_report import seat_report

    report = seat_report(seat, election, data_dir)
    table = Table(title=f"{report.seat_name} ({report.seat_id}), {report.election}: {report.nation}, {report.region}")
    for col, justify in (
        ("party", "left"),
        ("label", "left"),
        ("candidate", "left"),
        ("votes", "right"),
        ("share", "right"),
    ):
        table.add_column(col, justify=justify)  # type: ignore[arg-type]
    for row in report.rows:
        table.add_row(row.party, row.label, row.candidate, f"{row.votes:,}", f"{row.share:.1%}")
    console.print(table)
    console.print(
        f"electorate {report.electorate:,}  valid votes {report.valid_votes:,}  "
        f"turnout {report.turnout:.1%}\nwinner {report.winner}  majority {report.majority:,} "
        f"({report.majority_share:.1%}) over {report.runner_up}"
    )
