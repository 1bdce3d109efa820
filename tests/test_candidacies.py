"""The candidacies step: people, the Speaker, incumbency, and its long form (explicit overrides)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from sim.backtest.fit import fit_multiparty
from sim.backtest.pairs import PAIRS, Pair, load_pairs, pair_scenario
from sim.core.parties import PARTY_INDEX
from sim.data.candidacies import candidacies
from sim.data.election import DataDir, Election
from sim.projection.arithmetic import targets
from sim.projection.candidacies import long_form
from sim.projection.project import project, project_state
from sim.scenario import schema as s
from sim.scenario.load import parse_scenario

IND, OTH = PARTY_INDEX["IND"], PARTY_INDEX["OTH"]


@pytest.fixture(scope="module")
def pairs(data_dir: DataDir) -> list[Pair]:
    return load_pairs(data_dir)


def test_an_independents_vote_follows_the_person(elections: dict[str, Election], data_dir: DataDir) -> None:
    """Claire Wright (East Devon, 2019) did not stand in 2024; Captain Beany stood again in Aberafan Maesteg."""
    base = elections["2019-notional"]
    named = candidacies(base, "2024", data_dir)
    assert named.by_person
    exmouth = base.seat_index("Exmouth and Exeter East")
    assert base.shares[exmouth, IND] > 0.3 and named.stood[exmouth, IND]  # an independent stands, another person
    assert named.carried[exmouth, IND] < 0.05
    assert named.carried[base.seat_index("Beaconsfield"), IND] == 0.0  # Dominic Grieve did not stand again
    assert named.carried[base.seat_index("Aberafan Maesteg"), IND] > 0.9


def test_the_2024_projection_gives_no_seat_to_a_departed_independent(pairs: list[Pair]) -> None:
    pair = pairs[-1]
    p = project(pair_scenario(pair, "uniform", "region"), pair.earlier, pair.data_dir)
    for seat in ("Exmouth and Exeter East", "Beaconsfield"):
        assert p.winners[pair.earlier.seat_index(seat)] != IND, seat


def test_targets_for_independents_rank_people(elections: dict[str, Election]) -> None:
    """Several independents in one seat are several people: none needs a negative swing."""
    frame = targets(elections["2024"], "IND")
    assert (frame["swing_needed"] > 0).all()
    assert frame["candidate"].str.len().gt(0).all()
    bradford = frame[frame["seat"] == "Bradford West"]
    assert len(bradford) >= 2 and bradford["party_share"].max() < 0.3


def test_incumbency_of_the_named_election(elections: dict[str, Election], data_dir: DataDir) -> None:
    """2017 -> 2019: sophomores are the 2017 intake standing again; a retiring MP's seat is not a sophomore's."""
    named = candidacies(elections["2017"], "2019", data_dir)
    assert 50 < named.sophomore.any(axis=1).sum() < 150
    assert not (named.sophomore & named.retiring).any()
    assert named.retiring[elections["2017"].seat_index("Buckingham"), PARTY_INDEX["SPK"]]  # Bercow retired


def test_a_candidacies_step_needs_the_base_boundaries(elections: dict[str, Election], data_dir: DataDir) -> None:
    from sim.core.errors import ScenarioError

    scenario = parse_scenario({"schema": 1, "base": "2019", "steps": [{"kind": "candidacies", "election": "2024"}]})
    with pytest.raises(ScenarioError, match="use the 2019-notional base for 2024"):
        project(scenario, elections["2019"], data_dir)
    with pytest.raises(ScenarioError, match="unknown election '2023'"):
        parse_scenario({"schema": 1, "base": "2019", "steps": [{"kind": "candidacies", "election": "2023"}]})


def expanded(scenario: s.Scenario, election: Election, data_dir: DataDir) -> s.Scenario:
    """The scenario with its candidacies step written out as overrides and seat lists (the long form)."""
    data = scenario.model_dump(by_alias=True, exclude_defaults=True)
    steps: list[dict[str, Any]] = []
    sophomore: list[str] | None = None
    retiring: list[str] = []
    for k, step in enumerate(scenario.steps):
        if isinstance(step, s.CandidaciesStep):
            state = project_state(scenario, election, k, data_dir)
            overrides, sophomore, retiring = long_form(state, election, step, f"steps[{k}]", data_dir)
            steps += overrides
        elif isinstance(step, s.SharesStep) and sophomore is not None:
            steps.append({**data["steps"][k], "sophomore": sophomore, "retiring": retiring})
        else:
            steps.append(data["steps"][k])
    return parse_scenario({**data, "steps": steps})


@pytest.mark.parametrize("key", PAIRS)
def test_the_long_form_gives_the_same_numbers_as_the_short_form(
    pairs: list[Pair], key: tuple[str, str], data_dir: DataDir
) -> None:
    pair = next(p for p in pairs if (p.earlier.name, p.later.name) == key)
    short = pair_scenario(pair, "multiparty", "region", fit_multiparty([q for q in pairs if q is not pair]))
    long = expanded(short, pair.earlier, data_dir)
    assert not any(isinstance(step, s.CandidaciesStep) for step in long.steps)
    assert sum(isinstance(step, s.OverrideStep) for step in long.steps) > 50
    a, b = project(short, pair.earlier, data_dir), project(long, pair.earlier, data_dir)
    np.testing.assert_allclose(b.votes, a.votes, rtol=1e-12, atol=1e-6)
    assert (a.winners == b.winners).all() and (a.stood == b.stood).all()
