"""Checks of a scenario on its own (before any election is loaded): raw values and static rules.

:func:`check_raw` refuses what the schema would coerce or choke on (bools and quoted numbers for
numbers, nesting deeper than ``MAX_DEPTH``); :func:`check_static` refuses instructions that are
meaningless whatever the election (a party key given twice, a flow to itself, a filter no seat can
match, ...). :mod:`sim.scenario.load` runs both on every file; :mod:`sim.scenario.validate` adds
the checks against the base election, the uncertainty and the projection.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sim.core.errors import LookupFailed, ScenarioError, did_you_mean
from sim.core.parties import party_index
from sim.data.election import check_election_name
from sim.data.names import CATEGORICAL, COVARIATES, NUMERIC
from sim.scenario import schema as s

WITHDRAWN_TO = ("others", "abstain", "region")
"""Where an override's withdrawn voters can go, besides a party code."""
LINEAGES = ("CON", "GRN", "LAB", "LD", "PC", "SNP", "UKIP")
"""The lineages a fitted model's coefficients are given for."""
POOLED = ("IND", "OTH")
"""The columns that pool several candidates a seat (override ``withdraw_part`` and ``lead``)."""

MAX_DEPTH = 8
"""Deepest nesting of tables and arrays a scenario file needs (deeper is refused, not parsed)."""

_UNCERTAINTY_NUMBERS = ("national", "lead", "nation", "regional", "contest", "seat")


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
        for table in ("slopes", "nations"):
            values = unc.get(table)
            if isinstance(values, dict):
                fields += [(f"uncertainty.{table}.{k}", v) for k, v in values.items()]
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


def _pact_tables(step: s.PactStep) -> str | None:
    """A pact's per-party rate tables name exactly the members (those that may stand down)."""
    members = [m.strip().upper() for m in step.members]
    leaving = [m.strip().upper() for m in step.only_stand_down] or members
    for name in ("transfer", "to_others"):
        table = getattr(step, name)
        if not isinstance(table, dict):
            continue
        keys = [k.strip().upper() for k in table]
        extra = [k for k in keys if k not in members]
        if extra:
            return f"{name}: {extra[0]} is not a pact member ({', '.join(members)}); remove it"
        missing = [m for m in leaving if m not in keys]
        if missing:
            return f"{name}: no rate for {', '.join(missing)}; give every member a rate (or one number for all)"
    return None


def _step_problem(step: Any, data: dict[str, Any]) -> str | None:
    """The first meaningless instruction in one step, as 'field: what is wrong; the fix'."""
    for name in ("shares", "to", "transfer", "to_others", "parties", "leave_slope"):
        value = data.get(name)
        keys = value if isinstance(value, dict) else value if name == "parties" and isinstance(value, list) else []
        repeated = _duplicates(keys)
        if repeated:
            return f"{name}: party '{repeated[0]}' is given twice (party codes ignore case); give it once"
    for name in ("members", "prefer", "stand", "withdraw", "only_stand_down", "from"):
        value = data.get(name) or []
        repeated = _duplicates(value if isinstance(value, list | dict) else [])
        if repeated:
            return f"{name}: party '{repeated[0]}' is given twice; list each party once"
    for name in ("withdraw_part", "lead"):
        repeated = _duplicates(data.get(name) or {})
        if repeated:
            return f"{name}: party '{repeated[0]}' is given twice (party codes ignore case); give it once"
    if isinstance(step, s.SharesStep):
        repeated = _duplicates(step.areas)
        if repeated:
            return f"areas: area '{repeated[0]}' is given twice (names ignore case); give it once"
        for area, table in step.areas.items():
            repeated = _duplicates(table)
            if repeated:
                return f"areas.{area}: party '{repeated[0]}' is given twice (party codes ignore case); give it once"
        for party, candidacy in step.stand.items():
            repeated = _duplicates(candidacy.from_)
            if repeated:
                return f"stand.{party}.from: party '{repeated[0]}' is given twice; list each party once"
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
        problem = _pact_tables(step)
        if problem is not None:
            return problem
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
        problem = _override_problem(step)
        if problem is not None:
            return problem
    if isinstance(step, s.CandidaciesStep):
        try:
            name = check_election_name(step.election)
        except LookupFailed as exc:
            return f"election: {exc}"
        if name.endswith("-notional"):
            return (f"election: {name} is a notional result, with no candidacy file of its own; name a real election "
                    "(2024 on the 2019-notional base)")  # fmt: skip
    if isinstance(step, s.MergeStep) and any(_same(p, "SPK") for p in [*step.parties, step.into]):
        return "parties: the Speaker is no party and cannot be merged; leave SPK out"
    if isinstance(step, s.SharesStep) and any(_same(p, "SPK") for p in step.stand):
        return "stand: the Speaker stands in one seat only and cannot be made to stand elsewhere; leave SPK out"
    if isinstance(step, s.LayoutStep) and any(_same(step.party, p) for p in step.from_):
        return f"from: {step.party} cannot make room for itself; name the other parties"
    return None


