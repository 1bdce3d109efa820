"""The essays' claims: each scenario file in ``scenarios/claims/`` tested against the data.

A claim file is a scenario with a ``[claim]`` table: ``id``, ``essay``, ``quote``, ``test`` (what
counts as the claim holding), ``assumptions`` (what the essay leaves open), and optionally
``variant`` (several files for one claim) and ``sweep`` (the axis the report sweeps). Each ``id``
has an evaluator here that runs the scenario (projections, simulations with the calibrated
default uncertainty, sweeps and thresholds), checks the essay's own numbers against the data,
and returns a :class:`Finding` with a verdict: supported, not supported, or conditional (with
the threshold where it turns).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sim.coalitions import election_coalitions
from sim.data.election import MAJORITY, DataDir, Election, load_election
from sim.errors import SwingometerError, did_you_mean
from sim.linked import centred
from sim.parties import PARTIES, PARTY_INDEX
from sim.project import Projection, project
from sim.results import SimulationResult, seat_quantiles
from sim.run import by_elections_loader, run_scenario
from sim.scenario.load import load_scenario
from sim.scenario.paths import with_value
from sim.scenario.schema import Scenario
from sim.seats import flip
from sim.sweep import Axis, find_threshold

CLAIMS_DIR = Path(__file__).resolve().parent.parent / "scenarios" / "claims"
VERDICTS = ("supported", "not supported", "conditional")
CLAIM_KEYS = ("id", "essay", "quote", "test", "assumptions")


@dataclass(frozen=True)
class Check:
    """One of the essay's own numbers against the data."""

    what: str
    essay: str
    data: str
    agrees: bool


