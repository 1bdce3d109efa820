"""The linked model as a scenario-file method (``method = "linked"``), on the real data."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.backtest.fit import fit_linked, fit_multiparty
from sim.backtest.pairs import load_pairs
from sim.core.errors import ScenarioError
from sim.core.parties import PARTIES, PARTY_INDEX
from sim.data.election import DataDir, Election
from sim.data.scope import scope_mask
from sim.projection.coefficients import SHIPPED, read, shipped
from sim.projection.project import Projection, project
from sim.projection.swing import scope_shares
from sim.scenario.load import parse_scenario
from sim.scenario.validate import check

CON, LAB, LD = (PARTY_INDEX[p] for p in ("CON", "LAB", "LD"))
TARGETS = {"CON": 0.38, "LAB": 0.36, "LD": 0.13, "GRN": 0.04}


def run(election: Election, **step: object) -> Projection:
    full = {"kind": "shares", "scope": "gb", "shares": TARGETS, **step}
    scenario = parse_scenario({"schema": 1, "base": election.name, "steps": [full]})
    check(scenario, election)
    return project(scenario, election)


def sophomores(e: Election) -> np.ndarray:
    """Base winners not already the seat's MP: the default sophomore seats (see the shares step)."""
    held = np.zeros(e.votes.shape, dtype=bool)
    held[np.arange(e.n_seats), e.winners] = True
    return held & ~e.sitting_mps()


def gb_shares(p: Projection) -> np.ndarray:
    e = p.election
    mask = e.gb & ~p.stood[:, PARTY_INDEX["SPK"]]
    return scope_shares(p.shares[mask], p.votes[mask].sum(axis=1))


def test_shipped_coefficients_equal_a_refit(data_dir: DataDir) -> None:
    """Both fitted models' shipped files are the fit on every pair (to 1e-9: last digits vary across machines)."""
    pairs = load_pairs(data_dir)
    for method, fit in (("linked", fit_linked), ("multiparty", fit_multiparty)):
        refit, ours = fit(pairs), shipped(method)
        assert sorted(refit.linked) == sorted(ours.linked), method
        for party, row in refit.linked.items():
            np.testing.assert_allclose(ours.linked[party], row, rtol=0, atol=1e-9, err_msg=f"{method} {party}")
        assert refit.shared == pytest.approx(ours.shared, abs=1e-9)


@pytest.mark.slow
def test_refit_command_writes_the_files_and_never_overwrites(tmp_path: Path, data_dir: DataDir) -> None:
    args = [sys.executable, "-m", "sim.backtest.refit", "--output-dir", str(tmp_path)]
    if data_dir is not None:
        args += ["--data-dir", str(data_dir)]
    first = subprocess.run(args, capture_output=True, text=True, check=False)
    assert first.returncode == 0, first.stderr
    for method, path in SHIPPED.items():
        written, ours = read(tmp_path / path.name, method), read(path, method)
        # A refit on another machine may differ in the last digits (BLAS, summation order): compare to 1e-7.
        assert written.linked.keys() == ours.linked.keys() and written.shared.keys() == ours.shared.keys()
        for party, row in written.linked.items():
            np.testing.assert_allclose(row, ours.linked[party], rtol=1e-7, atol=1e-9)
        for name, value in written.shared.items():
            np.testing.assert_allclose(value, ours.shared[name], rtol=1e-7, atol=1e-9)
    again = subprocess.run(args, capture_output=True, text=True, check=False)
    assert again.returncode == 1 and "--force" in again.stderr


@pytest.mark.parametrize("scope", ["gb", "North East", "Wales"])
def test_linked_lands_the_targets_exactly(elections: dict[str, Election], scope: str) -> None:
    e = elections["2019"]
    targets = {"CON": 0.40, "LAB": 0.35} if scope != "gb" else TARGETS
    p = run(e, method="linked", scope=scope, shares=targets, leave_slope={"CON": 0.2, "LAB": -0.2})
    mask = scope_mask(e, scope) & ~p.stood[:, PARTY_INDEX["SPK"]]
    got = scope_shares(p.shares[mask], p.votes[mask].sum(axis=1))
    for party, value in targets.items():
        assert got[PARTY_INDEX[party]] == pytest.approx(value, abs=1e-9)


def test_sophomore_seats_gain_relative_to_uniform(elections: dict[str, Election]) -> None:
    e = elections["2019"]
    uniform, linked = run(e, method="uniform"), run(e, method="linked")
    sophomore = sophomores(e)
    diff = linked.shares - uniform.shares
    for party in (CON, LAB):
        first_term = sophomore[:, party] & e.gb
        held_longer = (e.winners == party) & ~sophomore[:, party] & e.gb
        assert first_term.sum() > 20
        assert diff[first_term, party].mean() > 0.005, party
        assert diff[first_term, party].mean() > diff[held_longer, party].mean() + 0.005, party


