"""Claims about where votes sit: cities and towns, the Leave realignment, a UKIP surge."""

from __future__ import annotations

import numpy as np

from sim.analysis.sweep import Axis
from sim.claims.model import Context, Finding
from sim.claims.stats import (
    majority_draws,
    mean_se,
    no_steps,
    p_win,
    paired,
    seat_draws,
    seat_interval,
    seats_text,
    swept,
    threshold,
)
from sim.core.parties import PARTY_INDEX
from sim.projection.terms import centred
from sim.scenario.paths import with_value
from sim.scenario.schema import CovariateSwingStep, Scenario

YEARS = ("2015", "2017", "2019")


def cities_towns(ctx: Context, f: Finding) -> None:
    """Seats and Conservative-Labour marginals per seat by settlement type, 2015-2019."""
    lab, con = PARTY_INDEX["LAB"], PARTY_INDEX["CON"]
    ok = True
    rate_years: list[str] = []
    previous = ctx.election("2010")
    for name in YEARS:
        e = ctx.election(name)
        group = e.covariate("settlement_group").astype(str)
        small = e.covariate("settlement").astype(str) == "Small Town"
        margin = np.abs(e.shares[:, lab] - e.shares[:, con])
        top2 = np.sort(e.shares, axis=1)[:, -2:]
        con_lab = np.isin(e.winners, (lab, con)) & np.isclose(top2.sum(axis=1), e.shares[:, lab] + e.shares[:, con])
        marginal = con_lab & (margin < 0.10)
        changed = e.winners != previous.winners
        rates = {}
        parts = []
        for g, m in (("city", group == "city"), ("town", group == "town"), ("small town", small),
                     ("village", group == "village")):  # fmt: skip
            n = int(m.sum())
            rates[g] = float(marginal[m].mean())
            f.numbers[f"marginal_rate_{g.replace(' ', '_')}[{name}]"] = rates[g]
            f.numbers[f"marginals_{g.replace(' ', '_')}[{name}]"] = int(marginal[m].sum())
            f.numbers[f"seats_{g.replace(' ', '_')}[{name}]"] = n
            parts.append(
                f"{g} {n} seats: LAB {int((e.winners[m] == lab).sum())}, CON {int((e.winners[m] == con).sum())}, "
                f"CON-LAB marginals (<10 pts) {int(marginal[m].sum())} ({rates[g]:.1%} of seats), changed hands "
                f"{int((m & changed).sum())} ({float(changed[m].mean()):.1%})"
            )
        f.details.append(f"{name}: " + "; ".join(parts))
        city = group == "city"
        f.numbers[f"lab_city_share[{name}]"] = float((e.winners[city] == lab).mean())
        by_count = f.numbers[f"marginals_town[{name}]"] > f.numbers[f"marginals_city[{name}]"]
        by_rate = rates["small town"] > rates["city"]
        f.numbers[f"towns_lead_by_count[{name}]"] = float(by_count)
        f.numbers[f"small_towns_lead_by_rate[{name}]"] = float(by_rate)
        ok &= f.numbers[f"lab_city_share[{name}]"] > 0.5 and by_count
        rate_years += [name] if by_rate else []
        previous = e
    rate = lambda g: ", ".join(f"{f.numbers[f'marginal_rate_{g}[{n}]']:.1%}" for n in YEARS)  # noqa: E731
    count = lambda g: "/".join(str(f.numbers[f"marginals_{g}[{n}]"]) for n in YEARS)  # noqa: E731
    f.summary = (
        "Labour won "
        + ", ".join(f"{f.numbers[f'lab_city_share[{n}]']:.0%}" for n in YEARS)
        + " of city seats in 2015, 2017 and 2019. A battleground is where the marginal seats are: by count, town "
        + f"seats held {count('town')} Conservative-Labour marginals (under 10 points) against the cities' "
        + f"{count('city')}, more every year (the reading the verdict uses; small towns alone held "
        + f"{count('small_town')}). Per seat, the "
        + f"rate reading, marginals were {rate('small_town')} of small-town seats against {rate('city')} of city "
        + f"seats: higher in {', '.join(rate_years) or 'no year'}; towns have more marginals partly because there "
        + "are more town seats."
    )
    f.verdict = "supported" if ok else "not supported"


