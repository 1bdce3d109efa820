"""Read a pytest-benchmark JSON file: print elections per second and fail below a speed ratio.

Usage: ``python -m benchmarks.check_ratio BENCH.json [--min-ratio 10]``
"""

from __future__ import annotations

import argparse
import json
import sys


def throughput(path: str) -> dict[str, float]:
    """Elections per second per benchmark (draws over the mean time of a round)."""
    with open(path, encoding="utf-8") as fh:
        doc = json.load(fh)
    out = {}
    for bench in doc["benchmarks"]:
        name = bench["name"].removeprefix("test_")
        out[name] = bench["extra_info"]["draws"] / bench["stats"]["mean"]
    return out


def main(argv: list[str] | None = None) -> int:
    """Print the table; exit 1 if kernel / reference is below ``--min-ratio``."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("json")
    parser.add_argument("--min-ratio", type=float, default=10.0)
    args = parser.parse_args(argv)
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
