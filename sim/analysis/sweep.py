"""Parameter sweeps: run a scenario over a grid of values of its numeric fields.

A grid point sets each named path (e.g. ``steps.0.to.CON``) to a value, projects, simulates and
keeps a small summary. Every point uses the same seed, so the draws are common random numbers:
differences between points come from the parameter, not from noise. A point is a pure function
of (scenario, path values, draws, seed), so it gives the same numbers on any executor.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.analysis.executors import Executor, LocalExecutor
from sim.core.errors import SwingometerError
from sim.core.parties import PARTY_INDEX
from sim.data.election import DataDir
from sim.montecarlo.metrics import check_metric, metric_blocs, metric_parties, metric_value, summarise
from sim.montecarlo.results import SimulationResult
from sim.run import project_checked, run_scenario
from sim.scenario.paths import canonical_path, with_value
from sim.scenario.schema import Scenario

if TYPE_CHECKING:
    import pandas as pd


MAX_AXIS = 1001
"""Most values along one swept axis."""
MAX_POINTS = 10_000
"""Most grid points in one sweep (every point is a full simulation)."""


@dataclass(frozen=True)
class Axis:
    """One swept parameter: its path and the values it takes."""

    path: str
    values: tuple[float, ...]

    @classmethod
    def parse(cls, text: str) -> Axis:
        """Parse ``PATH=LO:HI:N`` (N evenly spaced values from LO to HI inclusive)."""
        try:
            path, spec = text.split("=", 1)
            lo, hi, n = spec.split(":")
            count = int(n)
            low, high = float(lo), float(hi)
        except ValueError:
            raise SwingometerError(
                f"cannot read the axis '{text}'; write PATH=LO:HI:N, e.g. steps.0.to.CON=0:1:21", field="axis"
            ) from None
        if not 2 <= count <= MAX_AXIS:
            raise SwingometerError(f"axis '{text}': N must be between 2 and {MAX_AXIS}", field="axis")
        if not (np.isfinite(low) and np.isfinite(high)):
            raise SwingometerError(f"axis '{text}': LO and HI must be finite numbers", field="axis")
        return cls(path.strip(), tuple(round(float(v), 12) for v in np.linspace(low, high, count)))


def check_axes(axes: Sequence[Axis]) -> list[Axis]:
    """One or two axes on different paths, at most :data:`MAX_POINTS` grid points in all."""
    if not 1 <= len(axes) <= 2:
        raise SwingometerError("a sweep takes one or two axes", field="axis")
    paths = [a.path for a in axes]
    if len(set(paths)) < len(paths):
        raise SwingometerError(f"two axes name {paths[0]}; sweep two different parameters, or one", field="axis")
    points = int(np.prod([len(a.values) for a in axes]))
    if points > MAX_POINTS:
        raise SwingometerError(f"the grid has {points:,} points; at most {MAX_POINTS:,} (use fewer values per axis)")
    return list(axes)


def check_sweep(scenario: Scenario, axes: Sequence[Axis], metrics: Sequence[str], data_dir: DataDir) -> list[Axis]:
    """Refuse a sweep that could not mean what it says, before any simulation; the axes with canonical paths.

    Two spellings of one path (``steps.00.to.con``, ``steps.0.to.CON``) are one path; a path that
    is also an uncertain parameter would be overridden by its distribution at every point; both
    corners of the grid must be valid scenarios; and every party a metric names must stand in at
    least one seat at one of the corners (else the metric is 0 at every point).
    """
    axes = [Axis(canonical_path(scenario, a.path), a.values) for a in check_axes(axes)]
    check_axes(axes)
    uncertain = {canonical_path(scenario, p): p for p in scenario.uncertainty.parameters}
    for axis in axes:
        if axis.path in uncertain:
            raise SwingometerError(
                f'{axis.path} is also an uncertain parameter ([uncertainty.parameters] "{uncertain[axis.path]}"): '
                "its distribution would replace the swept value at every point; remove it from "
                "[uncertainty.parameters] to sweep it",
                field="axis",
            )
    corners = []
    points = grid(axes)
    for point in (points[0], points[-1]):
        changed = scenario
        for path, value in point.items():
            changed = with_value(changed, path, value)
        corners.append(project_checked(changed, data_dir))
    for metric in metrics:
        for party in metric_parties(metric):
            p = PARTY_INDEX[party]
            if not any(c.stood[:, p].any() for c in corners):
                raise SwingometerError(
                    f"metric '{metric}': {party} stands in no seat of this scenario (base {scenario.base}), "
                    "so the metric is 0 at every point; name a party that stands",
                    field="metric",
                )
    return axes


def run_point(scenario: Scenario, data_dir: DataDir, values: dict[str, float], draws: int, seed: int,
              metrics: Sequence[str] = ()) -> dict[str, float]:  # fmt: skip
    """Project and simulate the scenario with ``values`` set; return its summary (picklable)."""
    changed = scenario
    for path, value in values.items():
        changed = with_value(changed, path, value)
    result = run_scenario(changed, draws, seed, data_dir=data_dir, blocs=metric_blocs(metrics))
    row = dict(values)
    row.update(summarise(result))
    for metric in metrics:
        row[metric] = metric_value(result, metric)
    return row


def grid(axes: Sequence[Axis]) -> list[dict[str, float]]:
    """Every combination of the axes' values, the first axis varying slowest."""
    return [
        dict(zip([a.path for a in axes], combo, strict=True)) for combo in itertools.product(*(a.values for a in axes))
    ]