def _shifted(scenario: Scenario, k: float) -> Scenario:
    """Labour's vote moved ``k`` into city seats from towns (and a third of that from villages)."""
    for i, step in enumerate(scenario.steps):
        if isinstance(step, CovariateSwingStep) and step.covariate == "settlement_group":
            scenario = with_value(scenario, f"steps.{i}.levels.city", k)
            scenario = with_value(scenario, f"steps.{i}.levels.town", -k)
            scenario = with_value(scenario, f"steps.{i}.levels.village", -k / 3)
    return scenario


def retreat_to_cities(ctx: Context, f: Finding) -> None:
    """Labour's vote moving from towns to cities in England and Wales at the same share, and back."""
    scenario = ctx.scenario
    base = ctx.run(no_steps(scenario))
    lab = PARTY_INDEX["LAB"]
    base_projection = ctx.project(no_steps(scenario))
    base_lab_projected = int((base_projection.winners == lab).sum())
    p_con = majority_draws("CON")
    rows = {}
    for k in (-0.03, 0.03, 0.05):
        s = _shifted(scenario, k)
        r = ctx.run(s)
        projected = int((ctx.project(s).winners == lab).sum())
        d_lab, d_lab_se = paired(base, r, seat_draws("LAB"))
        d_con, d_con_se = paired(base, r, seat_draws("CON"))
        d_p, d_p_se = paired(base, r, p_con)
        rows[k] = (d_lab, d_lab_se, d_con, d_con_se, d_p, d_p_se)
        key = f"{k:+.2f}"
        f.numbers.update({
            f"lab_projected[{key}]": projected, f"lab_change[{key}]": d_lab, f"lab_change[{key}]_se": d_lab_se,
            f"con_change[{key}]": d_con, f"con_change[{key}]_se": d_con_se,
            f"p_con_majority_change[{key}]": d_p, f"p_con_majority_change[{key}]_se": d_p_se,
        })  # fmt: skip
        f.details.append(
            f"Labour {k:+.0%} in cities, {-k:+.0%} in towns (England and Wales): projected LAB {projected} seats "
            f"(from {base_lab_projected}); simulated LAB {d_lab:+.1f} (paired se {d_lab_se:.2f}), CON {d_con:+.1f} "
            f"(se {d_con_se:.2f}), P(CON majority) {d_p:+.1%} (se {d_p_se:.1%}); LAB {seats_text(r, 'LAB')}"
        )
    p_base, p_base_se = mean_se(p_con(base))
    f.numbers.update(
        lab_projected_base=base_lab_projected, p_con_majority_base=p_base, p_con_majority_base_se=p_base_se
    )

    def hurts(k: float) -> bool:
        d_lab, d_lab_se, d_con, d_con_se, d_p, d_p_se = rows[k]
        projected_loss = f.numbers[f"lab_projected[{k:+.2f}]"] < base_lab_projected
        return bool(projected_loss and d_lab < -2 * d_lab_se and d_con > 2 * d_con_se and d_p > 2 * d_p_se)

    d_lab, d_lab_se, _, _, d_p, d_p_se = rows[0.03]
    f.summary = (
        f"From 2017 a 3-point retreat into the cities of England and Wales at the same share moves Labour "
        f"{f.numbers['lab_projected[+0.03]'] - base_lab_projected:+.0f} seats in the projection and {d_lab:+.1f} "
        f"(paired se {d_lab_se:.2f}) simulated; P(CON majority) changes {100 * d_p:+.1f} points "
        f"(se {100 * d_p_se:.1f}) from "
        f"{p_base:.0%}. Winning 3 points back in towns moves Labour {rows[-0.03][0]:+.1f} seats."
    )
    if hurts(0.03):
        f.verdict = "supported"
    elif hurts(0.05):
        f.verdict = "conditional"
        f.threshold = "only with a 5-point shift"
    else:
        f.verdict = "not supported"


