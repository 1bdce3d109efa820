"""Shared CLI pieces: the error-mapping group, common options and their checks, safe output files."""

from __future__ import annotations

import functools
import os
import shutil
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from typer.core import TyperGroup

from cli import INTERRUPTED
from sim.core.errors import SwingometerError
from sim.core.output import Outputs as LibraryOutputs

if TYPE_CHECKING:
    import numpy as np

    from sim.data.election import Election

PIPE_WIDTH = 400
"""Columns of output that is not a terminal (a pipe, a file): wide enough that no table is cut or wrapped."""


def _console(stderr: bool = False) -> Console:
    """A console; piped or redirected, its tables are printed full width instead of cut to 80 columns."""
    probe = Console(stderr=stderr, emoji=False)
    return probe if probe.is_terminal else Console(stderr=stderr, emoji=False, width=PIPE_WIDTH)


console = _console()
err_console = _console(stderr=True)


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
        except Exception as exc:
            # A Ctrl-C can surface wrapped: inside a numba kernel as a SystemError ("returned a result with an
            # exception set"), during a lazy import of a compiled module as an ImportError ("initialization failed").
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
DRAWS_MAX = 10_000_000_000
"""The most draws a command takes: memory no longer bounds a run, so this bounds its time (a day at
about 100,000 draws a second on 2 cores)."""
DrawsOption = Annotated[
    int,
    typer.Option("--draws", "-n", min=1, max=DRAWS_MAX,
                 help="Simulated elections (per run; at most 10,000,000,000, about a day on 2 cores)."),
]  # fmt: skip
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
    """Refuse a number of draws whose results would not fit in the memory available now.

    For the commands that keep every draw (coalitions, claims, backtests); ``run``, ``compare``,
    ``sweep`` and ``report`` keep fixed-size summaries, whatever the number of draws.
    """
    need, have = draws_memory(draws, runs), int(available_memory() * 0.8)
    if need > have:
        most = max(have // max(draws_memory(1, runs), 1), 1)
        raise SwingometerError(
            f"--draws {draws:,} needs about {_size(need)} of memory ({draws_memory(1, runs)} bytes per draw"
            f"{f' x {runs} runs' if runs > 1 else ''}) and about {_size(have)} is free; use --draws {most:,} or fewer"
        )
    return draws


PARQUET_BYTES_PER_DRAW = 90
"""Size of a ``run --parquet`` file per draw (measured: 78 bytes with 17 parties, compressed)."""


def check_disk(path: Path | None, draws: int) -> None:
    """Refuse a ``--parquet`` file of ``draws`` rows that would not fit on its disk's free space."""
    if path is None:
        return
    need = draws * PARQUET_BYTES_PER_DRAW
    have = shutil.disk_usage(path.parent).free
    if need > have:
        raise SwingometerError(
            f"--parquet {path}: {draws:,} draws make a file of about {_size(need)} and {_size(have)} is free on "
            f"that disk; write it elsewhere or use --draws {max(have // PARQUET_BYTES_PER_DRAW, 1):,} or fewer"
        )


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


class Outputs(LibraryOutputs):
    """The library's :class:`sim.core.output.Outputs` with the run's provenance, printing each path it writes."""

    def __init__(
        self, force: bool, paths: Sequence[Path | None], figures: Sequence[Path | None] = (),
        provenance: dict[str, Any] | None = None,
    ) -> None:  # fmt: skip
        from sim.provenance import provenance as basic

        super().__init__(force, paths, figures, provenance if provenance is not None else basic())

    def describe(self, **what: Any) -> None:
        """Record what the outputs come from (:func:`sim.provenance.provenance` keywords)."""
        from sim.provenance import provenance

        self.provenance = provenance(**what)

    def commit(self) -> list[Path]:
        """Write every file (see the library class) and print each path written."""
        written = super().commit()
        for path in written:
            err_console.print(f"wrote {escape(str(path))}", highlight=False)
        return written


def refuse_existing(paths: list[Path | None], force: bool) -> None:
    """Fail before any work if an output path cannot be written (see :class:`Outputs`)."""
    Outputs(force, paths)


def write_output(path: Path, text: str | bytes, force: bool) -> None:
    """Write one output file through a temporary name, refusing to replace it unless ``force``."""
    out = Outputs(force, [path])
    out.add(path, text)
    out.commit()


def print_notes(notes: tuple[str, ...] | list[str], verbose: bool = True) -> None:
    """Print what the projection wants the user to know, to stderr.

    Warnings (``warning: ...``) and notes a reader needs (``note: ...``) always; the rest (how
    seats were balanced, the shares the steps implied for parties without a target) only when
    ``verbose``, else one line says how many there are and how to see them.
    """
    shown = [n for n in notes if verbose or n.startswith(SHOWN_NOTES)]
    for note in shown:
        style = "yellow" if note.startswith("warning") else "dim"
        err_console.print(f"[{style}]{escape(note)}[/{style}]", highlight=False, soft_wrap=True)
    hidden = len(notes) - len(shown)
    if hidden:
        err_console.print(f"[dim]{hidden} more note(s) on the steps' arithmetic: add --verbose to see them[/dim]",
                          highlight=False)  # fmt: skip


SHOWN_NOTES = ("warning", "note:")
"""Notes printed without ``--verbose``: warnings, and what a reader needs to read the result."""
VerboseOption = Annotated[
    bool, typer.Option("--verbose", "-v", help="Also print the technical notes (balancing, implied shares).")
]


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
