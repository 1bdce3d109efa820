"""One call from a scenario file to a Monte Carlo result (what ``swingometer run`` does)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sim.core.errors import LookupFailed, ScenarioError
from sim.data.election import DataDir, load_election
from sim.montecarlo.results import SimulationResult
from sim.montecarlo.simulate import prepare, simulate
from sim.projection.project import Projection
from sim.scenario.load import load_scenario
from sim.scenario.schema import Scenario
from sim.scenario.validate import checked_projection


def by_elections_loader(data_dir: DataDir) -> Callable[[], object]:
    """A loader of the by-election table, called only by steps that use a by-election."""

    def load() -> object:
        from sim.data.readers import by_election_candidacies

        return by_election_candidacies(data_dir)

    return load


def project_file(path: str | Path, data_dir: DataDir = None) -> tuple[Scenario, Projection]:
    """Load a scenario file and its base election, and project it deterministically."""
    scenario = load_scenario(path)
    election = load_election(scenario.base, data_dir)
    try:
        return scenario, checked_projection(scenario, election, by_elections_loader(data_dir), data_dir)
    except (ScenarioError, LookupFailed) as exc:
        raise ScenarioError(f"{path}: {exc}") from None


def run_scenario(
    scenario: Scenario,
    draws: int,
    seed: int,
    *,
    threads: int | None = None,
    data_dir: DataDir = None,
    progress: Callable[[int], object] | None = None,
    share_bins: int = 0,
) -> SimulationResult:
    """Project a scenario on its base election and simulate it."""
    loader = by_elections_loader(data_dir)
    projection = checked_projection(scenario, load_election(scenario.base, data_dir), loader, data_dir)
    return simulate_projection(
        scenario, projection, draws, seed, threads=threads, data_dir=data_dir, progress=progress, share_bins=share_bins
    )


def run_file(
    path: str | Path,
    draws: int,
    seed: int,
    *,
    threads: int | None = None,
    data_dir: DataDir = None,
    progress: Callable[[int], object] | None = None,
    share_bins: int = 0,
) -> SimulationResult:
    """Load, project and simulate a scenario file."""
    scenario, projection = project_file(path, data_dir)  # file-named errors for the projection
    return simulate_projection(
        scenario, projection, draws, seed, threads=threads, data_dir=data_dir, progress=progress, share_bins=share_bins
    )


def simulate_projection(
    scenario: Scenario,
    projection: Projection,
    draws: int,
    seed: int,
    *,
    threads: int | None = None,
    data_dir: DataDir = None,
    progress: Callable[[int], object] | None = None,
    share_bins: int = 0,
) -> SimulationResult:
    """Simulate a scenario already projected by :func:`project_file`."""
    inputs = prepare(scenario, projection, by_elections_loader(data_dir), data_dir)
    return simulate(inputs, draws, seed, threads=threads, progress=progress, share_bins=share_bins)
