"""Claims that are arithmetic on a real result: Croydon Central, Nuneaton, the 2010 parliament."""

from __future__ import annotations

from sim.analysis.coalitions import NON_VOTING, minimal_coalitions
from sim.claims.model import Check, Context, Finding
from sim.claims.stats import label_votes, near, share
from sim.core.parties import PARTIES, PARTY_INDEX
from sim.data.election import MAJORITY, N_SEATS
from sim.projection.arithmetic import flip

# The three deputy speakers of the 2010 parliament, by party: Lindsay Hoyle and Dawn Primarolo
# (Labour) and Nigel Evans (Conservative). Like the Speaker they do not vote, but they sit for
# their parties, so they come off their parties' totals as well as the House's.
DEPUTIES_2010 = {"LAB": 2, "CON": 1}


def croydon(ctx: Context, f: Finding) -> None:
    """166 Green votes (or 39 Green + 127 TUSC) to Labour win Croydon Central in 2015."""
    e = ctx.election("2015")
    seat = e.seat_index("Croydon Central")
    needed = flip(e, "Croydon Central", "GRN", "LAB")
    tusc = label_votes(e, seat, "TUSC")
    projection = ctx.project(ctx.scenario)
    winner = PARTIES[int(projection.winners[seat])]
    con, lab = (int(e.votes[seat, PARTY_INDEX[p]]) for p in ("CON", "LAB"))
    f.numbers.update(
        majority=needed.majority, votes_needed=needed.votes, tusc=tusc, green=int(e.votes[seat, PARTY_INDEX["GRN"]]),
        con=con, lab=lab,
    )  # fmt: skip
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
        f"CON {con:,}, LAB {lab:,}: majority {needed.majority}; {needed.votes} Green votes to Labour win it "
        f"by one vote (projection: {winner} wins). The Green vote was {f.numbers['green']:,.0f}."
    )
    f.verdict = "supported" if winner == "LAB" and all(c.agrees for c in f.checks) else "not supported"


LOAD_BEARING = (
    "UKIP share 2015",
    "Conservative + UKIP votes",
    "Labour + Green + Lib Dem votes",
    "votes needed to win it back",
)


def _stated(essay: float, data: float, decimals: int) -> bool:
    """Within one unit of the essay's last stated digit (in points), so rounding or truncation passes."""
    return abs(essay - data) < 10.0**-decimals / 100


def nuneaton_arithmetic(ctx: Context, f: Finding) -> None:
    """The essay's Nuneaton numbers against the 2010 and 2015 results."""
    e10, e15 = ctx.election("2010"), ctx.election("2015")
    s10, s15 = e10.seat_index("Nuneaton"), e15.seat_index("Nuneaton")
    v = {p: int(e15.votes[s15, PARTY_INDEX[p]]) for p in ("CON", "LAB", "LD", "GRN", "UKIP")}
    change = {p: share(e15, s15, p) - share(e10, s10, p) for p in ("CON", "LAB", "LD")}
    bnp = label_votes(e10, s10, "BNP") / e10.valid_votes[s10]
    ukip = share(e15, s15, "UKIP")
    right, total = v["CON"] + v["UKIP"], int(e15.valid_votes[s15])
    progressive = v["LAB"] + v["GRN"] + v["LD"]
    majority = v["CON"] - v["LAB"]
    f.checks += [
        Check("Conservative change in share", "+4 points", f"{change['CON']:+.1%}", _stated(0.04, change["CON"], 0)),
        Check("Labour change in share", "-2 points", f"{change['LAB']:+.1%}", _stated(-0.02, change["LAB"], 0)),
        Check(
            "Lib Dem change in share ('13% swing against')",
            "-13 points",
            f"{change['LD']:+.1%}",
            _stated(-0.13, change["LD"], 0),
        ),
        Check("UKIP share 2015", "14.4%", f"{ukip:.1%}", _stated(0.144, ukip, 1)),
        Check("BNP share 2010", "6%", f"{bnp:.1%}", _stated(0.06, bnp, 0)),
        Check("Conservative + UKIP votes", "27,000", f"{right:,}", near(27000, right)),
        Check("valid votes", "45,000", f"{total:,}", near(45000, total)),
        Check("Labour + Green + Lib Dem votes", "about 18,000", f"{progressive:,}", near(18000, progressive)),
        Check("Lib Dem votes", "800", f"{v['LD']:,}", near(800, v["LD"])),
        Check("Green votes", "1,500", f"{v['GRN']:,}", near(1500, v["GRN"])),
        Check(
            "votes needed to win it back",
            "5,000",
            f"{majority + 1:,} new Labour votes, or {majority // 2 + 1:,} Conservative-to-Labour switchers",
            near(5000, majority + 1),
        ),
    ]
    f.numbers.update(majority=majority, right=right, total=total, progressive=progressive, ld_change=change["LD"])
    wrong = [c.what for c in f.checks if not c.agrees]
    load_bearing = [c for c in f.checks if c.what in LOAD_BEARING]
    f.summary = (
        f"{len(f.checks) - len(wrong)} of {len(f.checks)} figures match the results; "
        + (f"off: {'; '.join(wrong)}." if wrong else "all match.")
        + f" The figures the argument rests on (UKIP's share, the right's {right:,}, the {progressive:,}, the "
        + f"{majority + 1:,}) "
        + ("all match." if all(c.agrees for c in load_bearing) else "do not all match.")
    )
    f.details.append(
        f"2015: CON {v['CON']:,}, LAB {v['LAB']:,}, UKIP {v['UKIP']:,}, GRN {v['GRN']:,}, LD {v['LD']:,}"
        f" of {total:,} valid votes; Conservative majority {majority:,}."
    )
    f.details.append(
        "A percentage agrees if it is within one unit of the essay's last digit (a whole number within one "
        "point, 14.4% within 0.1), so a rounded or a truncated figure passes; 'about' vote counts within 10%."
    )
    f.verdict = "supported" if all(c.agrees for c in load_bearing) else "not supported"


