"""The Monte Carlo run: reproducibility, conservation, the zero-noise limit, results."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.core.errors import SwingometerError
from sim.core.parties import PARTY_INDEX
from sim.montecarlo.simulate import Inputs, prepare, simulate
from sim.run import project_file
from sim.scenario.schema import Scenario, Uncertainty

REPO = Path(__file__).resolve().parent.parent
SCENARIO = REPO / "scenarios" / "baseline-2019.toml"


def inputs_with(uncertainty: Uncertainty, path: Path = SCENARIO) -> Inputs:
    scenario, projection = project_file(path)
    scenario = scenario.model_copy(update={"uncertainty": uncertainty})
    return prepare(scenario, projection)


@pytest.fixture(scope="module")
def baseline(data_dir: Path | None) -> Inputs:
    scenario, projection = project_file(SCENARIO, data_dir)
    return prepare(scenario, projection)


def test_same_seed_any_threads_any_batch(baseline: Inputs) -> None:
    one = simulate(baseline, 3000, 7, threads=1, batch=3000, keep_draws=True)
    two = simulate(baseline, 3000, 7, threads=2, batch=777, keep_draws=True)
    np.testing.assert_array_equal(one.seat_counts, two.seat_counts)
    np.testing.assert_array_equal(one.wins, two.wins)
    assert one.to_json() == two.to_json()
    other = simulate(baseline, 3000, 8, keep_draws=True)
    assert not np.array_equal(one.seat_counts, other.seat_counts)


def test_share_histograms_do_not_change_the_counts(baseline: Inputs) -> None:
    plain = simulate(baseline, 500, 3, keep_draws=True)
    binned = simulate(baseline, 500, 3, share_bins=50, keep_draws=True)
    np.testing.assert_array_equal(plain.seat_counts, binned.seat_counts)
    assert binned.share_hist is not None
    assert (binned.share_hist.sum(axis=1) == 500).all()
    q = binned.share_quantiles()
    assert (q["q0.05"] <= q["q0.5"]).all() and (q["q0.5"] <= q["q0.95"]).all()


def test_counts_add_up(baseline: Inputs) -> None:
    result = simulate(baseline, 1000, 1, keep_draws=True)
    assert (result.seat_counts.sum(axis=1) == 650).all()
    assert (result.wins.sum(axis=1) == 1000).all()
    np.testing.assert_array_equal(result.wins.sum(axis=0), result.seat_counts.sum(axis=0))


def test_zero_noise_reproduces_the_projection(data_dir: Path | None) -> None:
    inputs = inputs_with(Uncertainty(national=0, nation=0, regional=0, contest=0, seat=0, slopes={}))
    result = simulate(inputs, 50, 3, keep_draws=True)
    assert (result.seat_counts == inputs.projection.seat_totals()).all()


def test_more_noise_widens_the_distribution(data_dir: Path | None) -> None:
    narrow = simulate(
        inputs_with(Uncertainty(national=0.005, nation=0, regional=0, contest=0, seat=0.01, slopes={})),
        2000,
        5,
        keep_draws=True,
    )
    wide = simulate(
        inputs_with(Uncertainty(national=0.03, regional=0.01, seat=0.03, slopes={})), 2000, 5, keep_draws=True
    )
    assert wide.seat_counts[:, 0].std() > 2 * narrow.seat_counts[:, 0].std()


def test_exact_ties_split_evenly(data_dir: Path | None) -> None:
    """Two parties level in a seat with no noise: each wins it about half the time."""
    scenario, projection = project_file(SCENARIO)
    e = projection.election
    i = e.seat_index("Bury North")
    votes = projection.votes.copy()
    votes[i, 0] = votes[i, 1] = votes[i, :2].sum() / 2  # CON and LAB level
    tied = type(projection)(e, votes, projection.abstain, projection.stood, projection.lead, [], projection.stood_down)
    zero = scenario.model_copy(update={"uncertainty": Uncertainty(national=0, nation=0, regional=0, seat=0, slopes={})})
    result = simulate(prepare(zero, tied), 4000, 11)
    share = result.wins[i, 0] / 4000
    assert abs(share - 0.5) < 4 * np.sqrt(0.25 / 4000)
    assert result.wins[i, 0] + result.wins[i, 1] == 4000


def test_results_frames_and_blocs(baseline: Inputs) -> None:
    result = simulate(baseline, 2000, 2, blocs=[["LAB", "LD", "SNP", "GRN", "PC"]])
    frame = result.to_frame()
    assert {"mean", "p5", "p95", "p_majority", "p_effective_majority", "p_largest"} <= set(frame.columns)
    assert (frame["p_effective_majority"] >= frame["p_majority"]).all()
    seats = result.seat_frame()
    assert len(seats) == 650
    assert set(seats["label"]) <= {"safe", "likely", "lean", "toss-up"}
    bloc = result.bloc(["LAB", "LD", "SNP", "GRN", "PC"])
    lab = frame.loc["LAB", "mean"]
    assert bloc["mean"] > lab
    doc = result.to_dict([["LAB", "LD", "SNP", "GRN", "PC"]])
    assert "LAB+LD+SNP+GRN+PC" in doc["blocs"]


def test_uncertain_parameter_is_exact_for_a_single_flow(data_dir: Path | None) -> None:
    """A flow rate enters linearly: the sensitivity term reproduces a re-projection exactly."""
    from sim.data.election import load_election
    from sim.projection.project import project
    from sim.scenario.load import parse_scenario
    from sim.scenario.paths import with_value

    body = {
        "schema": 1, "base": "2015",
        "steps": [{"kind": "flows", "from": "UKIP", "to": {"CON": 0.4}}],
        "uncertainty": {"parameters": {"steps.0.to.CON": {"beta": [4, 4]}}},
    }  # fmt: skip
    scenario: Scenario = parse_scenario(body)
    inputs = prepare(scenario, project(scenario, load_election("2015")))
    assert inputs.kernel.centre[0] == pytest.approx(0.5, abs=1e-3)
    fixed = with_value(scenario, "steps.0.to.CON", 0.7).model_copy(update={"uncertainty": Uncertainty()})
    at_07 = project(fixed, inputs.projection.election).shares
    linear = inputs.projection.shares + (0.7 - inputs.kernel.centre[0]) * inputs.sens[0]
    np.testing.assert_allclose(linear, at_07, atol=1e-9)


@pytest.mark.parametrize(
    ("parameters", "expected"),
    [
        ({"steps.0.to.LAB": {"beta": [2, 2]}}, "no field 'LAB'"),
        ({"steps.3.to.CON": {"beta": [2, 2]}}, "not an index"),
        ({"steps.0.from": {"beta": [2, 2]}}, "not a number"),
        ({"steps.0.to.CON": {"normal": [0.9, 0.3]}}, "makes the scenario invalid"),
    ],
)
def test_parameter_errors_name_the_path(data_dir: Path | None, parameters: dict, expected: str) -> None:
    from sim.core.errors import ScenarioError
    from sim.run import project_checked
    from sim.scenario.load import parse_scenario

    body = {
        "schema": 1, "base": "2015",
        "steps": [{"kind": "flows", "from": "UKIP", "to": {"CON": 0.4}}],
        "uncertainty": {"parameters": parameters},
    }  # fmt: skip
    scenario = parse_scenario(body)
    with pytest.raises(ScenarioError, match=expected):
        prepare(scenario, project_checked(scenario, data_dir))


def test_distribution_needs_exactly_one_family() -> None:
    from sim.core.errors import ScenarioError
    from sim.scenario.load import parse_scenario

    body = {"schema": 1, "base": "2015", "uncertainty": {"parameters": {"x": {"beta": [1, 1], "uniform": [0, 1]}}}}
    with pytest.raises(ScenarioError, match="exactly one"):
        parse_scenario(body)


def test_seat_quantiles_match_numpy_inverted_cdf() -> None:
    from sim.montecarlo.results import seat_quantiles

    counts = np.random.default_rng(3).integers(0, 651, size=(10_001, 4)).astype(np.int32)
    expected = np.percentile(counts, [5, 50, 95], axis=0, method="inverted_cdf")
    np.testing.assert_array_equal(seat_quantiles(counts, (0.05, 0.5, 0.95)), expected)


def test_summaries_from_batches_equal_the_draws(baseline: Inputs) -> None:
    """The fixed-size summary, folded batch by batch, gives what the kept draws give computed directly."""
    bloc = ["LAB", "LD", "SNP", "GRN", "PC"]
    streamed = simulate(baseline, 3000, 4, batch=701, blocs=[bloc])
    kept = simulate(baseline, 3000, 4, keep_draws=True)
    assert streamed.seat_counts is None and streamed.gb_shares is None
    counts = kept.seat_draws()
    np.testing.assert_allclose(streamed.mean_seats(), counts.mean(axis=0), rtol=1e-12)
    expected = np.quantile(counts, [0.05, 0.5, 0.95], axis=0, method="inverted_cdf")
    np.testing.assert_array_equal(streamed.quantiles((0.05, 0.5, 0.95)), expected)
    np.testing.assert_array_equal(streamed.majority_probability(), (counts >= 326).mean(axis=0))
    threshold = (650 - counts[:, PARTY_INDEX["SPK"]] - counts[:, PARTY_INDEX["SF"]] - 3) // 2 + 1
    np.testing.assert_array_equal(
        streamed.effective_majority_probability(), (counts >= threshold[:, None]).mean(axis=0)
    )
    top = counts.max(axis=1)
    alone = (counts == top[:, None]).sum(axis=1) == 1
    np.testing.assert_array_equal(
        streamed.largest_probability(), ((counts == top[:, None]) & alone[:, None]).mean(axis=0)
    )
    seats = counts[:, [PARTY_INDEX[p] for p in bloc]].sum(axis=1)
    b = streamed.bloc(bloc)
    assert b == kept.bloc(bloc)
    assert b["p_majority"] == (seats >= 326).mean() and b["p_effective_majority"] == (seats >= threshold).mean()
    assert streamed.to_json([bloc]) == kept.to_json([bloc])


def test_an_unnamed_bloc_needs_the_draws(baseline: Inputs) -> None:
    result = simulate(baseline, 200, 4)
    with pytest.raises(SwingometerError, match="keep_draws=True"):
        result.bloc(["LAB", "LD"])
