"""Claims about where voters go: UKIP's 2015 voters, Green lending, pacts, England and Wales alone.

Each flow assumption is set beside what voters reported doing (:mod:`sim.data.transitions`):
the measured rate, its sample size and 95% Wilson interval go into ``numbers`` under
``measured_...`` keys, with the claim's result at the measured rate.
"""

from __future__ import annotations

import numpy as np

from sim.analysis.sweep import Axis
from sim.claims.model import Check, Context, Finding
from sim.claims.stats import (
    majority_draws,
    mean_se,
    near,
    no_steps,
    p_win,
    paired,
    seat_draws,
    seats_text,
    swept,
    threshold,
    with_flows,
)
from sim.core.parties import PARTY_INDEX
from sim.data.election import N_SEATS, Election
from sim.data.transitions import measured, yougov_2019_2024
from sim.scenario.paths import with_value
from sim.scenario.schema import Scenario


def nuneaton_ukip(ctx: Context, f: Finding) -> None:
    """UKIP's vote to the Conservatives: even a full alliance behind Labour loses Nuneaton."""
    e = ctx.election("2015")
    seat = e.seat_index("Nuneaton")
    con_j, lab_j, ld_j, grn_j, ukip_j = (PARTY_INDEX[p] for p in ("CON", "LAB", "LD", "GRN", "UKIP"))
    projection = ctx.project(ctx.scenario)
    con, lab = projection.votes[seat, con_j], projection.votes[seat, lab_j]
    base = e.votes[seat]
    alliance = base[lab_j] + base[ld_j] + base[grn_j]
    ukip = int(base[ukip_j])
    needed = (base[con_j] - alliance) / ukip  # share of UKIP voters to Labour, none to CON
    result = ctx.run(ctx.scenario)
    p_con = p_win(result, seat, "CON")
    to_con, to_lab = measured("UKIP", "CON", "2017", ctx.data_dir), measured("UKIP", "LAB", "2017", ctx.data_dir)
    at = with_flows(ctx.scenario, 0, {"CON": to_con.rate, "LAB": to_lab.rate})
    measured_votes = ctx.project(at).votes[seat]
    holds_measured = measured_votes[con_j] > measured_votes[lab_j]
    p_con_se = float(np.sqrt(p_con * (1 - p_con) / result.draws))
    f.numbers.update(con=float(con), alliance=float(lab), p_con=p_con, p_con_se=p_con_se,
                     ukip_to_lab_needed=float(needed), ukip=ukip)  # fmt: skip
    f.numbers.update(to_con.numbers("ukip_to_con_2015_2017"))
    f.numbers.update(to_lab.numbers("ukip_to_lab_2015_2017"))
    f.numbers.update(con_at_measured=float(measured_votes[con_j]), alliance_at_measured=float(measured_votes[lab_j]),
                     holds_at_measured=float(holds_measured))  # fmt: skip
    f.summary = (
        f"With UKIP's {ukip:,} voters added the Conservatives have {con:,.0f}; Labour with every Lib Dem and "
        f"Green vote {lab:,.0f}. P(Conservative hold) {p_con:.0%} with the calibrated seat error. At the rates "
        f"UKIP's 2015 voters reported in 2017 ({to_con.rate:.0%} Conservative, {to_lab.rate:.0%} Labour) the "
        f"Conservatives {'still hold it' if holds_measured else 'lose it'}: {measured_votes[con_j]:,.0f} against "
        f"{measured_votes[lab_j]:,.0f}."
    )
    f.details += [
        f"Even with no UKIP voter going Conservative, the alliance ({alliance:,}) trails the Conservatives "
        f"({base[con_j]:,}): it would need {needed:.0%} of UKIP's voters to vote Labour.",
        f"Measured: {to_con.label}; {to_lab.label}.",
    ]
    f.verdict = "supported" if con > lab and p_con > 0.5 else "not supported"


