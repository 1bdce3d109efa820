"""The error model adds up: zero-sum national, nation, regional and contest errors, calibrated sizes."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from sim.montecarlo.simulate import Inputs, inputs_for, simulate
from sim.projection.project import Projection
from sim.run import project_file
from sim.scenario.schema import Uncertainty
from tests.reference import _group_errors, _Streams

BASELINE = Path(__file__).resolve().parent.parent / "scenarios" / "baseline-2019.toml"


@pytest.fixture(scope="module")
def baseline(data_dir: Path | None) -> Projection:
    return project_file(BASELINE, data_dir)[1]


@pytest.fixture(scope="module")
def inputs(baseline: Projection) -> Inputs:
    return inputs_for(baseline, Uncertainty())


def test_national_errors_sum_to_zero_in_gb_shares(inputs: Inputs) -> None:
    """The GB-share changes, ``cover * error``, add up to zero in every draw (the factor included)."""
    out = _group_errors(_Streams(5, "counter"), 1, np.arange(200, dtype=np.uint64), inputs.kernel.nat)[:, 0, :]
    gb_change = out * inputs.kernel.nat.cover[0]
    assert np.abs(gb_change.sum(axis=1)).max() < 1e-12
    assert gb_change.std(axis=0).max() > 0.01  # and they are not all zero


@pytest.mark.parametrize("term", ["nation", "reg", "contest"])
def test_deviations_sum_to_zero_within_their_parent(inputs: Inputs, term: str) -> None:
    groups = getattr(inputs.kernel, term)
    out = _group_errors(_Streams(5, "counter"), 2, np.arange(100, dtype=np.uint64), groups)
    for root in set(groups.parent[groups.parent >= 0].tolist()):
        members = groups.parent == root
        weighted = (out[:, members, :] * groups.group_weight[members][None]).sum(axis=1)
        assert np.abs(weighted).max() < 1e-12, (term, root)


def test_single_region_nations_have_no_regional_error(inputs: Inputs, baseline: Projection) -> None:
    regions = np.unique(baseline.election.regions.astype(str))
    single = [
        r for k, r in enumerate(regions) if (inputs.kernel.region_nation == inputs.kernel.region_nation[k]).sum() == 1
    ]
    assert {"Scotland", "Wales", "Northern Ireland"} <= set(single)
    for k, region in enumerate(regions):
        if region in single:
            assert (inputs.kernel.reg.sigma[k] == 0).all() and inputs.kernel.reg.parent[k] == -1


def test_the_2019_baseline_has_the_calibrated_spread(inputs: Inputs, data_dir: Path | None) -> None:
    """On 20,000 draws the GB spread matches the polls' measured errors: CON, LAB and the lead within 30%."""
    from sim.backtest.calibrate import calibration_check

    result = simulate(inputs, 20_000, 7, keep_draws=True)
    assert result.gb_shares is not None
    con, lab, ld = (100 * result.gb_shares[:, k].astype(float) for k in range(3))
    measured = calibration_check(Uncertainty(), data_dir, draws=2_000)["measured_rms"]
    for party, simulated in (("CON", con.std()), ("LAB", lab.std()), ("CON-LAB lead", (con - lab).std())):
        assert 0.7 <= simulated / measured[party] <= 1.3, (party, simulated, measured[party])
    assert 1.0 <= ld.std() <= 3.0
    # Per-draw GB shares are centred on the projection's (the errors have mean zero).
    assert abs(con.mean() / 100 - inputs.kernel.gb_base[0]) < 0.002


def test_nation_scales_follow_the_measurement() -> None:
    """Scotland's own scale by default (no advice to set 0.2), and one value for all when given."""
    from sim.montecarlo.groups import nation_scale

    default = Uncertainty()
    assert nation_scale(default, "Scotland") > 3 * nation_scale(default, "Wales") > 0
    assert nation_scale(Uncertainty(nation=0.05), "Scotland") == 0.05


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("nations = { Scotlnd = 0.1 }", "unknown nation 'Scotlnd'; did you mean 'Scotland'?"),
        ("nations = { Scotland = 0.1, scotland = 0.2 }", "given twice"),
        ("nations = { Scotland = inf }", "uncertainty.nations"),
        ('nations = { Scotland = "0.1" }', "is text"),
        ('lead = "0.03"', "uncertainty.lead: '0.03' is text"),
        ("lead = nan", "uncertainty.lead"),
        ("contest = -1", "uncertainty.contest"),
    ],
)
def test_bad_uncertainty_values_are_refused(tmp_path: Path, table: str, message: str) -> None:
    from sim.core.errors import ScenarioError
    from sim.scenario.load import load_scenario

    path = tmp_path / "bad.toml"
    path.write_text(f'schema = 1\nbase = "2019"\n[uncertainty]\n{table}\n')
    with pytest.raises(ScenarioError, match=re.escape(message)):
        load_scenario(path)


def test_a_partial_nations_table_keeps_the_other_defaults(tmp_path: Path) -> None:
    from sim.scenario.load import load_scenario

    path = tmp_path / "one.toml"
    path.write_text('schema = 1\nbase = "2019"\n[uncertainty]\nnations = { scotland = 0.1 }\n')
    nations = load_scenario(path).uncertainty.nations
    assert nations == {**Uncertainty().nations, "Scotland": 0.1}


def test_two_unknown_nnls_matches_scipy() -> None:
    from scipy.optimize import nnls

    from sim.montecarlo.nnls import nnls2

    rng = np.random.default_rng(5)
    for _ in range(300):
        a = rng.normal(size=(int(rng.integers(2, 7)), 2))
        b = rng.normal(size=a.shape[0])
        expected, _ = nnls(a, b)
        np.testing.assert_allclose(nnls2(a, b), expected, atol=1e-9)
