"""Shared CLI pieces: the error-mapping group, common options and their checks, safe output files."""

from __future__ import annotations

import functools
import io
import json
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from typer.core import TyperGroup

from sim.core.errors import SwingometerError

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    from matplotlib.figure import Figure

    from sim.data.election import Election

console = Console(emoji=False)
err_console = Console(stderr=True, emoji=False)

INTERRUPTED = 130
"""Exit code after Ctrl-C (128 + SIGINT), as shells expect."""


FLAGS = {
    "scope": "--scope",
    "method": "--method",
    "in_sample": "--in-sample",
    "source": "--from",
    "dest": "--to",
    "axis": "--set",
    "target": "--find",
    "plot": "--plot",
    "scheduler": "--scheduler",
    "pair": "--from/--to",
    "update_section": "--update-section",
}
"""The one map from the library's field names (:attr:`SwingometerError.field`) to this CLI's options."""


class Group(TyperGroup):
    """Maps every library error to a one-line message and exit code 1 (no traceback); Ctrl-C to 130."""

    def invoke(self, ctx: Any) -> Any:
        """Run the command, turning a :class:`SwingometerError` into a clean error exit."""
        try:
            return super().invoke(ctx)
        except SwingometerError as exc:
            flag = FLAGS.get(exc.field or "")
            text = f"{flag}: {exc}" if flag else str(exc)
            err_console.print(f"[bold red]Error:[/bold red] {escape(text)}", highlight=False, soft_wrap=True)
            raise typer.Exit(code=1) from None
        except KeyboardInterrupt:
            err_console.print("interrupted", highlight=False)
            raise typer.Exit(code=INTERRUPTED) from None
        except SystemError as exc:
            # Ctrl-C inside a numba kernel surfaces as "returned a result with an exception set".
            if not interrupted(exc):
                raise
            err_console.print("interrupted", highlight=False)
            raise typer.Exit(code=INTERRUPTED) from None


def interrupted(exc: BaseException) -> bool:
    """Whether ``exc`` is a Ctrl-C, or was raised while one was being handled (numba wraps it)."""
    seen: set[int] = set()
    node: BaseException | None = exc
    while node is not None and id(node) not in seen:
        if isinstance(node, KeyboardInterrupt):
            return True
        seen.add(id(node))
        node = node.__cause__ or node.__context__
    return False


DataDirOption = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        help="Folder laid out like the shared data folder (else $SWINGOMETER_DATA_DIR, else the download cache).",
        show_default=False,
        exists=True,
        file_okay=False,
        dir_okay=True,
    ),
]
ForceOption = Annotated[bool, typer.Option("--force", help="Overwrite output files that already exist.")]
SEED_MAX = 2**64 - 1
DrawsOption = Annotated[int, typer.Option("--draws", "-n", min=1, help="Simulated elections (per run).")]
ThreadsOption = Annotated[
    int | None,
    typer.Option("--threads", min=1, help="Numba threads (default: all cores; results do not depend on it)."),
]
SeedOption = Annotated[int, typer.Option("--seed", min=0, max=SEED_MAX, help="Random seed (0 to 2**64-1).")]

BYTES_PER_DRAW = 100
"""Memory the engine holds per simulated election besides the seat counts (measured)."""


def available_memory() -> int:
    """Bytes of memory available to this process now (MemAvailable on Linux)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return 1 << 62  # unknown: do not refuse


def draws_memory(draws: int, runs: int = 1) -> int:
    """Bytes a run of ``draws`` holds: int32 seat counts and float32 GB shares per party, ~100 bytes more."""
    from sim.core.parties import PARTIES

    return draws * runs * (8 * len(PARTIES) + BYTES_PER_DRAW)


def _size(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if n < 1000 or unit == "TB":
            return f"{n:,.1f} {unit}"
        n /= 1000
    return f"{n:,.1f} TB"  # pragma: no cover


def check_draws(draws: int, runs: int = 1) -> int:
    """Refuse a number of draws whose results would not fit in the memory available now."""
    need, have = draws_memory(draws, runs), int(available_memory() * 0.8)
    if need > have:
        most = max(have // max(draws_memory(1, runs), 1), 1)
        raise SwingometerError(
            f"--draws {draws:,} needs about {_size(need)} of memory ({draws_memory(1, runs)} bytes per draw"
            f"{f' x {runs} runs' if runs > 1 else ''}) and about {_size(have)} is free; use --draws {most:,} or fewer"
        )
    return draws


def check_threads(threads: int | None) -> int | None:
    """Refuse more threads than numba's pool holds (NUMBA_NUM_THREADS)."""
    if threads is None:
        return None
    from sim.montecarlo.simulate import max_threads

    most = max_threads()
    if not 1 <= threads <= most:
        raise SwingometerError(
            f"--threads {threads}: numba can use 1 to {most} threads here (NUMBA_NUM_THREADS); pick one in that range"
        )
    return threads


