"""Semantic checks of a scenario: instructions that are impossible or meaningless.

The schema (:mod:`sim.scenario.schema`) checks types and ranges. This module checks what the
schema cannot: a party key given twice, a flow from a party to itself, a pact naming a party that
does not stand, a filter no seat can match, an uncertain parameter whose distribution leaves its
field's range, a step that leaves a seat with no votes. :func:`checked_projection` is the one
entry point: ``swingometer scenario check``, ``project`` and ``run`` all go through it, so a file
that checks is a file that runs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.core.errors import ScenarioError, did_you_mean
from sim.core.parties import PARTIES
from sim.scenario import schema as s
from sim.scenario.rules import MAX_DEPTH, check_raw, check_static

__all__ = ["MAX_DEPTH", "check_against", "check_projection", "check_raw", "check_static", "check_uncertainty",
           "checked_projection"]  # fmt: skip

if TYPE_CHECKING:
    from sim.data.election import DataDir, Election
    from sim.projection.project import Projection


def _standing(scenario: s.Scenario, election: Election) -> list[set[str]]:
    """Parties that may stand somewhere before each step (base candidates, then stand/merge steps)."""
    stands = {PARTIES[p] for p in np.flatnonzero(election.stood.any(axis=0))}
    before = []
    for step in scenario.steps:
        before.append(set(stands))
        if isinstance(step, s.OverrideStep):
            stands |= {p.strip().upper() for p in [*step.stand, *step.shares]}
            stands |= set(PARTIES) if step.by_election else set()
        elif isinstance(step, s.MergeStep):
            stands.add(step.into.strip().upper())
    return before


def _who_must_stand(step: Any) -> list[tuple[str, str]]:
    if isinstance(step, s.PactStep):
        return [("members", m) for m in step.members]
    if isinstance(step, s.TacticalStep):
        return [("party", step.party)] + [("prefer", p) for p in step.prefer]
    if isinstance(step, s.TurnoutStep):
        return [("parties", p) for p in step.parties]
    if isinstance(step, s.CovariateSwingStep):
        return [("party", step.party)]
    if isinstance(step, s.FlowsStep) and step.from_.strip().upper() != s.ABSTAIN:
        return [("from", step.from_)]
    return []


def check_against(scenario: s.Scenario, election: Election) -> None:
    """Check the steps against the base election: parties that never stand, unknown category levels."""
    for k, (step, standing) in enumerate(zip(scenario.steps, _standing(scenario, election), strict=True)):
        for field, party in _who_must_stand(step):
            if party.strip().upper() not in standing:
                raise ScenarioError(
                    f"steps[{k}].{field}: {party.upper()} stands in no seat of the {election.name} election at "
                    f"this step, so this instruction does nothing; remove it, or make {party.upper()} stand "
                    "first with an override step (stand = [...])"
                )
        f = getattr(step, "where", None)
        for name, levels in f.categories.items() if f is not None else []:
            known = sorted(set(election.covariate(name).astype(str)) - {"nan"})
            for level in levels:
                if level not in known:
                    raise ScenarioError(
                        f"steps[{k}].where.categories.{name}: no seat has level '{level}'"
                        f"{did_you_mean(level, known)} (levels: {', '.join(known)})"
                    )


def check_projection(projection: Projection) -> None:
    """Refuse a projection in which a step left a seat with no votes, or with non-finite votes."""
    names = projection.election.seat_names
    for label, shares in projection.trace[1:]:
        empty = np.flatnonzero(~(shares.sum(axis=1) > 0.5))
        if empty.size:
            raise ScenarioError(
                f"{label.replace(' ', ': ', 1)} leaves {names[empty[0]]} ({empty.size} seat(s) in all) with no "
                "votes: every party there has withdrawn or lost all its voters; keep at least one party standing"
            )
    if not (np.isfinite(projection.votes).all() and (projection.votes >= -1e-6).all()):
        raise ScenarioError("the projection has negative or non-finite votes; check the steps' numbers")


def check_uncertainty(scenario: s.Scenario) -> None:
    """Every uncertain parameter's path resolves to a number, and its distribution stays in range."""
    from sim.scenario.distributions import TAIL, quantile_table
    from sim.scenario.paths import get_value, with_value

    for path, dist in scenario.uncertainty.parameters.items():
        where = f"uncertainty.parameters.{path}"
        try:
            get_value(scenario, path)
        except ScenarioError as exc:
            raise ScenarioError(f"{where}: {exc}") from None
        table = quantile_table(dist)
        for extreme in (table[0], table[-1]):
            try:
                with_value(scenario, path, float(extreme))
            except ScenarioError as exc:
                raise ScenarioError(
                    f"{where}: the distribution reaches {extreme:.4g} (at the {TAIL:g} tail) and {exc}; "
                    "narrow or truncate it (a beta for rates)"
                ) from None


def checked_projection(
    scenario: s.Scenario,
    election: Election,
    by_elections: Callable[[], object] | None = None,
    data_dir: DataDir = None,
) -> Projection:
    """Check a scenario against its base election, project it, and check the projection.

    Runs every check ``project`` and ``run`` need (schema checks ran when the file was read), so
    a scenario that passes here runs.

    Raises
    ------
    ScenarioError
        The first problem, naming the field path and the fix.

    """
    from sim.projection.project import project

    check_static(scenario)
    check_against(scenario, election)
    check_uncertainty(scenario)
    projection = project(scenario, election, by_elections, data_dir)
    check_projection(projection)
    return projection