def sweep(
    scenario: Scenario,
    axes: Sequence[Axis],
    draws: int,
    seed: int,
    *,
    data_dir: DataDir = None,
    metrics: Sequence[str] = (),
    executor: Executor | None = None,
    progress: Callable[[int], object] | None = None,
) -> pd.DataFrame:
    """Run every grid point; one row per point with the axis values and the summaries."""
    import pandas as pd

    axes = check_sweep(scenario, axes, metrics, data_dir)
    points = grid(axes)
    runner = executor or LocalExecutor()
    rows = runner.map(run_point, [(scenario, data_dir, p, draws, seed, tuple(metrics)) for p in points], progress)
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class Threshold:
    """Where a metric crosses a target along one parameter."""

    path: str
    metric: str
    target: float
    value: float | None
    low: float
    high: float
    evaluations: list[tuple[float, float]]
    draws: int = 0

    @property
    def se(self) -> float | None:
        """Monte Carlo standard error of ``value`` for a probability metric, else None.

        The metric's binomial error at the target, ``sqrt(t (1 - t) / draws)``, divided by its slope
        where it crosses (the closest evaluations either side).
        """
        value = self.value
        if value is None or not self.metric.startswith("P(") or not self.draws:
            return None
        below = [e for e in self.evaluations if e[1] < self.target]
        above = [e for e in self.evaluations if e[1] >= self.target]
        if not below or not above:
            return None
        x0, y0 = min(below, key=lambda e: abs(e[0] - value))
        x1, y1 = min(above, key=lambda e: abs(e[0] - value))
        slope = (y1 - y0) / (x1 - x0) if x1 != x0 else 0.0
        if slope == 0:
            return None
        return float(np.sqrt(self.target * (1 - self.target) / self.draws) / abs(slope))


def find_threshold(
    scenario: Scenario,
    axis: Axis,
    metric: str,
    target: float,
    draws: int,
    seed: int,
    *,
    data_dir: DataDir = None,
    tolerance: float = 1e-3,
    max_steps: int = 30,
    progress: Callable[[int], object] | None = None,
) -> Threshold:
    """Bisect along ``axis`` (between its first and last value) for ``metric == target``.

    With common random numbers the metric is a deterministic function of the parameter, so
    bisection is well defined; if it is not monotone the result is one crossing. Returns
    ``value=None`` when the metric does not cross the target between the ends.
    """
    (axis,) = check_sweep(scenario, [axis], [metric], data_dir)
    low, high = axis.values[0], axis.values[-1]

    def f(x: float) -> float:
        row = run_point(scenario, data_dir, {axis.path: x}, draws, seed, (metric,))
        if progress is not None:
            progress(1)
        return row[metric] - target

    evaluations: list[tuple[float, float]] = []
    f_low, f_high = f(low), f(high)
    evaluations += [(low, f_low + target), (high, f_high + target)]
    if f_low == 0:
        return Threshold(axis.path, metric, target, low, low, high, evaluations, draws)
    if np.sign(f_low) == np.sign(f_high):
        return Threshold(axis.path, metric, target, None, low, high, evaluations, draws)
    a, b, fa = low, high, f_low
    for _ in range(max_steps):
        if abs(b - a) <= tolerance:
            break
        mid = (a + b) / 2
        fm = f(mid)
        evaluations.append((mid, fm + target))
        if np.sign(fm) == np.sign(fa):
            a, fa = mid, fm
        else:
            b = mid
    return Threshold(axis.path, metric, target, (a + b) / 2, low, high, evaluations, draws)


def simulate_scenarios(
    scenarios: Sequence[tuple[str, Scenario]], draws: int, seed: int, *, data_dir: DataDir = None
) -> list[tuple[str, SimulationResult]]:
    """Simulate several scenarios with the same seed (common random numbers)."""
    out = []
    for name, scenario in scenarios:
        out.append((name, run_scenario(scenario, draws, seed, data_dir=data_dir)))
    bases = {r.projection.election.boundaries for _, r in out}
    if len(bases) > 1:
        raise SwingometerError(
            "the scenarios use different boundary sets (2010 and 2024 seats); compare like with like"
        )
    return out


def parse_target(text: str) -> tuple[str, float]:
    """Split a threshold target ``"METRIC=VALUE"`` and check it: finite, a probability for P(...).

    Returns the metric expression and the value, e.g. ``("P(CON majority)", 0.5)``.
    """
    expression, sign, target = text.rpartition("=")
    try:
        value = float(target)
    except ValueError:
        value = math.nan
    if not sign or not math.isfinite(value):
        raise SwingometerError(
            f'cannot read the target "{text}"; write a metric and a number, "P(CON majority)=0.5"', field="target"
        )
    check_metric(expression.strip())
    if expression.strip().startswith("P(") and not 0.0 <= value <= 1.0:
        raise SwingometerError(f'target "{text}": a probability is between 0 and 1', field="target")
    if expression.strip().startswith("seats(") and not 0.0 <= value <= 650:
        raise SwingometerError(f'target "{text}": a seat count is between 0 and 650', field="target")
    return expression.strip(), value