def ukip_12(ctx: Context, f: Finding) -> None:
    """Sweep UKIP's 2015 voters to the Conservatives and find where a Conservative majority turns."""
    scenario = ctx.scenario
    axis = Axis.parse(scenario.claim["sweep"])
    metric = majority_draws("CON")
    rows = swept(ctx, scenario, axis, metric)
    to_lab = float(scenario.steps[0].to["LAB"])  # type: ignore[union-attr]
    for value, p, se in rows:
        f.details.append(
            f"{value:.0%} of UKIP voters to CON ({to_lab:.0%} to LAB): P(CON majority) {p:.0%} (se {se:.1%})"
        )
    turn = threshold(ctx, scenario, axis, "P(CON majority)", metric, 0.5, rows)
    base = ctx.run(no_steps(scenario))
    p_base, p_base_se = mean_se(metric(base))
    e = ctx.election("2015")
    ukip = float(e.votes[e.gb, PARTY_INDEX["UKIP"]].sum() / e.votes[e.gb].sum())
    f.checks.append(Check("UKIP's 2015 GB share", "12%", f"{ukip:.1%}", near(0.12, ukip, 0, 0.01)))
    rates = {p: measured("UKIP", p, "2017", ctx.data_dir) for p in ("CON", "LAB", "ABSTAIN")}
    at = with_flows(scenario, 0, {p: t.rate for p, t in rates.items()})
    p_measured, p_measured_se = mean_se(metric(ctx.run(at)))
    for party, t in rates.items():
        f.numbers.update(t.numbers(f"ukip_to_{party.lower()}_2015_2017"))
    f.numbers.update(p_majority_base=p_base, p_majority_base_se=p_base_se, p_low=rows[0][1], p_high=rows[-1][1],
                     p_majority_at_measured=p_measured, p_majority_at_measured_se=p_measured_se,
                     holds_at_measured=float(p_measured > 0.5))  # fmt: skip
    f.details.insert(0, f"2015 result itself, simulated: CON {seats_text(base, 'CON')}, P(majority) {p_base:.0%}")
    f.details.append(
        f"The 2015 result alone gives P(CON majority) {p_base:.0%}: the Conservatives won a bare majority. The "
        f"threshold is where the Conservatives' share of UKIP voters offsets the assumed {to_lab:.0%} to Labour."
    )
    f.details += [f"Measured: {t.label}" for t in rates.values()]
    measured_text = (
        f" At the rates UKIP's 2015 voters reported in 2017 ({rates['CON'].rate:.0%} CON, {rates['LAB'].rate:.0%} "
        f"LAB, {rates['ABSTAIN'].rate:.0%} abstained; BES, n={rates['CON'].n:.0f}) P(CON majority) is "
        f"{p_measured:.0%}."
    )
    if turn is not None:
        f.numbers.update(turn.numbers("threshold"))
        f.numbers["threshold_net_of_lab"] = turn.value - to_lab
        f.details.append(turn.note())
        f.threshold = (
            f"a Conservative majority becomes more likely than not once {turn.value:.0%} "
            f"(Monte Carlo se {100 * turn.se:.1f} points) of UKIP's 2015 voters go Conservative, "
            f"{100 * (turn.value - to_lab):+.0f} points net of the {to_lab:.0%} assumed to go Labour"
        )
        f.verdict = "conditional"
    else:
        f.verdict = "not supported"
    later = ctx.election("2017")
    moved = {p: _gb_share(later, p) - _gb_share(e, p) for p in ("CON", "LAB", "LD", "UKIP")}
    ceteris = (
        " All of this holds every other party at its 2015 vote, which 2017 did not: "
        + ", ".join(f"{p} {100 * v:+.1f}" for p, v in moved.items())
        + " points of the GB vote."
    )
    f.details.append(ceteris.strip())
    crossing = f"; it crosses 50% at {turn.value:.0%} (Monte Carlo se {100 * turn.se:.1f} points)." if turn else "."
    f.summary = (
        f"P(CON majority) runs from {rows[0][1]:.0%} (no UKIP voter goes Conservative) to {rows[-1][1]:.0%} "
        f"({rows[-1][0]:.0%} do)" + crossing + measured_text + ceteris
    )


def _gb_share(e: Election, party: str) -> float:
    return float(e.votes[e.gb, PARTY_INDEX[party]].sum() / e.votes[e.gb].sum())


def progressive_alliance(ctx: Context, f: Finding) -> None:
    """With and without a pact, with and without the Lib Dems."""
    with_ld = next(s for s in ctx.scenarios.values() if "LD" in s.steps[0].members)  # type: ignore[union-attr]
    without = next(s for s in ctx.scenarios.values() if "LD" not in s.steps[0].members)  # type: ignore[union-attr]
    metric = majority_draws("CON")
    none = ctx.run(no_steps(with_ld))
    runs = {"no pact": none, "pact without the Lib Dems": ctx.run(without), "pact with the Lib Dems": ctx.run(with_ld)}
    for name, r in runs.items():
        p, se = mean_se(metric(r))
        f.numbers[f"p_con_majority[{name}]"], f.numbers[f"p_con_majority[{name}]_se"] = p, se
        line = f"{name}: CON {seats_text(r, 'CON')}, LAB {seats_text(r, 'LAB')}, P(CON majority) {p:.0%}"
        if r is not none:
            change, change_se = paired(none, r, metric)
            f.numbers[f"p_change[{name}]"], f.numbers[f"p_change[{name}]_se"] = change, change_se
            line += f" ({change:+.0%}, paired se {change_se:.1%})"
        f.details.append(line)
    p_with, p_without, p_none = (f.numbers[f"p_con_majority[{n}]"] for n in list(runs)[::-1])
    f.summary = (
        f"P(CON majority) from the 2015 result: {p_none:.0%} with no pact, {p_without:.0%} with Labour, "
        f"Greens and Plaid, {p_with:.0%} with the Lib Dems too."
    )
    if p_without < 0.5:
        f.verdict = "supported"
    elif p_with < 0.5:
        f.verdict = "conditional"
        f.threshold = "only with the Lib Dems in the pact"
    else:
        f.verdict = "not supported"


