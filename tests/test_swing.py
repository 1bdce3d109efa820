"""Swing mechanics on the real data: uniform means uniform, implied shares, partial candidacies."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from cli.main import app
from sim.core.errors import ScenarioError
from sim.core.parties import PARTY_INDEX
from sim.data.election import Election, load_election
from sim.projection.project import Projection, project
from sim.projection.swing import absorb_residual, balance, coverage, proportional_swing, scope_shares
from sim.run import project_file
from sim.scenario.load import parse_scenario

QUICKSTART = Path(__file__).resolve().parent.parent / "scenarios" / "uniform-2019-polls.toml"
CON, LAB, LD, REF = (PARTY_INDEX[p] for p in ("CON", "LAB", "LD", "REF"))
SPK = PARTY_INDEX["SPK"]
FAST = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@cache
def election(name: str, data_dir: Path | None) -> Election:
    """An election loaded once (hypothesis tests take the small data_dir fixture, not the elections)."""
    return load_election(name, data_dir)


def run(election: Election, *steps: dict[str, Any]) -> Projection:
    return project(parse_scenario({"schema": 1, "base": election.name, "steps": list(steps)}), election)


def gb_changes(election: Election, projection: Projection) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """GB seats less the Speaker's: the mask, each party's intended uniform change, the seat changes."""
    gb = election.gb & ~election.stood[:, SPK]
    weight = election.valid_votes[gb].astype(float)
    before = scope_shares(election.shares[gb], weight)
    after = scope_shares(projection.shares[gb], projection.votes[gb].sum(axis=1))
    cov = coverage(election.stood[gb], weight)
    intended = np.divide(after - before, cov, out=np.zeros_like(cov), where=cov > 0)
    return gb, intended, projection.shares - election.shares


def test_quickstart_is_one_a_psephologist_would_sign(data_dir: Path | None) -> None:
    """No Brexit Party, independent or other gains; Labour rises in every English seat it fights."""
    _, projection = project_file(QUICKSTART, data_dir)
    e = projection.election
    gained = projection.winners[projection.winners != e.winners]
    assert not np.isin(gained, [PARTY_INDEX[p] for p in ("BRX", "IND", "OTH", "UKIP")]).any()
    england = (e.nations == "England") & e.stood[:, LAB] & ~e.stood[:, SPK]
    assert (projection.shares[england, LAB] > e.shares[england, LAB]).all()
    con = (projection.shares - e.shares)[england, CON]
    assert con.max() - con.min() < 0.035  # the same change everywhere, but for partial candidacies


@FAST
@given(con=st.floats(-0.06, 0.04), ld=st.floats(-0.01, 0.03))
def test_uniform_change_equals_the_scope_change_where_candidacies_are_complete(
    data_dir: Path | None, con: float, ld: float
) -> None:
    """2015 (CON, LAB and LD stood in every GB seat); complete targets, the rest keep their shares.

    In every seat where nothing clips, each party's change is its GB change, to 0.1 point.
    """
    e = election("2015", data_dir)
    gb = e.gb & ~e.stood[:, SPK]
    assert e.stood[gb][:, [CON, LAB, LD]].all()
    base = scope_shares(e.shares[gb], e.valid_votes[gb].astype(float))
    targets = {CON: base[CON] + con, LAB: base[LAB] - con - ld, LD: base[LD] + ld}
    p = run(e, {"kind": "shares", "shares": {e.parties[k]: v for k, v in targets.items()}})
    change = p.shares - e.shares
    unclipped = gb & (p.shares[:, [CON, LAB, LD]] > 0).all(axis=1)
    assert unclipped.sum() > 400
    for party, target in targets.items():
        assert np.abs(change[unclipped, party] - (target - base[party])).max() < 0.001
    others = [q for q in range(len(e.parties)) if q not in targets]
    assert np.abs(change[unclipped][:, others]).max() < 1e-12  # the untargeted parties keep their shares


@FAST
@given(con=st.floats(0.40, 0.46), lab=st.floats(0.30, 0.38), ld=st.floats(0.09, 0.15))
def test_plausible_polls_land_exactly_on_valid_shares(data_dir: Path | None, con: float, lab: float, ld: float) -> None:
    """Plausible polls around the 2019 result: targets met exactly, every seat's shares valid."""
    e = election("2019", data_dir)
    p = run(e, {"kind": "shares", "shares": {"CON": con, "LAB": lab, "LD": ld}})
    mask, _, _ = gb_changes(e, p)
    got = scope_shares(p.shares[mask], p.votes[mask].sum(axis=1))
    np.testing.assert_allclose(got[[CON, LAB, LD]], [con, lab, ld], atol=1e-9)
    assert (p.shares >= 0).all() and np.allclose(p.shares.sum(axis=1), 1.0)
    assert (p.stood == e.stood).all() and not p.shares[~e.stood].any()  # no party appears where it did not stand


