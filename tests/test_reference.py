"""The numba kernel against the plain-numpy reference: exactly on shared streams, statistically otherwise."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.data.election import MAJORITY
from sim.montecarlo.simulate import Inputs, prepare, simulate
from sim.projection.project import project
from sim.run import project_file
from sim.scenario.load import parse_scenario
from tests.reference import normals, simulate_reference

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def baseline(data_dir: Path | None) -> Inputs:
    scenario, projection = project_file(REPO / "scenarios" / "baseline-2019.toml", data_dir)
    return prepare(scenario, projection)


@pytest.fixture(scope="module")
def with_parameters(data_dir: Path | None) -> Inputs:
    body = {
        "schema": 1, "base": "2015",
        "steps": [
            {"kind": "flows", "from": "UKIP", "to": {"CON": 0.4, "LAB": 0.03}},
            {"kind": "pact", "members": ["LAB", "GRN", "LD"], "transfer": 0.6, "to_others": 0.2},
        ],
        "uncertainty": {"slopes": {"leave": 0.2}, "parameters": {
            "steps.0.to.CON": {"beta": [4, 6]}, "steps.1.transfer": {"uniform": [0.4, 0.8]}}},
    }  # fmt: skip
    scenario = parse_scenario(body)
    from sim.data.election import load_election

    return prepare(scenario, project(scenario, load_election("2015", data_dir)))


def test_reference_normals_equal_kernel_normals() -> None:
    from kernels.rng import key
    from kernels.rng import normals as kernel_normals

    n = 200_000
    expected = kernel_normals(np.uint64(5), np.uint64(3), np.uint64(9), n)
    base = np.array([key(np.uint64(5), np.uint64(3), np.uint64(9))], dtype=np.uint64)
    np.testing.assert_array_equal(normals(base, np.arange(n, dtype=np.uint64)), expected)


@pytest.mark.parametrize("fixture", ["baseline", "with_parameters"])
def test_exact_agreement_on_shared_streams(request: pytest.FixtureRequest, fixture: str) -> None:
    inputs: Inputs = request.getfixturevalue(fixture)
    kernel = simulate(inputs, 300, 42, batch=128, keep_draws=True)
    counts, wins = simulate_reference(inputs.kernel, 300, 42, rng="counter")
    np.testing.assert_array_equal(kernel.seat_counts, counts)
    np.testing.assert_array_equal(kernel.wins, wins)


def test_statistical_agreement_with_independent_stream(baseline: Inputs) -> None:
    n = 4000
    kernel = simulate(baseline, n, 1, keep_draws=True)
    counts, _ = simulate_reference(baseline.kernel, n, 2, rng="numpy", batch=500)
    for p in (0, 1, 2, 4):  # CON, LAB, LD, SNP
        a, b = kernel.seat_counts[:, p], counts[:, p]
        se = np.sqrt(a.var() / n + b.var() / n)
        assert abs(a.mean() - b.mean()) < 5 * se + 1e-9, (p, a.mean(), b.mean())
        assert 0.8 < a.std() / max(b.std(), 1e-9) < 1.25
    pa, pb = (kernel.seat_counts[:, 0] >= MAJORITY).mean(), (counts[:, 0] >= MAJORITY).mean()
    assert abs(pa - pb) < 5 * np.sqrt(pa * (1 - pa) / n + pb * (1 - pb) / n) + 1e-3
