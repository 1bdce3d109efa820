"""Library exceptions. The CLI maps every one of these to a clean exit in one place."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class SwingometerError(Exception):
    """Base class for errors a user can fix: bad input, missing data, an impossible request.

    The message speaks of the library's own fields and values; ``field`` names the argument at
    fault (``scope``, ``axis``, ...), which a front end may map to its own option name.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class DataError(SwingometerError):
    """A data file is missing, unreadable, or does not match its registered sha256."""


class ScenarioError(SwingometerError):
    """A scenario file is malformed or asks for something the model cannot do."""


class LookupFailed(SwingometerError):
    """A seat, party, region or election name that does not exist."""


def did_you_mean(word: str, choices: Iterable[str], n: int = 3) -> str:
    """Return a ``"; did you mean 'X'?"`` suffix for ``word``, or an empty string.

    Matching is case-insensitive; the suggestion keeps the spelling of the choice.
    """
    options = list(choices)
    by_lower = {c.lower(): c for c in options}
    close = difflib.get_close_matches(word.lower(), list(by_lower), n=n, cutoff=0.5)
    if not close:
        return ""
    quoted = " or ".join(f"'{by_lower[c]}'" for c in close)
    return f"; did you mean {quoted}?"
