"""Compare, sweep, bisection, coalitions, executors and plots on the real data (small draw counts)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from cli.main import app
from sim.analysis.coalitions import election_coalitions, minimal_coalitions, simulated_coalitions
from sim.analysis.executors import DaskExecutor
from sim.analysis.sweep import Axis, find_threshold, simulate_scenarios, sweep
from sim.core.errors import SwingometerError
from sim.data.election import Election, load_election
from sim.montecarlo.simulate import prepare, simulate
from sim.projection.project import project
from sim.scenario.load import load_scenario
from sim.scenario.paths import with_value

REPO = Path(__file__).resolve().parent.parent
UKIP = REPO / "scenarios" / "examples" / "ukip-split-sweep.toml"
runner = CliRunner()


def test_axis_parsing() -> None:
    axis = Axis.parse("steps.0.to.CON=0:0.6:4")
    assert axis.path == "steps.0.to.CON" and axis.values == (0.0, 0.2, 0.4, 0.6)
    with pytest.raises(SwingometerError, match="PATH=LO:HI:N"):
        Axis.parse("steps.0.to.CON=0:0.6")


def test_sweep_point_equals_a_run_with_that_value(data_dir: Path | None) -> None:
    scenario = load_scenario(UKIP)
    frame = sweep(
        scenario, [Axis.parse("steps.0.to.CON=0.2:0.4:2")], 600, 9, data_dir=data_dir, metrics=["P(CON majority)"]
    )
    changed = with_value(scenario, "steps.0.to.CON", 0.4)
    result = simulate(prepare(changed, project(changed, load_election("2015", data_dir))), 600, 9, keep_draws=True)
    row = frame[frame["steps.0.to.CON"] == 0.4].iloc[0]
    assert row["CON.mean"] == pytest.approx(result.seat_counts[:, 0].mean(), abs=0)
    assert row["P(CON majority)"] == pytest.approx((result.seat_counts[:, 0] >= 326).mean(), abs=0)
    assert frame["CON.mean"].is_monotonic_increasing  # common random numbers: no noise between points


def test_two_dimensional_grid(data_dir: Path | None) -> None:
    axes = [Axis.parse("steps.0.to.CON=0:0.4:3"), Axis.parse("steps.0.to.LAB=0:0.2:2")]
    frame = sweep(load_scenario(UKIP), axes, 200, 1, data_dir=data_dir)
    assert len(frame) == 6
    assert set(frame["steps.0.to.LAB"]) == {0.0, 0.2}


def test_sweep_rejects_an_invalid_corner(data_dir: Path | None) -> None:
    with pytest.raises(SwingometerError, match="invalid"):
        sweep(load_scenario(UKIP), [Axis.parse("steps.0.to.CON=0:0.95:3")], 100, 1, data_dir=data_dir)


def test_find_threshold_brackets_the_target(data_dir: Path | None) -> None:
    found = find_threshold(load_scenario(UKIP), Axis.parse("steps.0.to.CON=0:0.6:2"), "P(CON majority)", 0.6, 800, 4,
                           data_dir=data_dir, tolerance=0.01)  # fmt: skip
    assert found.value is not None and 0 < found.value < 0.6
    below = [y for x, y in found.evaluations if x < found.value - 0.01]
    above = [y for x, y in found.evaluations if x > found.value + 0.01]
    assert all(y < 0.6 for y in below) and all(y > 0.6 for y in above)
    assert found.se is not None and 0 < found.se < 0.1  # the threshold's Monte Carlo error, from the local slope


def test_compare_uses_common_random_numbers(data_dir: Path | None) -> None:
    scenario = load_scenario(UKIP)
    same = simulate_scenarios([("a", scenario), ("b", scenario)], 300, 5, data_dir=data_dir)
    np.testing.assert_array_equal(same[0][1].summary.hist, same[1][1].summary.hist)
    np.testing.assert_array_equal(same[0][1].wins, same[1][1].wins)


def test_compare_command(tmp_path: Path) -> None:
    base = REPO / "scenarios" / "examples" / "flows-ukip-to-con.toml"
    pact = REPO / "scenarios" / "examples" / "pact-progressive.toml"
    out, plot = tmp_path / "c.csv", tmp_path / "c.png"
    result = runner.invoke(
        app, ["compare", str(base), str(pact), "--draws", "300", "--csv", str(out), "--plot", str(plot)]
    )
    assert result.exit_code == 0, result.output
    assert "P(CON majority)" in result.output
    moves = pd.read_csv(out)
    assert len(moves) > 5 and {"favourite_flows-ukip-to-con", "favourite_pact-progressive"} <= set(moves.columns)
    assert moves["change"].is_monotonic_decreasing and (moves["change"] >= 0).all()  # the largest changes first
    shown = min(25, len(moves))
    text = " ".join(result.output.split())
    assert (
        f"{len(moves)} seats whose favourite differs" in text and f"(showing {shown}, the largest changes first" in text
    )
    assert plot.stat().st_size > 10_000


def test_sweep_command_writes_csv_and_heatmap(tmp_path: Path) -> None:
    out, plot = tmp_path / "s.csv", tmp_path / "s.png"
    args = ["sweep", str(UKIP), "--set", "steps.0.to.CON=0:0.4:3", "--set", "steps.0.to.LAB=0:0.2:3",
            "--draws", "200", "--csv", str(out), "--plot", str(plot)]  # fmt: skip
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert len(pd.read_csv(out)) == 9
    assert plot.read_bytes()[:4] == b"\x89PNG"


def test_sweep_command_bad_path_suggests() -> None:
    result = runner.invoke(app, ["sweep", str(UKIP), "--set", "steps.0.to.CNO=0:0.4:3", "--draws", "10"])
    assert result.exit_code == 1
    assert "did you mean 'CON'" in result.output


def test_coalitions_2010(elections: dict[str, Election]) -> None:
    frame = election_coalitions(elections["2010"])
    effective = frame[frame["kind"] == "effective majority"]
    assert effective["threshold"].iloc[0] == 321  # (650 - Speaker - 5 SF - 3 deputies) // 2 + 1
    assert "CON+LD" in set(effective["parties"])
    assert "LAB+LD" not in set(frame["parties"])  # 315 seats: short of both thresholds
    assert minimal_coalitions({"A": 300, "B": 30, "C": 1}, 326) == [("A", "B")]


def test_coalitions_command_and_simulated() -> None:
    result = runner.invoke(app, ["coalitions", "--election", "2010"])
    assert result.exit_code == 0, result.output
    assert "LAB+LD+DUP" in result.output
    sim_result = runner.invoke(app, ["coalitions", "--scenario", str(UKIP), "--draws", "200"])
    assert sim_result.exit_code == 0, sim_result.output
    assert "who governs alone" in sim_result.output and "p_minimal" in sim_result.output


def test_simulated_coalitions_rank_minimal_winners_and_keep_every_party_and_pair(data_dir: Path | None) -> None:
    scenario = load_scenario(UKIP)
    result = simulate(prepare(scenario, project(scenario, load_election("2015", data_dir))), 500, 2, keep_draws=True)
    frame = simulated_coalitions(result).set_index("parties")
    assert (frame["p_effective_majority"] >= frame["p_majority"]).all()
    assert (frame["p_minimal"] <= frame["p_effective_majority"] + 1e-12).all()
    assert frame["p_minimal"].is_monotonic_decreasing
    assert {"CON", "LAB", "LD", "CON+LD", "LAB+LD", "LAB+SNP"} <= set(frame.index)  # singles and pairs, always
    # A party that governs alone is not counted again in the coalitions that contain it.
    con = frame.loc["CON"]
    assert frame.loc["CON+LD", "p_minimal"] <= 1 - con["p_effective_majority"] + 1e-12
    assert frame.loc["CON+LD", "p_effective_majority"] >= con["p_effective_majority"]
    required = simulated_coalitions(result, require=["LAB"], exclude=["SNP"])
    assert all("LAB" in p.split("+") and "SNP" not in p.split("+") for p in required["parties"])
    with pytest.raises(SwingometerError, match="did you mean 'LAB'"):
        simulated_coalitions(result, require=["LAX"])


def test_coalitions_json_has_single_parties_and_pairs_and_the_filters_work(tmp_path: Path) -> None:
    out = tmp_path / "c.json"
    args = ["coalitions", "--scenario", str(UKIP), "--draws", "300", "--require", "lab", "--json", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    rows = {r["parties"]: r for r in json.loads(out.read_text())}
    assert "LAB" in rows and "LAB+LD" in rows and all("LAB" in k.split("+") for k in rows)
    assert "showing" in result.output and "p_minimal" in result.output
    bad = runner.invoke(app, ["coalitions", "--election", "2010", "--require", "LAB"])
    assert bad.exit_code == 1 and "give --scenario" in bad.output


@pytest.mark.slow
def test_dask_local_cluster_gives_identical_numbers(data_dir: Path | None) -> None:
    from distributed import LocalCluster

    scenario = load_scenario(UKIP)
    axes = [Axis.parse("steps.0.to.CON=0:0.4:3")]
    local = sweep(scenario, axes, 300, 3, data_dir=data_dir)
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster:  # fmt: skip
        executor = DaskExecutor(cluster.scheduler_address)
        try:
            remote = sweep(scenario, axes, 300, 3, data_dir=data_dir, executor=executor)
        finally:
            executor.close()
    pd.testing.assert_frame_equal(local, remote)


@pytest.mark.slow
def test_unreachable_scheduler_is_a_clear_error() -> None:
    with pytest.raises(SwingometerError, match="cannot reach the Dask scheduler"):
        DaskExecutor("tcp://127.0.0.1:9", timeout=2)


def test_charts_say_what_they_show(data_dir: Path | None) -> None:
    """The battleground has a party legend; sweep axes are named in words; the majority line stays off far axes."""
    from sim.analysis.plots import axis_label, battleground, seat_distributions, sweep_heatmap

    scenario = load_scenario(UKIP)
    result = simulate(prepare(scenario, project(scenario, load_election("2015", data_dir))), 300, 2)
    legend = battleground(result).axes[0].get_legend()
    favourites = set(result.seat_frame().sort_values("p_favourite").head(30)["favourite"])
    assert legend is not None and {t.get_text() for t in legend.get_texts()} == favourites
    dists = seat_distributions([("a", result)], ["CON", "LD"])
    con, ld = dists.axes[0], dists.axes[1]
    assert any(line.get_xdata()[0] == 326 for line in con.get_lines())
    assert not ld.get_lines() and ld.get_xlim()[1] < 200  # the LD panel is not stretched to 326
    assert axis_label("steps.0.to.CON") == "step 0: rate to CON (steps.0.to.CON)"
    frame = pd.DataFrame({"steps.0.to.CON": [0, 0, 1, 1], "steps.0.to.LAB": [0, 1, 0, 1],
                          "CON.p_majority": [0.2, 0.4, 0.6, 0.8]})  # fmt: skip
    heat = sweep_heatmap(frame, "steps.0.to.CON", "steps.0.to.LAB", "CON.p_majority").axes[0]
    assert heat.get_xlabel().startswith("step 0: rate to CON") and "P(CON majority)" in heat.get_title()
    assert any(t.get_text() == "0.5" for t in heat.texts)  # the 0.5 contour is labelled
