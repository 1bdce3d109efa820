"""The multiparty model: its terms on made-up seats, and its backtests and scenario method on the real data."""

from __future__ import annotations

import numpy as np
import pytest

from sim.backtest.refit_linked import main as refit_main
from sim.backtest.scores import PAIRS, load_pairs, score
from sim.core.parties import PARTIES, PARTY_INDEX
from sim.data.by_election_change import by_election_change
from sim.data.election import DataDir, Election
from sim.projection import multiparty
from sim.projection.linked import PairFeatures
from sim.projection.multiparty_step import read
from sim.projection.swing import balance, scope_shares
from sim.scenario.load import parse_scenario
from sim.scenario.validate import checked_projection

CON, LAB, LD, GRN, REF = (PARTY_INDEX[p] for p in ("CON", "LAB", "LD", "GRN", "REF"))


def context(shares: np.ndarray, change: np.ndarray, winners: list[int]) -> multiparty.Context:
    return multiparty.Context(
        shares=shares, scope_shares=np.broadcast_to(shares.mean(axis=0), shares.shape),
        change=np.broadcast_to(change, shares.shape), stood=shares > 0, winners=np.array(winners),
        by_election=np.zeros_like(shares),
    )  # fmt: skip


def seat(**shares: float) -> np.ndarray:
    row = np.zeros(len(PARTIES))
    for party, value in shares.items():
        row[PARTY_INDEX[party]] = value
    return row


def test_consolidation_moves_third_party_progressives_to_the_challenger_by_the_square_of_the_fall() -> None:
    shares = np.vstack([
        seat(CON=0.5, LD=0.3, LAB=0.15, GRN=0.05), seat(LAB=0.5, CON=0.3, LD=0.2), seat(CON=0.5, LD=0.26, LAB=0.24),
    ])  # fmt: skip
    change = seat(CON=-0.2, LAB=0.02, LD=0.0, GRN=0.03)
    term = multiparty.features(context(shares, change, [CON, LAB, CON]))["tactical"]
    fall = 0.2**2
    assert term[0, LD] == pytest.approx(fall * 0.20)  # LAB's and the Greens' voters, 0.15 + 0.05 (LD leads both by 5+)
    assert term[0, LAB] == pytest.approx(-fall * 0.15)
    assert term[0, GRN] == pytest.approx(-fall * 0.05)
    assert term[0, CON] == 0.0
    np.testing.assert_allclose(term.sum(axis=1), 0.0, atol=1e-15)  # votes move within the seat
    assert not term[1].any()  # Labour rises there, and the challenger (CON) is not progressive
    assert term[2, LAB] == pytest.approx(-fall * (0.02 / 0.05) * 0.24)  # LD leads Labour by 2 points only


def test_unionists_consolidate_against_a_falling_snp_behind_the_campaigns_best_placed_unionist() -> None:
    SNP = PARTY_INDEX["SNP"]
    shares = np.vstack([
        seat(SNP=0.5, LAB=0.25, CON=0.15, LD=0.1),  # Labour second at the start, but the Conservatives surge
        seat(SNP=0.5, LAB=0.3, CON=0.1, LD=0.1),  # Labour still ahead once the changes are added
        seat(CON=0.5, LAB=0.3, SNP=0.1, LD=0.1),  # not an SNP seat: no unionist term
    ])  # fmt: skip
    change = seat(SNP=-0.13, CON=0.14, LAB=0.02, LD=-0.03)
    f = multiparty.features(context(shares, change, [SNP, SNP, CON]))
    term, fall = f["unionist"], 0.13**2
    # Placed with the changes: CON 0.29, LAB 0.27, LD 0.07. Labour's voters move in proportion to the
    # Conservatives' 2-point lead over it (of SQUEEZE_GAP's 5), the Lib Dems' in full.
    assert term[0, LAB] == pytest.approx(-fall * 0.25 * 0.02 / multiparty.SQUEEZE_GAP)
    assert term[0, LD] == pytest.approx(-fall * 0.1)
    assert term[0, CON] == pytest.approx(-term[0, LAB] - term[0, LD])
    assert term[0, SNP] == 0.0
    assert term[1, LAB] > 0 > term[1, CON] and term[1, LD] < 0
    np.testing.assert_allclose(term.sum(axis=1), 0.0, atol=1e-15)
    assert not term[2].any()
    rising = multiparty.features(context(shares, seat(SNP=0.05, CON=-0.05), [SNP, SNP, CON]))["unionist"]
    assert not rising.any()  # the SNP holds up: nothing moves


