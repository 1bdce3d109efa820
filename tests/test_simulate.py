"""The Monte Carlo run: reproducibility, conservation, and the zero-noise limit."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.project import Projection
from sim.run import project_file
from sim.scenario.schema import Uncertainty
from sim.simulate import simulate

SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "uniform-2019-polls.toml"


@pytest.fixture(scope="module")
def projection(data_dir: Path | None) -> Projection:
    return project_file(SCENARIO, data_dir)[1]


def test_same_seed_any_threads_any_batch(projection: Projection) -> None:
    unc = Uncertainty()
    one = simulate(projection, unc, 3000, 7, threads=1, batch=3000)
    two = simulate(projection, unc, 3000, 7, threads=2, batch=777)
    np.testing.assert_array_equal(one.seat_counts, two.seat_counts)
    np.testing.assert_array_equal(one.wins, two.wins)
    assert one.to_json() == two.to_json()
    other = simulate(projection, unc, 3000, 8)
    assert not np.array_equal(one.seat_counts, other.seat_counts)


def test_counts_add_up(projection: Projection) -> None:
    result = simulate(projection, Uncertainty(), 1000, 1)
    assert (result.seat_counts.sum(axis=1) == 650).all()
    assert (result.wins.sum(axis=1) == 1000).all()
    np.testing.assert_array_equal(result.wins.sum(axis=0), result.seat_counts.sum(axis=0))


def test_zero_noise_reproduces_the_projection(projection: Projection) -> None:
    result = simulate(projection, Uncertainty(national=0, regional=0, seat=0), 50, 3)
    expected = projection.seat_totals()
    assert (result.seat_counts == expected).all()


def test_more_noise_widens_the_distribution(projection: Projection) -> None:
    narrow = simulate(projection, Uncertainty(national=0.005, regional=0.0, seat=0.01), 2000, 5)
    wide = simulate(projection, Uncertainty(national=0.03, regional=0.01, seat=0.03), 2000, 5)
    con = 0
    assert wide.seat_counts[:, con].std() > 2 * narrow.seat_counts[:, con].std()
