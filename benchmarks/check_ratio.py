"""Read a pytest-benchmark JSON file: print elections per second and start-up, and fail on either.

Usage: ``python -m benchmarks.check_ratio BENCH.json [--min-ratio 10] [--max-startup 4]``: fails
when the kernel is under ``--min-ratio`` times the numpy reference, or ``swingometer --help`` takes
over ``--max-startup`` times as long as ``python -c "import numpy"`` (both measured in the same run).
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


def main(argv: list[str] | None = None) -> int:
    """Print the table; exit 1 if kernel / reference is below ``--min-ratio``."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("json")
    parser.add_argument("--min-ratio", type=float, default=10.0)
    parser.add_argument("--max-startup", type=float, default=4.0, help="most `--help` / `import numpy` time")
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
    print(f"kernel / roofline: {rates['kernel'] / rates['roofline']:.3f}")
    if ratio < args.min_ratio:
        print("FAIL: the kernel is slower than required against the reference", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