EVERY_ELECTION = ("2005-notional", "2010", "2015", "2017", "2019", "2024")
"""Every general election in the data, in order."""


def england_wales(ctx: Context, f: Finding) -> None:
    """The Labour lead in England and Wales needed for a majority of the House without Scotland."""
    e = ctx.election("2015")
    ew = np.isin(e.nations, ("England", "Wales"))
    house = N_SEATS - int((e.nations == "Scotland").sum())
    target = house // 2 + 1
    lab, con = PARTY_INDEX["LAB"], PARTY_INDEX["CON"]

    def lab_seats(s: Scenario) -> tuple[int, float]:
        p = ctx.project(s)
        lead = (p.votes[ew, lab].sum() - p.votes[ew, con].sum()) / p.votes[ew].sum()
        return int((p.winners == lab).sum() - (p.winners[~ew] == lab).sum()), float(lead)

    def solve(ukip_to_con: float) -> tuple[float, float]:
        s = with_value(ctx.scenario, "steps.0.to.CON", ukip_to_con)
        lo, hi = 0.0, 1.0
        for _ in range(30):
            mid = (lo + hi) / 2
            if lab_seats(with_value(s, "steps.1.to.LAB", mid))[0] >= target:
                hi = mid
            else:
                lo = mid
        return hi, lab_seats(with_value(s, "steps.1.to.LAB", hi))[1]

    best, won = {}, {}
    for name in EVERY_ELECTION:
        x = ctx.election(name)
        m = np.isin(x.nations, ("England", "Wales"))
        best[name] = float((x.votes[m, lab].sum() - x.votes[m, con].sum()) / x.votes[m].sum())
        without = x.n_seats - int((x.nations == "Scotland").sum())
        won[name] = (int((x.winners[m] == lab).sum()), without // 2 + 1)
    ukip_con = measured("UKIP", "CON", "2017", ctx.data_dir)
    con_lab = measured("CON", "LAB", "2017", ctx.data_dir)
    for label, rate in (("0%", 0.0), ("50%", 0.5), ("100%", 1.0), ("measured", ukip_con.rate)):
        switching, lead = solve(rate)
        f.numbers[f"lead_needed[{label} of UKIP to CON]"] = lead
        f.numbers[f"con_to_lab_needed[{label} of UKIP to CON]"] = switching
        f.details.append(
            f"{rate:.0%} of UKIP voters to CON{' (measured)' if label == 'measured' else ''}: Labour needs a lead of "
            f"{lead:+.1%} in England and Wales for {target} seats, a majority of the {house} without Scotland "
            f"({switching:.0%} of Conservative voters switching)"
        )
    f.numbers.update(ukip_con.numbers("ukip_to_con_2015_2017"))
    f.numbers.update(con_lab.numbers("con_to_lab_2015_2017"))
    f.numbers.update(house_without_scotland=house, majority_without_scotland=target, seats_ew=int(ew.sum()))
    record = max(best.values())
    needed = f.numbers["lead_needed[50% of UKIP to CON]"]
    for name, lead in best.items():
        seats, bar = won[name]
        f.numbers[f"lead_ew[{name}]"] = lead
        f.numbers[f"lab_seats_ew[{name}]"] = seats
        f.details.append(
            f"{name}: Labour's lead in England and Wales {lead:+.1%} ({'over' if lead > needed else 'under'} the "
            f"{needed:+.1%} bar); {seats} English and Welsh seats, "
            f"{'a majority' if seats >= bar else 'short of a majority'} of the House without Scotland ({bar})"
        )
    f.details += [
        f"Northern Ireland's {house - int(ew.sum())} seats stay in the House and Labour wins none of them, so "
        f"Labour needs {target} of the {int(ew.sum())} English and Welsh seats.",
        f"Measured: {ukip_con.label}; {con_lab.label}.",
    ]
    at_measured = f.numbers["lead_needed[measured of UKIP to CON]"]
    cleared = [name for name, lead in best.items() if lead > needed]
    majorities = [name for name, (seats, bar) in won.items() if seats >= bar]
    f.numbers["best_lead"] = record
    f.numbers["holds_at_measured"] = float(at_measured > record)
    f.summary = (
        f"Without Scotland the House has {house} seats, so a majority is {target}. With half of UKIP's voters back "
        f"with the Conservatives, Labour needs a {needed:+.1%} lead in England and Wales ({at_measured:+.1%} at the "
        f"measured {ukip_con.rate:.0%}). Of the elections in the data ({', '.join(best)}) Labour's lead there "
        f"cleared that bar in {', '.join(cleared) or 'none'} (best {record:+.1%}), and Labour won a majority of the "
        f"House without Scotland in {', '.join(majorities) or 'none'}: hard in 2010-2019, done in 2024."
    )
    f.verdict = "supported" if needed > record else "not supported"


def green_split(ctx: Context, f: Finding) -> None:
    """Seats the Conservatives won by less than the Green vote, and Green voters lending Labour their vote."""
    e = ctx.election("2015")
    con, lab, grn = (PARTY_INDEX[p] for p in ("CON", "LAB", "GRN"))
    order = np.argsort(-e.votes, axis=1)
    con_over_lab = (e.winners == con) & (order[:, 1] == lab)
    majority = e.votes[:, con] - e.votes[:, lab]
    split = np.flatnonzero(con_over_lab & (majority < e.votes[:, grn]))
    base = ctx.run(no_steps(ctx.scenario))
    moved = ctx.run(ctx.scenario)
    gain, gain_se = paired(base, moved, seat_draws("LAB"))
    rate = float(ctx.scenario.steps[0].rate)  # type: ignore[union-attr]
    half = ctx.project(ctx.scenario)
    flips = int(((half.winners == lab) & (e.winners == con)).sum())
    green_seats = int((e.winners == grn).sum())
    green_kept = int(((half.winners == grn) & (e.winners == grn)).sum())
    to_lab = measured("GRN", "LAB", "2017", ctx.data_dir)
    yougov = yougov_2019_2024("GRN", "LAB", ctx.data_dir)
    at = ctx.project(with_value(ctx.scenario, "steps.0.rate", to_lab.rate))
    flips_measured = int(((at.winners == lab) & (e.winners == con)).sum())
    f.numbers.update(
        seats_majority_below_green=len(split), lab_gain_mean=gain, lab_gain_mean_se=gain_se, flips_at_rate=flips,
        green_votes_gb=float(e.votes[e.gb, grn].sum()), green_seats=green_seats, green_seats_kept=green_kept,
        flips_at_measured=flips_measured, holds_at_measured=float(len(split) >= 5 and flips_measured >= 1),
    )  # fmt: skip
    f.numbers.update(to_lab.numbers("grn_to_lab_2015_2017"))
    f.numbers.update(yougov.numbers("grn_to_lab_2019_2024_yougov"))
    f.checks.append(
        Check(
            "Green votes in 2015",
            "1.1 million",
            f"{e.votes[e.gb, grn].sum():,}",
            near(1.1e6, float(e.votes[e.gb, grn].sum())),
        )
    )
    names = ", ".join(str(e.seat_names[i]) for i in split)
    f.details += [
        f"Conservative seats over a second-placed Labour with a majority below the Green vote: {names}",
        f"Greens lend Labour {rate:.0%} of their vote only where the Greens are third or lower and Labour and the "
        f"Conservatives are the top two, so the Greens keep {green_kept} of their {green_seats} seat(s).",
        f"Measured: {to_lab.label}; indicative: {yougov.label}. At the measured 2017 rate the lending flips "
        f"{flips_measured} seats.",
    ]
    f.summary = (
        f"{len(split)} seats had a Conservative majority over Labour smaller than the Green vote; Greens lending "
        f"Labour {rate:.0%} of their vote where it counts flips {flips} (simulated: Labour {gain:+.1f} seats, "
        f"paired se {gain_se:.2f}); the Greens keep their own seat. At the {to_lab.rate:.0%} of 2015 Greens who "
        f"voted Labour in 2017 (n={to_lab.n:.0f}) it flips {flips_measured}."
    )
    f.verdict = "supported" if len(split) >= 5 and flips >= 1 and gain > 2 * gain_se else "not supported"
