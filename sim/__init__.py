"""Swingometer library: data, scenarios, projections and simulations for UK general elections.

The pipeline, one subpackage a stage: :mod:`sim.data` (elections) -> :mod:`sim.polls` (poll
files and the poll average) -> :mod:`sim.scenario`
(scenario files) -> :mod:`sim.projection` (steps and swing, seat by seat) ->
:mod:`sim.montecarlo` (simulated elections) -> :mod:`sim.analysis` (comparisons, sweeps,
coalitions) and :mod:`sim.systems` (other voting systems), with :mod:`sim.backtest`,
:mod:`sim.claims` and :mod:`sim.report` on top and :mod:`sim.core` beneath. The public API is importable from here::

    import sim

    election = sim.load_election("2019")
    scenario, projection = sim.project_file("scenarios/uniform-2019-polls.toml")
    result = sim.simulate(sim.prepare(scenario, projection), draws=10_000, seed=1)
    result.write(json="out.json", provenance=sim.scenario_provenance("scenarios/uniform-2019-polls.toml", scenario))

Names are imported when first used, so ``import sim`` stays cheap.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_API = {
    "load_election": "sim.data.election",
    "Election": "sim.data.election",
    "load_scenario": "sim.scenario.load",
    "parse_scenario": "sim.scenario.load",
    "Scenario": "sim.scenario.schema",
    "project": "sim.projection.project",
    "Projection": "sim.projection.project",
    "prepare": "sim.montecarlo.simulate",
    "simulate": "sim.montecarlo.simulate",
    "SimulationResult": "sim.montecarlo.results",
    "project_file": "sim.run",
    "project_checked": "sim.run",
    "run_file": "sim.run",
    "run_scenario": "sim.run",
    "sweep": "sim.analysis.sweep",
    "simulate_scenarios": "sim.analysis.sweep",
    "comparison_tables": "sim.analysis.comparison",
    "load_pairs": "sim.backtest.pairs",
    "pair_scenario": "sim.backtest.pairs",
    "backtest_scenario": "sim.backtest.scores",
    "scenario_provenance": "sim.provenance",
    "backtest_all": "sim.backtest.scores",
    "calibrate": "sim.backtest.calibrate",
    "run_claims": "sim.claims",
    "SwingometerError": "sim.core.errors",
    "load_polls": "sim.polls.sources",
    "read_poll_csv": "sim.polls.table",
    "poll_average": "sim.polls.average",
    "forecast": "sim.backtest.forecast",
    "forecast_all": "sim.backtest.forecast",
}

__all__ = sorted(_API)


def __getattr__(name: str) -> Any:
    """Import a public name from its module on first use (PEP 562)."""
    if name not in _API:
        raise AttributeError(f"module 'sim' has no attribute {name!r}")
    value = getattr(import_module(_API[name]), name)
    globals()[name] = value
    return value
