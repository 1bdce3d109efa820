"""The console script's entry point: the command line's imports under a Ctrl-C guard.

Importing :mod:`cli.main` loads numpy, numba and the rest (about two seconds); a Ctrl-C then
must end like one during a command, with one line and exit code 130, not a traceback. This module
imports nothing heavy itself.
"""

from __future__ import annotations

import sys

from cli import INTERRUPTED


def main() -> None:
    """Run the ``swingometer`` command line."""
    try:
        from cli.main import main as run
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        raise SystemExit(INTERRUPTED) from None
    run()
