"""Load elections: the parsed-election cache in front of the builders (:mod:`sim.data.build`).

:class:`~sim.data.model.Election` and the constants are defined in :mod:`sim.data.model` and
re-exported here, where most callers import them from.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path

from sim.core.errors import LookupFailed, did_you_mean
from sim.data import build
from sim.data.fetch import cache_dir, data_path, sha256_of
from sim.data.model import ELECTIONS, MAJORITY, N_SEATS, NATIONS, DataDir, Election
from sim.data.sources import BUILD_VERSION, ELECTION_FILES

__all__ = ["ELECTIONS", "MAJORITY", "NATIONS", "N_SEATS", "DataDir", "Election", "load_election"]


def election_names() -> tuple[str, ...]:
    """Names accepted by :func:`load_election`."""
    return ELECTIONS


def check_election_name(name: str | int) -> str:
    """Return the canonical election name, or raise with the accepted names."""
    key = str(name).strip().lower()
    if key in ELECTIONS:
        return key
    hint = did_you_mean(key, ELECTIONS)
    raise LookupFailed(f"unknown election '{name}'{hint} (elections: {', '.join(ELECTIONS)})")


_LOADED: dict[tuple[str, str], Election] = {}


def load_election(name: str | int, data_dir: DataDir = None, *, use_cache: bool = True) -> Election:
    """Load an election by name, from the parsed cache when its input files are unchanged.

    Parameters
    ----------
    name : str
        One of :data:`ELECTIONS`.
    data_dir : path, optional
        A folder laid out like the shared data folder (see :mod:`sim.data.fetch`).
    use_cache : bool
        Reuse a parsed copy (kept in the user cache, keyed by the sha256 of every input file).

    """
    key_name = check_election_name(name)
    key = (key_name, election_cache_key(key_name, data_dir))
    if key in _LOADED:
        return _LOADED[key]
    store = cache_dir() / "parsed" / f"election-{key_name}-{key[1]}.pkl"
    election = _read_parsed(store) if use_cache else None
    if election is None:
        election = _build(key_name, data_dir)
        if use_cache:
            _write_parsed(store, election)
    _LOADED[key] = election
    return election


def election_cache_key(name: str, data_dir: DataDir = None) -> str:
    """The parsed cache's key for an election: the build version and the sha256 of every input file."""
    digest = hashlib.sha256(BUILD_VERSION.encode())
    for path in (data_path(p, data_dir) for p in ELECTION_FILES[check_election_name(name)]):
        digest.update(sha256_of(path).encode())
    return digest.hexdigest()[:16]


def _build(name: str, data_dir: DataDir) -> Election:

    return build.build(name, data_dir)


_MAGIC = b"swingometer-election\n"
"""Start of a parsed-election cache file, followed by the sha256 of the pickle and the pickle."""


def _read_parsed(path: Path) -> Election | None:
    """A cached election, or None when the file is missing, damaged or not ours (then it is rebuilt)."""
    try:
        blob = path.read_bytes()
    except OSError:
        return None
    head, digest, payload = blob[: len(_MAGIC)], blob[len(_MAGIC) : len(_MAGIC) + 32], blob[len(_MAGIC) + 32 :]
    if head != _MAGIC or hashlib.sha256(payload).digest() != digest:
        return None  # written by another version, truncated, or corrupted: never trusted
    try:
        loaded = pickle.loads(payload)
    except Exception:  # any failure to read the cache means: rebuild it
        return None
    return loaded if isinstance(loaded, Election) else None


def _write_parsed(path: Path, election: Election) -> None:
    """Cache a parsed election with a checksum, through a temporary file renamed into place."""
    payload = pickle.dumps(election, protocol=pickle.HIGHEST_PROTOCOL)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(_MAGIC + hashlib.sha256(payload).digest() + payload)
        tmp.replace(path)
    except OSError:
        pass  # a read-only cache only costs speed
