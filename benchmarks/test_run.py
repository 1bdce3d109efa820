"""``swingometer run`` as a user runs it: whole processes at a small and a large number of draws.

* ``run_small`` and ``run_large``: ``run scenarios/baseline-2019.toml --json`` at 10,000 draws and at
  1,000,000 (200,000 in quick mode), each a fresh process with a warm numba cache.

Each records ``run_draws`` and ``peak_rss`` (the process's maximum resident set, bytes) in
``extra_info``. ``benchmarks/check_ratio.py`` prints the end-to-end throughput, the marginal draws
per second between the two sizes (set against the kernel benchmark of the same run), and fails
when the peak memory grows with the draws by more than ``--max-memory-growth`` MB: everything
``run --json`` reports is read from fixed-size summaries (``sim/montecarlo/summary.py``).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "baseline-2019.toml"
QUICK = os.environ.get("SWINGOMETER_BENCH_QUICK") == "1"
SIZES = {"small": 10_000, "large": 200_000 if QUICK else 1_000_000}


def run_process(draws: int, out: Path) -> int:
    """Run ``swingometer run`` in a fresh process; its peak resident memory in bytes."""
    command = [sys.executable, "-c", "from cli.entry import main; main()", "run", str(SCENARIO), "--draws",
               str(draws), "--json", str(out), "--force"]  # fmt: skip
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    assert proc.stderr is not None
    error = proc.stderr.read().decode()
    proc.stderr.close()
    assert proc.returncode == 0, error
    return int(usage.ru_maxrss) * 1024  # kilobytes on Linux


@pytest.fixture(scope="module")
def warm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("run")
    run_process(100, folder / "warm.json")  # compile (or load the numba cache) outside the timing
    return folder


@pytest.mark.parametrize("size", ["small", "large"])
def test_run(benchmark: pytest.FixtureRequest, warm: Path, size: str) -> None:
    draws = SIZES[size]
    peaks: list[int] = []

    def once() -> None:
        peaks.append(run_process(draws, warm / f"{size}.json"))

    benchmark.pedantic(once, rounds=1 if QUICK else 3, warmup_rounds=0)  # type: ignore[attr-defined]
    benchmark.extra_info["run_draws"] = draws  # type: ignore[attr-defined]
    benchmark.extra_info["peak_rss"] = max(peaks)  # type: ignore[attr-defined]
