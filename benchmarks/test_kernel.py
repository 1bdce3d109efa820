"""Benchmarks of the Monte Carlo kernel on the real 632 GB + 18 NI seats.

Run with ``uv run pytest benchmarks --benchmark-enable``; by default they run once as tests.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.run import project_file
from sim.simulate import simulate

SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "uniform-2019-polls.toml"


@pytest.fixture(scope="module")
def setup(data_dir: Path | None) -> tuple[object, object]:
    scenario, projection = project_file(SCENARIO, data_dir)
    simulate(projection, scenario.uncertainty, 64, 1)  # compile outside the timing
    return scenario, projection


def test_simulate_20000_draws(benchmark: pytest.FixtureRequest, setup: tuple) -> None:  # type: ignore[type-arg]
    scenario, projection = setup
    result = benchmark(simulate, projection, scenario.uncertainty, 20_000, 1)
    assert result.seat_counts.sum(axis=1).tolist() == [650] * 20_000
    assert np.all(result.wins.sum(axis=1) == 20_000)
