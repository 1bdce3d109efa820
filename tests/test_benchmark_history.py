"""The benchmark history: a row from a benchmark run's JSON, and its plot."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from benchmarks.history import append, plot


def _bench_json(path: Path) -> Path:
    def timed(name: str, mean: float, param: str | None = None, **extra: object) -> dict[str, object]:
        return {"name": name, "param": param, "stats": {"mean": mean, "median": mean}, "extra_info": extra}

    doc = {"benchmarks": [
        timed("test_kernel", 1.0, draws=100_000), timed("test_reference", 1.0, draws=2_000),
        timed("test_roofline", 1.0, draws=400_000), timed("test_startup[help-x]", 0.4, startup="help"),
        timed("test_startup[numpy-x]", 0.2, startup="numpy"),
        timed("test_run[small]", 2.0, "small", run_draws=10_000, peak_rss=3e8),
        timed("test_run[large]", 13.0, "large", run_draws=1_000_000, peak_rss=3e8),
    ]}  # fmt: skip
    path.write_text(json.dumps(doc))
    return path


def test_a_row_holds_machine_independent_ratios_and_the_plot_draws(tmp_path: Path) -> None:
    history = tmp_path / "history.csv"
    history.write_text("date,commit,kernel_over_reference\n2026-01-01,0000000,40.0\n")  # an older layout
    bench = _bench_json(tmp_path / "b.json")
    append(str(bench), history, commit="abc1234")
    append(str(bench), history, commit="abc1234")
    with history.open() as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 3
    assert rows[0]["kernel_over_reference"] == "40.0" and rows[0]["run_over_kernel"] == ""  # kept, new column empty
    assert rows[1]["kernel_over_reference"] == "50.0"  # 100,000 / 2,000 per second
    assert rows[1]["kernel_over_roofline"] == "0.250"
    assert rows[1]["help_over_numpy"] == "2.00"
    assert rows[1]["run_over_kernel"] == "0.90"  # 990,000 draws in 11 s beyond the fixed cost, kernel 100,000/s
    out = tmp_path / "history.png"
    plot(out, history)
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_check_ratio_fails_below_either_floor(tmp_path: Path) -> None:
    from benchmarks.check_ratio import main

    bench = str(_bench_json(tmp_path / "b.json"))  # kernel 100,000/s, reference 2,000/s, roofline 400,000/s
    assert main([bench, "--min-ratio", "20", "--min-roofline", "0.2"]) == 0
    assert main([bench, "--min-ratio", "60"]) == 1  # 50x
    assert main([bench, "--min-ratio", "20", "--min-roofline", "0.3"]) == 1  # 0.25