def test_the_models_swing_renormalises_each_seat_and_lands_the_targets() -> None:
    UKIP = PARTY_INDEX["UKIP"]
    shares = np.vstack([seat(CON=0.5, LAB=0.3, UKIP=0.04, LD=0.16), seat(CON=0.3, LAB=0.4, UKIP=0.2, LD=0.1)])
    stood, weight = shares > 0, np.array([1.0, 1.0])
    change = np.broadcast_to(seat(UKIP=-0.1, CON=0.06, LAB=0.04), shares.shape)
    out, _ = balance(shares, stood, change, renormalise=True)
    # Seat 0: UKIP has only 0.04 to lose, so the movers (CON, LAB, UKIP) add up to 0.90 where they
    # should have 0.84: their shares are scaled by 0.84 / 0.90; the Lib Dems, with no change, stay.
    moved = shares[0] + seat(UKIP=-0.04, CON=0.06, LAB=0.04)
    np.testing.assert_allclose(out[0], np.where(moved == shares[0], moved, moved * 0.84 / 0.90), atol=1e-15)
    np.testing.assert_allclose(out[1], shares[1] + change[1])  # seat 1 adds up: the textbook change
    full = scope_shares(shares, weight) + seat(UKIP=-0.1, CON=0.06, LAB=0.04)
    swung = multiparty.swing(shares, stood, weight, full).shares
    np.testing.assert_allclose(scope_shares(swung, weight), full, atol=1e-9)
    np.testing.assert_allclose(swung.sum(axis=1), 1.0)
    assert swung[0, UKIP] == 0.0


def test_a_by_election_winner_is_the_challenger() -> None:
    shares = np.vstack([seat(CON=0.6, LAB=0.25, LD=0.15)])
    ctx = context(shares, seat(CON=-0.2), [CON])
    by = np.zeros_like(shares)
    by[0, LD], by[0, CON], by[0, LAB] = 0.3, -0.25, -0.05  # LD won the seat's by-election from third
    ctx = multiparty.Context(**{**ctx.__dict__, "by_election": by})
    term = multiparty.features(ctx)["tactical"]
    assert term[0, LD] > 0 > term[0, LAB]


def test_collapse_and_damping_are_the_proportional_minus_uniform_change() -> None:
    shares = np.vstack([seat(CON=0.6, LAB=0.4), seat(CON=0.2, LAB=0.8)])
    change = seat(CON=-0.1, LAB=0.1)
    f = multiparty.features(context(shares, change, [CON, LAB]))
    s = shares.mean(axis=0)
    np.testing.assert_allclose(f["collapse"][:, CON], -0.1 * (shares[:, CON] / s[CON] - 1))
    np.testing.assert_allclose(f["damping"][:, LAB], 0.1 * (shares[:, LAB] / s[LAB] - 1))
    assert not f["collapse"][:, LAB].any() and not f["damping"][:, CON].any()


@pytest.fixture(scope="module")
def pairs(data_dir: DataDir) -> list[PairFeatures]:
    return load_pairs(data_dir)


def test_2024_is_projected_from_the_earlier_elections_only_within_the_issues_bounds(
    pairs: list[PairFeatures],
) -> None:
    earlier, p2024 = pairs[:-1], pairs[-1]
    assert [(p.earlier.name, p.later.name) for p in earlier] == list(
        PAIRS[:-1]
    )  # 2005-notional -> 2010 to 2017 -> 2019
    ours = score(p2024, "multiparty", "region", earlier)
    linked = score(p2024, "linked", "region", earlier)
    assert ours.gb_wrong <= 70 and ours.gb_wrong <= linked.gb_wrong - 40  # 67 against 117 when measured
    assert abs(ours.seat_error["CON"]) <= 30 and abs(ours.seat_error["LD"]) <= 15  # the issue's bounds


