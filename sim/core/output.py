"""Output files: checked before any work, written together at the end or not at all, each with its provenance.

:class:`Outputs` is what every command and every result's ``write()`` use: each file is written to
a hidden temporary name in its own folder, and only when every file is written are they renamed
into place, so a failure or Ctrl-C leaves nothing half-written. A JSON object gets a
``provenance`` key; CSV, HTML and JSON that is not an object get a ``PATH.provenance.json``
sidecar; Parquet files carry it in their metadata (key ``swingometer``).
"""

from __future__ import annotations

import io
import json
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.core.errors import SwingometerError

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

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
        self.force = force
        self.pending: list[tuple[Path, bytes]] = []
        self.streams: list[ParquetStream] = []
        self.provenance: dict[str, Any] = provenance if provenance is not None else {}
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
            try:
                doc = json.loads(content)
            except ValueError:  # a table named .json (--csv x.json): written as given, provenance beside it
                doc = None
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

        table = pa.Table.from_pandas(frame, preserve_index=True)
        buffer = io.BytesIO()
        pq.write_table(with_provenance(table, self.provenance), buffer)
        self.pending.append((path, buffer.getvalue()))

    def stream_parquet(self, path: Path | None) -> ParquetStream | None:
        """A Parquet file written a row group at a time as the data come (:class:`ParquetStream`).

        It is written under a temporary name in its folder and renamed into place with the other
        files at :meth:`commit`; :meth:`discard` (or leaving a ``with`` block by an error) removes it.
        """
        if path is None:
            return None
        stream = ParquetStream(path, self.provenance)
        self.streams.append(stream)
        return stream

    def discard(self) -> None:
        """Drop everything queued and remove the streams' temporary files."""
        for stream in self.streams:
            stream.close()
            stream.temp.unlink(missing_ok=True)
        self.streams = []
        self.pending = []

    def __enter__(self) -> Outputs:
        return self

    def __exit__(self, *exc: object) -> None:
        self.discard()  # after commit() there is nothing left; after an error nothing is kept

    def add_figure(self, path: Path | None, fig: Figure) -> None:
        """Queue a matplotlib figure, rendered now in the path's format (:func:`figure_bytes`)."""
        if path is not None:
            self.add(path, figure_bytes(fig, path.suffix.lower()[1:]))

    def commit(self) -> list[Path]:
        """Write every queued file to a temporary name, then rename them all into place; the paths written."""
        temps: list[tuple[Path, Path]] = []
        try:
            for stream in self.streams:
                stream.close()
                temps.append((stream.temp, stream.path))
            for path, content in self.pending:
                handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
                temps.append((Path(name), path))
                with os.fdopen(handle, "wb") as fh:
                    fh.write(content)
                os.chmod(name, _file_mode())  # mkstemp makes 0600; give the mode a plain open would
            for _, path in temps:
                check_output(path, self.force)  # nothing appeared meanwhile
            for temp, path in temps:
                temp.replace(path)
        except OSError as exc:
            raise SwingometerError(f"cannot write {exc.filename or 'an output file'}: {exc.strerror}") from None
        finally:
            for temp, _ in temps:
                temp.unlink(missing_ok=True)
        written = [path for _, path in temps]
        self.pending = []
        self.streams = []
        return written


class ParquetStream:
    """A Parquet file written a row group at a time, under a hidden temporary name until committed.

    Made by :meth:`Outputs.stream_parquet`. Every frame written must have the same columns; its
    index is stored as a column (so frames of consecutive rows make one table). The provenance
    goes in the file's metadata (key ``swingometer``), as :meth:`Outputs.add_parquet` does.
    """

    def __init__(self, path: Path, provenance: dict[str, Any]) -> None:
        self.path = path
        self.provenance = provenance
        handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
        os.close(handle)
        os.chmod(name, _file_mode())
        self.temp = Path(name)
        self.writer: Any = None

    def write(self, frame: pd.DataFrame) -> None:
        """Append the rows of ``frame`` as one row group."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.Table.from_pandas(frame, preserve_index=True)
        if self.writer is None:
            table = with_provenance(table, self.provenance)
            self.writer = pq.ParquetWriter(self.temp, table.schema)
        self.writer.write_table(table)

    def close(self) -> None:
        """Finish the file (its footer); nothing is renamed here."""
        if self.writer is not None:
            self.writer.close()
            self.writer = None


def with_provenance(table: Any, provenance: dict[str, Any]) -> Any:
    """A pyarrow table with ``provenance`` in its schema metadata (key ``swingometer``)."""
    meta = {**(table.schema.metadata or {}), b"swingometer": json.dumps(provenance).encode("utf-8")}
    return table.replace_schema_metadata(meta)


def figure_bytes(fig: Figure, fmt: str, dpi: int = 120) -> bytes:
    """A figure as PNG or SVG bytes, the same for the same figure on every run.

    SVG gets no date and element ids from a fixed salt (matplotlib's default is random); PNG
    rendering is deterministic, its ``Software`` tag left out so the bytes do not change with
    matplotlib's version either.
    """
    import matplotlib

    buffer = io.BytesIO()
    if fmt == "svg":
        with matplotlib.rc_context({"svg.hashsalt": "swingometer"}):
            fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    else:
        fig.savefig(buffer, format=fmt, dpi=dpi, metadata={"Software": None})
    return buffer.getvalue()


def _file_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def check_output(path: Path, force: bool) -> None:
    """Refuse an output path that cannot be written.

    A missing or read-only folder, an existing file (without ``force``), and anything but an
    ordinary file (a link, a device, a pipe), which the final rename would replace.
    """
    parent = path.parent
    if path.is_symlink():
        raise SwingometerError(
            f"{path} is a symbolic link; an output replaces a file, so give the name of an ordinary file "
            "(or the link's target itself)"
        )
    if path.is_dir():
        raise SwingometerError(f"{path} is a folder; give a file name")
    if path.exists() and not path.is_file():
        raise SwingometerError(
            f"{path} is not an ordinary file (a device, a pipe or a socket); give the name of an ordinary file"
        )
    if path.exists() and not force:
        raise SwingometerError(f"{path} already exists; choose another name or pass --force to overwrite it")
    if not parent.is_dir():
        raise SwingometerError(f"cannot write {path}: the folder {parent} does not exist; create it first")
    try:
        with tempfile.TemporaryFile(dir=parent):
            pass
    except OSError as exc:
        raise SwingometerError(f"cannot write {path}: the folder {parent} is not writable ({exc.strerror})") from None


def write_files(files: dict[Path, str | bytes], provenance: dict[str, Any], force: bool = False) -> list[Path]:
    """Write text or bytes files together (see :class:`Outputs`); the paths written."""
    out = Outputs(force, list(files), provenance=provenance)
    for path, content in files.items():
        out.add(path, content)
    return out.commit()
