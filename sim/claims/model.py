"""The claim model: a finding, the essay's own figures checked, and what an evaluator gets."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from sim.data.election import DataDir, Election, load_election
from sim.montecarlo.results import SimulationResult
from sim.projection.project import Projection, project
from sim.run import run_scenario
from sim.scenario.schema import Scenario

VERDICTS = ("supported", "not supported", "conditional")
CLAIM_KEYS = ("id", "essay", "quote", "test", "assumptions")


@dataclass(frozen=True)
class Check:
    """One of the essay's own numbers against the data."""

    what: str
    essay: str
    data: str
    agrees: bool


@dataclass
class Finding:
    """A claim's result: numbers, the essay's arithmetic checked, and a verdict.

    ``numbers`` holds every figure the summary quotes; a Monte Carlo figure ``x`` carries its
    standard error as ``x_se``, and a survey-measured rate its interval and sample size under
    keys starting ``measured_``.
    """

    id: str
    essay: str
    quote: str
    test: str
    assumptions: str
    files: list[str]
    verdict: str = ""
    summary: str = ""
    details: list[str] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    threshold: str | None = None
    numbers: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain-Python fields (numbers as floats, checks' agreement as bools)."""
        out = asdict(self)
        out["numbers"] = {k: float(v) for k, v in self.numbers.items()}
        for check in out["checks"]:
            check["agrees"] = bool(check["agrees"])
        return out


@dataclass(frozen=True)
class Context:
    """What an evaluator gets: its scenario files (by variant), draws, seed and data folder."""

    scenarios: dict[str, Scenario]
    draws: int
    seed: int
    data_dir: DataDir

    @property
    def scenario(self) -> Scenario:
        """The claim's (first) scenario."""
        return next(iter(self.scenarios.values()))

    def election(self, name: str) -> Election:
        """A loaded election."""
        return load_election(name, self.data_dir)

    def project(self, scenario: Scenario) -> Projection:
        """Deterministic projection of a scenario on its base."""
        return project(scenario, self.election(scenario.base), self.data_dir)

    def run(self, scenario: Scenario) -> SimulationResult:
        """Simulate a scenario with the context's draws and seed (common random numbers across runs).

        The draws are kept: evaluators pair them across scenarios and take Monte Carlo errors.
        """
        return run_scenario(scenario, self.draws, self.seed, data_dir=self.data_dir, keep_draws=True)
