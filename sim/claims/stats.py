"""Helpers the evaluators share: seat counts, probabilities with their Monte Carlo error, thresholds."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from sim.analysis.sweep import Axis, find_threshold
from sim.claims.model import Context
from sim.core.parties import PARTY_INDEX
from sim.data.election import MAJORITY, Election
from sim.montecarlo.results import SimulationResult
from sim.run import run_scenario
from sim.scenario.paths import with_value
from sim.scenario.schema import Scenario

Metric = Callable[[SimulationResult], np.ndarray]
"""Per-draw values whose mean is the metric (0/1 for a probability, seat counts for seats)."""


def seat_interval(result: SimulationResult, party: str) -> str:
    """The 90% interval of a party's seats, as text (``"12-31"``)."""
    p5, p95 = result.quantiles((0.05, 0.95))[:, PARTY_INDEX[party]]
    return f"{p5:.0f}-{p95:.0f}"


def seats_text(result: SimulationResult, party: str) -> str:
    """Mean seats with the 90% interval, as text."""
    return f"{result.mean_seats()[PARTY_INDEX[party]]:.0f} seats (90% interval {seat_interval(result, party)})"


def majority_draws(party: str) -> Metric:
    """Per draw: 1 if ``party`` holds a majority."""
    return lambda r: (r.seat_draws()[:, PARTY_INDEX[party]] >= MAJORITY).astype(float)


def seat_draws(party: str) -> Metric:
    """Per draw: ``party``'s seats."""
    return lambda r: r.seat_draws()[:, PARTY_INDEX[party]].astype(float)


def mean_se(values: np.ndarray) -> tuple[float, float]:
    """Mean and its Monte Carlo standard error."""
    values = np.asarray(values, dtype=float)
    return float(values.mean()), float(values.std(ddof=1) / math.sqrt(len(values))) if len(values) > 1 else 0.0


def p_majority(result: SimulationResult, party: str) -> float:
    """P(``party`` holds a majority)."""
    return float(majority_draws(party)(result).mean())


def p_win(result: SimulationResult, seat: int, party: str) -> float:
    """P(``party`` wins seat ``seat``)."""
    return float(result.wins[seat, PARTY_INDEX[party]] / result.draws)


def paired(base: SimulationResult, other: SimulationResult, metric: Metric) -> tuple[float, float]:
    """Mean change ``other - base`` and its standard error, draw by draw (common random numbers)."""
    return mean_se(metric(other) - metric(base))


def no_steps(scenario: Scenario) -> Scenario:
    """The scenario's base with no steps and no uncertain parameters."""
    return scenario.model_copy(
        update={"steps": [], "uncertainty": scenario.uncertainty.model_copy(update={"parameters": {}})}
    )


def with_flows(scenario: Scenario, step: int, rates: dict[str, float]) -> Scenario:
    """The scenario with flows step ``step`` sending these shares of its voters (other targets kept)."""
    data = scenario.model_dump(by_alias=True, mode="json")
    data["steps"][step]["to"] = {**data["steps"][step]["to"], **rates}
    return Scenario.model_validate(data)


def near(essay: float, data: float, rel: float = 0.1, absolute: float = 0.0) -> bool:
    """Whether the essay's figure is within ``rel`` (relative) or ``absolute`` of the data."""
    return abs(essay - data) <= max(rel * abs(data), absolute)


def share(election: Election, seat: int, party: str) -> float:
    """A party's vote share in a seat."""
    return float(election.shares[seat, PARTY_INDEX[party]])


def label_votes(election: Election, seat: int, label: str) -> int:
    """Votes of candidates with a given label (e.g. TUSC) in a seat."""
    cols = election.candidate_columns
    match = (cols["seat_id"] == election.seat_ids[seat]) & (cols["label"] == label)
    return int(cols["votes"][match].sum())


def swept(ctx: Context, scenario: Scenario, axis: Axis, metric: Metric) -> list[tuple[float, float, float]]:
    """``(value, metric, its standard error)`` at each value of the axis."""
    return [(v, *mean_se(metric(ctx.run(with_value(scenario, axis.path, v))))) for v in axis.values]


STABLE_SE = 0.005
"""A threshold's standard error target: half a point, so two standard errors are a point."""
MAX_THRESHOLD_DRAWS = 40_000
"""The most draws a threshold's bisection is given to reach :data:`STABLE_SE`."""


@dataclass(frozen=True)
class Turn:
    """Where a metric crosses a target along an axis, with its Monte Carlo error and the draws used."""

    value: float
    se: float
    slope: float
    draws: int

    def note(self) -> str:
        """The draws the bisection used and whether they pin the threshold to within a point."""
        stable = "stable to a point" if self.se <= STABLE_SE else "not stable to a point (the draws are capped)"
        return f"Threshold bisected with {self.draws:,} draws: standard error {100 * self.se:.2f} points, {stable}."

    def numbers(self, key: str) -> dict[str, float]:
        """The threshold, its standard error and the draws its bisection used."""
        return {key: self.value, f"{key}_se": self.se, f"{key}_draws": float(self.draws)}


def _crossing(
    ctx: Context, scenario: Scenario, axis: Axis, name: str, metric: Metric, target: float, draws: int,
    slope: Callable[[float], float], tolerance: float,
) -> Turn | None:  # fmt: skip
    found = find_threshold(scenario, axis, name, target, draws, ctx.seed, data_dir=ctx.data_dir, tolerance=tolerance)
    if found.value is None:
        return None
    x = found.value
    at = run_scenario(with_value(scenario, axis.path, x), draws, ctx.seed, data_dir=ctx.data_dir, keep_draws=True)
    _, metric_se = mean_se(metric(at))
    b = slope(x)
    return Turn(x, metric_se / abs(b) if b else math.inf, b, draws)


def threshold(
    ctx: Context,
    scenario: Scenario,
    axis: Axis,
    name: str,
    metric: Metric,
    target: float,
    rows: list[tuple[float, float, float]],
    *,
    tolerance: float = 0.002,
) -> Turn | None:
    """Bisect for ``metric == target`` along ``axis``, with draws enough for a stable threshold.

    The standard error of the crossing is the metric's Monte Carlo error at the crossing divided
    by the slope of the metric there (estimated from the swept ``rows`` that bracket it). If at
    the context's draws that error exceeds :data:`STABLE_SE`, the bisection is repeated with the
    draws that bring it there (the error falls as one over the square root of the draws), up to
    :data:`MAX_THRESHOLD_DRAWS` (revised up to three times, as the slope may differ at the new crossing).
    """

    def slope(x: float) -> float:
        below = [r for r in rows if r[0] <= x] or rows[:1]
        above = [r for r in rows if r[0] > x] or rows[-1:]
        (x0, y0, _), (x1, y1, _) = below[-1], above[0]
        return (y1 - y0) / (x1 - x0) if x1 != x0 else 0.0

    turn = _crossing(ctx, scenario, axis, name, metric, target, ctx.draws, slope, tolerance)
    for _ in range(3):  # the slope can change with the crossing, so the draws are revised up to three times
        if turn is None or turn.se <= STABLE_SE or not math.isfinite(turn.se) or turn.draws >= MAX_THRESHOLD_DRAWS:
            break
        draws = min(MAX_THRESHOLD_DRAWS, math.ceil(1.1 * turn.draws * (turn.se / STABLE_SE) ** 2))
        turn = _crossing(ctx, scenario, axis, name, metric, target, draws, slope, tolerance) or turn
    return turn