def parse_bloc(text: str, election: Election | None = None) -> list[str]:
    """Party codes of a bloc ``A+B+C``: known, each once, and standing in ``election`` if given."""
    from sim.core.parties import PARTIES, party_index

    codes = [PARTIES[party_index(p.strip(), where=f"--bloc {text}")] for p in text.split("+")]
    repeated = sorted({c for c in codes if codes.count(c) > 1})
    if repeated:
        raise SwingometerError(f"--bloc {text}: {', '.join(repeated)} is named twice; list each party once")
    if election is not None:
        check_stood(codes, election, f"--bloc {text}")
    return codes


def check_stood(codes: Sequence[str], election: Election, where: str, stood: np.ndarray | None = None) -> None:
    """Refuse parties that stood in no seat of ``election`` (or of a projection's ``stood`` mask)."""
    from sim.core.parties import party_index

    mask = election.stood if stood is None else stood
    absent = [c.upper() for c in codes if not mask[:, party_index(c, where=where)].any()]
    if absent:
        raise SwingometerError(
            f"{where}: {', '.join(absent)} did not stand in the {election.name} election; choose parties that stood"
        )


SIDECAR_SUFFIXES = (".csv", ".html", ".htm")
"""Outputs whose provenance goes beside them (and JSON whose document is not an object)."""


def sidecar(path: Path) -> Path:
    """Where an output's provenance goes when it cannot go inside: ``PATH.provenance.json``."""
    return path.with_name(path.name + ".provenance.json")


