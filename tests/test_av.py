"""The alternative vote and AV+: the count, the preference matrices, scenario rows and the Monte Carlo."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from cli.main import app
from kernels.preferential import irv_winner
from sim.core.errors import ScenarioError, SwingometerError
from sim.core.parties import PARTIES, PARTY_INDEX
from sim.data.election import load_election
from sim.scenario.load import parse_scenario
from sim.systems.preferences import SOURCES, nation_shares, preferences, preferences_for, projection_outcomes, with_rows
from sim.systems.rules import SYSTEMS, av_winners

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()
A, B, C, D = (PARTY_INDEX[p] for p in ("CON", "LAB", "LD", "GRN"))


def count(first: dict[int, float], prefs: np.ndarray) -> int:
    parties = np.array(list(first), dtype=np.int64)
    votes = np.array(list(first.values()), dtype=float)
    k = len(first)
    return int(parties[irv_winner(votes, parties, prefs, np.empty(k), np.empty(k, dtype=np.bool_))])


def test_instant_runoff_textbook_counts() -> None:
    prefs = np.zeros((len(PARTIES), len(PARTIES)))
    assert count({A: 55, B: 30, C: 15}, prefs) == A  # a first-round majority
    prefs[C, B] = 1.0  # LD's voters rank Labour next
    assert count({A: 40, B: 35, C: 25}, prefs) == B  # 40 against 35 + 25
    prefs[C] = 0.0
    prefs[C, A], prefs[C, B] = 0.2, 0.8  # 5 to CON, 20 to LAB
    assert count({A: 40, B: 35, C: 25}, prefs) == B  # 45 against 55
    prefs[C, A], prefs[C, B] = 0.8, 0.2
    assert count({A: 40, B: 35, C: 25}, prefs) == A
    # two rounds: GRN out first (to LD), then LAB out with its pile (to CON)
    prefs[D, C] = 1.0
    prefs[B] = 0.0
    prefs[B, A] = 1.0
    assert count({A: 30, B: 26, C: 24, D: 20}, prefs) == A  # LD 44, CON 30 + 26 = 56
    prefs[B] = 0.0
    prefs[B, C] = 1.0
    assert count({A: 30, B: 26, C: 24, D: 20}, prefs) == C  # LD 44 + 26 = 70
    # an exhausted pile: the count goes on among the rest, the leader of the continuing votes wins
    prefs[:] = 0.0
    assert count({A: 40, B: 35, C: 25}, prefs) == A


def test_no_transfers_give_the_plurality_winners() -> None:
    e = load_election("2024")
    none = np.zeros((len(e.parties), len(e.parties)))
    assert (av_winners(e.votes, e.stood, e.lead_fraction, none) == e.winners).all()


@pytest.mark.parametrize("source", SOURCES)
def test_the_preference_matrices(source: str, data_dir: Path | None) -> None:
    prefs = preferences(source, data_dir)
    m = prefs.matrix
    assert (m >= 0).all() and (np.diag(m) == 0).all()
    shares = nation_shares(data_dir)
    assert 0.07 < shares["SNP"] < 0.1 and 0.04 < shares["PC"] < 0.06  # Scotland's and Wales's shares of GB votes
    for party in ("CON", "LAB", "LD", "GRN", "SNP", "PC", "REF"):
        row = m[PARTY_INDEX[party]].copy()
        for national, share in shares.items():  # as measured among all GB leavers
            row[PARTY_INDEX[national]] *= share
        # a row adds up to 1 with each family counted once (REF/BRX/UKIP repeat a share, as do OTH/IND)
        once = row.sum() - 2 * row[PARTY_INDEX["BRX"]] - row[PARTY_INDEX["IND"]]
        if party == "REF":
            once = row.sum() - row[PARTY_INDEX["IND"]]
        assert once == pytest.approx(1.0), party
        assert prefs.leavers[party] > 0
    for party in ("DUP", "SF", "IND", "OTH", "SPK"):
        assert m[PARTY_INDEX[party]].sum() == 0  # not measured: the pile exhausts
    assert m[PARTY_INDEX["REF"], PARTY_INDEX["CON"]] > m[PARTY_INDEX["REF"], PARTY_INDEX["GRN"]]
    assert m[PARTY_INDEX["GRN"], PARTY_INDEX["LAB"]] > m[PARTY_INDEX["GRN"], PARTY_INDEX["CON"]]


def test_scenario_rows_replace_the_default(data_dir: Path | None) -> None:
    base = preferences("yougov-2024", data_dir)
    mine = with_rows(base, {"LD": {"CON": 3, "GRN": 1}})
    assert mine.row("LD") == {"CON": 0.75, "GRN": 0.25}
    assert mine.row("LAB") == base.row("LAB")
    with pytest.raises(SwingometerError, match="cannot transfer to itself"):
        with_rows(base, {"LD": {"LD": 1}})
    scenario = parse_scenario({"schema": 1, "base": "2024", "preferences": {"ld": {"con": 1.0}}})
    assert scenario.preferences == {"LD": {"CON": 1.0}}
    for bad, message in (
        ({"LD": {"XYZ": 1.0}}, "XYZ"),
        ({"LD": {"LD": 1.0}}, "cannot transfer to the party itself"),
        ({"LD": {"CON": 0.0}}, "at least one party a share above 0"),
        ({"LD": {"CON": 1.5}}, "preferences.LD.CON"),
    ):
        with pytest.raises(ScenarioError, match=message):
            parse_scenario({"schema": 1, "base": "2024", "preferences": bad})


def test_av_and_av_plus_on_2024(data_dir: Path | None) -> None:
    from sim.run import project_checked

    scenario = parse_scenario({"schema": 1, "base": "2024"})
    projection = project_checked(scenario, data_dir)
    found = {o.system.key: o for o in projection_outcomes(projection, list(SYSTEMS.values()), data_dir=data_dir)}
    av, plus, fptp = found["av"], found["av-plus"], found["fptp"]
    assert av.house == 650
    assert plus.house == 650 + sum((2 * n * 7 + 33) // 66 for n in np.unique(projection.election.regions,
                                                                                return_counts=True)[1])  # fmt: skip
    lab, con = PARTY_INDEX["LAB"], PARTY_INDEX["CON"]
    assert av.seats[lab] > fptp.seats[lab] and av.seats[con] < fptp.seats[con]  # anti-Conservative transfers
    assert plus.seats[lab] == av.seats[lab]  # overhang: Labour takes no top-up seat
    assert plus.indices()["gallagher"] < av.indices()["gallagher"]
    # a scenario row for Lib Dem voters all to the Conservatives gives them seats Labour took
    tory = projection_outcomes(projection, [SYSTEMS["av"]], {"LD": {"CON": 1.0}}, data_dir)[0]
    assert tory.seats[con] > av.seats[con]


def test_simulated_av_without_transfers_is_fptp_draw_for_draw(data_dir: Path | None) -> None:
    from sim.run import project_file
    from sim.systems.simulate import simulate_systems

    scenario, projection = project_file(ROOT / "scenarios" / "examples" / "report-2024.toml", data_dir)
    n = len(projection.election.parties)
    chosen = [SYSTEMS["fptp"], SYSTEMS["av"]]
    _, (fptp, av) = simulate_systems(scenario, projection, 500, 3, chosen, prefs=np.zeros((n, n)))
    np.testing.assert_array_equal(av.hist, fptp.hist)
    _, (fptp2, av2) = simulate_systems(
        scenario, projection, 500, 3, chosen, prefs=preferences_for({}, data_dir=data_dir).matrix
    )
    np.testing.assert_array_equal(fptp2.hist, fptp.hist)  # the AV count changes no plurality draw
    assert not np.array_equal(av2.hist, fptp.hist)
    _, (_, av3) = simulate_systems(scenario, projection, 500, 3, chosen, threads=1,
                                   prefs=preferences_for({}, data_dir=data_dir).matrix)  # fmt: skip
    np.testing.assert_array_equal(av3.hist, av2.hist)  # any thread count


def test_systems_command_with_preferences(tmp_path: Path, data_dir: Path | None) -> None:
    extra = ["--data-dir", str(data_dir)] if data_dir else []
    result = runner.invoke(app, ["systems", "--election", "2024", "--systems", "fptp,av,av-plus",
                                 "--preferences", "bes-2019", *extra])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "av-plus" in result.output
    bad = runner.invoke(app, ["systems", "--election", "2024", "--preferences", "mori", *extra])
    assert bad.exit_code != 0 and "choose one of yougov-2024, bes-2019" in bad.output


def test_uncertain_preferences_vary_by_draw_and_reproduce(data_dir: Path | None) -> None:
    from sim.run import project_file
    from sim.systems.simulate import simulate_systems

    prefs = preferences("bes-2019", data_dir)
    con, pc, lab = PARTY_INDEX["CON"], PARTY_INDEX["PC"], PARTY_INDEX["LAB"]
    assert prefs.sd[pc, lab] > prefs.sd[con, lab] > 0  # 4 Plaid leavers against 140 Conservative ones
    assert (prefs.sd[prefs.matrix == 0] == 0).all()
    assert (with_rows(prefs, {"LD": {"CON": 1.0}}).sd[PARTY_INDEX["LD"]] == 0).all()  # a scenario's own row

    scenario, projection = project_file(ROOT / "scenarios" / "examples" / "report-2024.toml", data_dir)
    av = [SYSTEMS["av"]]
    _, (fixed,) = simulate_systems(scenario, projection, 400, 5, av, prefs=prefs.matrix)
    _, (zero,) = simulate_systems(
        scenario, projection, 400, 5, av, prefs=prefs.matrix, prefs_sd=np.zeros_like(prefs.sd)
    )
    np.testing.assert_array_equal(zero.hist, fixed.hist)
    _, (varied,) = simulate_systems(scenario, projection, 400, 5, av, prefs=prefs.matrix, prefs_sd=prefs.sd, threads=1)
    _, (again,) = simulate_systems(scenario, projection, 400, 5, av, prefs=prefs.matrix, prefs_sd=prefs.sd, threads=2)
    np.testing.assert_array_equal(varied.hist, again.hist)
    assert not np.array_equal(varied.hist, fixed.hist)
    spread = [float(np.diff(s.quantiles((0.05, 0.95))[:, lab])[0]) for s in (fixed, varied)]
    assert spread[1] >= spread[0]  # the matrix's own uncertainty adds to the votes'
