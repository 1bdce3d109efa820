"""The page's state as a scenario, and a scenario as the page's state.

:func:`scenario_of` turns a state into a :class:`~sim.scenario.schema.Scenario` through the same
schema and checks as a file (:func:`sim.scenario.load.parse_scenario`); :func:`state_of_scenario`
reads one back, recognising the steps the page writes, so a downloaded file fills the controls
when it is opened again. The controls' steps come after the opened scenario's, in this order:

1. ``shares``: the sliders' GB targets by the chosen method (scope ``gb``); with Scotland and Wales
   set, one step with ``areas`` for England, Scotland and Wales, England's targets worked out so
   that the GB totals are the sliders' (:func:`england_targets`);
2. ``tactical``: each member of the bloc lends ``rate`` of its voters to the best-placed other
   member where its own candidate is third or lower and that member is in the top two;
3. ``pact``: the bloc's best-placed member stands alone in every GB seat, with the transfer rates
   of ``scenarios/2024/progressive-pact.toml`` and ``right-pact.toml`` (uncertain, triangular
   +/- 0.2, as there).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sim.core.parties import PARTIES
from sim.projection.project import Projection
from sim.scenario import schema as s
from sim.scenario.load import parse_scenario
from sim.scenario.paths import plain
from sim.scenario.write import to_toml
from sim.serve.state import (
    INSURGENTS,
    MIN_SLIDER_SHARE,
    NATION_PANELS,
    NO_SLIDER,
    PACT_RATES,
    PACT_SPREAD,
    PROGRESSIVE,
    PageError,
    PageState,
    encode_token,
)


@dataclass(frozen=True, eq=False)
class Context:
    """What the controls start from: the opened scenario (or the bare base) projected.

    Attributes
    ----------
    prelude : Scenario
        The opened scenario without the page's own steps (or the bare base).
    projection : Projection
        ``prelude`` projected: the sliders' starting values.
    sliders : dict
        Panel (``gb``, ``Scotland``, ``Wales``) -> the parties that get a slider there.
    shares : dict
        Area (``gb``, ``England``, ``Scotland``, ``Wales``) -> every party's share there.
    votes : dict
        Area -> its total valid votes in the projection.
    right : tuple
        The right bloc on this base (CON and its insurgent party).

    """

    prelude: s.Scenario
    projection: Projection
    sliders: dict[str, tuple[str, ...]]
    shares: dict[str, dict[str, float]]
    votes: dict[str, float]
    right: tuple[str, ...]

    def bloc(self, name: str) -> tuple[str, ...]:
        """The members of a named bloc (``progressive`` or ``right``) on this base."""
        return PROGRESSIVE if name == "progressive" else self.right


def context_of(prelude: s.Scenario, projection: Projection) -> Context:
    """The controls' starting point from a projected prelude."""
    e = projection.election
    votes = projection.votes
    counted = ~projection.stood[:, PARTIES.index("SPK")]  # as a shares step counts an area: the Speaker's seat out
    areas = {
        "gb": counted & (e.nations != "Northern Ireland"),
        **{nation: counted & (e.nations == nation) for nation in ("England", *NATION_PANELS)},
    }
    totals = {area: float(votes[mask].sum()) for area, mask in areas.items()}
    shares = {
        area: {p: float(votes[mask, k].sum()) / max(totals[area], 1.0) for k, p in enumerate(e.parties)}
        for area, mask in areas.items()
    }
    sliders = {
        panel: tuple(
            p
            for p in PARTIES
            if p not in NO_SLIDER and shares[panel][p] >= MIN_SLIDER_SHARE and (panel != "gb" or p not in ("SNP", "PC"))
        )
        for panel in ("gb", *NATION_PANELS)
    }
    stood = projection.stood.sum(axis=0)
    insurgent = next((p for p in INSURGENTS if stood[PARTIES.index(p)] >= 100), None)
    right = ("CON", insurgent) if insurgent else ("CON",)
    return Context(prelude, projection, sliders, shares, totals, right)


