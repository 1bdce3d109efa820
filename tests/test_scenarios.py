"""Scenario steps on the real data: identities, invariants, the pact and flip checks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.core.errors import ScenarioError
from sim.core.parties import PARTIES, PARTY_INDEX
from sim.data.election import Election
from sim.projection.arithmetic import flip, targets
from sim.projection.project import Projection, project
from sim.run import project_file
from sim.scenario.load import load_scenario, parse_scenario

REPO = Path(__file__).resolve().parent.parent
SCENARIO_FILES = sorted((REPO / "scenarios").rglob("*.toml"))
CON, LAB, LD, GRN, UKIP, BRX = (PARTY_INDEX[p] for p in ("CON", "LAB", "LD", "GRN", "UKIP", "BRX"))


def run(election: Election, *steps: dict) -> Projection:
    return project(parse_scenario({"schema": 1, "base": election.name, "steps": list(steps)}), election)


def check_invariants(p: Projection) -> None:
    e = p.election
    assert (p.votes >= -1e-9).all(), "negative votes"
    assert (p.abstain >= -1e-6).all(), "negative abstention"
    np.testing.assert_allclose(p.votes.sum(axis=1) + p.abstain, np.maximum(e.electorate, e.valid_votes), rtol=1e-9)
    np.testing.assert_allclose(p.shares.sum(axis=1), 1.0, atol=1e-9)
    assert (p.votes[~p.stood] <= 1e-9).all(), "a party that does not stand has votes"


@pytest.mark.parametrize("method", ["uniform", "proportional", "stm"])
@pytest.mark.parametrize("name", ["2015", "2019", "2019-notional"])
def test_base_shares_are_the_identity(elections: dict[str, Election], method: str, name: str) -> None:
    e = elections[name]
    gb = e.gb & ~e.stood[:, PARTY_INDEX["SPK"]]
    current = e.votes[gb].sum(axis=0) / e.votes[gb].sum()
    shares = {PARTIES[p]: float(current[p]) for p in (CON, LAB, LD, GRN)}
    p = run(e, {"kind": "shares", "method": method, "shares": shares})
    np.testing.assert_allclose(p.shares, e.shares, atol=1e-9)


@pytest.mark.parametrize("method", ["uniform", "proportional", "stm"])
def test_targets_are_hit_exactly(elections: dict[str, Election], method: str) -> None:
    e = elections["2017"]
    p = run(e, {"kind": "shares", "method": method, "scope": "gb", "shares": {"CON": 0.36, "LAB": 0.38, "LD": 0.1}})
    gb = e.gb & ~e.stood[:, PARTY_INDEX["SPK"]]
    achieved = p.votes[gb].sum(axis=0) / p.votes[gb].sum()
    np.testing.assert_allclose(achieved[[CON, LAB, LD]], [0.36, 0.38, 0.1], atol=1e-9)
    check_invariants(p)
    np.testing.assert_array_equal(p.shares[~e.gb], e.shares[~e.gb])  # NI untouched by a GB step


def test_stm_protects_strongholds(elections: dict[str, Election]) -> None:
    e = elections["2015"]
    p = run(e, {"kind": "shares", "method": "stm", "shares": {"LD": 0.04}})
    prop = run(e, {"kind": "shares", "method": "proportional", "shares": {"LD": 0.04}})
    strong = e.gb & (e.shares[:, LD] > 0.35)
    assert strong.sum() > 5
    assert p.shares[strong, LD].mean() > prop.shares[strong, LD].mean()


def test_croydon_flip_is_166(elections: dict[str, Election]) -> None:
    result = flip(elections["2015"], "Croydon Central", "GRN", "LAB")
    assert result.votes == 166
    assert flip(elections["2015"], "Croydon Central", "CON", "LAB").votes == 165 // 2 + 1  # switchers count twice
    assert flip(elections["2015"], "Croydon Central").votes == 166  # new voters for the runner-up
    assert flip(elections["2015"], "Croydon Central", None, "LAB").votes == 166  # new voters


def test_targets_rank_by_swing(elections: dict[str, Election]) -> None:
    frame = targets(elections["2019"], "LAB")
    assert frame["swing_needed"].is_monotonic_increasing
    assert frame.iloc[0]["seat"] == "Bury North"
    assert (frame["winner"] != "LAB").all()


def test_brexit_party_pact_reproduces_2019_stand_downs(elections: dict[str, Election]) -> None:
    scenario, p = project_file(REPO / "scenarios" / "examples" / "brexit-party-stand-down-2019.toml")
    e2017, e2019 = elections["2017"], elections["2019"]
    assert scenario.base == "2017"
    stood_down = p.stood_down[:, BRX]
    con_2017 = e2017.winners == CON
    np.testing.assert_array_equal(stood_down, con_2017)
    # In 2019 the Brexit Party had no candidate in any of those seats...
    assert not e2019.stood[stood_down, BRX].any()
    # ...and every seat where it did stand is one the pact left it standing in.
    assert p.stood[e2019.stood[:, BRX], BRX].all()
    check_invariants(p)


def test_pact_leaves_one_member_per_seat(elections: dict[str, Election]) -> None:
    _, p = project_file(REPO / "scenarios" / "examples" / "pact-progressive.toml")
    members = [LAB, GRN, PARTY_INDEX["PC"], LD]
    gb = p.election.gb
    assert (p.stood[gb][:, members].sum(axis=1) == 1).all()
    brighton = p.election.seat_index("Brighton, Pavilion")
    assert p.stood[brighton, GRN] and not p.stood[brighton, LAB]
    check_invariants(p)


def test_by_election_override_hartlepool(elections: dict[str, Election]) -> None:
    _, p = project_file(REPO / "scenarios" / "examples" / "hartlepool-by-election.toml")
    i = p.election.seat_index("Hartlepool")
    assert p.shares[i, CON] == pytest.approx(15529 / 29933, abs=1e-9)
    assert p.winners[i] == CON
    assert p.stood[:, PARTY_INDEX["REF"]].sum() >= p.election.stood[:, BRX].sum()
    check_invariants(p)


def test_covariate_swing_follows_leave_and_keeps_total(elections: dict[str, Election]) -> None:
    e = elections["2017"]
    p = run(e, {"kind": "covariate_swing", "party": "CON", "covariate": "leave", "slope": 0.4})
    gb = e.gb & ~e.stood[:, PARTY_INDEX["SPK"]] & e.stood[:, CON]
    change = p.shares[gb, CON] - e.shares[gb, CON]
    assert np.corrcoef(change, e.covariates["leave"].to_numpy()[gb])[0, 1] > 0.95
    assert p.votes[gb, CON].sum() == pytest.approx(e.votes[gb, CON].sum(), rel=1e-9)
    check_invariants(p)


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda f: f.name)
def test_every_scenario_file_projects(path: Path) -> None:
    _, p = project_file(path)
    check_invariants(p)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    to_con=st.floats(0, 0.6), to_lab=st.floats(0, 0.3), abstain=st.floats(0, 0.1),
    transfer=st.floats(0, 1), others=st.floats(0, 1), tactical=st.floats(0, 1), turnout=st.floats(-0.5, 0.5),
)  # fmt: skip
def test_steps_conserve_votes_and_stay_in_bounds(
    elections: dict[str, Election], to_con: float, to_lab: float, abstain: float,
    transfer: float, others: float, tactical: float, turnout: float,
) -> None:  # fmt: skip
    others = min(others, 1 - transfer)
    p = run(
        elections["2015"],
        {"kind": "flows", "from": "UKIP", "to": {"CON": to_con, "LAB": to_lab, "ABSTAIN": abstain}},
        {"kind": "flows", "from": "ABSTAIN", "to": {"GRN": abstain}, "where": {"scope": ["London"]}},
        {"kind": "tactical", "party": "LD", "prefer": ["LAB"], "rate": tactical},  # after the pact: a no-op, refused
        {"kind": "pact", "members": ["LAB", "GRN", "LD"], "transfer": transfer, "to_others": others},
        {"kind": "turnout", "parties": {"LAB": turnout, "CON": -turnout / 2}},
    )
    check_invariants(p)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(base=st.floats(0.25, 0.45), extra=st.floats(0.0, 0.08), rate=st.floats(0, 0.5), more=st.floats(0, 0.5))
def test_more_votes_never_cost_a_seat(
    elections: dict[str, Election], base: float, extra: float, rate: float, more: float
) -> None:
    e = elections["2019"]
    lower = run(e, {"kind": "shares", "shares": {"LAB": base}})
    higher = run(e, {"kind": "shares", "shares": {"LAB": base + extra}})
    assert (higher.winners[lower.winners == LAB] == LAB).all()
    few = run(e, {"kind": "flows", "from": "LD", "to": {"LAB": rate}})
    many = run(e, {"kind": "flows", "from": "LD", "to": {"LAB": min(rate + more, 1.0)}})
    assert (many.winners[few.winners == LAB] == LAB).all()


def test_scenario_errors_name_field_and_fix(tmp_path: Path) -> None:
    cases = {
        'kind = "shares"\nshares = { Labor = 0.4 }': ["steps[0].shares", "did you mean 'LAB'"],
        'kind = "pact"\nmembers = ["LAB", "GRN"]\ntransfr = 0.5': ["steps[0].transfr", "did you mean 'transfer'"],
        'kind = "swing"\nshares = { LAB = 0.4 }': ["steps[0]", "shares"],
        'kind = "flows"\nfrom = "UKIP"\nto = { CON = 0.8, LAB = 0.5 }': ["steps[0].to", "cannot exceed 1"],
    }
    for body, expected in cases.items():
        path = tmp_path / "bad.toml"
        path.write_text(f'schema = 1\nbase = "2015"\n[[steps]]\n{body}\n')
        with pytest.raises(ScenarioError) as info:
            load_scenario(path)
        for text in expected:
            assert text in str(info.value), (body, str(info.value))
        assert str(path) in str(info.value)


@pytest.mark.parametrize(
    ("step", "expected"),
    [
        ({"kind": "shares", "scope": "Londn", "shares": {"LAB": 0.5}}, "did you mean 'London'"),
        ({"kind": "covariate_swing", "party": "CON", "covariate": "leav", "slope": 0.1}, "did you mean 'leave'"),
        ({"kind": "override", "seats": ["Hartlepol"], "stand": ["REF"]}, "did you mean 'Hartlepool'"),
        ({"kind": "shares", "shares": {"BRX": 0.1}}, "stands in no seat"),
    ],
)
def test_semantic_errors(elections: dict[str, Election], step: dict, expected: str) -> None:
    with pytest.raises(Exception) as info:
        run(elections["2015"], step)
    assert expected in str(info.value)