def test_the_balancing_rule_on_made_up_seats() -> None:
    """Gains above losses: the movers are renormalised; losses above gains: halfway (no gain: nothing moves)."""
    shares = np.array([[0.5, 0.3, 0.2], [0.5, 0.3, 0.2], [0.5, 0.3, 0.2], [0.5, 0.3, 0.2]])
    stood = np.ones_like(shares, dtype=bool)
    stood[1, 2] = False
    shares[1] = [0.6, 0.4, 0.0]
    change = np.array([
        [0.10, -0.05, 0.0],  # gains 0.10 exceed losses 0.05: the movers (A, B) scaled by one factor
        [-0.04, -0.02, 0.06],  # C absent: losses 0.06 and no gain, the seat keeps its shares
        [-0.06, 0.01, 0.01],  # losses 0.06 exceed gains 0.02: gains x 1.5, losses x 0.5
        [0.02, 0.03, 0.0],  # gains and no loss: the gainers are renormalised among themselves, C keeps its share
    ])  # fmt: skip
    out, _ = balance(shares, stood, change)
    np.testing.assert_allclose(out.sum(axis=1), 1.0)
    moved = shares[0, :2] + change[0, :2]
    np.testing.assert_allclose(out[0, :2], moved * (1 - shares[0, 2]) / moved.sum())
    assert out[0, 2] == shares[0, 2]
    np.testing.assert_allclose(out[1], shares[1])
    np.testing.assert_allclose(out[2], shares[2] + [-0.03, 0.015, 0.015])
    moved = shares[3, :2] + change[3, :2]
    np.testing.assert_allclose(out[3, :2], moved * (1 - shares[3, 2]) / moved.sum())
    assert out[3, 2] == shares[3, 2]


def test_targets_are_met_exactly_by_every_method(elections: dict[str, Election]) -> None:
    e = elections["2015"]
    gb = e.gb & ~e.stood[:, SPK]
    for method in ("uniform", "proportional", "stm"):
        p = run(e, {"kind": "shares", "method": method, "shares": {"CON": 0.35, "LAB": 0.36, "UKIP": 0.10}})
        got = scope_shares(p.shares[gb], p.votes[gb].sum(axis=1))
        assert np.allclose(got[[CON, LAB, PARTY_INDEX["UKIP"]]], [0.35, 0.36, 0.10], atol=1e-7), method
        assert np.allclose(p.shares[p.votes.sum(axis=1) > 0].sum(axis=1), 1.0)


def test_stm_is_exact_without_a_closing_pass(data_dir: Path | None, tmp_path: Path) -> None:
    """The quickstart under STM: targets met inside the model, and the largest seat correction reported."""
    stm = tmp_path / "stm.toml"
    stm.write_text(QUICKSTART.read_text().replace('method = "uniform"', 'method = "stm"'))
    _, p = project_file(stm, data_dir)
    assert not any("largest departure" in note for note in p.notes)  # STM balances nothing after the fact
    _, uniform = project_file(QUICKSTART, data_dir)
    departures = [float(n.split(" is ")[-1].split()[0]) for n in uniform.notes if "largest departure" in n]
    assert departures and max(departures) < 2.0