# ---------------------------------------------------------------------------------------------
# State -> scenario


def england_targets(ctx: Context, gb: dict[str, float], nations: dict[str, dict[str, float]]) -> dict[str, float]:
    """England's targets making the GB shares ``gb`` given Scotland's and Wales's (``nations``).

    ``E_p = (G_p V_GB - sum_n N_p V_n) / V_England`` with each area's valid votes ``V`` in the
    opened scenario's projection (a shares step keeps every seat's total).

    Raises
    ------
    PageError
        If a party's England share would be negative or England's shares add up to more than 1.

    """
    england = {}
    for p, g in gb.items():
        value = g * ctx.votes["gb"] - sum(nations[n].get(p, ctx.shares[n][p]) * ctx.votes[n] for n in NATION_PANELS)
        england[p] = value / ctx.votes["England"]
        if england[p] < -1e-9:
            raise PageError(
                f"{p} at {100 * g:.1f}% of GB needs a negative share in England with its Scotland and Wales shares; "
                f"raise its GB share or lower it in Scotland or Wales"
            )
        england[p] = max(england[p], 0.0)
    if sum(england.values()) > 1.0 + 1e-9:
        raise PageError(
            f"England's shares would add up to {100 * sum(england.values()):.1f}%: lower the GB shares or raise "
            "Scotland's and Wales's"
        )
    return england


def _nation_table(ctx: Context, state: PageState, nation: str) -> dict[str, float]:
    """A nation's targets: its sliders, and every GB slider party held at its share there."""
    values = state.panel(nation) or {p: ctx.shares[nation][p] for p in ctx.sliders[nation]}
    held = {p: ctx.shares[nation][p] for p in ctx.sliders["gb"] if p not in values}
    return {**values, **held}


def slider_total(ctx: Context, panel: str) -> float:
    """What a panel's sliders must add up to: the share the parties without a slider leave them (kept)."""
    return sum(ctx.shares[panel][p] for p in ctx.sliders[panel])


def _check_panel(ctx: Context, panel: str, values: dict[str, float]) -> None:
    """A panel's sliders are this base's, and add up to what the parties without one leave (those keep theirs)."""
    expected = ctx.sliders[panel]
    where = "GB" if panel == "gb" else panel
    if set(values) != set(expected):
        raise PageError(
            f"{where} sliders: got {', '.join(values) or 'none'}, but here they are {', '.join(expected)} (every one "
            "of them, in percent); open the page again from its start"
        )
    total, needed = sum(values.values()), slider_total(ctx, panel)
    if abs(total - needed) > 1e-4:
        raise PageError(
            f"{where} sliders add up to {100 * total:.2f}%, but the parties without a slider keep "
            f"{100 * (1 - needed):.2f}%, so they must add up to {100 * needed:.2f}%; move one slider (the others "
            "follow) rather than set them all"
        )


PAGE_NAME = ", on the swingometer page"
PAGE_WORDS = "Made on the swingometer page"


