"""The pipeline from a scenario file to its outputs: check -> project -> prepare -> simulate -> write.

Each stage is one call, and each is what the CLI runs:

* :func:`load` reads and validates a file (:mod:`sim.scenario.load`);
* :func:`project_checked` checks the scenario against its base election
  (:func:`sim.scenario.validate.check`) and projects it (:func:`sim.projection.project.project`,
  which checks what only projecting can find): ``swingometer scenario check`` and ``project``;
* :func:`simulate_projection` prepares the kernel's inputs from that projection as it is
  (:func:`sim.montecarlo.simulate.prepare`, no second projection) and simulates: ``run``;
* the results write themselves (:meth:`sim.montecarlo.results.SimulationResult.write`,
  :meth:`sim.projection.project.Projection.write`), with the same provenance as the CLI's files.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from sim.core.errors import LookupFailed, ScenarioError
from sim.data.election import DataDir, load_election
from sim.projection.project import Projection, project
from sim.scenario.load import load_scenario
from sim.scenario.schema import Scenario
from sim.scenario.validate import check

if TYPE_CHECKING:
    import numpy as np

    from sim.montecarlo.results import SimulationResult

load = load_scenario


def project_checked(scenario: Scenario, data_dir: DataDir = None, *, name: str | None = None) -> Projection:
    """Check ``scenario`` against its base election and project it (errors prefixed by ``name`` when given)."""
    try:
        election = load_election(scenario.base, data_dir)
        check(scenario, election)
        return project(scenario, election, data_dir)
    except (ScenarioError, LookupFailed) as exc:
        raise ScenarioError(f"{name}: {exc}" if name else str(exc)) from None


def project_file(path: str | Path, data_dir: DataDir = None) -> tuple[Scenario, Projection]:
    """Load a scenario file, check it against its base election and project it."""
    scenario = load_scenario(path)
    return scenario, project_checked(scenario, data_dir, name=str(path))


def simulate_projection(
    scenario: Scenario,
    projection: Projection,
    draws: int,
    seed: int,
    *,
    threads: int | None = None,
    progress: Callable[[int], object] | None = None,
    share_bins: int = 0,
    keep_draws: bool = False,
    blocs: Sequence[Sequence[str]] = (),
    on_batch: Callable[[int, np.ndarray, np.ndarray], object] | None = None,
) -> SimulationResult:
    """Simulate a scenario already projected by :func:`project_checked` (the projection is not redone).

    The options are :func:`sim.montecarlo.simulate.simulate`'s: without ``keep_draws`` the result
    holds fixed-size summaries only (``blocs`` names the blocs to summarise), whatever ``draws``.
    """
    from sim.montecarlo.simulate import prepare, simulate  # numba: loaded only when something is simulated

    inputs = prepare(scenario, projection)
    return simulate(inputs, draws, seed, threads=threads, progress=progress, share_bins=share_bins,
                    keep_draws=keep_draws, blocs=blocs, on_batch=on_batch)  # fmt: skip


def run_scenario(
    scenario: Scenario,
    draws: int,
    seed: int,
    *,
    threads: int | None = None,
    data_dir: DataDir = None,
    progress: Callable[[int], object] | None = None,
    share_bins: int = 0,
    keep_draws: bool = False,
    blocs: Sequence[Sequence[str]] = (),
) -> SimulationResult:
    """Check, project and simulate a scenario (options as :func:`simulate_projection`)."""
    projection = project_checked(scenario, data_dir)
    return simulate_projection(scenario, projection, draws, seed, threads=threads, progress=progress,
                               share_bins=share_bins, keep_draws=keep_draws, blocs=blocs)  # fmt: skip


def run_file(
    path: str | Path,
    draws: int,
    seed: int,
    *,
    threads: int | None = None,
    data_dir: DataDir = None,
    progress: Callable[[int], object] | None = None,
    share_bins: int = 0,
    keep_draws: bool = False,
    blocs: Sequence[Sequence[str]] = (),
) -> SimulationResult:
    """Load, check, project and simulate a scenario file (options as :func:`simulate_projection`)."""
    scenario, projection = project_file(path, data_dir)
    return simulate_projection(scenario, projection, draws, seed, threads=threads, progress=progress,
                               share_bins=share_bins, keep_draws=keep_draws, blocs=blocs)  # fmt: skip