def test_untargeted_parties_are_reported(elections: dict[str, Election]) -> None:
    p = run(elections["2019"], {"kind": "shares", "shares": {"CON": 0.40, "LAB": 0.30}, "others": "proportional"})
    assert any(note.startswith("LD: implied gb share") and "not set by the scenario" in note for note in p.notes)
    keep = run(elections["2019"], {"kind": "shares", "shares": {"CON": 0.43, "LAB": 0.33}})
    assert not any(note.startswith("SNP") for note in keep.notes)  # complete enough: SNP keeps its share


def test_a_party_fighting_few_seats_is_warned_about_and_can_stand_everywhere(elections: dict[str, Election]) -> None:
    """REF on the 2019 base (the Brexit Party's 275 seats) at 15% of GB."""
    e = elections["2019"]
    merge = {"kind": "merge", "parties": ["BRX", "REF"], "into": "REF"}
    partial = run(e, merge, {"kind": "shares", "shares": {"REF": 0.15}})
    assert any(n.startswith("warning: REF fights seats with only") for n in partial.notes)
    like = {"REF": {"like": {"party": "UKIP", "election": "2015"}}}
    everywhere = run(e, merge, {"kind": "shares", "shares": {"REF": 0.15}, "stand": like})
    assert not any(n.startswith("warning: REF") for n in everywhere.notes)
    gb = e.gb & ~e.stood[:, SPK]
    assert everywhere.stood[gb, REF].all()
    clacton, barnsley = e.seat_index("Clacton"), e.seat_index("Barnsley Central")
    assert partial.shares[clacton, REF] == 0.0 and everywhere.shares[clacton, REF] > 0.25
    assert everywhere.shares[barnsley, REF] < partial.shares[barnsley, REF]
    assert everywhere.shares[barnsley, CON] > 0.05  # not squeezed out


def test_a_geography_is_carried_onto_the_2024_boundaries(elections: dict[str, Election]) -> None:
    e = elections["2024"]
    p = run(
        e,
        {"kind": "shares", "shares": {"REF": 0.15}, "stand": {"REF": {"like": {"party": "UKIP", "election": "2015"}}}},
    )
    gb = e.gb & ~e.stood[:, SPK]
    assert p.stood[gb, REF].all() and (p.shares[gb, REF] > 0).all()
    assert p.shares[e.seat_index("Clacton"), REF] > p.shares[e.seat_index("Bristol Central"), REF]


def test_seats_csv(tmp_path: Path) -> None:
    out = tmp_path / "seats.csv"
    result = CliRunner().invoke(app, ["project", str(QUICKSTART), "--seats-csv", str(out)])
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(out)
    assert {
        "seat_id",
        "seat",
        "nation",
        "region",
        "party",
        "base_votes",
        "base_share",
        "votes",
        "share",
        "winner",
    } <= set(frame.columns)
    assert frame["seat_id"].nunique() == 650
    assert np.allclose(frame.groupby("seat_id")["share"].sum(), 1.0)
    assert "largest departure" not in result.output and "add --verbose" in result.output  # technical notes hidden
    verbose = CliRunner().invoke(app, ["project", str(QUICKSTART), "--verbose"])
    assert verbose.exit_code == 0 and "largest departure" in verbose.output


def test_an_unreachable_target_is_a_clear_error(elections: dict[str, Election]) -> None:
    """Plaid Cymru fights Wales's 5% of GB's votes: a GB share of 10% is out of reach; the error names the party."""
    step = {"kind": "shares", "shares": {"PC": 0.10}}
    with pytest.raises(ScenarioError, match=r"uniform swing cannot reach PC's share of 10.0% .*a smaller scope"):
        run(elections["2019"], step)