def test_the_earlier_pairs_are_no_worse_than_the_issues_slack_except_2017(pairs: list[PairFeatures]) -> None:
    """Leave-one-out: 2015 and 2019 within the linked model's 28 and 31 (as the issue measured them) plus two.

    2017 is not (48 against 45; docs/accuracy.md says why), but must not fall behind today's linked model.
    """
    wrong = {}
    for pair in (p for p in pairs if p.later.name in ("2015", "2017", "2019")):
        others = [q for q in pairs if q is not pair]
        wrong[pair.later.name] = (score(pair, "multiparty", "region", others).gb_wrong,
                                  score(pair, "linked", "region", others).gb_wrong)  # fmt: skip
    assert wrong["2015"][0] <= 30 and wrong["2019"][0] <= 33
    assert wrong["2017"][0] <= wrong["2017"][1]  # 48 against 49


def test_by_election_gains_are_carried_onto_the_2024_seats(elections: dict[str, Election], data_dir: DataDir) -> None:
    real = by_election_change(elections["2019"], {"BRX": "REF", "UKIP": "REF"}, data_dir)
    e19 = elections["2019"]
    assert real[e19.seat_index("North Shropshire"), LD] > 0.35  # 10.0% in 2019, 47.2% at the 2021 by-election
    notional = by_election_change(elections["2019-notional"], {"BRX": "REF", "UKIP": "REF"}, data_dir)
    e = elections["2019-notional"]
    assert notional[e.seat_index("North Shropshire"), LD] > 0.25
    assert (np.abs(notional).sum(axis=1) > 0).sum() > 20  # every by-election seat reaches one or more new seats
    assert not notional[e.seat_index("Glasgow North"), :].any()


def test_by_elections_where_a_party_stood_aside_or_was_absent_count_for_nothing(
    elections: dict[str, Election], data_dir: DataDir
) -> None:
    e = elections["2019"]
    change = by_election_change(e, {"BRX": "REF", "UKIP": "REF"}, data_dir)
    assert not change[e.seat_index("Southend West")].any()  # Labour and the Lib Dems stood aside in 2022
    hartlepool = change[e.seat_index("Hartlepool")]
    assert hartlepool[CON] > 0.2 and hartlepool[PARTY_INDEX["SNP"]] == 0.0


def test_the_notional_2005_election_reproduces_the_2005_result(elections: dict[str, Election]) -> None:
    from sim.data.election import load_election

    e = load_election("2005-notional")
    assert e.seat_totals()["LAB"] == 348 and e.seat_totals()["CON"] == 210 and e.seat_totals()["LD"] == 62
    gb = scope_shares(e.shares[e.gb], e.valid_votes[e.gb].astype(float))
    assert gb[LAB] == pytest.approx(0.361, abs=0.001) and gb[CON] == pytest.approx(0.332, abs=0.001)
    assert e.boundaries == elections["2010"].boundaries


def test_shipped_coefficients_equal_a_refit(tmp_path, data_dir: DataDir) -> None:  # type: ignore[no-untyped-def]
    args = ["--output", str(tmp_path / "l.json"), "--multiparty-output", str(tmp_path / "m.json")]
    assert refit_main([*args, *(["--data-dir", str(data_dir)] if data_dir else [])]) == 0
    from sim.projection.multiparty_step import shipped

    refit, ours = read(tmp_path / "m.json"), shipped()
    assert refit.pooled == pytest.approx(ours.pooled)
    for party, row in refit.linked.items():
        np.testing.assert_allclose(row, ours.linked[party])


def test_scenario_method_lands_the_targets_and_moves_the_conservative_collapse_to_its_strongholds(
    elections: dict[str, Election],
) -> None:
    e = elections["2019"]
    targets = {"CON": 0.32, "LAB": 0.36, "LD": 0.12, "GRN": 0.05, "BRX": 0.02}
    runs = {}
    for method in ("uniform", "multiparty"):
        step = {"kind": "shares", "scope": "gb", "shares": targets, "method": method}
        runs[method] = checked_projection(parse_scenario({"schema": 1, "base": "2019", "steps": [step]}), e)
    p = runs["multiparty"]
    mask = e.gb & ~p.stood[:, PARTY_INDEX["SPK"]]
    got = scope_shares(p.shares[mask], p.votes[mask].sum(axis=1))
    for party, value in targets.items():
        assert got[PARTY_INDEX[party]] == pytest.approx(value, abs=1e-6)
    strong = mask & (e.shares[:, CON] > 0.6)
    fall = {m: (e.shares[strong, CON] - r.shares[strong, CON]).mean() for m, r in runs.items()}
    assert fall["multiparty"] > fall["uniform"] + 0.005  # a collapsing party loses more where it was strong
    assert any("multiparty" in note for note in p.notes)


