"""First runs with an empty numba cache, two at once: both compile, both write the cache, all agree.

numba's ``cache=True`` and parallel kernels are known to be fragile together (an index written by
one process while another reads it); two first runs started together must both succeed, give the
same result, and leave a cache that a third run loads and agrees with.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "baseline-2019.toml"


def _start(cache: Path, out: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "NUMBA_CACHE_DIR": str(cache)}
    command = [sys.executable, "-c", "from cli.entry import main; main()", "run", str(SCENARIO), "--draws", "300",
               "--seed", "5", "--json", str(out)]  # fmt: skip
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _result(path: Path) -> dict:
    doc = json.loads(path.read_text())
    doc.pop("provenance")
    return doc


@pytest.mark.slow
def test_concurrent_first_runs_agree_and_leave_a_good_cache(tmp_path: Path) -> None:
    cache = tmp_path / "numba-cache"
    outs = [tmp_path / f"first-{k}.json" for k in range(2)]
    procs = [_start(cache, out) for out in outs]
    for proc in procs:
        _, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err.decode()
    assert any(cache.rglob("*.nbi")), "the first runs wrote no cache index"
    third = tmp_path / "warm.json"
    proc = _start(cache, third)
    _, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err.decode()
    assert _result(outs[0]) == _result(outs[1]) == _result(third)