def test_a_seats_residual_goes_to_the_parties_fighting_part_of_the_scope() -> None:
    """Three parties, C standing in the first of two equal seats only (coverage 1/2 < PARTIAL_COVERAGE).

    In seat 0 the intended changes (-3, +1, +3 points) add up to +1: C's gain alone shrinks, A and B
    keep theirs. In seat 1 (no partial party) the -2 points are balanced by the common rule.
    """
    shares = np.array([[0.5, 0.3, 0.2], [0.6, 0.4, 0.0]])
    stood = np.array([[True, True, True], [True, True, False]])
    change = np.broadcast_to(np.array([-0.03, 0.01, 0.03]), shares.shape)
    partial = np.array([False, False, True])
    out, departure = balance(shares, stood, change, partial)
    assert np.allclose(out.sum(axis=1), 1.0)
    assert np.allclose(out[0] - shares[0], [-0.03, 0.01, 0.02])
    assert departure[0, :2].max() < 1e-15 and departure[1, :2].min() > 0.005
    # Without the partial mark the common rule moves A and B in seat 0 too.
    common, _ = balance(shares, stood, change)
    assert abs(common[0, 0] - shares[0, 0] + 0.03) > 0.001
    # C's change stays between a third of and three times its intended change.
    for residual in (-0.2, -0.02, 0.02, 0.2):
        moved = absorb_residual(shares[:1], np.array([[-0.03, 0.03 - residual, 0.03]]), partial)
        assert 0.01 - 1e-12 <= moved[0, 2] <= 0.09 + 1e-12


def test_large_parties_keep_their_uniform_change_where_a_partial_party_can_take_the_residual(
    data_dir: Path | None,
) -> None:
    """The quickstart's GB step: the Greens (79% of GB's votes) and the Brexit Party (41%) are targeted.

    In every English seat where either stands, the Conservative, Labour and Lib Dem changes are
    one number each (the small parties take the seat's residual), within 0.3 point of their GB
    changes (which also average the 52 English seats where neither stands, where the residual
    has nowhere else to go). Before the rule the Conservative change ran from -8.1 to -5.2.
    """
    _, p = project_file(QUICKSTART, data_dir)
    e = p.election
    after_gb = p.trace[1][1]
    gb = e.gb & ~e.stood[:, SPK]
    before = scope_shares(e.shares[gb], e.valid_votes[gb].astype(float))
    after = scope_shares(after_gb[gb], e.valid_votes[gb].astype(float))
    change = after_gb - e.shares
    small = e.stood[:, [PARTY_INDEX["GRN"], PARTY_INDEX["BRX"]]].any(axis=1)
    seats = (e.nations == "England") & small & ~e.stood[:, SPK] & (after_gb[:, [CON, LAB, LD]] > 0).all(axis=1)
    assert seats.sum() > 450
    for party in (CON, LAB, LD):
        assert np.ptp(change[seats, party]) < 1e-6, e.parties[party]
        assert np.abs(change[seats, party] - (after[party] - before[party])).max() < 0.003, e.parties[party]
    assert not any(n.startswith("warning:") for n in p.notes)  # the first run is clean


def test_proportional_swing_to_an_unreachable_target_stays_finite() -> None:
    """A party fighting one seat cannot reach a large scope share: the factors must not overflow."""
    shares = np.array([[0.5, 0.5, 0.0], [0.6, 0.3, 0.1]])
    stood = shares > 0
    weight = np.array([1.0, 1.0])
    full = np.array([0.2, 0.2, 0.6])  # the third party stands in one seat of two: at most 50%
    with np.errstate(over="raise"):
        out = proportional_swing(shares, stood, weight, full, strict=False).shares
    assert np.isfinite(out).all()
    np.testing.assert_allclose(out.sum(axis=1), 1.0)
