"""A scenario's steps and assumptions in plain words, for readers of a report."""

from __future__ import annotations

from collections.abc import Mapping

from sim.scenario import schema as s


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def _pts(x: float) -> str:
    return f"{100 * x:.1f} points"


def _parties(values: Mapping[str, float], fmt: str = "share") -> str:
    show = _pct if fmt == "share" else (lambda v: f"{100 * v:+.1f}%")
    return ", ".join(f"{party} {show(v)}" for party, v in values.items())


def _scope(name: str) -> str:
    """A scope as a reader says it: ``gb`` is Great Britain, ``uk`` the UK."""
    return {"gb": "Great Britain", "uk": "the UK"}.get(name.strip().lower(), name)


def _where(f: s.SeatFilter | None) -> str:
    """The seats a filter selects, in words ('' for every seat)."""
    if f is None:
        return ""
    parts = []
    if f.scope:
        parts.append("in " + " or ".join(_scope(x) for x in f.scope))
    if f.seats:
        parts.append("in " + ", ".join(f.seats))
    if f.exclude:
        parts.append("except " + ", ".join(f.exclude))
    if f.winner:
        parts.append("where " + " or ".join(f.winner) + " won last time")
    if f.runner_up:
        parts.append("where " + " or ".join(f.runner_up) + " came second")
    for name, (low, high) in f.covariates.items():
        parts.append(f"where {name} is between {low:g} and {high:g}")
    for name, levels in f.categories.items():
        parts.append(f"where {name} is " + " or ".join(levels))
    return (" " + ", ".join(parts)) if parts else ""


def _rate(value: float | dict[str, float], party: str) -> float:
    return value.get(party, 0.0) if isinstance(value, dict) else value


def describe_step(step: s.Step) -> str:
    """One sentence saying what a scenario step does."""
    if isinstance(step, s.SharesStep):
        if step.areas:
            return f"Set vote shares in each of {', '.join(step.areas)} to its own targets by {step.method} swing."
        return f"Set vote shares in {_scope(step.scope_name)} to {_parties(step.shares)} by {step.method} swing."
    if isinstance(step, s.PollsStep):
        nations = " (Scotland and Wales from their own polls where there are recent ones)" if (
            step.scope == "gb" and step.nations == "own") else ""  # fmt: skip
        sources = ", ".join(step.sources)
        return (f"Set vote shares in {_scope(step.scope)} to the poll average as of {step.as_of} ({sources})"
                f"{nations} by {step.method} swing.")  # fmt: skip
    if isinstance(step, s.FlowsStep):
        source = "non-voters" if step.from_ == s.ABSTAIN else f"{step.from_} voters"
        moves = ", ".join(f"{_pct(v)} to {'abstention' if p == s.ABSTAIN else p}" for p, v in step.to.items())
        scaled = f", scaled in each seat by {step.scale_by}" if step.scale_by else ""
        absent = "abstain" if step.if_absent == "abstain" else "stay put"
        return f"Move {source}{_where(step.where)}: {moves}{scaled} (where a destination does not stand they {absent})."
    if isinstance(step, s.CovariateSwingStep):
        effect = (
            f"{step.slope:+g} share per unit of {step.covariate}"
            if step.slope is not None
            else ", ".join(f"{level} {_pts(v)}" for level, v in step.levels.items())
        )
        return (
            f"Swing {step.party} by seat covariate {step.covariate} ({effect}) in {_scope(step.scope)}, "
            f"its total share there changing by {_pts(step.change)}."
        )
    if isinstance(step, s.PactStep):
        one_sided = f"; only {', '.join(step.only_stand_down)} ever stand down" if step.only_stand_down else ""
        fixed = (
            f"; fixed candidates: {', '.join(f'{k} {v}' for k, v in step.candidates.items())}"
            if step.candidates
            else ""
        )
        transfers = ", ".join(
            f"{p} {_pct(_rate(step.transfer, p))} to the pact candidate, {_pct(_rate(step.to_others, p))} elsewhere"
            for p in step.members
        )
        return (
            f"Pact of {', '.join(step.members)}{_where(step.where)}: the best-placed member stands{one_sided}{fixed}. "
            f"Voters of a member that stands down: {transfers}, the rest abstain."
        )
    if isinstance(step, s.TacticalStep):
        against = f" where {step.against} is in the top two" if step.against else ""
        return (
            f"{_pct(step.rate)} of {step.party} voters{_where(step.where)} switch to the best placed of "
            f"{', '.join(step.prefer)} when {step.party} cannot win{against}."
        )
    if isinstance(step, s.TurnoutStep):
        slope = f", plus {step.slope:+g} per unit of {step.covariate} above its mean" if step.covariate else ""
        return f"Differential turnout{_where(step.where)}: {_parties(step.parties, 'change')}{slope}."
    if isinstance(step, s.OverrideStep):
        seats = ", ".join(step.seats) if step.seats else "seats" + _where(step.where)
        acts = []
        if step.stand:
            acts.append(f"{', '.join(step.stand)} now stand")
        if step.withdraw:
            acts.append(f"{', '.join(step.withdraw)} stand down (their voters go to {step.withdrawn_to})")
        if step.shares:
            acts.append(f"shares set to {_parties(step.shares)}")
        if step.by_election:
            acts.append(f"the by-election of {step.by_election} replaces the result")
        return f"In {seats}: {'; '.join(acts) or 'no change'}."
    if isinstance(step, s.MergeStep):
        return f"Count {', '.join(step.parties)} as one party, {step.into}."
    if isinstance(step, s.CandidaciesStep):
        return f"Stand the candidates of the {step.election} election (independents and sitting MPs as people)."
    if isinstance(step, s.LayoutStep):
        like = f"{step.like.party} in {step.like.election}" if step.like.party else f"{step.like.covariate}"
        return (f"Lay out {step.party}'s votes in {_scope(step.scope)} by {step.by} like {like}, the difference from "
                f"{', '.join(step.from_)}.")  # fmt: skip
    raise TypeError(f"no description for step {type(step).__name__}")  # pragma: no cover


def nation_words(u: s.Uncertainty) -> str:
    """The nation error's scale: one for all, or each nation's own (those with none left out)."""
    if u.nation is not None:
        return _pts(u.nation)
    return ", ".join(f"{name} {_pts(v)}" for name, v in u.nations.items() if v > 0)


def describe_uncertainty(u: s.Uncertainty) -> list[str]:
    """The Monte Carlo error model in sentences."""
    lines = [
        f"Each simulated election moves every party's share by random errors (standard deviations, scaled down "
        f"for small parties): {_pts(u.national)} across Great Britain, the size of the polls' historical error "
        f"(the lead of the two largest parties {_pts(u.lead) if u.lead is not None else 'not set'}); "
        f"{_pts(u.regional)} for each English region; {_pts(u.seat)} for each seat.",
        f"Each nation's departure from the GB change ({nation_words(u)}) is realignment risk, not poll error: it is "
        "measured on how far the nations' changes departed from Great Britain's in 2010-2019, and Scotland's is "
        "dominated by the SNP's 2015 surge.",
    ]
    if u.slopes:
        lines.append(
            "Each party also gets a random slope on "
            + ", ".join(f"{name} (sd {sd:g})" for name, sd in u.slopes.items())
            + ", so its swing can follow the kind of seat."
        )
    for path, dist in u.parameters.items():
        family = next(f for f in ("beta", "normal", "uniform", "triangular") if getattr(dist, f) is not None)
        values = ", ".join(f"{v:g}" for v in getattr(dist, family))
        lines.append(f"The scenario parameter {path} is drawn from a {family} distribution ({values}).")
    return lines
