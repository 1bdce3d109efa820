"""Benchmark this tree against a base commit in the same job, and fail on a slowdown.

Usage: ``python -m benchmarks.compare [--base REV] [--rounds 3] [--threshold 1.3]``

The base (default ``HEAD~1``, the previous commit of main) is checked out in a temporary git
worktree with its own environment (``uv sync --locked``). Both trees' quick benchmarks
(``SWINGOMETER_BENCH_QUICK=1 pytest benchmarks --benchmark-enable``) then run alternately, head
then base, each round in fresh processes with the same thread settings; a first round of each is
a warm-up (numba compiles into each tree's cache) and is not counted. For every benchmark both
trees have, the head/base ratio of its median time is taken per round. The engine's own
benchmarks are gated (:data:`GATED`: the kernel and ``--help`` start-up): one fails when the
median of its ratios is above ``--threshold`` and most rounds are above ``--slack`` (1.1). The
numpy reference and the roofline are context and only printed. Chosen from the noise measured on
the CI machine type over 3 rounds of code that does not change the engine: per round the kernel
ranged 0.68-1.05 and ``--help`` 0.82-1.11 (medians 0.86-1.04), the quick numpy reference
0.50-1.75 and the roofline 0.72-1.20. Hence a median of 1.3 (and most rounds above 1.1) to fail.
A deliberate 2x slowdown of the kernel (every batch simulated twice) gave a kernel ratio of 2.98
and failed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GATED = ("test_kernel", "test_startup[help")
"""Benchmarks (name prefixes) whose slowdown fails the comparison; the others are printed."""


def _bench(tree: Path, out: Path) -> dict[str, float]:
    """Run one tree's quick benchmarks in a fresh process; median seconds per benchmark."""
    env = {**os.environ, "SWINGOMETER_BENCH_QUICK": "1"}
    command = ["uv", "run", "--project", str(tree), "--locked", "pytest", str(tree / "benchmarks"), "-q",
               "--benchmark-enable", f"--benchmark-json={out}", "-p", "no:cacheprovider"]  # fmt: skip
    done = subprocess.run(command, cwd=tree, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"benchmarks failed in {tree}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    doc = json.loads(out.read_text())
    return {b["name"]: b["stats"]["median"] for b in doc["benchmarks"]}


def compare(base: str, rounds: int, threshold: float, slack: float) -> int:
    """Run the comparison (see the module docstring); 0 when no benchmark slowed down, else 1."""
    found = subprocess.run(["git", "rev-parse", "--verify", "--quiet", f"{base}^{{commit}}"], cwd=ROOT,
                           capture_output=True, text=True, check=False)  # fmt: skip
    if found.returncode != 0:
        print(f"benchmark comparison not run: no commit {base} in this clone (a shallow clone?); fetch its history")
        return 0
    folder = Path(tempfile.mkdtemp(prefix="swingometer-base-"))
    tree = folder / "base"
    subprocess.run(["git", "worktree", "add", "--detach", str(tree), base], cwd=ROOT, check=True, capture_output=True)
    try:
        subprocess.run(["uv", "sync", "--locked", "--quiet", "--compile-bytecode"], cwd=tree, check=True)
        compile_sources = ["python", "-m", "compileall", "-q", "cli", "sim", "kernels", "benchmarks"]  # as .ci/run
        subprocess.run(["uv", "run", "--project", str(tree), *compile_sources], cwd=tree, check=True,
                       capture_output=True)  # fmt: skip
        ratios: dict[str, list[float]] = {}
        for k in range(rounds + 1):
            head_times = _bench(ROOT, folder / f"head-{k}.json")
            base_times = _bench(tree, folder / f"base-{k}.json")
            if k == 0:
                continue  # warm-up: compiled caches and file caches for both trees
            for name in sorted(set(head_times) & set(base_times)):
                ratios.setdefault(name, []).append(head_times[name] / base_times[name])
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT, check=False, capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)
    failed = []
    print(f"benchmarks, this tree against {base} ({rounds} rounds; time ratio head/base, above 1 is slower)")
    for name, values in ratios.items():
        median = statistics.median(values)
        gated = name.startswith(GATED)
        slow = gated and median > threshold and sum(v > slack for v in values) > len(values) / 2
        failed += [name] if slow else []
        shown = " ".join(f"{v:.2f}" for v in values)
        mark = "   SLOWER" if slow else "" if gated else "   (context, not gated)"
        print(f"  {name:<28} median {median:5.2f}   rounds {shown}{mark}")
    if failed:
        print(f"FAIL: {', '.join(failed)} slower than {base} by more than {threshold:g}x", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    """Parse the options and compare."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", default="HEAD~1", help="the commit to compare with (default HEAD~1)")
    parser.add_argument("--rounds", type=int, default=3, help="counted rounds (after one warm-up)")
    parser.add_argument("--threshold", type=float, default=1.3, help="largest median head/base time ratio")
    parser.add_argument("--slack", type=float, default=1.1, help="a round above this counts as slower")
    args = parser.parse_args(argv)
    return compare(args.base, args.rounds, args.threshold, args.slack)


if __name__ == "__main__":
    sys.exit(main())