def scenario_of(state: PageState, ctx: Context, uncertain: Sequence[str] | None = None) -> s.Scenario:
    """The scenario a state stands for, validated by the scenario schema like a file.

    ``uncertain`` names the pact members whose transfer rate is drawn in the Monte Carlo (default
    every member); a member that stands down nowhere has no rate to draw (:meth:`Engine.evaluate`
    leaves it out).
    """
    prelude = ctx.prelude
    data: dict[str, Any] = plain(prelude.model_dump(by_alias=True, exclude_defaults=True))
    data["schema"] = 1
    steps: list[dict[str, Any]] = list(data.get("steps", []))
    words: list[str] = []
    if state.gb is not None or state.nations:
        gb = state.gb if state.gb is not None else {p: ctx.shares["gb"][p] for p in ctx.sliders["gb"]}
        _check_panel(ctx, "gb", gb)
        words.append("GB " + ", ".join(f"{p} {100 * v:.1f}%" for p, v in gb.items()))
        if state.nations:
            for n in NATION_PANELS:
                values = state.panel(n)
                if values is not None:
                    _check_panel(ctx, n, values)
            tables = {n: _nation_table(ctx, state, n) for n in NATION_PANELS}
            areas = {"England": england_targets(ctx, gb, tables), **tables}
            steps.append({"kind": "shares", "method": state.method, "areas": _rounded_tables(areas)})
            words.append("Scotland and Wales set separately")
        else:
            steps.append({"kind": "shares", "method": state.method, "scope": "gb", "shares": _rounded(gb)})
    if state.tactical_rate > 0:
        members = [p for p in ctx.bloc(state.tactical_bloc) if p in ctx.shares["gb"]]
        for p in members:
            steps.append({"kind": "tactical", "party": p, "prefer": [q for q in members if q != p],
                          "rate": round(state.tactical_rate, 6), "where": {"scope": ["gb"]}})  # fmt: skip
        words.append(f"tactical voting in the {state.tactical_bloc} bloc at {100 * state.tactical_rate:.0f}%")
    parameters = dict(data.get("uncertainty", {}).get("parameters", {}))
    if state.pact != "none":
        members = list(ctx.bloc(state.pact))
        rates = {p: PACT_RATES.get(p, PACT_RATES["REF"]) for p in members}
        steps.append({"kind": "pact", "members": members, "rule": "best_placed", "where": {"scope": ["gb"]},
                      "transfer": {p: t for p, (t, _) in rates.items()},
                      "to_others": {p: o for p, (_, o) in rates.items()}})  # fmt: skip
        for p, (t, o) in rates.items():
            if uncertain is not None and p not in uncertain:
                continue
            low, high = max(0.0, t - PACT_SPREAD), min(1.0 - o, t + PACT_SPREAD)
            parameters[f"steps.{len(steps) - 1}.transfer.{p}"] = {"triangular": [round(low, 6), t, round(high, 6)]}
        words.append(f"a {state.pact} pact ({', '.join(members)})")
    if parameters:
        data.setdefault("uncertainty", {})["parameters"] = parameters
    data["steps"] = steps
    opened = (state.name or prelude.name).removesuffix(PAGE_NAME)
    data["name"] = f"{opened}{PAGE_NAME}" if opened else f"The {prelude.base} result{PAGE_NAME}"
    data["description"] = (
        (prelude.description.strip() + "\n\n" if prelude.description.strip() else "")
        + f"{PAGE_WORDS} (swingometer serve): "
        + ("; ".join(words) if words else "the opened scenario as it is")
        + f". Reproduce its figures with `swingometer run FILE --draws {state.draws} --seed {state.seed}`."
    )
    return parse_scenario(data, "the page's scenario")


def _rounded(table: dict[str, float]) -> dict[str, float]:
    return {p: round(float(v), 10) for p, v in table.items()}