def _override_problem(step: s.OverrideStep) -> str | None:
    """An override's problems: a party both standing and withdrawing, pooled-only fields on a party, no-ops."""
    withdrawn = [*step.withdraw, *step.withdraw_part]
    both = [p for p in step.stand if any(_same(p, w) for w in withdrawn)]
    if both:
        return f"stand/withdraw: {both[0]} cannot both stand and withdraw in one step; choose one"
    again = [p for p in step.shares if any(_same(p, w) for w in step.withdraw)]
    if again:
        return f"shares/withdraw: {again[0]} cannot be withdrawn and given a share in one step; choose one"
    twice = [p for p in step.withdraw if any(_same(p, w) for w in step.withdraw_part)]
    if twice:
        return f"withdraw_part: {twice[0]} is withdrawn whole already (withdraw); give it in one of the two"
    for name in ("withdraw_part", "lead"):
        for party, value in getattr(step, name).items():
            if party.strip().upper() not in POOLED:
                return (f"{name}: {party} is one candidate a seat; {name} is for the columns that pool several "
                        f"({', '.join(POOLED)}){'; use withdraw' if name == 'withdraw_part' else ''}")  # fmt: skip
            if value <= 0:
                return f"{name}: {party} = 0 does nothing; give a fraction above 0 or remove it"
    gone = [p for p in step.lead if any(_same(p, w) for w in step.withdraw)]
    if gone:
        return f"lead: {gone[0]} is withdrawn in this step, so it has no lead; remove one of the two"
    to = step.withdrawn_to.strip()
    if to.lower() != "others" and not withdrawn:
        return f"withdrawn_to: nothing is withdrawn in this step, so '{to}' does nothing; remove it"
    if to.lower() in WITHDRAWN_TO or to.upper() == s.ABSTAIN:
        return None
    if to.lower().startswith("other"):
        return f"withdrawn_to: '{to}' is not where voters can go; did you mean 'others'? (or {', '.join(WITHDRAWN_TO)})"
    try:
        party_index(to, where="withdrawn_to")
    except LookupFailed as exc:
        return f"withdrawn_to: {exc}; or write one of {', '.join(WITHDRAWN_TO)}"
    if any(_same(to, w) for w in withdrawn):
        return f"withdrawn_to: {to.upper()} is withdrawn in this step, so its voters cannot go to it; name another"
    return None


def _linked_problem(step: s.SharesStep) -> str | None:
    """A fitted step's problems: unknown parties in its Leave slopes, seats listed twice, unknown lineages."""
    for code in step.leave_slope:
        try:
            party_index(code, where="the Leave slopes")
        except LookupFailed as exc:
            return f"leave_slope: {exc}"
    for name in ("retiring", "sophomore"):
        seen: set[str] = set()
        for seat in getattr(step, name) or []:
            key = seat.strip().lower()
            if key in seen:
                return f"{name}: seat '{seat}' is given twice; list each seat once"
            seen.add(key)
    if step.coefficients is not None:
        repeated = _duplicates(step.coefficients.linked)
        if repeated:
            return f"coefficients.linked: lineage '{repeated[0]}' is given twice; give it once"
        unknown = [k for k in step.coefficients.linked if k.strip().upper() not in LINEAGES]
        if unknown:
            return (f"coefficients.linked: no lineage '{unknown[0]}' (lineages: {', '.join(LINEAGES)}; the Brexit "
                    "Party and Reform use UKIP's)")  # fmt: skip
        missing = [k for k in LINEAGES if k not in {c.strip().upper() for c in step.coefficients.linked}]
        if missing:
            return (f"coefficients.linked: give every lineage ({', '.join(LINEAGES)}); missing {', '.join(missing)} "
                    "(a missing lineage would get no terms at all)")  # fmt: skip
    return None


def check_static(scenario: s.Scenario) -> None:
    """Check what needs no election: repeated parties, flows to self, slopes without covariates...

    Raises
    ------
    ScenarioError
        Naming the field path (``steps[k].field``), what is wrong and the fix.

    """
    seen_candidacies: int | None = None
    for k, step in enumerate(scenario.steps):
        problem = _step_problem(step, step.model_dump(by_alias=True))
        if problem is not None:
            raise ScenarioError(f"steps[{k}].{problem}")
        if isinstance(step, s.CandidaciesStep):
            if seen_candidacies is not None:
                raise ScenarioError(
                    f"steps[{k}]: steps[{seen_candidacies}] already stands a named election's candidacies; give one "
                    "candidacies step (a second would stand down the pooled candidates it kept again)"
                )
            seen_candidacies = k
            if int(step.election.strip()[:4]) <= int(scenario.base.strip()[:4]):
                raise ScenarioError(
                    f"steps[{k}].election: {step.election} is not later than the base ({scenario.base}); a "
                    "candidacies step stands a later election's candidates on the base (2024 on 2019-notional): "
                    "its retiring MPs and new candidates would be another election's"
                )
        _check_filter(getattr(step, "where", None), f"steps[{k}].where")
    repeated = _duplicates(scenario.preferences)
    if repeated:
        raise ScenarioError(
            f"preferences: party '{repeated[0]}' is given twice (party codes ignore case); give it once"
        )
    for origin, row in scenario.preferences.items():
        repeated = _duplicates(row)
        if repeated:
            raise ScenarioError(
                f"preferences.{origin}: party '{repeated[0]}' is given twice (party codes ignore case); give it once"
            )
    for name in scenario.uncertainty.slopes:
        if name not in NUMERIC:
            raise ScenarioError(
                f"uncertainty.slopes: '{name}' is not a numeric covariate{did_you_mean(name, NUMERIC)} "
                f"(choose from {', '.join(NUMERIC)})"
            )
