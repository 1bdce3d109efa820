"""The engine's speed over time, in figures that do not depend on the machine.

Usage:

* ``python -m benchmarks.history append BENCH.json``: add a row to ``benchmarks/history.csv`` from
  a pytest-benchmark file (``pytest benchmarks --benchmark-enable --benchmark-json=BENCH.json``):
  the date, the commit, the kernel's speed against the numpy reference and against the roofline,
  ``swingometer --help``'s start-up time against ``python -c "import numpy"``, and ``run``'s
  marginal throughput (draws per second beyond its fixed cost, ``benchmarks/test_run.py``) against
  the kernel's, all measured in that one run, so rows from different machines compare;
* ``python -m benchmarks.history --plot P``: draw the ratios by commit (``.png`` or ``.svg``).
"""

from __future__ import annotations

import argparse
import csv
import datetime
import subprocess
import sys
from pathlib import Path

from benchmarks.check_ratio import runs, startup, throughput

HISTORY = Path(__file__).resolve().with_name("history.csv")
COLUMNS = ("date", "commit", "kernel_over_reference", "kernel_over_roofline", "help_over_numpy", "run_over_kernel")


def row(bench_json: str, commit: str = "HEAD") -> dict[str, str]:
    """The history row for one benchmark run of ``commit`` (default: the checkout's HEAD)."""
    rates, starts, found_runs = throughput(bench_json), startup(bench_json), runs(bench_json)
    found = subprocess.run(["git", "rev-parse", "--short", commit], capture_output=True, text=True, check=False)
    return {
        "date": datetime.date.today().isoformat(),
        "commit": found.stdout.strip() or commit,
        "kernel_over_reference": f"{rates['kernel'] / rates['reference']:.1f}",
        "kernel_over_roofline": f"{rates['kernel'] / rates['roofline']:.3f}",
        "help_over_numpy": f"{starts['help'] / starts['numpy']:.2f}" if starts else "",
        "run_over_kernel": f"{_marginal(found_runs) / rates['kernel']:.2f}" if found_runs else "",
    }


def _marginal(found: dict[str, dict[str, float]]) -> float:
    """``run``'s draws per second beyond its fixed cost, from the small and the large run."""
    small, large = found["small"], found["large"]
    return (large["draws"] - small["draws"]) / (large["seconds"] - small["seconds"])


def append(bench_json: str, path: Path = HISTORY, commit: str = "HEAD") -> dict[str, str]:
    """Append the run's row to the history file (written with its header if new)."""
    new = row(bench_json, commit)
    rows = []
    if path.exists():
        with path.open(encoding="utf-8") as fh:
            rows = [{k: r.get(k) or "" for k in COLUMNS} for r in csv.DictReader(fh)]  # older rows: new columns empty
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows([*rows, new])
    return new


def plot(out: Path, path: Path = HISTORY) -> None:
    """Draw the ratios by commit, oldest first."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    from sim.core.output import figure_bytes

    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    labels = [f"{r['commit']}\n{r['date']}" for r in rows]
    fig = Figure(figsize=(max(6.0, 1.2 * len(rows)), 8.5), layout="constrained")
    axes = fig.subplots(4, 1, sharex=True)
    titles = (
        "kernel / numpy reference (higher is faster)",
        "kernel / bare argmax roofline (higher is faster)",
        "--help / import numpy start-up (lower is faster)",
        "run's marginal draws per second / kernel's (higher is better)",
    )
    for ax, column, title in zip(axes, COLUMNS[2:], titles, strict=True):
        values = [float(r[column]) if r.get(column) else float("nan") for r in rows]
        ax.plot(range(len(rows)), values, marker="o")
        ax.set_title(title, fontsize=10)
        ax.grid(alpha=0.3)
    axes[-1].set_xticks(range(len(rows)), labels, fontsize=8)
    out.write_bytes(figure_bytes(fig, out.suffix.lower().lstrip(".")))


def main(argv: list[str] | None = None) -> int:
    """``append BENCH.json`` or ``--plot P``."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", nargs="?", choices=["append"], help="append a benchmark run's row")
    parser.add_argument("json", nargs="?", help="the pytest-benchmark JSON file to append")
    parser.add_argument("--commit", default="HEAD", help="the commit the benchmark run measured (default HEAD)")
    parser.add_argument("--plot", type=Path, help="draw the history to this .png or .svg file")
    args = parser.parse_args(argv)
    if args.action == "append":
        if not args.json:
            parser.error("append needs the benchmark JSON file")
        print(append(args.json, commit=args.commit))
    if args.plot is not None:
        if args.plot.suffix.lower() not in (".png", ".svg"):
            parser.error(f"--plot writes .png or .svg, not '{args.plot.suffix}'")
        plot(args.plot)
        print(f"wrote {args.plot}")
    if args.action is None and args.plot is None:
        parser.error("give append BENCH.json, or --plot P")
    return 0


if __name__ == "__main__":
    sys.exit(main())
