"""``swingometer claims``: the essays' claims, run against the data, with verdicts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
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
from sim.core.errors import SwingometerError


@simulating
def claims(
    draws: DrawsOption = 10_000,
    seed: SeedOption = 1,
    only: Annotated[
        list[str] | None, typer.Option("--only", help="Run only this claim (repeat for several), e.g. croydon.")
    ] = None,
    json_path: Annotated[Path | None, typer.Option("--json", help="Write the findings as JSON.")] = None,
    markdown_path: Annotated[
        Path | None, typer.Option("--markdown", help="Write a report a reader can follow (Markdown).")
    ] = None,
    update_section: Annotated[
        bool,
        typer.Option(
            "--update-section",
            help="With --markdown: rewrite only the section between the claims markers of an existing document.",
        ),
    ] = False,
    threads: ThreadsOption = None,
    data_dir: DataDirOption = None,
    force: ForceOption = False,
) -> None:
    """Run every claim (the claim files shipped with the package) and print the finding and verdict of each."""
    from sim.claims import markdown_report, run_claims
    from sim.claims import update_section as replace_section

    if update_section and markdown_path is None:
        raise SwingometerError("--update-section needs --markdown PATH (the document whose section to rewrite)")
    if update_section and markdown_path is not None and not markdown_path.is_file():
        raise SwingometerError(f"{markdown_path} does not exist; --update-section rewrites part of an existing file")
    outputs = Outputs(force or update_section, [json_path, markdown_path])
    check_draws(draws)
    document = markdown_path.read_text(encoding="utf-8") if update_section and markdown_path is not None else ""
    if update_section:
        replace_section(document, [], draws, seed)  # fail before the runs if the markers are missing
    findings = run_claims(
        draws, seed, only=only, data_dir=data_dir, progress=lambda c: err_console.print(f"[dim]running {c}[/dim]")
    )
    table = Table(title=f"the essays' claims ({draws:,} draws, seed {seed})", show_lines=True)
    table.add_column("claim")
    table.add_column("verdict")
    table.add_column("finding")
    colour = {"supported": "green", "not supported": "red", "conditional": "yellow"}
    for f in findings:
        verdict = f"[{colour[f.verdict]}]{f.verdict}[/]" + (f"\n{f.threshold}" if f.threshold else "")
        table.add_row(f.id, verdict, f.summary)
    console.print(table)
    for f in findings:
        if f.checks:
            checks = Table(title=f"{f.id}: the essay's figures against the data")
            for col in ("figure", "essay says", "data say", "agrees"):
                checks.add_column(col)
            for c in f.checks:
                checks.add_row(c.what, c.essay, c.data, "yes" if c.agrees else "[red]no[/]")
            console.print(checks)
    if json_path is not None:
        outputs.add(json_path, json.dumps([f.to_dict() for f in findings], indent=1) + "\n")
    if markdown_path is not None and update_section:
        outputs.add(markdown_path, replace_section(document, findings, draws, seed))
    elif markdown_path is not None:
        outputs.add(markdown_path, markdown_report(findings, draws, seed))
    outputs.commit()