def _rounded_tables(tables: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
    return {area: _rounded(table) for area, table in tables.items()}


def page_toml(state: PageState, scenario: s.Scenario) -> str:
    """The scenario file the page downloads, headed by the command that reproduces the page."""
    return to_toml(
        scenario,
        comment=(
            "Made by `swingometer serve`. The page's figures are reproduced exactly by\n"
            f"  swingometer run THIS-FILE --draws {state.draws} --seed {state.seed}\n"
            "Open this file in the page (Open a scenario) to set its controls again."
        ),
    )


# ---------------------------------------------------------------------------------------------
# Scenario -> state


def split_scenario(scenario: s.Scenario, right: tuple[str, ...]) -> tuple[s.Scenario, dict[str, Any]]:
    """A scenario's prelude and the page controls its last steps set (the steps :func:`scenario_of` writes).

    Returns the scenario without those steps and ``{"pact", "tactical_bloc", "tactical_rate",
    "method", "gb" or "areas"}`` for those found. Steps that only look like the page's (another
    rate, another scope) stay in the prelude.
    """
    steps = list(scenario.steps)
    params = dict(scenario.uncertainty.parameters)
    found: dict[str, Any] = {}
    if steps and isinstance(steps[-1], s.PactStep):
        name = _pact_name(steps[-1], params, len(steps) - 1, right)
        if name:
            found["pact"] = name
            params = {k: v for k, v in params.items() if not k.startswith(f"steps.{len(steps) - 1}.")}
            steps.pop()
    tactical: list[s.TacticalStep] = []
    while steps and isinstance(steps[-1], s.TacticalStep):
        tactical.insert(0, steps[-1])
        steps.pop()
    bloc = _tactical_bloc(tactical, right)
    if bloc:
        found["tactical_bloc"], found["tactical_rate"] = bloc, tactical[0].rate
    else:
        steps += tactical
    last = steps[-1] if steps else None
    if isinstance(last, s.SharesStep) and _page_shares(last):
        step = last
        steps.pop()
        found["method"] = step.method
        found["areas" if step.areas else "gb"] = step.areas or step.shares
    if any(int(key.split(".")[1]) >= len(steps) for key in params if key.startswith("steps.")):
        return scenario, {}  # the error model draws a parameter of a step the page would take over: keep them all
    uncertainty = scenario.uncertainty.model_copy(update={"parameters": params}) if params or found else None
    # what the page wrote into the name and the description goes, so a round trip does not repeat it
    description = scenario.description.split(PAGE_WORDS, 1)[0].strip()
    name = scenario.name.removesuffix(PAGE_NAME)
    name = "" if name == f"The {scenario.base} result" else name
    update: dict[str, Any] = {"steps": steps, "description": description, "name": name}
    if uncertainty is not None:
        update["uncertainty"] = uncertainty
    return scenario.model_copy(update=update), found


def _pact_name(step: s.PactStep, params: dict[str, Any], k: int, right: tuple[str, ...]) -> str | None:
    for name, members in (("progressive", PROGRESSIVE), ("right", right)):
        rates = {p: PACT_RATES.get(p, PACT_RATES["REF"]) for p in members}
        if (
            tuple(step.members) == members and step.rule == "best_placed" and step.where.scope == ["gb"]
            and not step.candidates and not step.only_stand_down
            and step.transfer == {p: t for p, (t, _) in rates.items()}
            and step.to_others == {p: o for p, (_, o) in rates.items()}
            and all(key.startswith(f"steps.{k}.transfer.") for key in params if key.startswith(f"steps.{k}."))
        ):  # fmt: skip
            return name
    return None


def _tactical_bloc(steps: list[s.TacticalStep], right: tuple[str, ...]) -> str | None:
    for name, members in (("progressive", PROGRESSIVE), ("right", right)):
        present = [st.party for st in steps]
        if (
            steps and set(present) <= set(members) and len(present) == len(set(present)) >= 2
            and all(st.rate == steps[0].rate and st.against is None and st.where.scope == ["gb"]
                    and st.prefer == [q for q in present if q != st.party] for st in steps)
        ):  # fmt: skip
            return name
    return None


def _page_shares(step: s.SharesStep) -> bool:
    if step.areas:
        return set(step.areas) == {"England", *NATION_PANELS} and step.others == "keep" and not step.stand
    return step.scope in (None, "gb") and step.others == "keep" and not step.stand and not step.leave_slope


def state_of_scenario(scenario: s.Scenario, project: Any, draws: int, seed: int = 1) -> tuple[PageState, Context]:
    """The page's state and context for an opened scenario.

    ``project(prelude) -> Projection`` projects the scenario's prelude (the page's engine caches
    it). The controls the scenario's last steps set are filled in; the rest is the prelude.
    """
    # the right bloc depends on the base; project the bare base first only to name it
    stripped = scenario.model_copy(update={"steps": [], "uncertainty": s.Uncertainty()})
    probe = context_of(stripped, project(stripped))
    prelude, found = split_scenario(scenario, probe.right)
    ctx = context_of(prelude, project(prelude))
    gb, nations, scotland, wales = _controls_of(ctx, found)
    if "method" in found and gb is None:  # targets the sliders cannot hold: the step stays the scenario's own
        prelude = prelude.model_copy(update={"steps": [*prelude.steps, _shares_step(found)]})
        ctx = context_of(prelude, project(prelude))
        found.pop("method")
    bare = not prelude.steps and prelude.uncertainty == s.Uncertainty()
    nations = nations and gb is not None
    state = PageState(
        base=scenario.base,
        method=found.get("method", "multiparty"),
        gb=gb,
        nations=nations,
        scotland=scotland,
        wales=wales,
        pact=found.get("pact", "none"),
        tactical_bloc=found.get("tactical_bloc", "progressive"),
        tactical_rate=float(found.get("tactical_rate", 0.0)),
        draws=draws,
        seed=seed,
        token="" if bare else encode_token(prelude),
        name="" if bare else (prelude.name or "the opened scenario")[:200],
    )
    return state, ctx


def _controls_of(ctx: Context, found: dict[str, Any]) -> tuple[dict[str, float] | None, bool, Any, Any]:
    """The sliders a page shares step sets: ``(gb, nations, scotland, wales)``; ``gb`` None if it cannot be held.

    The step's targets must be the sliders' parties, and each panel's must add up to what the parties
    without a slider leave (as :func:`scenario_of` writes them). A nation panel equal to the opened
    scenario's shares is left untouched.
    """

    def fits(panel: str, values: dict[str, float]) -> bool:
        return set(values) == set(ctx.sliders[panel]) and abs(sum(values.values()) - slider_total(ctx, panel)) <= 1e-4

    if "gb" in found:
        gb = {p: found["gb"][p] for p in ctx.sliders["gb"] if p in found["gb"]}
        return (gb, False, None, None) if fits("gb", dict(found["gb"])) else (None, False, None, None)
    if "areas" not in found:
        return None, False, None, None
    areas = found["areas"]
    gb = {}
    for p in ctx.sliders["gb"]:
        total = sum(areas[a].get(p, ctx.shares[a][p]) * ctx.votes[a] for a in ("England", *NATION_PANELS))
        gb[p] = total / ctx.votes["gb"]
    panels = {n: {p: areas[n][p] for p in ctx.sliders[n] if p in areas[n]} for n in NATION_PANELS}
    expected = {n: set(ctx.sliders[n]) | set(ctx.sliders["gb"]) for n in NATION_PANELS}
    if not (fits("gb", gb) and set(areas["England"]) == set(ctx.sliders["gb"])
            and all(fits(n, panels[n]) and set(areas[n]) == expected[n] for n in NATION_PANELS)):  # fmt: skip
        return None, True, None, None
    untouched = {n: all(abs(v - ctx.shares[n][p]) <= 1e-9 for p, v in panels[n].items()) for n in NATION_PANELS}
    scotland, wales = (None if untouched[n] else panels[n] for n in NATION_PANELS)
    return gb, True, scotland, wales


def _shares_step(found: dict[str, Any]) -> s.SharesStep:
    if "areas" in found:
        return s.SharesStep(kind="shares", method=found["method"], areas=found["areas"])
    return s.SharesStep(kind="shares", method=found["method"], scope="gb", shares=found["gb"])


def slider_values(state: PageState, ctx: Context, panel: str) -> dict[str, float]:
    """The values a panel's sliders show: the state's, else the opened scenario's projected shares."""
    values = state.panel(panel)
    if values is not None:
        return values
    return {p: ctx.shares[panel][p] for p in ctx.sliders[panel]}
