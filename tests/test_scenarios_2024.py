"""The hypothetical 2024-base scenarios in scenarios/2024/: each does what its description asks.

They run on the real data (through the ``data_dir`` fixture: with no data they fail, never skip).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.core.parties import PARTIES, PARTY_INDEX
from sim.projection.project import Projection
from sim.run import project_checked, project_file, simulate_projection
from sim.scenario.load import load_scenario

FOLDER = Path(__file__).resolve().parent.parent / "scenarios" / "2024"
FILES = {name: FOLDER / f"{name}.toml" for name in ("reform-led", "progressive-pact", "right-pact")}
FIELD_STEPS = 3  # the shared Reform-led field: two full-slate overrides, then England, Scotland, Wales in one step
HEADLINE = {"REF": 0.29, "LAB": 0.22, "CON": 0.18, "LD": 0.13, "GRN": 0.105}
PROGRESSIVE = [PARTY_INDEX[p] for p in ("LAB", "LD", "GRN")]
RIGHT = [PARTY_INDEX[p] for p in ("CON", "REF")]
REF = PARTY_INDEX["REF"]
MAJORITY = 326


@pytest.fixture(scope="module")
def projections(data_dir: Path | None) -> dict[str, Projection]:
    return {name: project_file(path, data_dir)[1] for name, path in FILES.items()}


def seats(p: Projection) -> np.ndarray:
    return np.bincount(p.winners, minlength=len(PARTIES))


def gb_contested(p: Projection) -> np.ndarray:
    """GB seats but the Speaker's."""
    return p.election.gb & ~p.election.stood[:, PARTY_INDEX["SPK"]]


def scope_shares(p: Projection, mask: np.ndarray) -> np.ndarray:
    return p.votes[mask].sum(axis=0) / p.votes[mask].sum()


def best_placed(p: Projection, members: list[int]) -> np.ndarray:
    """The member with the most votes in each seat, among those standing."""
    votes = np.where(p.stood[:, members], p.votes[:, members], -1.0)
    return np.asarray(members)[np.argmax(votes, axis=1)]


def test_files_are_labelled_and_share_one_field() -> None:
    scenarios = {name: load_scenario(path) for name, path in FILES.items()}
    field = [step.model_dump() for step in scenarios["reform-led"].steps]
    assert len(field) == FIELD_STEPS
    for name, scenario in scenarios.items():
        assert scenario.base == "2024"
        assert "HYPOTHETICAL" in scenario.name and "HYPOTHETICAL" in scenario.description, name
        assert "not a poll" in scenario.description, name
        assert [step.model_dump() for step in scenario.steps[:FIELD_STEPS]] == field, name
        assert all(step.method == "multiparty" for step in scenario.steps if step.kind == "shares"), name
    assert [step.kind for step in scenarios["progressive-pact"].steps[FIELD_STEPS:]] == ["pact"]
    assert [step.kind for step in scenarios["right-pact"].steps[FIELD_STEPS:]] == ["pact"]


def test_reform_led_field_hits_its_shares_and_reform_is_largest(projections: dict[str, Projection]) -> None:
    p = projections["reform-led"]
    e = p.election
    gb = gb_contested(p)
    achieved = scope_shares(p, gb)
    for party, share in HEADLINE.items():
        assert achieved[PARTY_INDEX[party]] == pytest.approx(share, abs=0.001), party
    nations = np.asarray(e.nations)
    assert scope_shares(p, nations == "Scotland")[PARTY_INDEX["SNP"]] == pytest.approx(0.33, abs=1e-6)
    assert scope_shares(p, nations == "Wales")[PARTY_INDEX["PC"]] == pytest.approx(0.24, abs=1e-6)
    # Full slates: Reform in every contested GB seat, the Greens in every Scottish seat.
    assert p.stood[gb, REF].all()
    assert p.stood[nations == "Scotland", PARTY_INDEX["GRN"]].all()
    np.testing.assert_array_equal(p.shares[~e.gb], e.shares[~e.gb])  # Northern Ireland as in 2024
    won = seats(p)
    assert won.argmax() == REF
    assert won[REF] > won[PARTY_INDEX["LAB"]] + 50


def check_pact(pact: Projection, field: Projection, members: list[int]) -> None:
    """One member per GB seat, the one best placed in the field; the pact wins more seats than the field."""
    gb = gb_contested(pact)
    standing = pact.stood[:, members].sum(axis=1)
    assert (standing[gb] == 1).all(), "a GB seat without exactly one pact candidate"
    candidate = np.asarray(members)[np.argmax(pact.stood[:, members], axis=1)]
    np.testing.assert_array_equal(candidate[gb], best_placed(field, members)[gb])
    # Only the members' candidacies change.
    others = [k for k in range(len(PARTIES)) if k not in members]
    np.testing.assert_array_equal(pact.stood[:, others], field.stood[:, others])
    # Standing aside loses votes (some abstain or go elsewhere) but wins seats.
    assert pact.votes[gb][:, members].sum() < field.votes[gb][:, members].sum()
    assert seats(pact)[members].sum() > seats(field)[members].sum()


def test_progressive_pact(projections: dict[str, Projection]) -> None:
    pact, field = projections["progressive-pact"], projections["reform-led"]
    check_pact(pact, field, PROGRESSIVE)
    # What it asks: the pact costs Reform seats and keeps it short of a majority.
    assert seats(pact)[REF] < seats(field)[REF]
    assert seats(pact)[REF] < MAJORITY
    # Plaid and the SNP are not members: they stand wherever they stood in the field.
    for party in ("PC", "SNP"):
        np.testing.assert_array_equal(pact.stood[:, PARTY_INDEX[party]], field.stood[:, PARTY_INDEX[party]])


def test_right_pact(projections: dict[str, Projection]) -> None:
    pact, field = projections["right-pact"], projections["reform-led"]
    check_pact(pact, field, RIGHT)
    gb = gb_contested(pact)
    # Reform is the candidate where it leads the Conservatives in the field: most seats.
    assert pact.stood[gb, REF].sum() > pact.stood[gb, PARTY_INDEX["CON"]].sum()
    # What it asks: the pact turns Reform's plurality into a majority.
    assert seats(field)[REF] < MAJORITY <= seats(pact)[REF]


def test_the_method_changes_the_answer_and_the_files_say_so(data_dir: Path | None) -> None:
    """The progressive pact's majority depends on the method: likely by the multiparty model, not by proportional."""

    scenario = load_scenario(FILES["progressive-pact"])
    odds = {}
    for method in ("multiparty", "proportional"):
        steps = [st.model_copy(update={"method": method}) if st.kind == "shares" else st for st in scenario.steps]
        variant = scenario.model_copy(update={"steps": steps})
        result = simulate_projection(variant, project_checked(variant, data_dir), 2000, 1, blocs=[["LAB", "LD", "GRN"]])
        odds[method] = result.bloc(["LAB", "LD", "GRN"])["p_majority"]
    assert odds["multiparty"] > 0.5 > odds["proportional"], odds
    assert "proportional swing 316" in scenario.description
