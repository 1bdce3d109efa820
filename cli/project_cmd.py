"""``swingometer project``, ``flip`` and ``targets``: deterministic seat arithmetic."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from cli.common import DataDirOption, ForceOption, Outputs, VerboseOption, check_stood, console, print_notes
from cli.tables import export, frame_table
from sim.core.errors import SwingometerError

JsonOption = Annotated[Path | None, typer.Option("--json", help="Write the result as JSON.")]
CsvOption = Annotated[Path | None, typer.Option("--csv", help="Write the result as CSV.")]
LATEST = "2024"
"""The election ``flip`` and ``targets`` read when none is given (the latest in the data)."""
LatestOption = Annotated[
    str | None,
    typer.Option("--election", "-e", help=f"2010, 2015, 2017, 2019, 2024 or 2019-notional (default {LATEST})."),
]


def project(
    file: Annotated[Path, typer.Argument(help="Scenario file (TOML).")],
    explain_seat: Annotated[
        str | None, typer.Option("--explain", help="Show a seat's shares after every step.")
    ] = None,
    json_path: JsonOption = None,
    csv_path: CsvOption = None,
    seats_csv: Annotated[
        Path | None, typer.Option("--seats-csv", help="Write one row per seat and party (base and projected).")
    ] = None,
    verbose: VerboseOption = False,
    data_dir: DataDirOption = None,
    force: ForceOption = False,
) -> None:
    """Apply a scenario deterministically: seats per party and the seats changing hands."""
    from sim.projection.tables import changes, explain, seat_table, target_scope
    from sim.provenance import scenario_provenance
    from sim.run import project_file

    outputs = Outputs(force, [json_path, csv_path, seats_csv])
    if explain_seat is not None and not explain_seat.strip():
        raise SwingometerError("--explain needs a seat name or ONS code, e.g. --explain Nuneaton")
    scenario, projection = project_file(file, data_dir)
    outputs.provenance = scenario_provenance(file, scenario)
    if explain_seat is not None:
        projection.election.seat_index(explain_seat)  # did-you-mean before any output
    print_notes(projection.notes, verbose)
    scope = target_scope(scenario)
    seats, moved = seat_table(projection, scope), changes(projection)
    label = "GB" if scope == "gb" else "UK"
    seats = seats.rename(columns={"base_share": f"base {label} share", "share": f"{label} share"})
    title = f"{file.name}: base {scenario.base}; shares of the {label} vote, the scope of the targets"
    console.print(frame_table(seats, title, percent=(f"base {label} share", f"{label} share")))
    if len(moved):
        console.print(frame_table(moved.set_index("seat"), f"{len(moved)} seats change hands", percent=("share",)))
    else:
        console.print("no seat changes hands")
    if explain_seat is not None:
        console.print(frame_table(explain(projection, explain_seat), f"{explain_seat}: shares after each step",
                                  percent=tuple(label for label, _ in projection.trace)))  # fmt: skip
    projection.add_to(outputs, json=json_path, csv=csv_path, seats_csv=seats_csv, scenario=str(file))
    outputs.commit()


def flip(
    seat: Annotated[str, typer.Argument(help="Seat name or ONS code.")],
    election: LatestOption = None,
    source: Annotated[str | None, typer.Option("--from", help="Party losing the votes (default: new voters).")] = None,
    dest: Annotated[str | None, typer.Option("--to", help="Party gaining them (default: the runner-up).")] = None,
    json_path: JsonOption = None,
    data_dir: DataDirOption = None,
    force: ForceOption = False,
) -> None:
    """The fewest votes that change a seat's winner."""
    from sim.data.election import load_election
    from sim.projection.arithmetic import flip as flip_seat

    outputs = Outputs(force, [json_path])
    if election is None:
        election = LATEST
        console.print(f"the {LATEST} election (the latest; --election names another)")
    result = flip_seat(load_election(election, data_dir), seat, source, dest)
    console.print(result.votes)
    console.print(
        f"{result.seat} ({result.election}): {result.winner} won by {result.majority:,}; "
        f"{result.votes:,} votes from {result.source} to {result.dest} change the winner"
    )
    if json_path is not None:
        outputs.add(json_path, json.dumps(result.to_dict(), indent=2) + "\n")
    outputs.commit()


def targets(
    party: Annotated[str, typer.Argument(help="Party code, e.g. LAB.")],
    election: LatestOption = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Rows to print.")] = 40,
    json_path: JsonOption = None,
    csv_path: CsvOption = None,
    data_dir: DataDirOption = None,
    force: ForceOption = False,
) -> None:
    """A party's candidates who did not win, ranked by the swing each needs (independents: each a row)."""
    from sim.data.election import load_election
    from sim.projection.arithmetic import targets as target_list

    outputs = Outputs(force, [json_path, csv_path])
    if election is None:
        election = LATEST
        console.print(f"the {LATEST} election (the latest; --election names another)")
    loaded = load_election(election, data_dir)
    check_stood([party], loaded, "PARTY")
    frame = target_list(loaded, party)
    people = party.strip().upper() in ("IND", "OTH")  # several candidates a seat: each is a row, named
    shown = frame.head(limit).drop(columns=["seat_id", "region", *([] if people else ["candidate"])])
    title = f"{party.upper()} targets from {election}: {len(frame)} seats, first {len(shown)}"
    console.print(frame_table(shown, title, percent=("winner_share", "party_share", "swing_needed")))
    export(frame, json_path, csv_path, outputs)
    outputs.commit()