def _covariate_steps(scenario: Scenario, party: str) -> list[CovariateSwingStep]:
    return [s for s in scenario.steps if isinstance(s, CovariateSwingStep) and s.party == party]


def leave_realignment(ctx: Context, f: Finding) -> None:
    """2017-2019 swing against Leave, the Red Wall, and Hartlepool 2021 from a Leave-linked swing."""
    e17, e19 = ctx.election("2017"), ctx.election("2019")
    con, lab = PARTY_INDEX["CON"], PARTY_INDEX["LAB"]
    leave = e17.covariate("leave").astype(float)
    ew = np.isin(e17.nations, ("England", "Wales"))
    w = e17.valid_votes.astype(float)
    slopes = {}
    for party, j in (("CON", con), ("LAB", lab)):
        m = ew & e17.stood[:, j] & e19.stood[:, j]
        x = centred(np.where(m, leave, np.nan), e17.regions, w)[m]
        y = centred(np.where(m, e19.shares[:, j] - e17.shares[:, j], np.nan), e17.regions, w)[m]
        slopes[party] = float((x * y).sum() / (x * x).sum())
    lost = (e17.winners == lab) & (e19.winners == con)
    held = (e17.winners == lab) & (e19.winners == lab)
    scenario = ctx.scenario
    steps = {p: _covariate_steps(scenario, p) for p in ("CON", "LAB")}
    for p, found in steps.items():
        f.numbers[f"file_slope[{p}]"] = float(found[0].slope or 0.0)
        f.numbers[f"file_slope_scopes[{p}]"] = len({s.scope for s in found})
    hartlepool = e19.seat_index("Hartlepool")
    flow_only = scenario.model_copy(update={"steps": scenario.steps[:1]})
    result, flow_result = ctx.run(scenario), ctx.run(flow_only)
    actual = ctx.project(
        Scenario.model_validate(
            {"schema": 1, "base": "2019",
             "steps": [{"kind": "override", "seats": ["Hartlepool"], "by_election": "2021-05-06"}]}
        )
    )  # fmt: skip
    p_con, p_flow = p_win(result, hartlepool, "CON"), p_win(flow_result, hartlepool, "CON")
    p_con_se = float(np.sqrt(p_con * (1 - p_con) / result.draws))
    flow_projection = ctx.project(flow_only)
    proj, flow, act = (x.shares[hartlepool] for x in (result.projection, flow_projection, actual))
    lead = {name: float(v[con] - v[lab]) for name, v in (("projected", proj), ("flow_only", flow), ("actual", act))}
    scotland = e19.nations == "Scotland"
    moved_scotland = float(np.abs(result.projection.shares[scotland] - flow_projection.shares[scotland]).max())
    f.numbers.update(
        slope_con=slopes["CON"], slope_lab=slopes["LAB"], red_wall_lost=int(lost.sum()),
        leave_lost=float(leave[lost].mean()), leave_held=float(leave[held].mean()),
        p_con_hartlepool=p_con, p_con_hartlepool_se=p_con_se,
        p_con_hartlepool_flow_only=p_flow, **{f"hartlepool_con_lead[{k}]": v for k, v in lead.items()},
        largest_share_change_scotland=moved_scotland,
    )  # fmt: skip
    f.details += [
        f"The scenario file's slopes (CON {f.numbers['file_slope[CON]']:+.2f}, LAB {f.numbers['file_slope[LAB]']:+.2f})"
        " are these, rounded; they apply in England and in Wales (where they were fitted), not in Scotland.",
        f"2017-2019, within regions: CON change {slopes['CON']:+.2f} and LAB {slopes['LAB']:+.2f} per unit of Leave "
        f"share (per 10 points of Leave: {slopes['CON'] / 10:+.1%}, {slopes['LAB'] / 10:+.1%}).",
        f"Labour lost {int(lost.sum())} seats to the Conservatives; their mean Leave share {leave[lost].mean():.1%} "
        f"against {leave[held].mean():.1%} in the seats Labour held.",
        f"Hartlepool, Conservative lead over Labour: Brexit Party flow alone {lead['flow_only']:+.1%} (P(CON) "
        f"{p_flow:.0%}); with the Leave-linked swing {lead['projected']:+.1%} (P(CON) {p_con:.0%}); 2021 by-election "
        f"{lead['actual']:+.1%}.",
    ]
    closer = abs(lead["projected"] - lead["actual"]) < abs(lead["flow_only"] - lead["actual"])
    holds = slopes["CON"] > 0 > slopes["LAB"] and leave[lost].mean() > leave[held].mean() and closer and p_con > 0.5
    f.summary = (
        f"From 2017 to 2019 the Conservatives gained {slopes['CON'] / 10:+.1%} and Labour {slopes['LAB'] / 10:+.1%} "
        f"per 10 points of Leave; the {int(lost.sum())} seats Labour lost were {leave[lost].mean():.0%} Leave. In "
        f"Hartlepool the Brexit Party flow alone gives a Conservative lead of {lead['flow_only']:+.0%}; the "
        f"Leave-linked swing {'brings it closer to' if closer else 'does not bring it closer to'} the 2021 "
        f"by-election's {lead['actual']:+.0%} ({lead['projected']:+.0%}, P(CON) {p_con:.0%})."
    )
    f.verdict = "supported" if holds else "not supported"


