"""Where polls come from: the registry's (``pollbase``), the tables shipped with the package, or a user's file.

A source is a name or a path:

- ``pollbase``: PollBase's GB polls, May 2005 to December 2020, then the 2020-2023 list to July 2023
  (:mod:`sim.data.polls`; no sample sizes, GB only);
- ``2024-final``: the GB polls with fieldwork ending in the final ten days of the 2024 campaign, and
  the campaign's Scottish and Welsh polls, each row citing where it was published
  (``sim/polls/data/2024-final.csv``);
- ``nations-final``: the final Scottish and Welsh polls before the elections of 2015, 2017 and 2019,
  cited likewise (``sim/polls/data/nations-final.csv``; none with full dates was found for 2010);
- anything else: a poll file in the documented format (:mod:`sim.polls.table`); a relative path is
  relative to ``base`` (a scenario file's folder) when given.

Several sources are read together: the same poll in two of them is refused.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from sim.core.errors import DataError
from sim.data.polls import registry_polls
from sim.data.readers import DataDir
from sim.polls import NAMES, SHIPPED
from sim.polls.average import Average, Settings, poll_average
from sim.polls.table import read_poll_csv, standard

if TYPE_CHECKING:
    import pandas as pd


def shipped_path(name: str) -> Path:
    """The file of a shipped poll table."""
    return Path(str(resources.files("sim.polls") / "data" / f"{name}.csv"))


def source_path(source: str, base: Path | None = None) -> Path:
    """The file a path source names (relative to ``base`` when given)."""
    path = Path(source).expanduser()
    return path if path.is_absolute() or base is None else base / path


def load_polls(sources: str | list[str], data_dir: DataDir = None, base: Path | None = None) -> pd.DataFrame:
    """The polls of one source or several, in the poll-table layout (see the module docstring)."""
    import pandas as pd

    names = [sources] if isinstance(sources, str) else list(sources)
    if not names:
        raise DataError(f"no poll source given; name one of {', '.join(NAMES)} or a poll file")
    frames = []
    for name in names:
        if name == "pollbase":
            frames.append(standard(registry_polls(data_dir)))
        elif name in SHIPPED:
            frames.append(read_poll_csv(shipped_path(name)))
        else:
            frames.append(read_poll_csv(source_path(name, base)))
    polls = pd.concat([f.assign(_source=k) for k, f in enumerate(frames)], ignore_index=True)
    keys = ["pollster", "scope", "fieldwork_start", "fieldwork_end"]
    spread = polls.groupby(keys, sort=False)["_source"].transform("nunique")
    if (spread > 1).any():
        first = polls[spread > 1].groupby(keys, sort=False)["origin"].agg(list).iloc[0]
        raise DataError(f"the same poll is in two sources: {first[0]} and {first[1]}; read one source or the "
                        "other")  # fmt: skip
    return standard(polls.drop(columns="_source"))


_POLLS: dict[tuple[object, ...], pd.DataFrame] = {}
_AVERAGES: dict[tuple[object, ...], Average] = {}


def _key(sources: tuple[str, ...], data_dir: DataDir) -> tuple[object, ...]:
    """A cache key that changes when a poll file does (path, size, modification time)."""
    stamps = []
    for name in sources:
        path = shipped_path(name) if name in SHIPPED else None if name == "pollbase" else source_path(name)
        stat = path.stat() if path is not None and path.is_file() else None
        stamps.append((name, stat.st_size if stat else None, stat.st_mtime_ns if stat else None))
    return (tuple(stamps), str(data_dir))


def cached_polls(sources: tuple[str, ...], data_dir: DataDir = None) -> pd.DataFrame:
    """:func:`load_polls`, read once per session (a changed file is read again)."""
    key = _key(sources, data_dir)
    if key not in _POLLS:
        _POLLS[key] = load_polls(list(sources), data_dir)
    return _POLLS[key]


def cached_average(
    sources: tuple[str, ...], scope: str, as_of: str, data_dir: DataDir = None, settings: Settings | None = None
) -> Average:  # fmt: skip
    """:func:`sim.polls.average.poll_average` of the sources' polls, computed once per session."""
    settings = settings or Settings()
    key = (_key(sources, data_dir), scope, as_of, settings)
    if key not in _AVERAGES:
        _AVERAGES[key] = poll_average(cached_polls(sources, data_dir), scope, as_of, settings)
    return _AVERAGES[key]


def latest(polls: pd.DataFrame, scope: str, as_of: str) -> pd.Timestamp | None:
    """The last fieldwork day of the scope's polls ended by ``as_of`` (None: none)."""
    import pandas as pd

    ended = polls[(polls["scope"] == scope) & (polls["fieldwork_end"] <= pd.Timestamp(as_of))]
    return None if ended.empty else pd.Timestamp(ended["fieldwork_end"].max())
