"""Start-up of the command line, against starting Python and importing numpy in the same run.

* ``startup_help``: ``swingometer --help`` as a fresh process (the console script's entry point).
* ``startup_numpy``: ``python -c "import numpy"`` as a fresh process, the floor any command pays.

Each records ``startup`` in ``extra_info``; ``benchmarks/check_ratio.py`` prints their ratio and
fails above a maximum (``--max-startup``): `--help` loads typer and rich only, never numba, pandas or
scipy (they load when a command needs them).
"""

from __future__ import annotations

import subprocess
import sys

import pytest

HELP = [sys.executable, "-c", "from cli.entry import main; main()", "--help"]
NUMPY = [sys.executable, "-c", "import numpy"]


def _run(command: list[str]) -> None:
    subprocess.run(command, check=True, capture_output=True)


@pytest.mark.parametrize(("name", "command"), [("help", HELP), ("numpy", NUMPY)])
def test_startup(benchmark: pytest.FixtureRequest, name: str, command: list[str]) -> None:
    benchmark.extra_info["startup"] = name
    benchmark.pedantic(_run, args=(command,), rounds=5, warmup_rounds=1)  # type: ignore[attr-defined]