def ukip_sweep(ctx: Context, f: Finding) -> None:
    """UKIP seats against its GB share when its gains follow the Leave vote."""
    scenario = ctx.scenario
    axis = Axis.parse(scenario.claim["sweep"])
    e = ctx.election("2015")
    ew = np.isin(e.nations, ("England", "Wales"))
    target = -(-int(ew.sum()) // 3)  # a third of England and Wales's 573 seats: 191
    ukip = PARTY_INDEX["UKIP"]
    base_share = float(e.votes[e.gb, ukip].sum() / e.votes[e.gb].sum())
    metric = seat_draws("UKIP")
    rows = swept(ctx, scenario, axis, metric)
    for value, seats, se in rows:
        f.details.append(f"UKIP GB share {base_share + value:.0%}: UKIP {seats:.0f} seats (se {se:.1f})")
        f.numbers[f"ukip_seats[{base_share + value:.2f}]"] = seats
    turn = threshold(ctx, scenario, axis, "seats(UKIP)", metric, target, rows)
    at_16 = ctx.run(with_value(scenario, axis.path, 0.16 - base_share))
    f.numbers["ukip_seats_at_16pct"], f.numbers["ukip_seats_at_16pct_se"] = mean_se(metric(at_16))
    if turn is None:
        f.verdict = "not supported"
        f.summary = f"UKIP does not reach {target} seats within the swept shares."
        return
    share = base_share + turn.value
    f.numbers.update(turn.numbers("share_for_third_of_ew"))
    f.numbers["share_for_third_of_ew"] = share
    f.details.append(turn.note())
    at_turn = ctx.run(with_value(scenario, axis.path, turn.value))
    f.details.append(f"At {share:.1%} of the GB vote UKIP wins {seats_text(at_turn, 'UKIP')} (the model's own spread)")
    f.threshold = (
        f"UKIP needs about {share:.0%} of the GB vote to win a third of the seats in England and Wales ({target}) "
        f"(Monte Carlo error of that share {100 * turn.se:.2f} points; the model's own spread is far wider: at that "
        f"share UKIP's seats run {seat_interval(at_turn, 'UKIP')} in 90% of "
        "simulated elections)"
    )
    f.summary = (
        f"At 16% ({100 * (0.16 - base_share):+.0f} points on its 2015 share) UKIP wins "
        f"{f.numbers['ukip_seats_at_16pct']:.0f} seats; "
        f"it needs about {share:.0%} of the GB vote for {target} seats, a third of England and Wales, with its "
        f"seats there anywhere in {seat_interval(at_turn, 'UKIP')} (90%)."
    )
    f.verdict = "conditional"
