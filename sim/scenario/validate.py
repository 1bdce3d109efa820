"""Semantic checks of a scenario: instructions that are impossible or meaningless.

The schema (:mod:`sim.scenario.schema`) checks types and ranges. This module checks what the
schema cannot: a party key given twice, a flow from a party to itself, a pact naming a party that
does not stand, a filter no seat can match, an uncertain parameter whose distribution leaves its
field's range. :func:`check` is the entry point; the projection then checks what only projecting
can find (a step that leaves a seat with no votes: :func:`sim.projection.project.check_projection`).
``swingometer scenario check``, ``project`` and ``run`` all go through :func:`sim.run.project_checked`,
so a file that checks is a file that projects.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from sim.core.errors import ScenarioError, did_you_mean
from sim.core.parties import PARTIES
from sim.scenario import schema as s
from sim.scenario.distributions import TAIL, quantile_table
from sim.scenario.paths import get_value, with_value
from sim.scenario.rules import MAX_DEPTH, check_raw, check_static

__all__ = ["MAX_DEPTH", "check", "check_against", "check_raw", "check_static", "check_uncertainty"]

if TYPE_CHECKING:
    from sim.data.election import Election


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
        elif isinstance(step, s.SharesStep):
            stands |= {p.strip().upper() for p in step.stand}
        elif isinstance(step, s.CandidaciesStep):
            stands |= set(PARTIES)  # the named election's parties (checked when the step is applied)
    return before


def _who_must_stand(step: Any) -> list[tuple[str, str]]:
    if isinstance(step, s.PactStep):
        return [("members", m) for m in step.members]
    if isinstance(step, s.TacticalStep):
        return [("party", step.party)] + [("prefer", p) for p in step.prefer]
    if isinstance(step, s.TurnoutStep):
        return [("parties", p) for p in step.parties]
    if isinstance(step, s.CovariateSwingStep | s.LayoutStep):
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


def check_uncertainty(scenario: s.Scenario) -> None:
    """Every uncertain parameter's path resolves to a number, and its distribution stays in range."""
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
