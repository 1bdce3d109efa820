"""Semantic checks of a scenario: instructions that are impossible or meaningless.

The schema (:mod:`sim.scenario.schema`) checks types and ranges. This module checks what the
schema cannot: a party key given twice, a flow from a party to itself, a pact naming a party that
does not stand, a filter no seat can match, an uncertain parameter whose distribution leaves its
field's range. :func:`check` is the entry point; the projection then checks what only projecting
can find (a step that would do nothing, or leaves a seat with no votes: :mod:`sim.projection.checks`).
``swingometer scenario check``, ``project`` and ``run`` all go through :func:`sim.run.project_checked`,
so a file that checks is a file that projects.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.core.errors import ScenarioError, did_you_mean
from sim.data.names import NUMERIC
from sim.scenario import schema as s
from sim.scenario.distributions import TAIL, quantile_table
from sim.scenario.paths import canonical_path, get_value, with_value
from sim.scenario.rules import MAX_DEPTH, check_raw, check_static

__all__ = ["MAX_DEPTH", "check", "check_against", "check_raw", "check_static", "check_uncertainty"]

if TYPE_CHECKING:
    from sim.data.election import Election


def check_against(scenario: s.Scenario, election: Election) -> None:
    """Check the steps against the base election: unknown category levels.

    Parties a step needs are checked when it is projected, against the state it starts from
    (:func:`sim.projection.checks.require_inputs`).
    """
    for k, step in enumerate(scenario.steps):
        f = getattr(step, "where", None)
        for name, levels in f.categories.items() if f is not None else []:
            known = sorted(set(election.covariate(name).astype(str)) - {"nan"})
            for level in levels:
                if level not in known:
                    raise ScenarioError(
                        f"steps[{k}].where.categories.{name}: no seat has level '{level}'"
                        f"{did_you_mean(level, known)} (levels: {', '.join(known)})"
                    )


def check_uncertainty(scenario: s.Scenario) -> None:
    """Every uncertain parameter's path resolves to a number, and its distribution stays in range."""
    seen: dict[str, str] = {}
    for path, dist in scenario.uncertainty.parameters.items():
        where = f"uncertainty.parameters.{path}"
        if path.split(".")[0] != "steps":
            raise ScenarioError(
                f"{where}: an uncertain parameter is a number in a step (steps.K.FIELD); the error scales in "
                "[uncertainty] are themselves standard deviations, so give the value you want directly"
            )
        try:
            get_value(scenario, path)
            canonical = canonical_path(scenario, path)
        except ScenarioError as exc:
            raise ScenarioError(f"{where}: {exc}") from None
        if canonical in seen:
            raise ScenarioError(f'{where}: the same number as "{seen[canonical]}" ({canonical}); give it once')
        seen[canonical] = path
        table = quantile_table(dist)
        for extreme in (table[0], table[-1]):
            try:
                with_value(scenario, path, float(extreme))
            except ScenarioError as exc:
                raise ScenarioError(
                    f"{where}: the distribution reaches {extreme:.4g} (at the {TAIL:g} tail) and {exc}; "
                    "narrow or truncate it (a beta for rates)"
                ) from None


SLOPE_LIMIT = 0.1
"""Largest random-slope sd, in share per standard deviation of the covariate across seats (10 points)."""


def check_slopes(unc: s.Uncertainty, election: Election) -> None:
    """Random slopes are per unit of a covariate: refuse one that moves shares by more than ``SLOPE_LIMIT`` per sd."""
    for name, sd in unc.slopes.items():
        if name not in NUMERIC:
            raise ScenarioError(f"uncertainty.slopes: '{name}' is not a numeric covariate{did_you_mean(name, NUMERIC)}")
        spread = float(np.nanstd(election.covariate(name).astype(float)))
        if sd * spread > SLOPE_LIMIT:
            raise ScenarioError(
                f"uncertainty.slopes.{name}: {sd:g} per unit of {name} moves a party's share by "
                f"{100 * sd * spread:.0f} points per standard deviation of {name} across seats (sd {spread:.3g}); "
                f"at most {100 * SLOPE_LIMIT:.0f} points: write {name} = {SLOPE_LIMIT / spread:.3g} or less"
            )


def check(scenario: s.Scenario, election: Election) -> None:
    """Every check a scenario needs before it is projected (schema checks ran when it was read).

    Raises
    ------
    ScenarioError
        The first problem, naming the field path and the fix.

    """
    check_static(scenario)
    check_against(scenario, election)
    check_uncertainty(scenario)
    check_slopes(scenario.uncertainty, election)
