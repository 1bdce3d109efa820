"""``swingometer report``: a self-contained HTML page (hex map, charts, tables) and a map image."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.common import (
    DataDirOption,
    DrawsOption,
    ForceOption,
    Outputs,
    SeedOption,
    ThreadsOption,
    check_stood,
    err_console,
    parse_bloc,
    threads_used,
)
from sim.core.errors import SwingometerError

BLOC_HELP = "A bloc whose odds are shown, e.g. LAB+LD+SNP (repeatable; default CON+DUP+UUP and LAB+LD+SNP+GRN+PC)."


def parse_blocs(values: list[str] | None) -> list[list[str]]:
    """``LAB+LD+SNP`` strings to lists of checked party codes (known parties, none twice)."""
    return [parse_bloc(b) for b in values or []]


def check_html_path(path: Path | None, option: str) -> None:
    """Refuse an output name that is not ``.html`` / ``.htm``."""
    if path is not None and path.suffix.lower() not in (".html", ".htm"):
        raise SwingometerError(f"{option} writes an .html file, not '{path.name}'; name it e.g. report.html")


def report(
    file: Annotated[Path, typer.Argument(help="Scenario file (TOML).")],
    html: Annotated[
        Path | None, typer.Option("--html", help="Write a self-contained HTML report (map, charts, tables, words).")
    ] = None,
    map_png: Annotated[Path | None, typer.Option("--map-png", help="Write the hex map as a PNG image.")] = None,
    draws: DrawsOption = 10_000,
    seed: SeedOption = 1,
    threads: ThreadsOption = None,
    bloc: Annotated[list[str] | None, typer.Option("--bloc", help=BLOC_HELP)] = None,
    systems: Annotated[
        bool, typer.Option("--systems", help="Add the projection's seats under other voting systems (docs/systems.md).")
    ] = False,
    data_dir: DataDirOption = None,
    force: ForceOption = False,
) -> None:
    """Simulate a scenario and write a report: an offline HTML page and/or a hex-map PNG."""
    from sim.data.hexmap import load_hexmap
    from sim.provenance import scenario_provenance
    from sim.report import DEFAULT_BLOCS, report_html
    from sim.report.charts import map_png as map_png_bytes
    from sim.run import project_file, simulate_projection

    if html is None and map_png is None:
        raise SwingometerError("report needs an output: --html report.html and/or --map-png map.png")
    if systems and html is None:
        raise SwingometerError("--systems adds a table to the HTML report: give --html report.html as well")
    check_html_path(html, "--html")
    if map_png is not None and map_png.suffix.lower() != ".png":
        raise SwingometerError(f"--map-png writes a .png file, not '{map_png.name}'; name it e.g. map.png")
    outputs = Outputs(force, [html, map_png])
    given = parse_blocs(bloc)
    scenario, projection = project_file(file, data_dir)
    outputs.provenance = scenario_provenance(file, scenario, seed, draws)
    for text, members in zip(bloc or [], given, strict=True):  # the user's blocs (the defaults may not all stand)
        check_stood(members, projection.election, f"--bloc {text}", projection.stood)
    blocs = given or [list(b) for b in DEFAULT_BLOCS]
    hexmap = load_hexmap(projection.election, data_dir)  # a bad map fails before the run
    with threads_used(threads):
        result = simulate_projection(scenario, projection, draws, seed, blocs=blocs)
    if html is not None:
        outputs.add(html, report_html(result, scenario, file.name, hexmap, blocs, data_dir, systems=systems))
    if map_png is not None:
        title = f"{scenario.name or file.name}\n{draws:,} draws, seed {seed}"
        outputs.add(map_png, map_png_bytes(result, hexmap, title))
    outputs.commit()
    err_console.print(f"{file.name}: {draws:,} draws, seed {seed}, {len(hexmap.codes)} seats mapped")