def test_a_retiring_mp_costs_the_party_votes(elections: dict[str, Election]) -> None:
    e = elections["2019"]
    seats = ["Maidenhead", "Hartlepool"]
    rows = [e.seat_index(s) for s in seats]
    before = run(e, method="linked")
    after = run(e, method="linked", retiring=seats)
    for i in rows:
        party = int(e.winners[i])
        term = shipped("linked").linked[PARTIES[party]][2]  # the standing-down coefficient (negative)
        assert term < 0
        assert after.shares[i, party] < before.shares[i, party] + 0.3 * term  # less renormalising and swing


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(slope=st.floats(min_value=0.05, max_value=0.5), party=st.sampled_from(["CON", "LAB", "LD"]))
def test_the_leave_slope_moves_shares_in_its_sign(elections: dict[str, Election], slope: float, party: str) -> None:
    e = elections["2019"]
    j = PARTY_INDEX[party]
    flat = run(e, method="linked")
    england = (e.nations == "England") & flat.stood[:, j]
    leave = e.covariate("leave").astype(float)
    ok = england & ~np.isnan(leave)
    for sign in (1.0, -1.0):
        tilted = run(e, method="linked", leave_slope={party: sign * slope})
        diff = tilted.shares[ok, j] - flat.shares[ok, j]
        assert np.sign(np.corrcoef(leave[ok], diff)[0, 1]) == sign
        np.testing.assert_allclose(gb_shares(tilted), gb_shares(flat), atol=1e-9)


def test_notes_say_which_terms_are_off(elections: dict[str, Election]) -> None:
    plain = run(elections["2019"], method="linked")
    assert any("the Leave term is off" in n for n in plain.notes)
    sloped = run(elections["2019"], method="linked", leave_slope={"CON": 0.1})
    assert not any("the Leave term is off" in n for n in sloped.notes)
    notional = run(elections["2019-notional"], method="linked")
    assert any("no sitting-MP data, so the sophomore term is off" in n for n in notional.notes)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"method": "uniform", "leave_slope": {"CON": 0.1}}, "linked and multiparty models only"),
        ({"method": "stm", "retiring": ["Hartlepool"]}, "linked and multiparty models only"),
        ({"method": "linked", "leave_slope": {"CONN": 0.1}}, "did you mean 'CON'"),
        ({"method": "linked", "leave_slope": {"CON": float("nan")}}, "finite"),
        ({"method": "linked", "leave_slope": {"CON": 2.0}}, "less than or equal to 1"),
        ({"method": "linked", "leave_slope": {"OTH": 0.1}}, "no terms for OTH"),
        ({"method": "linked", "retiring": ["Hartlepol"]}, "did you mean 'Hartlepool'"),
        ({"method": "linked", "retiring": ["Hartlepool", "HARTLEPOOL"]}, "given twice"),
        ({"method": "linked", "scope": "Scotland", "retiring": ["Hartlepool"]}, "not in this step's scope"),
        ({"method": "linked", "sophomore": ["Hartlepool"], "retiring": ["Hartlepool"]}, "also retiring"),
        ({"method": "linked", "coefficients": {"linked": {"REF": [0.1, 0.0, 0.0]}}}, "no lineage 'REF'"),
        (
            {"method": "linked", "coefficients": {"linked": {"CON": [0.1, 0.0, 0.0]}, "shared": {"collapse": 1.0}}},
            "multiparty model only",
        ),
        ({"method": "multiparty", "coefficients": {"linked": {}, "shared": {"collapse": 1.0}}}, "needs exactly"),
    ],
)
def test_bad_linked_fields_are_refused(elections: dict[str, Election], extra: dict, message: str) -> None:
    with pytest.raises(ScenarioError, match=message):
        run(elections["2019"], **extra)


def test_linked_is_uniform_swing_when_no_term_applies(elections: dict[str, Election]) -> None:
    # 2019-notional: no sitting-MP data, no slopes, no retirements: nothing moves before the swing.
    e = elections["2019-notional"]
    step = {"kind": "shares", "scope": "gb", "shares": TARGETS}
    scenario = parse_scenario({"schema": 1, "base": e.name, "steps": [{**step, "method": "uniform"}]})
    linked = run(e, method="linked")
    np.testing.assert_allclose(linked.shares, project(scenario, e).shares, atol=1e-12)
