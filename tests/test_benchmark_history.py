"""The benchmark history: a row from a benchmark run's JSON, and its plot."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from benchmarks.history import append, plot


def _bench_json(path: Path) -> Path:
    def timed(name: str, mean: float, **extra: object) -> dict[str, object]:
        return {"name": name, "stats": {"mean": mean, "median": mean}, "extra_info": extra}

    doc = {"benchmarks": [
        timed("test_kernel", 1.0, draws=100_000), timed("test_reference", 1.0, draws=2_000),
        timed("test_roofline", 1.0, draws=400_000), timed("test_startup[help-x]", 0.4, startup="help"),
        timed("test_startup[numpy-x]", 0.2, startup="numpy"),
    ]}  # fmt: skip
    path.write_text(json.dumps(doc))
    return path


def test_a_row_holds_machine_independent_ratios_and_the_plot_draws(tmp_path: Path) -> None:
    history = tmp_path / "history.csv"
    bench = _bench_json(tmp_path / "b.json")
    append(str(bench), history, commit="abc1234")
    append(str(bench), history, commit="abc1234")
    with history.open() as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 2
    assert rows[0]["kernel_over_reference"] == "50.0"  # 100,000 / 2,000 per second
    assert rows[0]["kernel_over_roofline"] == "0.250"
    assert rows[0]["help_over_numpy"] == "2.00"
    out = tmp_path / "history.png"
    plot(out, history)
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
