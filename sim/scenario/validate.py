"""Semantic checks of a scenario: instructions that are impossible or meaningless.

The schema (:mod:`sim.scenario.schema`) checks types and ranges. This module checks what the
schema cannot: a party key given twice, a flow from a party to itself, a pact naming a party that
does not stand, a filter no seat can match, an uncertain parameter whose distribution leaves its
field's range, a step that leaves a seat with no votes. :func:`checked_projection` is the one
entry point: ``swingometer scenario check``, ``project`` and ``run`` all go through it, so a file
that checks is a file that runs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.core.errors import LookupFailed, ScenarioError, did_you_mean
from sim.core.parties import PARTIES, party_index
from sim.data.names import CATEGORICAL, COVARIATES, NUMERIC
from sim.scenario import schema as s

if TYPE_CHECKING:
    from sim.data.election import DataDir, Election
    from sim.projection.project import Projection

MAX_DEPTH = 8
"""Deepest nesting of tables and arrays a scenario file needs (deeper is refused, not parsed)."""

_UNCERTAINTY_NUMBERS = ("national", "nation", "regional", "seat")


def check_raw(data: Any) -> None:
    """Refuse what the schema would coerce or choke on: bools, number strings, deep nesting."""
    stack: list[tuple[Any, str, int]] = [(data, "", 0)]
    while stack:
        node, where, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ScenarioError(f"{where}: nested more than {MAX_DEPTH} levels deep; no scenario field is")
        if isinstance(node, bool):
            raise ScenarioError(f"{where}: {str(node).lower()} is not allowed here; write a number or a name")
        if isinstance(node, dict):
            stack += [(value, f"{where}.{key}" if where else str(key), depth + 1) for key, value in node.items()]
        elif isinstance(node, list):
            stack += [(value, f"{where}[{k}]", depth + 1) for k, value in enumerate(node)]
    unc = data.get("uncertainty") if isinstance(data, dict) else None
    if isinstance(unc, dict):
        fields = [(f"uncertainty.{k}", unc.get(k)) for k in _UNCERTAINTY_NUMBERS]
        slopes = unc.get("slopes")
        if isinstance(slopes, dict):
            fields += [(f"uncertainty.slopes.{k}", v) for k, v in slopes.items()]
        for where, value in fields:
            if isinstance(value, str):
                raise ScenarioError(f"{where}: '{value}' is text; write a number without quotes")


def _duplicates(codes: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    repeated = []
    for code in codes:
        key = str(code).strip().upper()
        if key in seen:
            repeated.append(key)
        seen.add(key)
    return repeated


def _same(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and a.strip().upper() == b.strip().upper()


def _check_filter(f: s.SeatFilter | None, where: str) -> None:
    if f is None:
        return
    for field in ("winner", "runner_up", "seats", "exclude", "scope"):
        repeated = _duplicates(getattr(f, field))
        if repeated:
            raise ScenarioError(f"{where}.{field}: '{repeated[0]}' is given twice; list each once")
    for name in f.covariates:
        if name not in NUMERIC:
            raise ScenarioError(
                f"{where}.covariates: '{name}' is not a numeric covariate{did_you_mean(name, COVARIATES)} "
                f"(choose from {', '.join(NUMERIC)})"
            )
    for name in f.categories:
        if name not in CATEGORICAL:
            raise ScenarioError(
                f"{where}.categories: '{name}' is not a categorical covariate{did_you_mean(name, COVARIATES)} "
                f"(choose from {', '.join(CATEGORICAL)})"
            )


def _step_problem(step: Any, data: dict[str, Any]) -> str | None:
    """The first meaningless instruction in one step, as 'field: what is wrong; the fix'."""
    for name in ("shares", "to", "transfer", "to_others", "parties", "leave_slope"):
        value = data.get(name)
        keys = value if isinstance(value, dict) else value if name == "parties" and isinstance(value, list) else []
        repeated = _duplicates(keys)
        if repeated:
            return f"{name}: party '{repeated[0]}' is given twice (party codes ignore case); give it once"
    for name in ("members", "prefer", "stand", "withdraw", "only_stand_down"):
        repeated = _duplicates(data.get(name) or [])
        if repeated:
            return f"{name}: party '{repeated[0]}' is given twice; list each party once"
    if isinstance(step, s.SharesStep):
        problem = _linked_problem(step)
        if problem is not None:
            return problem
    if isinstance(step, s.FlowsStep) and any(_same(step.from_, k) for k in step.to):
        return f"to: voters of {step.from_} cannot flow to {step.from_} itself; remove it from 'to'"
    if isinstance(step, s.TacticalStep):
        if any(_same(step.party, p) for p in step.prefer):
            return f"prefer: {step.party} voters cannot switch tactically to {step.party}; remove it from 'prefer'"
        if _same(step.party, step.against):
            return f"against: {step.party} voters cannot vote tactically against {step.party}; name another party"
    if isinstance(step, s.MergeStep) and all(_same(p, step.into) for p in step.parties):
        return f"parties: merging {step.into} into itself does nothing; name the parties that join {step.into}"
    if isinstance(step, s.PactStep):
        members = {m.strip().upper() for m in step.members}
        outside = [p for p in step.only_stand_down if p.strip().upper() not in members]
        if outside:
            return f"only_stand_down: {outside[0]} is not a pact member ({', '.join(step.members)})"
    if isinstance(step, s.TurnoutStep):
        if step.slope != 0 and step.covariate is None:
            return "slope: a slope needs a covariate to act on; add covariate = 'age65' (say) or drop the slope"
        if step.covariate is not None and step.covariate not in NUMERIC:
            hint = did_you_mean(step.covariate, NUMERIC)
            return f"covariate: '{step.covariate}' is not a numeric covariate{hint} (choose from {', '.join(NUMERIC)})"
    if isinstance(step, s.OverrideStep):
        both = [p for p in step.stand if any(_same(p, w) for w in step.withdraw)]
        if both:
            return f"stand/withdraw: {both[0]} cannot both stand and withdraw in one step; choose one"
    return None


def _linked_problem(step: s.SharesStep) -> str | None:
    """A linked step's Leave slopes name known parties, and its retiring seats are listed once."""
    for code in step.leave_slope:
        try:
            party_index(code, where="the Leave slopes")
        except LookupFailed as exc:
            return f"leave_slope: {exc}"
    seen: set[str] = set()
    for seat in step.retiring:
        key = seat.strip().lower()
        if key in seen:
            return f"retiring: seat '{seat}' is given twice; list each seat once"
        seen.add(key)
    return None


def check_static(scenario: s.Scenario) -> None:
    """Check what needs no election: repeated parties, flows to self, slopes without covariates...

    Raises
    ------
    ScenarioError
        Naming the field path (``steps[k].field``), what is wrong and the fix.

    """
    for k, step in enumerate(scenario.steps):
        problem = _step_problem(step, step.model_dump(by_alias=True))
        if problem is not None:
            raise ScenarioError(f"steps[{k}].{problem}")
        _check_filter(getattr(step, "where", None), f"steps[{k}].where")
    for name in scenario.uncertainty.slopes:
        if name not in NUMERIC:
            raise ScenarioError(
                f"uncertainty.slopes: '{name}' is not a numeric covariate{did_you_mean(name, NUMERIC)} "
                f"(choose from {', '.join(NUMERIC)})"
            )


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
    from sim.montecarlo.simulate import TAIL, quantile_table
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
