"""Read a pytest-benchmark JSON file: print elections per second, start-up and memory; fail on any.

Usage: ``python -m benchmarks.check_ratio BENCH.json [--min-ratio 10] [--min-roofline 0]
[--max-startup 4] [--max-memory-growth 64]``: fails when the kernel is under ``--min-ratio``
times the numpy reference or under ``--min-roofline`` times the bare argmax roofline, when
``swingometer --help`` takes over ``--max-startup`` times as long as ``python -c "import numpy"``
(both measured in the same run), or when ``run``'s peak memory at the large number of draws
exceeds that at the small by more than ``--max-memory-growth`` MB.
"""

from __future__ import annotations

import argparse
import json
import sys


def throughput(path: str) -> dict[str, float]:
    """Elections per second per throughput benchmark (draws over the mean time of a round)."""
    with open(path, encoding="utf-8") as fh:
        doc = json.load(fh)
    out = {}
    for bench in doc["benchmarks"]:
        if "draws" in bench["extra_info"]:
            out[bench["name"].removeprefix("test_")] = bench["extra_info"]["draws"] / bench["stats"]["mean"]
    return out


def startup(path: str) -> dict[str, float]:
    """Median seconds of each start-up benchmark (``help``, ``numpy``)."""
    with open(path, encoding="utf-8") as fh:
        doc = json.load(fh)
    return {b["extra_info"]["startup"]: b["stats"]["median"] for b in doc["benchmarks"] if "startup" in b["extra_info"]}


def runs(path: str) -> dict[str, dict[str, float]]:
    """Per ``run`` benchmark (``small``, ``large``): draws, median seconds and peak memory in bytes."""
    with open(path, encoding="utf-8") as fh:
        doc = json.load(fh)
    return {
        b["param"]: {"draws": b["extra_info"]["run_draws"], "seconds": b["stats"]["median"],
                     "peak_rss": b["extra_info"]["peak_rss"]}
        for b in doc["benchmarks"] if "run_draws" in b["extra_info"]
    }  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    """Print the table; exit 1 if a ratio is below its minimum (or start-up or memory above theirs)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("json")
    parser.add_argument("--min-ratio", type=float, default=10.0, help="least kernel / numpy reference")
    parser.add_argument("--min-roofline", type=float, default=0.0, help="least kernel / roofline")
    parser.add_argument("--max-startup", type=float, default=4.0, help="most `--help` / `import numpy` time")
    parser.add_argument("--max-memory-growth", type=float, default=64.0, help="most MB `run` grows with draws")
    args = parser.parse_args(argv)
    starts = startup(args.json)
    if starts:
        slow = starts["help"] / starts["numpy"]
        print(f"start-up: --help {starts['help']:.2f} s, import numpy {starts['numpy']:.2f} s: "
              f"{slow:.1f}x (maximum {args.max_startup:g}x)")  # fmt: skip
        if slow > args.max_startup:
            print("FAIL: the command line starts slower than allowed (a heavy import at start-up?)", file=sys.stderr)
            return 1
    rates = throughput(args.json)
    for name, rate in sorted(rates.items()):
        print(f"{name:>10}: {rate:>14,.0f} simulated elections per second")
    ratio = rates["kernel"] / rates["reference"]
    print(f"kernel / numpy reference: {ratio:.1f}x (minimum {args.min_ratio:g}x)")
    roofline = rates["kernel"] / rates["roofline"]
    print(f"kernel / roofline: {roofline:.3f} (minimum {args.min_roofline:g})")
    if ratio < args.min_ratio:
        print("FAIL: the kernel is slower than required against the reference", file=sys.stderr)
        return 1
    if roofline < args.min_roofline:
        print("FAIL: the kernel is slower than required against the roofline", file=sys.stderr)
        return 1
    print_serve(args.json)
    return check_runs(runs(args.json), rates.get("kernel"), args.max_memory_growth)


def print_serve(path: str) -> None:
    """Print the page's redraw and start against their targets (1 s and 3 s), and the redraw over the simulation."""
    with open(path) as f:
        doc = json.load(f)
    found = {b["extra_info"]["serve"]: b["stats"]["median"] for b in doc["benchmarks"] if "serve" in b["extra_info"]}
    if "redraw" in found:
        over = f", {found['redraw'] / found['simulation']:.1f}x the simulation alone" if "simulation" in found else ""
        print(f"serve: a slider change redraws in {found['redraw']:.2f} s at 10,000 draws (target 1 s){over}")
    for key, seconds in found.items():
        if key.startswith("redraw with"):
            print(f"serve: a slider change {key[7:]} redraws in {seconds:.2f} s at 10,000 draws (target 1 s)")
    if "start" in found:
        print(f"serve: starts and serves its first page in {found['start']:.2f} s (target 3 s)")


def check_runs(found: dict[str, dict[str, float]], kernel: float | None, max_growth: float) -> int:
    """Print ``run``'s times, marginal throughput and peak memory; 1 if memory grows with the draws."""
    if not found:
        return 0
    small, large = found["small"], found["large"]
    for r in (small, large):
        print(f"run {r['draws']:>10,.0f} draws: {r['seconds']:6.2f} s, peak memory {r['peak_rss'] / 1e6:,.0f} MB")
    marginal = (large["draws"] - small["draws"]) / max(large["seconds"] - small["seconds"], 1e-9)
    versus = f" ({marginal / kernel:.0%} of the kernel's {kernel:,.0f})" if kernel else ""
    print(f"run: {marginal:,.0f} simulated elections per second beyond the fixed cost{versus}")
    growth = (large["peak_rss"] - small["peak_rss"]) / 1e6
    print(f"run: memory grows by {growth:,.0f} MB from {small['draws']:,.0f} to {large['draws']:,.0f} draws "
          f"(maximum {max_growth:g} MB)")  # fmt: skip
    if growth > max_growth:
        print("FAIL: run's memory grows with the number of draws", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