@dataclass
class Finding:
    """A claim's result: numbers, the essay's arithmetic checked, and a verdict."""

    id: str
    essay: str
    quote: str
    test: str
    assumptions: str
    files: list[str]
    verdict: str = ""
    summary: str = ""
    details: list[str] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    threshold: str | None = None
    numbers: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain-Python fields (numbers as floats, checks' agreement as bools)."""
        out = asdict(self)
        out["numbers"] = {k: float(v) for k, v in self.numbers.items()}
        for check in out["checks"]:
            check["agrees"] = bool(check["agrees"])
        return out


@dataclass(frozen=True)
class Context:
    """What an evaluator gets: its scenario files (by variant), draws, seed and data folder."""

    scenarios: dict[str, Scenario]
    draws: int
    seed: int
    data_dir: DataDir

    @property
    def scenario(self) -> Scenario:
        """The claim's (first) scenario."""
        return next(iter(self.scenarios.values()))

    def election(self, name: str) -> Election:
        """A loaded election."""
        return load_election(name, self.data_dir)

    def project(self, scenario: Scenario) -> Projection:
        """Deterministic projection of a scenario on its base."""
        return project(scenario, self.election(scenario.base), by_elections_loader(self.data_dir))

    def run(self, scenario: Scenario) -> SimulationResult:
        """Simulate a scenario with the context's draws and seed."""
        return run_scenario(scenario, self.draws, self.seed, data_dir=self.data_dir)


# ---------------------------------------------------------------------------------------------
# helpers


def _seats(result: SimulationResult, party: str) -> str:
    counts = result.seat_counts[:, PARTY_INDEX[party]]
    p5, p95 = seat_quantiles(counts[:, None], (0.05, 0.95))[:, 0]
    return f"{counts.mean():.0f} seats (90% interval {p5:.0f}-{p95:.0f})"


def _p_majority(result: SimulationResult, party: str) -> float:
    return float(result.majority_probability()[PARTY_INDEX[party]])


def _p_win(result: SimulationResult, seat: int, party: str) -> float:
    return float(result.wins[seat, PARTY_INDEX[party]] / result.draws)


def _no_steps(scenario: Scenario) -> Scenario:
    return scenario.model_copy(
        update={"steps": [], "uncertainty": scenario.uncertainty.model_copy(update={"parameters": {}})}
    )


def _near(essay: float, data: float, rel: float = 0.1, absolute: float = 0.0) -> bool:
    return abs(essay - data) <= max(rel * abs(data), absolute)


def _share(election: Election, seat: int, party: str) -> float:
    return float(election.shares[seat, PARTY_INDEX[party]])


def _label_votes(election: Election, seat: int, label: str) -> int:
    cols = election.candidate_columns
    match = (cols["seat_id"] == election.seat_ids[seat]) & (cols["label"] == label)
    return int(cols["votes"][match].sum())


def _swept_rows(
    ctx: Context, scenario: Scenario, axis: Axis, metric: Callable[[SimulationResult], float]
) -> list[tuple[float, float]]:
    rows = []
    for value in axis.values:
        rows.append((value, metric(ctx.run(with_value(scenario, axis.path, value)))))
    return rows


# ---------------------------------------------------------------------------------------------
# evaluators


def croydon(ctx: Context, f: Finding) -> None:
    """166 Green votes (or 39 Green + 127 TUSC) to Labour win Croydon Central in 2015."""
    e = ctx.election("2015")
    seat = e.seat_index("Croydon Central")
    needed = flip(e, "Croydon Central", "GRN", "LAB")
    tusc = _label_votes(e, seat, "TUSC")
    projection = ctx.project(ctx.scenario)
    winner = PARTIES[int(projection.winners[seat])]
    f.numbers.update(
        majority=needed.majority, votes_needed=needed.votes, tusc=tusc, green=int(e.votes[seat, PARTY_INDEX["GRN"]])
    )
    f.checks += [
        Check(
            "Conservative majority over Labour",
            "165 (implied: 166 needed)",
            f"{needed.majority:,}",
            needed.majority == 165,
        ),
        Check("Green votes to Labour needed to win", "166", f"{needed.votes:,}", needed.votes == 166),
        Check("TUSC votes", "127", f"{tusc:,}", tusc == 127),
        Check("39 Green + 127 TUSC", "166", f"{39 + tusc}", 39 + tusc == needed.votes),
    ]
    f.summary = (
        f"CON 22,753, LAB 22,588: majority {needed.majority}; {needed.votes} Green votes to Labour win it "
        f"by one vote (projection: {winner} wins). The Green vote was {f.numbers['green']:,.0f}."
    )
    f.verdict = "supported" if winner == "LAB" and all(c.agrees for c in f.checks) else "not supported"


LOAD_BEARING = (
    "UKIP share 2015",
    "Conservative + UKIP votes",
    "Labour + Green + Lib Dem votes",
    "votes needed to win it back",
)


def nuneaton_arithmetic(ctx: Context, f: Finding) -> None:
    """The essay's Nuneaton numbers against the 2010 and 2015 results."""
    e10, e15 = ctx.election("2010"), ctx.election("2015")
    s10, s15 = e10.seat_index("Nuneaton"), e15.seat_index("Nuneaton")
    v = {p: int(e15.votes[s15, PARTY_INDEX[p]]) for p in ("CON", "LAB", "LD", "GRN", "UKIP")}
    change = {p: _share(e15, s15, p) - _share(e10, s10, p) for p in ("CON", "LAB", "LD")}
    bnp = _label_votes(e10, s10, "BNP") / e10.valid_votes[s10]
    ukip = _share(e15, s15, "UKIP")
    right, total = v["CON"] + v["UKIP"], int(e15.valid_votes[s15])
    progressive = v["LAB"] + v["GRN"] + v["LD"]
    majority = v["CON"] - v["LAB"]
    pts = 0.005
    f.checks += [
        Check("Conservative change in share", "+4 points", f"{change['CON']:+.1%}", _near(0.04, change["CON"], 0, pts)),
        Check("Labour change in share", "-2 points", f"{change['LAB']:+.1%}", _near(-0.02, change["LAB"], 0, pts)),
        Check(
            "Lib Dem change in share ('13% swing against')",
            "-13 points",
            f"{change['LD']:+.1%}",
            _near(-0.13, change["LD"], 0, pts),
        ),
        Check("UKIP share 2015", "14.4%", f"{ukip:.1%}", _near(0.144, ukip, 0, 0.0005)),
        Check("BNP share 2010", "6%", f"{bnp:.1%}", _near(0.06, bnp, 0, pts)),
        Check("Conservative + UKIP votes", "27,000", f"{right:,}", _near(27000, right)),
        Check("valid votes", "45,000", f"{total:,}", _near(45000, total)),
        Check("Labour + Green + Lib Dem votes", "about 18,000", f"{progressive:,}", _near(18000, progressive)),
        Check("Lib Dem votes", "800", f"{v['LD']:,}", _near(800, v["LD"])),
        Check("Green votes", "1,500", f"{v['GRN']:,}", _near(1500, v["GRN"])),
        Check(
            "votes needed to win it back",
            "5,000",
            f"{majority + 1:,} new Labour votes, or {majority // 2 + 1:,} Conservative-to-Labour switchers",
            _near(5000, majority + 1),
        ),
    ]
    f.numbers.update(majority=majority, right=right, total=total, progressive=progressive)
    wrong = [c.what for c in f.checks if not c.agrees]
    load_bearing = [c for c in f.checks if c.what in LOAD_BEARING]
    f.summary = (
        f"{len(f.checks) - len(wrong)} of {len(f.checks)} figures match the results; "
        + (f"off: {'; '.join(wrong)}." if wrong else "all match.")
        + " The figures the argument rests on (UKIP's share, the right's 27,000, the 18,000, the 5,000) "
        + ("all match." if all(c.agrees for c in load_bearing) else "do not all match.")
    )
    f.details.append(
        f"2015: CON {v['CON']:,}, LAB {v['LAB']:,}, UKIP {v['UKIP']:,}, GRN {v['GRN']:,}, LD {v['LD']:,}"
        f" of {total:,} valid votes; Conservative majority {majority:,}."
    )
    f.verdict = "supported" if all(c.agrees for c in load_bearing) else "not supported"


def nuneaton_ukip(ctx: Context, f: Finding) -> None:
    """UKIP's vote to the Conservatives: even a full alliance behind Labour loses Nuneaton."""
    e = ctx.election("2015")
    seat = e.seat_index("Nuneaton")
    projection = ctx.project(ctx.scenario)
    votes = projection.votes[seat]
    con, lab = votes[PARTY_INDEX["CON"]], votes[PARTY_INDEX["LAB"]]
    base = e.votes[seat]
    alliance = base[PARTY_INDEX["LAB"]] + base[PARTY_INDEX["LD"]] + base[PARTY_INDEX["GRN"]]
    ukip = base[PARTY_INDEX["UKIP"]]
    needed = (base[PARTY_INDEX["CON"]] - alliance) / ukip  # share of UKIP voters to Labour, none to CON
    result = ctx.run(ctx.scenario)
    p_con = _p_win(result, seat, "CON")
    f.numbers.update(con=float(con), alliance=float(lab), p_con=p_con, ukip_to_lab_needed=float(needed))
    f.summary = (
        f"With UKIP's 6,582 voters added the Conservatives have {con:,.0f}; Labour with every Lib Dem and "
        f"Green vote {lab:,.0f}. P(Conservative hold) {p_con:.0%} with the calibrated seat error."
    )
    f.details.append(
        f"Even with no UKIP voter going Conservative, the alliance ({alliance:,}) trails the Conservatives "
        f"({base[PARTY_INDEX['CON']]:,}): it would need {needed:.0%} of UKIP's voters to vote Labour."
    )
    f.verdict = "supported" if con > lab and p_con > 0.5 else "not supported"


def ukip_12(ctx: Context, f: Finding) -> None:
    """Sweep UKIP's 2015 voters to the Conservatives and find where a Conservative majority turns."""
    scenario = ctx.scenario
    axis = Axis.parse(scenario.claim["sweep"])
    rows = _swept_rows(ctx, scenario, axis, lambda r: _p_majority(r, "CON"))
    for value, p in rows:
        f.details.append(f"{value:.0%} of UKIP voters to CON (15% to LAB): P(CON majority) {p:.0%}")
    threshold = find_threshold(
        scenario, axis, "P(CON majority)", 0.5, ctx.draws, ctx.seed, data_dir=ctx.data_dir, tolerance=0.01
    )
    base = ctx.run(_no_steps(scenario))
    e = ctx.election("2015")
    ukip = float(e.votes[e.gb, PARTY_INDEX["UKIP"]].sum() / e.votes[e.gb].sum())
    f.checks.append(Check("UKIP's 2015 GB share", "12%", f"{ukip:.1%}", _near(0.12, ukip, 0, 0.01)))
    f.numbers.update(p_majority_base=_p_majority(base, "CON"), p_low=rows[0][1], p_high=rows[-1][1])
    f.details.insert(
        0, f"2015 result itself, simulated: CON {_seats(base, 'CON')}, P(majority) {_p_majority(base, 'CON'):.0%}"
    )
    if threshold.value is not None:
        f.numbers["threshold"] = threshold.value
        f.threshold = (
            f"a Conservative majority becomes more likely than not once {threshold.value:.0%} of UKIP's 2015 "
            "voters go Conservative"
        )
        f.verdict = "conditional"
    else:
        f.verdict = "not supported"
    f.summary = (
        f"P(CON majority) runs from {rows[0][1]:.0%} (no UKIP voter goes Conservative) to {rows[-1][1]:.0%} "
        f"(80% do)" + (f"; it crosses 50% at {threshold.value:.0%}." if threshold.value is not None else ".")
    )


def progressive_alliance(ctx: Context, f: Finding) -> None:
    """With and without a pact, with and without the Lib Dems."""
    with_ld = next(s for s in ctx.scenarios.values() if "LD" in s.steps[0].members)  # type: ignore[union-attr]
    without = next(s for s in ctx.scenarios.values() if "LD" not in s.steps[0].members)  # type: ignore[union-attr]
    runs = {
        "no pact": ctx.run(_no_steps(with_ld)),
        "pact without the Lib Dems": ctx.run(without),
        "pact with the Lib Dems": ctx.run(with_ld),
    }
    for name, r in runs.items():
        p = _p_majority(r, "CON")
        f.numbers[f"p_con_majority[{name}]"] = p
        f.details.append(f"{name}: CON {_seats(r, 'CON')}, LAB {_seats(r, 'LAB')}, P(CON majority) {p:.0%}")
    p_with, p_without = (
        f.numbers["p_con_majority[pact with the Lib Dems]"],
        f.numbers["p_con_majority[pact without the Lib Dems]"],
    )
    p_none = f.numbers["p_con_majority[no pact]"]
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


def england_wales(ctx: Context, f: Finding) -> None:
    """The Labour lead in England and Wales needed for a majority of their seats."""
    e = ctx.election("2015")
    ew = np.isin(e.nations, ("England", "Wales"))
    target = int(ew.sum()) // 2 + 1
    lab, con = PARTY_INDEX["LAB"], PARTY_INDEX["CON"]

    def lab_seats(s: Scenario) -> tuple[int, float]:
        p = ctx.project(s)
        lead = (p.votes[ew, lab].sum() - p.votes[ew, con].sum()) / p.votes[ew].sum()
        return int((p.winners[ew] == lab).sum()), float(lead)

    best = {}
    for name in ("2010", "2015", "2017", "2019"):
        x = ctx.election(name)
        m = np.isin(x.nations, ("England", "Wales"))
        best[name] = float((x.votes[m, lab].sum() - x.votes[m, con].sum()) / x.votes[m].sum())
    for ukip_to_con in (0.0, 0.5, 1.0):
        s = with_value(ctx.scenario, "steps.0.to.CON", ukip_to_con)
        lo, hi = 0.0, 1.0
        for _ in range(30):
            mid = (lo + hi) / 2
            if lab_seats(with_value(s, "steps.1.to.LAB", mid))[0] >= target:
                hi = mid
            else:
                lo = mid
        _, lead = lab_seats(with_value(s, "steps.1.to.LAB", hi))
        f.numbers[f"lead_needed[{ukip_to_con:.0%} of UKIP to CON]"] = lead
        f.numbers[f"con_to_lab_needed[{ukip_to_con:.0%} of UKIP to CON]"] = hi
        f.details.append(
            f"{ukip_to_con:.0%} of UKIP voters to CON: Labour needs a lead of {lead:+.1%} in England and "
            f"Wales for {target} of {int(ew.sum())} seats ({hi:.0%} of Conservative voters switching)"
        )
    record = max(best.values())
    f.details.append("Labour's lead in England and Wales: " + ", ".join(f"{k} {v:+.1%}" for k, v in best.items()))
    needed = f.numbers["lead_needed[50% of UKIP to CON]"]
    f.numbers["best_lead_2010_2019"] = record
    f.summary = (
        f"With half of UKIP's voters back with the Conservatives, Labour needs a {needed:+.1%} lead in England "
        f"and Wales for {target} of its {int(ew.sum())} seats; its best lead there in 2010-2019 was {record:+.1%}."
    )
    f.verdict = "supported" if needed > record else "not supported"


def green_split(ctx: Context, f: Finding) -> None:
    """Seats the Conservatives won by less than the Green vote, and Green-to-Labour transfers."""
    e = ctx.election("2015")
    con, lab, grn = (PARTY_INDEX[p] for p in ("CON", "LAB", "GRN"))
    order = np.argsort(-e.votes, axis=1)
    con_over_lab = (e.winners == con) & (order[:, 1] == lab)
    majority = e.votes[:, con] - e.votes[:, lab]
    split = np.flatnonzero(con_over_lab & (majority < e.votes[:, grn]))
    base = ctx.run(_no_steps(ctx.scenario))
    moved = ctx.run(ctx.scenario)
    gain = moved.seat_counts[:, lab].mean() - base.seat_counts[:, lab].mean()
    half = ctx.project(with_value(ctx.scenario, "steps.0.to.LAB", 0.5))
    flips = int(((half.winners == lab) & (e.winners == con)).sum())
    f.numbers.update(
        seats_majority_below_green=len(split),
        lab_gain_mean=float(gain),
        flips_at_half=flips,
        green_votes_gb=float(e.votes[e.gb, grn].sum()),
    )
    f.checks.append(
        Check(
            "Green votes in 2015",
            "1.1 million",
            f"{e.votes[e.gb, grn].sum():,}",
            _near(1.1e6, float(e.votes[e.gb, grn].sum())),
        )
    )
    names = ", ".join(str(e.seat_names[i]) for i in split)
    f.details.append(f"Conservative seats over a second-placed Labour with a majority below the Green vote: {names}")
    f.summary = (
        f"{len(split)} seats had a Conservative majority over Labour smaller than the Green vote; half the "
        f"Greens voting Labour flips {flips} (simulated: Labour +{gain:.1f} seats on average)."
    )
    f.verdict = "supported" if len(split) >= 5 and flips >= 1 else "not supported"


def cities_towns(ctx: Context, f: Finding) -> None:
    """Seats and margins by settlement type, 2015-2019."""
    lab, con = PARTY_INDEX["LAB"], PARTY_INDEX["CON"]
    ok = True
    previous: Election | None = ctx.election("2010")
    for name in ("2015", "2017", "2019"):
        e = ctx.election(name)
        group = e.covariate("settlement_group").astype(str)
        margin = np.abs(e.shares[:, lab] - e.shares[:, con])
        top2 = np.sort(e.shares, axis=1)[:, -2:]
        con_lab = np.isin(e.winners, (lab, con)) & np.isclose(top2.sum(axis=1), e.shares[:, lab] + e.shares[:, con])
        changed = e.winners != previous.winners if previous is not None else np.zeros(e.n_seats, bool)
        row = {}
        for g in ("city", "town", "village"):
            m = group == g
            row[g] = (
                int(m.sum()),
                int((e.winners[m] == lab).sum()),
                int((e.winners[m] == con).sum()),
                int((m & con_lab & (margin < 0.10)).sum()),
                int((m & changed).sum()),
            )
        f.details.append(
            f"{name}: "
            + "; ".join(
                f"{g} {n} seats: LAB {lw}, CON {cw}, CON-LAB marginals (<10 pts) {mg}, changed hands {ch}"
                for g, (n, lw, cw, mg, ch) in row.items()
            )
        )
        city, town = row["city"], row["town"]
        f.numbers[f"lab_city_share[{name}]"] = city[1] / city[0]
        f.numbers[f"marginals_town[{name}]"], f.numbers[f"marginals_city[{name}]"] = town[3], city[3]
        ok &= city[1] > city[0] / 2 and town[3] > city[3] and town[4] > city[4]
        previous = e
    f.summary = (
        "Labour won "
        + ", ".join(f"{f.numbers[f'lab_city_share[{n}]']:.0%}" for n in ("2015", "2017", "2019"))
        + " of city seats in 2015, 2017 and 2019; towns held "
        + ", ".join(f"{f.numbers[f'marginals_town[{n}]']:.0f}" for n in ("2015", "2017", "2019"))
        + " Conservative-Labour marginals against "
        + ", ".join(f"{f.numbers[f'marginals_city[{n}]']:.0f}" for n in ("2015", "2017", "2019"))
        + " in cities."
    )
    f.verdict = "supported" if ok else "not supported"


def retreat_to_cities(ctx: Context, f: Finding) -> None:
    """Labour's vote moving from towns to cities at the same national share, and back."""
    scenario = ctx.scenario
    base = ctx.run(_no_steps(scenario))
    lab = PARTY_INDEX["LAB"]

    def shifted(k: float) -> Scenario:
        s = with_value(scenario, "steps.0.levels.city", k)
        s = with_value(s, "steps.0.levels.town", -k)
        return with_value(s, "steps.0.levels.village", -k / 3)

    rows = []
    for k in (-0.03, 0.0, 0.01, 0.02, 0.03, 0.05):
        r = ctx.run(shifted(k))
        rows.append((k, float(r.seat_counts[:, lab].mean()), _p_majority(r, "CON")))
        f.details.append(
            f"Labour {k:+.0%} in cities, {-k:+.0%} in towns: LAB {_seats(r, 'LAB')}, "
            f"CON {_seats(r, 'CON')}, P(CON majority) {rows[-1][2]:.0%}"
        )
    base_lab = float(base.seat_counts[:, lab].mean())
    retreat = next(r for r in rows if r[0] == 0.03)
    back = rows[0]
    f.numbers.update(
        lab_base=base_lab,
        lab_retreat=retreat[1],
        lab_towns_back=back[1],
        p_con_majority_base=_p_majority(base, "CON"),
        p_con_majority_retreat=retreat[2],
    )
    crossing = next((k for k, _, p in rows if k >= 0 and p >= 0.5), None)
    if crossing is not None:
        f.threshold = f"a Conservative majority becomes more likely than not by a city shift of about {crossing:+.0%}"
    f.summary = (
        f"From 2017 (LAB {base_lab:.0f} seats on average), a 3-point retreat into the cities leaves Labour "
        f"{retreat[1]:.0f} seats and P(CON majority) {retreat[2]:.0%} (from {_p_majority(base, 'CON'):.0%}); "
        f"winning 3 points back in towns gives {back[1]:.0f}."
    )
    direction = retreat[1] < base_lab and retreat[2] > _p_majority(base, "CON") and back[1] > base_lab
    f.details.append(
        "The direction holds (a retreat costs Labour seats, towns won back gain them)."
        if direction
        else "Even the direction does not hold."
    )
    if direction and retreat[2] > 0.5:
        f.verdict = "supported"
    elif direction and crossing is not None:
        f.verdict = "conditional"
    else:
        f.verdict = "not supported"


def rainbow_2010(ctx: Context, f: Finding) -> None:
    """Minimal coalitions in 2010 with Labour and the Lib Dems, without the Tory-leaning DUP."""
    e = ctx.election("2010")
    seats = e.seat_totals()
    frame = election_coalitions(e, max_size=8)
    frame = frame[frame["parties"].str.contains("LAB") & frame["parties"].str.contains("LD")]
    progressive = frame[~frame["parties"].str.contains("DUP")]
    pool = sum(n for p, n in seats.items() if p not in ("CON", "SPK", "DUP", "SF"))
    smallest = {}
    for kind in ("majority", "effective majority"):
        rows = progressive[progressive["kind"] == kind].sort_values(["seats", "size"])
        smallest[kind] = rows.iloc[0]
        f.details.append(
            f"smallest Labour-Lib Dem {kind} ({rows.iloc[0]['threshold']}) without the DUP: "
            f"{rows.iloc[0]['parties']} = {rows.iloc[0]['seats']} seats"
        )
    with_dup = frame[(frame["kind"] == "majority") & frame["parties"].str.contains("DUP")].sort_values("seats")
    if len(with_dup):
        f.details.append(f"with the DUP: {with_dup.iloc[0]['parties']} = {with_dup.iloc[0]['seats']}")
    maj, eff = smallest["majority"], smallest["effective majority"]
    spare = pool - int(maj["seats"])
    f.numbers.update(
        non_tory_leaning_mps=pool,
        lab_ld=seats["LAB"] + seats["LD"],
        spare=spare,
        smallest_majority=int(maj["seats"]),
        effective_threshold=int(eff["threshold"]),
    )
    f.checks.append(
        Check(
            "MPs a Labour-Lib Dem majority needs",
            "every non-Tory-leaning MP",
            f"{MAJORITY} of the {pool} MPs outside the Conservatives, DUP, Sinn Fein and the Speaker",
            spare < 5,
        )
    )
    f.summary = (
        f"Labour + Lib Dems had {seats['LAB'] + seats['LD']}; a majority of {MAJORITY} without the DUP needs "
        f"{maj['parties']} ({maj['seats']}): {spare} spare of the {pool} non-Tory-leaning MPs who sit. An "
        f"effective majority ({eff['threshold']}) needs only {eff['parties']} ({eff['seats']})."
    )
    f.verdict = "supported" if spare < 5 else "not supported"
    if f.verdict == "supported":
        f.details.append(
            "Counting the effective majority (the Speaker, deputies and Sinn Fein do not vote) eases it to "
            "three parties, but with no seat to spare."
        )


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
    steps = ctx.scenario.steps
    file_slopes = {"CON": steps[1].slope, "LAB": steps[2].slope}  # type: ignore[union-attr]
    f.numbers.update({f"file_slope[{p}]": float(v) for p, v in file_slopes.items()})  # type: ignore[arg-type]
    hartlepool = e19.seat_index("Hartlepool")
    result = ctx.run(ctx.scenario)
    projection = result.projection
    actual = ctx.project(
        Scenario.model_validate(
            {
                "schema": 1,
                "base": "2019",
                "steps": [{"kind": "override", "seats": ["Hartlepool"], "by_election": "2021-05-06"}],
            }
        )
    )
    p_con = _p_win(result, hartlepool, "CON")
    proj = projection.shares[hartlepool]
    act = actual.shares[hartlepool]
    f.numbers.update(
        slope_con=slopes["CON"],
        slope_lab=slopes["LAB"],
        red_wall_lost=int(lost.sum()),
        leave_lost=float(leave[lost].mean()),
        leave_held=float(leave[held].mean()),
        p_con_hartlepool=p_con,
    )
    f.details += [
        f"The scenario file's slopes (CON {file_slopes['CON']:+.2f}, LAB {file_slopes['LAB']:+.2f}) are these, "
        "rounded.",
        f"2017-2019, within regions: CON change {slopes['CON']:+.2f} and LAB {slopes['LAB']:+.2f} per unit of Leave "
        f"share (per 10 points of Leave: {slopes['CON'] / 10:+.1%}, {slopes['LAB'] / 10:+.1%}).",
        f"Labour lost {int(lost.sum())} seats to the Conservatives; their mean Leave share {leave[lost].mean():.1%} "
        f"against {leave[held].mean():.1%} in the seats Labour held.",
        f"Hartlepool: projected CON {proj[con]:.1%}, LAB {proj[lab]:.1%} (P(CON) {p_con:.0%}); 2021 by-election CON "
        f"{act[con]:.1%}, LAB {act[lab]:.1%}.",
    ]
    holds = slopes["CON"] > 0 > slopes["LAB"] and leave[lost].mean() > leave[held].mean() and p_con > 0.5
    f.summary = (
        f"From 2017 to 2019 the Conservatives gained {slopes['CON'] / 10:+.1%} and Labour {slopes['LAB'] / 10:+.1%} "
        f"per 10 points of Leave; the {int(lost.sum())} seats Labour lost were {leave[lost].mean():.0%} Leave; "
        f"the Leave-linked swing gives Hartlepool to the Conservatives with P {p_con:.0%} "
        f"(projected {proj[con]:.0%} vs {act[con]:.0%} in 2021)."
    )
    f.verdict = "supported" if holds else "not supported"


def ukip_sweep(ctx: Context, f: Finding) -> None:
    """UKIP seats against its GB share when its gains follow the Leave vote."""
    scenario = ctx.scenario
    axis = Axis.parse(scenario.claim["sweep"])
    e = ctx.election("2015")
    ew = np.isin(e.nations, ("England", "Wales"))
    target = int(ew.sum()) // 3 + 1
    ukip = PARTY_INDEX["UKIP"]
    base_share = float(e.votes[e.gb, ukip].sum() / e.votes[e.gb].sum())
    for value in axis.values:
        r = ctx.run(with_value(scenario, axis.path, value))
        f.details.append(
            f"UKIP GB share {base_share + value:.0%}: UKIP {_seats(r, 'UKIP')}, CON {_seats(r, 'CON')}, "
            f"LAB {_seats(r, 'LAB')}"
        )
        f.numbers[f"ukip_seats[{base_share + value:.2f}]"] = float(r.seat_counts[:, ukip].mean())
    threshold = find_threshold(
        scenario, axis, "seats(UKIP)", target, ctx.draws, ctx.seed, data_dir=ctx.data_dir, tolerance=0.002
    )
    at_16 = ctx.run(with_value(scenario, axis.path, 0.16 - base_share))
    f.numbers["ukip_seats_at_16pct"] = float(at_16.seat_counts[:, ukip].mean())
    if threshold.value is None:
        f.verdict = "not supported"
        f.summary = f"UKIP does not reach {target} seats within the swept shares."
        return
    share = base_share + threshold.value
    f.numbers["share_for_third_of_ew"] = share
    f.threshold = (
        f"UKIP needs about {share:.0%} of the GB vote to win a third of the seats in England and Wales ({target})"
    )
    f.summary = (
        f"At 16% (3 points above its 2015 share) UKIP wins {f.numbers['ukip_seats_at_16pct']:.0f} seats; it needs "
        "about "
        f"{share:.0%} of the GB vote for {target} seats, a third of England and Wales."
    )
    f.verdict = "conditional"


EVALUATORS: dict[str, Callable[[Context, Finding], None]] = {
    "croydon": croydon,
    "nuneaton-arithmetic": nuneaton_arithmetic,
    "nuneaton-ukip": nuneaton_ukip,
    "ukip-12": ukip_12,
    "progressive-alliance": progressive_alliance,
    "england-wales": england_wales,
    "green-split": green_split,
    "cities-towns": cities_towns,
    "retreat-to-cities": retreat_to_cities,
    "rainbow-2010": rainbow_2010,
    "leave-realignment": leave_realignment,
    "ukip-sweep": ukip_sweep,
}


# ---------------------------------------------------------------------------------------------
# loading and running


def claim_files(folder: Path = CLAIMS_DIR) -> dict[str, list[tuple[Path, Scenario]]]:
    """Claim scenario files grouped by ``[claim] id``, in the order of :data:`EVALUATORS`."""
    found: dict[str, list[tuple[Path, Scenario]]] = {}
    for path in sorted(folder.glob("*.toml")):
        scenario = load_scenario(path)
        missing = [k for k in CLAIM_KEYS if not scenario.claim.get(k)]
        if missing:
            raise SwingometerError(f"{path}: the [claim] table needs {', '.join(missing)}")
        claim_id = scenario.claim["id"]
        if claim_id not in EVALUATORS:
            raise SwingometerError(
                f"{path}: no evaluator for claim '{claim_id}'{did_you_mean(claim_id, list(EVALUATORS))}"
            )
        found.setdefault(claim_id, []).append((path, scenario))
    # The file named after the claim leads its group: its quote, test and assumptions are the claim's.
    return {k: sorted(found[k], key=lambda f: f[0].stem != k) for k in EVALUATORS if k in found}


def evaluate(
    claim_id: str, files: list[tuple[Path, Scenario]], draws: int, seed: int, data_dir: DataDir = None
) -> Finding:
    """Run one claim's evaluator."""
    first = files[0][1].claim
    finding = Finding(
        id=claim_id,
        essay=first["essay"],
        quote=first["quote"],
        test=first["test"],
        assumptions=first["assumptions"],
        files=[
            str(p.relative_to(CLAIMS_DIR.parent.parent)) if p.is_relative_to(CLAIMS_DIR.parent.parent) else str(p)
            for p, _ in files
        ],
    )
    scenarios = {s.claim.get("variant", p.stem): s for p, s in files}
    EVALUATORS[claim_id](Context(scenarios, draws, seed, data_dir), finding)
    if finding.verdict not in VERDICTS:
        raise AssertionError(f"claim {claim_id}: evaluator gave no verdict")
    return finding


def run_claims(
    draws: int,
    seed: int,
    *,
    only: list[str] | None = None,
    data_dir: DataDir = None,
    progress: Callable[[str], object] | None = None,
) -> list[Finding]:
    """Evaluate every claim (or those in ``only``)."""
    files = claim_files()
    for claim_id in only or []:
        if claim_id not in files:
            raise SwingometerError(
                f"no claim '{claim_id}'{did_you_mean(claim_id, list(files))}; claims: {', '.join(files)}"
            )
    out = []
    for claim_id, group in files.items():
        if only and claim_id not in only:
            continue
        if progress is not None:
            progress(claim_id)
        out.append(evaluate(claim_id, group, draws, seed, data_dir))
    return out


def markdown_report(findings: list[Finding], draws: int, seed: int) -> str:
    """A report a reader can follow: each claim, its scenario, the result and the verdict."""
    lines = [
        "# The essays' claims against the data",
        "",
        f"Generated by `swingometer claims --draws {draws} --seed {seed}` (calibrated default uncertainty).",
        "",
        "| claim | verdict | finding |",
        "|---|---|---|",
    ]
    lines += [f"| {f.id} | {f.verdict}{': ' + f.threshold if f.threshold else ''} | {f.summary} |" for f in findings]
    for f in findings:
        lines += [
            "",
            f"## {f.id}: {f.verdict}",
            "",
            f"**Essay**: {f.essay}",
            "",
            f"> {f.quote}",
            "",
            f"**Scenario**: {', '.join(f'`{p}`' for p in f.files)}",
            "",
            f"**Test**: {f.test}",
            "",
            f"**Finding**: {f.summary}",
            "",
        ]
        if f.threshold:
            lines += [f"**Where it turns**: {f.threshold}", ""]
        lines += [f"- {d}" for d in f.details]
        if f.checks:
            lines += ["", "| the essay's figure | essay says | the data say | agrees |", "|---|---|---|---|"]
            lines += [f"| {c.what} | {c.essay} | {c.data} | {'yes' if c.agrees else 'no'} |" for c in f.checks]
        lines += ["", f"**Assumptions a reader could dispute**: {f.assumptions}"]
    return "\n".join(lines) + "\n"
