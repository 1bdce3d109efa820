"""Shared CLI pieces: the error-mapping group, common options, safe output files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from typer.core import TyperGroup

from sim.errors import SwingometerError

console = Console()
err_console = Console(stderr=True)


class Group(TyperGroup):
    """Maps every library error to a one-line message and exit code 1 (no traceback)."""

    def invoke(self, ctx: Any) -> Any:
        """Run the command, turning a :class:`SwingometerError` into a clean error exit."""
        try:
            return super().invoke(ctx)
        except SwingometerError as exc:
            err_console.print(f"[bold red]Error:[/bold red] {escape(str(exc))}", highlight=False, soft_wrap=True)
            raise typer.Exit(code=1) from None


DataDirOption = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        help="Folder laid out like the shared data folder (else $SWINGOMETER_DATA_DIR, else the download cache).",
        show_default=False,
    ),
]
ForceOption = Annotated[bool, typer.Option("--force", help="Overwrite output files that already exist.")]


def refuse_existing(paths: list[Path | None], force: bool) -> None:
    """Fail before any work if an output file exists and ``--force`` was not given."""
    for path in paths:
        if path is not None and path.exists() and not force:
            raise SwingometerError(f"{path} already exists; choose another name or pass --force to overwrite it")


def write_output(path: Path, text: str | bytes, force: bool) -> None:
    """Write an output file, refusing to replace an existing file unless ``force``."""
    if path.exists() and not force:
        raise SwingometerError(f"{path} already exists; choose another name or pass --force to overwrite it")
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    err_console.print(f"wrote {path}")


def print_notes(notes: tuple[str, ...] | list[str]) -> None:
    """Print what the projection wants the user to know (implied shares, warnings), to stderr."""
    for note in notes:
        style = "yellow" if note.startswith("warning") else "dim"
        err_console.print(f"[{style}]{escape(note)}[/{style}]", highlight=False, soft_wrap=True)