def test_scenario_terms_leave_small_unmodelled_parties_alone(elections: dict[str, Election]) -> None:
    """Others, independents and the Speaker get no shared term (their s / S is meaningless)."""
    e = elections["2019"]
    step = {"kind": "shares", "scope": "gb", "shares": {"CON": 0.32, "LAB": 0.36, "LD": 0.12}, "method": "multiparty"}
    gb = e.gb
    ctx = multiparty.Context(
        shares=e.shares[gb], scope_shares=multiparty.unit_shares(e.shares[gb], e.valid_votes[gb] * 1.0, e.regions[gb]),
        change=np.full(e.shares[gb].shape, -0.05), stood=e.stood[gb], winners=e.winners[gb],
        by_election=np.zeros(e.shares[gb].shape),
    )  # fmt: skip
    unmodelled = [PARTY_INDEX[p] for p in ("OTH", "IND", "SPK")]
    for term, values in multiparty.features(ctx).items():
        assert not values[:, unmodelled].any(), term
    # Scenario steps end with the engine's uniform swing, so the untargeted parties come out as
    # uniform swing leaves them (not the backtests' renormalising swing, which moved them).
    p = checked_projection(parse_scenario({"schema": 1, "base": "2019", "steps": [step]}), e)
    u = checked_projection(parse_scenario({"schema": 1, "base": "2019", "steps": [{**step, "method": "uniform"}]}), e)
    oth = PARTY_INDEX["OTH"]
    assert np.abs(p.shares[:, oth] - u.shares[:, oth]).max() < 0.02


def test_a_uk_scope_is_refused_as_uniform_swing_refuses_it(elections: dict[str, Election]) -> None:
    """The renormalising swing accepted this and reshuffled Northern Ireland (four seats changed hands, exit 0)."""
    from sim.core.errors import ScenarioError

    e = elections["2024"]
    step = {"kind": "shares", "scope": "uk", "shares": {"LAB": 0.30}, "method": "multiparty"}
    for method in ("multiparty", "uniform"):
        scenario = parse_scenario({"schema": 1, "base": "2024", "steps": [{**step, "method": method}]})
        with pytest.raises(ScenarioError, match="gb rather than uk"):
            checked_projection(scenario, e)


def _project(election: Election, *steps: dict[str, object]):  # type: ignore[no-untyped-def]
    return checked_projection(parse_scenario({"schema": 1, "base": election.name, "steps": list(steps)}), election)


def test_bad_model_fields_are_refused(elections: dict[str, Election]) -> None:
    from sim.core.errors import ScenarioError

    e = elections["2019"]
    step = {"kind": "shares", "scope": "gb", "shares": {"CON": 0.35}, "method": "multiparty"}
    with pytest.raises(ScenarioError, match="REF stands in no seat of scope 'gb'"):
        _project(e, {**step, "leave_slope": {"REF": 0.5}})
    with pytest.raises(ScenarioError, match="already listed"):
        _project(e, {**step, "retiring": ["Maidenhead", e.seat_ids[e.seat_index("Maidenhead")]]})


def test_a_seat_given_the_model_twice_is_warned_about(elections: dict[str, Election]) -> None:
    e = elections["2019"]
    gb = {"kind": "shares", "scope": "gb", "shares": {"CON": 0.35}, "method": "multiparty"}
    wales = {**gb, "scope": "Wales", "shares": {"CON": 0.30}}
    notes = _project(e, gb, wales).notes
    assert any("already applied a fitted model's terms to 40 of these seats" in n for n in notes)
    assert not any("already applied" in n for n in _project(e, {**gb, "scope": "England"}, wales).notes)


def test_backtest_all_with_a_pair_is_refused_and_the_ablation_checks_its_arguments() -> None:
    from typer.testing import CliRunner

    from cli.main import app
    from sim.backtest.ablation import main as ablation_main

    result = CliRunner().invoke(app, ["backtest", "--all", "--from", "2017", "--to", "2019"])
    assert result.exit_code == 1 and "give --all, or --from and --to, not both" in result.output
    with pytest.raises(SystemExit) as exc:
        ablation_main(["--bogus"])
    assert exc.value.code == 2