def rainbow_2010(ctx: Context, f: Finding) -> None:
    """Minimal coalitions in 2010 with Labour and the Lib Dems, without the Tory-leaning DUP."""
    e = ctx.election("2010")
    seats = e.seat_totals()
    voting = {p: n - DEPUTIES_2010.get(p, 0) for p, n in seats.items()}
    absent = sum(seats.get(p, 0) for p in NON_VOTING) + sum(DEPUTIES_2010.values())
    sitting = N_SEATS - absent
    effective = sitting // 2 + 1
    pool_parties = [p for p in seats if p not in ("CON", "DUP", *NON_VOTING)]
    pool = sum(seats[p] for p in pool_parties)
    pool_voting = sum(voting[p] for p in pool_parties)
    found = {}
    for kind, counts, target in (("majority", seats, MAJORITY), ("effective majority", voting, effective)):
        combos = [
            c for c in minimal_coalitions(counts, target, max_size=8) if {"LAB", "LD"} <= set(c) and "DUP" not in c
        ]
        best = min(combos, key=lambda c: (sum(counts[p] for p in c), len(c)))
        found[kind] = ("+".join(best), sum(counts[p] for p in best))
        f.details.append(
            f"smallest Labour-Lib Dem {kind} ({target}) without the DUP: {found[kind][0]} = {found[kind][1]} "
            + ("seats" if kind == "majority" else "voting MPs")
        )
    trio = sum(voting[p] for p in ("LAB", "LD", "SNP"))
    spare, spare_effective = pool - found["majority"][1], pool_voting - found["effective majority"][1]
    f.numbers.update(
        non_tory_leaning_mps=pool, lab_ld=seats["LAB"] + seats["LD"], spare=spare,
        smallest_majority=found["majority"][1], effective_threshold=effective, sitting_voting_mps=sitting,
        lab_ld_snp_voting=trio, smallest_effective=found["effective majority"][1], spare_effective=spare_effective,
    )  # fmt: skip
    f.checks.append(
        Check(
            "MPs a Labour-Lib Dem majority needs",
            "every non-Tory-leaning MP",
            f"{MAJORITY} of the {pool} MPs outside the Conservatives, DUP, Sinn Fein and the Speaker",
            spare < 5,
        )
    )
    f.details.append(
        f"Deputy speakers sit for their parties (2010: {DEPUTIES_2010['LAB']} Labour, {DEPUTIES_2010['CON']} "
        f"Conservative): LAB+LD+SNP had {trio} voting MPs of the {sitting} who vote, short of the "
        f"{effective} an effective majority needs."
    )
    f.summary = (
        f"Labour + Lib Dems had {seats['LAB'] + seats['LD']}; a majority of {MAJORITY} without the DUP needs "
        f"{found['majority'][0]} ({found['majority'][1]}): {spare} spare of the {pool} non-Tory-leaning MPs. "
        f"Counting only MPs who vote (no Speaker, deputies or Sinn Fein), an effective majority ({effective} of "
        f"{sitting}) needs {found['effective majority'][0]} ({found['effective majority'][1]}), "
        f"{spare_effective} spare."
    )
    f.verdict = "supported" if spare < 5 else "not supported"
