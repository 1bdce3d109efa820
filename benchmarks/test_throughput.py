"""Throughput of the Monte Carlo kernel on the real 650 seats, against references in the same run.

* ``kernel``: :func:`sim.montecarlo.simulate.simulate` on ``scenarios/baseline-2019.toml`` (the full error
  model: national, nation, regional, covariate-slope and seat errors; 15 parties stand).
* ``reference``: the same model in plain numpy (``tests/reference.py``) with numpy's own
  generator, the fastest plain-numpy version of the model.
* ``roofline``: argmax over fixed noise with no random numbers, for context.

Each benchmark records ``draws`` in ``extra_info``; ``benchmarks/check_ratio.py`` turns the JSON
into elections per second and the kernel/reference ratio, and fails below a minimum ratio.
By default (``--benchmark-disable``) each runs once with few draws, as a test.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from benchmarks.roofline import argmax_fixed_noise
from sim.montecarlo.simulate import Inputs, prepare, simulate
from sim.run import project_file
from tests.reference import simulate_reference

SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "baseline-2019.toml"
QUICK = os.environ.get("SWINGOMETER_BENCH_QUICK") == "1"


def _draws(benchmark: object, full: int, quick: int, disabled: int) -> int:
    if getattr(benchmark, "disabled", False):
        return disabled
    return quick if QUICK else full


@pytest.fixture(scope="module")
def inputs(data_dir: Path | None) -> Inputs:
    scenario, projection = project_file(SCENARIO, data_dir)
    prepared = prepare(scenario, projection)
    simulate(prepared, 64, 1)  # compile (or load the cache) outside the timing
    return prepared


def test_kernel(benchmark: pytest.FixtureRequest, inputs: Inputs) -> None:
    draws = _draws(benchmark, 400_000, 100_000, 2_000)
    benchmark.extra_info["draws"] = draws  # type: ignore[attr-defined]
    benchmark.extra_info["parties_standing"] = int(np.unique(inputs.kernel.cand_idx).size)  # type: ignore[attr-defined]
    result = benchmark.pedantic(simulate, args=(inputs, draws, 7), rounds=3, warmup_rounds=0)  # type: ignore[attr-defined]
    assert result.draws == draws and (result.wins.sum(axis=1) == draws).all()


def test_reference(benchmark: pytest.FixtureRequest, inputs: Inputs) -> None:
    draws = _draws(benchmark, 2_000, 500, 100)
    benchmark.extra_info["draws"] = draws  # type: ignore[attr-defined]
    counts, _ = benchmark.pedantic(  # type: ignore[attr-defined]
        simulate_reference, args=(inputs.kernel, draws, 7), kwargs={"rng": "numpy", "batch": 250}, rounds=3
    )
    assert (counts.sum(axis=1) == 650).all()


def test_roofline(benchmark: pytest.FixtureRequest, inputs: Inputs) -> None:
    draws = _draws(benchmark, 2_000_000, 500_000, 2_000)
    noise = np.random.default_rng(0).normal(0, 0.025, (64, *inputs.projection.shares.shape))
    args = (inputs.projection.shares, inputs.kernel.cand_ptr, inputs.kernel.cand_idx, noise, 64)
    argmax_fixed_noise(*args)
    benchmark.extra_info["draws"] = draws  # type: ignore[attr-defined]
    counts = benchmark.pedantic(argmax_fixed_noise, args=(*args[:4], draws), rounds=3)  # type: ignore[attr-defined]
    assert (counts.sum(axis=1) == 650).all()
