"""Find a registered data file on disk, or download it, and check its sha256.

Resolution order for each file:

1. the folder given explicitly (``--data-dir`` on the command line, ``data_dir=`` in Python);
2. the folder named by the ``SWINGOMETER_DATA_DIR`` environment variable;
3. the user cache (``platformdirs.user_cache_dir("swingometer")``), filled by download with pooch
   from the file's origin URL.

A folder is laid out like the project's shared data folder (``parliament_psephology/...``,
``hoc_general_election_results/...``). A file found in a folder but with the wrong sha256 is an
error, never silently replaced: the user's copy is not touched.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from sim.core.errors import DataError
from sim.data.registry import BY_PATH, FILES, DataFile

ENV_VAR = "SWINGOMETER_DATA_DIR"


def cache_dir() -> Path:
    """Return the user cache folder that downloads go to."""
    override = os.environ.get("SWINGOMETER_CACHE_DIR")
    return Path(override) if override else Path(platformdirs.user_cache_dir("swingometer"))


def search_dirs(data_dir: str | Path | None = None) -> list[Path]:
    """Return the folders searched for data files, in order (the cache last)."""
    dirs: list[Path] = []
    if data_dir is not None:
        dirs.append(Path(data_dir).expanduser())
    env = os.environ.get(ENV_VAR)
    if env:
        dirs.append(Path(env).expanduser())
    dirs.append(cache_dir() / "data")
    return dirs


_HASHES: dict[tuple[str, int, int], str] = {}


def sha256_of(path: Path) -> str:
    """Return the sha256 hex digest of a file (memoised on path, size and mtime)."""
    try:
        stat = path.stat()
        key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
        if key not in _HASHES:
            digest = hashlib.sha256()
            with path.open("rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    digest.update(block)
            _HASHES[key] = digest.hexdigest()
    except OSError as exc:
        raise DataError(
            f"cannot read data file {path} ({exc.strerror}); fix its permissions, or point --data-dir at a "
            "readable copy"
        ) from None
    return _HASHES[key]


def _check(entry: DataFile, path: Path) -> Path:
    actual = sha256_of(path)
    if actual != entry.sha256:
        raise DataError(
            f"data file {path} does not match its registered sha256\n"
            f"  expected {entry.sha256}\n  found    {actual}\n"
            f"The file is damaged or a different version. Fix: replace it with the original "
            f"from {entry.url}, or delete it and run 'swingometer data fetch'."
        )
    return path


def _download(entry: DataFile, into: Path, data_dir: str | Path | None) -> Path:
    import pooch  # imported here: only downloads need it

    try:
        fetched = pooch.retrieve(
            entry.url,
            known_hash=f"sha256:{entry.sha256}",
            fname=Path(entry.path).name,
            path=into / Path(entry.path).parent,
            progressbar=False,
        )
    except ValueError as exc:  # pooch raises ValueError on a hash mismatch
        raise DataError(f"download of {entry.path} from {entry.url} failed its sha256 check: {exc}") from exc
    except Exception as exc:  # network errors come in many types (requests, OSError, ...)
        return _missing(entry, f"download from {entry.url} failed ({type(exc).__name__}: {exc})", data_dir)
    return Path(fetched)


def _missing(entry: DataFile, reason: str, data_dir: str | Path | None = None) -> Path:
    searched = "\n".join(f"  - {d / entry.path}" for d in search_dirs(data_dir))
    raise DataError(
        f"data file '{entry.path}' is not available: {reason}\n"
        f"Folders searched:\n{searched}\n"
        f"Fix: connect to the network and run 'swingometer data fetch', or point the engine at a "
        f"folder holding the data with --data-dir PATH or {ENV_VAR}=PATH "
        f"(laid out like the project's shared data folder)."
    )


@dataclass(frozen=True)
class Resolved:
    """Where a registered file was found."""

    entry: DataFile
    path: Path | None
    source: str  # "data-dir", "env", "cache" or "missing"


def locate(relpath: str, data_dir: str | Path | None = None) -> Resolved:
    """Find a registered file without downloading it."""
    entry = BY_PATH[relpath]
    sources = (["data-dir"] if data_dir is not None else []) + (["env"] if os.environ.get(ENV_VAR) else []) + ["cache"]
    for source, folder in zip(sources, search_dirs(data_dir), strict=True):
        candidate = folder / entry.path
        if candidate.is_file():
            return Resolved(entry, candidate, source)
    return Resolved(entry, None, "missing")


_READS: ContextVar[set[str] | None] = ContextVar("swingometer_data_reads", default=None)


@contextmanager
def recording_reads() -> Iterator[set[str]]:
    """Record every registered file :func:`data_path` is asked for inside the block."""
    reads: set[str] = set()
    token = _READS.set(reads)
    try:
        yield reads
    finally:
        _READS.reset(token)


def data_path(relpath: str, data_dir: str | Path | None = None, *, download: bool = True) -> Path:
    """Return the verified local path of a registered data file, downloading it if allowed.

    Raises
    ------
    DataError
        If the file is in no folder and cannot be downloaded, or its sha256 does not match.

    """
    if relpath not in BY_PATH:
        raise DataError(f"'{relpath}' is not a registered data file")
    reads = _READS.get()
    if reads is not None:
        reads.add(relpath)
    found = locate(relpath, data_dir)
    if found.path is not None:
        return _check(found.entry, found.path)
    if os.environ.get("SWINGOMETER_OFFLINE") or not download:
        return _missing(found.entry, reason="not found and downloads are off", data_dir=data_dir)
    return _check(found.entry, _download(found.entry, cache_dir() / "data", data_dir))


def all_files() -> tuple[DataFile, ...]:
    """Return every registered data file."""
    return FILES