class Outputs:
    """A command's output files: checked before any work, written together at the end or not at all.

    Each file is written to a hidden temporary name in its own folder; only when every file is
    written are they renamed into place. A failure or Ctrl-C before that leaves nothing behind.

    Parameters
    ----------
    force : bool
        Replace files that exist (``--force``).
    paths : sequence of Path or None
        Every output path the command may write (``None`` for options not given).
    figures : sequence of Path or None
        The chart paths among them (``.png`` or ``.svg``).

    """

    def __init__(
        self,
        force: bool,
        paths: Sequence[Path | None],
        figures: Sequence[Path | None] = (),
        provenance: dict[str, Any] | None = None,
    ) -> None:
        from sim.provenance import provenance as basic

        self.force = force
        self.pending: list[tuple[Path, bytes]] = []
        self.provenance = provenance if provenance is not None else basic()
        given = [p for p in paths if p is not None]
        given += [sidecar(p) for p in given if p.suffix.lower() in (".csv", ".html", ".htm")]
        for path in given:
            check_output(path, force)
        resolved = [p.resolve() for p in given]
        for k, path in enumerate(resolved):
            if path in resolved[:k]:
                raise SwingometerError(f"{given[k]} is named for two outputs; give each output its own file")
        for chart in figures:
            if chart is not None and chart.suffix.lower() not in (".png", ".svg"):
                raise SwingometerError(f"{chart}: charts are written as .png or .svg, not '{chart.suffix}'")

    def describe(self, **what: Any) -> None:
        """Record what the outputs come from (:func:`sim.provenance.provenance` keywords)."""
        from sim.provenance import provenance

        self.provenance = provenance(**what)

    def add(self, path: Path | None, content: str | bytes) -> None:
        """Queue a file (text is written as UTF-8), with its provenance.

        A JSON object gets a ``provenance`` key; CSV, HTML and JSON that is not an object get a
        ``PATH.provenance.json`` sidecar; Parquet files carry it in their metadata
        (:meth:`add_parquet`).
        """
        if path is None:
            return
        suffix = path.suffix.lower()
        beside = suffix in SIDECAR_SUFFIXES
        if suffix == ".json" and isinstance(content, str):
            doc = json.loads(content)
            beside = not isinstance(doc, dict)
            if not beside:
                content = json.dumps({**doc, "provenance": self.provenance}, indent=1) + "\n"
        self.pending.append((path, content.encode("utf-8") if isinstance(content, str) else content))
        if beside:
            self.pending.append((sidecar(path), (json.dumps(self.provenance, indent=1) + "\n").encode("utf-8")))

    def add_parquet(self, path: Path | None, frame: pd.DataFrame) -> None:
        """Queue a data frame as Parquet, its provenance in the file's metadata (key ``swingometer``)."""
        if path is None:
            return
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.Table.from_pandas(frame)
        meta = {**(table.schema.metadata or {}), b"swingometer": json.dumps(self.provenance).encode("utf-8")}
        buffer = io.BytesIO()
        pq.write_table(table.replace_schema_metadata(meta), buffer)
        self.pending.append((path, buffer.getvalue()))

    def add_figure(self, path: Path | None, fig: Figure) -> None:
        """Queue a matplotlib figure, rendered now in the path's format."""
        if path is not None:
            buffer = io.BytesIO()
            fig.savefig(buffer, format=path.suffix.lower()[1:], dpi=120)
            self.add(path, buffer.getvalue())

    def commit(self) -> None:
        """Write every queued file to a temporary name, then rename them all into place."""
        temps: list[tuple[Path, Path]] = []
        try:
            for path, content in self.pending:
                handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
                temps.append((Path(name), path))
                with os.fdopen(handle, "wb") as fh:
                    fh.write(content)
                os.chmod(name, _file_mode())  # mkstemp makes 0600; give the mode a plain open would
            for path, _ in self.pending:
                check_output(path, self.force)  # nothing appeared meanwhile
            for temp, path in temps:
                temp.replace(path)
        except OSError as exc:
            raise SwingometerError(f"cannot write {exc.filename or 'an output file'}: {exc.strerror}") from None
        finally:
            for temp, _ in temps:
                temp.unlink(missing_ok=True)
        for path, _ in self.pending:
            err_console.print(f"wrote {escape(str(path))}", highlight=False)
        self.pending = []


def _file_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def check_output(path: Path, force: bool) -> None:
    """Refuse an output path that cannot be written: missing or read-only folder, existing file."""
    parent = path.parent
    if path.is_dir():
        raise SwingometerError(f"{path} is a folder; give a file name")
    if path.exists() and not force:
        raise SwingometerError(f"{path} already exists; choose another name or pass --force to overwrite it")
    if not parent.is_dir():
        raise SwingometerError(f"cannot write {path}: the folder {parent} does not exist; create it first")
    try:
        with tempfile.TemporaryFile(dir=parent):
            pass
    except OSError as exc:
        raise SwingometerError(f"cannot write {path}: the folder {parent} is not writable ({exc.strerror})") from None


def refuse_existing(paths: list[Path | None], force: bool) -> None:
    """Fail before any work if an output path cannot be written (see :class:`Outputs`)."""
    Outputs(force, paths)


def write_output(path: Path, text: str | bytes, force: bool) -> None:
    """Write one output file through a temporary name, refusing to replace it unless ``force``."""
    out = Outputs(force, [path])
    out.add(path, text)
    out.commit()


def print_notes(notes: tuple[str, ...] | list[str]) -> None:
    """Print what the projection wants the user to know (implied shares, warnings), to stderr."""
    for note in notes:
        style = "yellow" if note.startswith("warning") else "dim"
        err_console.print(f"[{style}]{escape(note)}[/{style}]", highlight=False, soft_wrap=True)


@contextmanager
def threads_used(threads: int | None) -> Iterator[None]:
    """Run the block on ``threads`` numba threads (checked), restoring the pool's size afterwards."""
    import numba

    check_threads(threads)
    if threads is None:
        yield
        return
    previous = numba.get_num_threads()
    numba.set_num_threads(threads)
    try:
        yield
    finally:
        numba.set_num_threads(previous)


def simulating(command: Callable[..., None]) -> Callable[..., None]:
    """Run a command that simulates on its ``--threads`` (the command declares ``threads: ThreadsOption``)."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        with threads_used(kwargs.get("threads")):
            command(*args, **kwargs)

    return wrapper
