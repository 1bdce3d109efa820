"""The ``polls`` scenario step, the forecasts from the polls (``backtest --forecast``), and their uncertainty."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from cli.main import app
from sim.backtest.forecast import FORECASTS, forecast
from sim.backtest.pairs import load_pairs
from sim.core.errors import ScenarioError
from sim.core.parties import PARTY_INDEX
from sim.data.election import DataDir, load_election
from sim.montecarlo.groups import poll_variances
from sim.montecarlo.simulate import inputs_for
from sim.polls.sources import cached_average
from sim.projection.project import project, project_state
from sim.projection.swing import scope_shares
from sim.run import project_file
from sim.scenario.load import load_scenario, parse_scenario

runner = CliRunner()
SETUP_2024 = [
    {"kind": "merge", "parties": ["BRX", "REF"], "into": "REF"},
    {"kind": "candidacies", "election": "2024"},
    {"kind": "layout", "party": "REF", "like": {"party": "UKIP", "election": "2015"}, "from": ["CON"]},
]


def polls_scenario(step: dict, setup: list[dict] | None = None, base: str = "2019-notional") -> dict:
    return {"schema": 1, "base": base, "steps": [*(SETUP_2024 if setup is None else setup), {"kind": "polls", **step}]}


@pytest.fixture(scope="module")
def pairs(data_dir: DataDir) -> list:
    return load_pairs(data_dir)


def test_a_gb_step_lands_each_nation_on_its_polls_and_gb_on_the_gb_average(data_dir: DataDir) -> None:
    scenario = parse_scenario(polls_scenario({"as_of": "2024-07-03", "source": "2024-final"}))
    election = load_election("2019-notional", data_dir)
    state = project_state(scenario, election, None, data_dir)
    for scope in ("Scotland", "Wales"):
        m = election.nations == scope
        got = scope_shares(state.shares[m], state.total[m])
        average = cached_average(("2024-final",), scope, "2024-07-03", data_dir).shares()
        for party in ("LAB", "CON"):
            assert abs(got[PARTY_INDEX[party]] - average[party]) < 0.003, (scope, party)
    gb = election.gb & ~state.stood[:, PARTY_INDEX["SPK"]]
    got = scope_shares(state.shares[gb], state.total[gb])
    average = cached_average(("2024-final",), "GB", "2024-07-03", data_dir).shares()
    for party in ("LAB", "CON", "LD", "GRN"):  # parties standing nearly everywhere: as polled, within rounding
        assert abs(got[PARTY_INDEX[party]] - average[party]) < 0.006, party
    assert any("targets set for England, Scotland, Wales" in n for n in state.notes)


def test_a_party_polled_but_not_standing_is_refused_with_the_fix(data_dir: DataDir) -> None:
    scenario = parse_scenario(polls_scenario({"as_of": "2024-07-03", "source": "2024-final"}, setup=[]))
    with pytest.raises(ScenarioError) as info:
        project(scenario, load_election("2019-notional", data_dir), data_dir)
    assert "the polls put REF at" in str(info.value) and "merge of its predecessor" in str(info.value)


@pytest.mark.parametrize(
    ("step", "expected"),
    [
        ({"as_of": "2024-13-01", "source": "2024-final"}, "as_of '2024-13-01' is not a date"),
        ({"as_of": "3 July 2024", "source": "2024-final"}, "as_of '3 July 2024' is not a date"),
        ({"as_of": "2024-07-03", "source": "2024-final", "scope": "Scotlnd"}, "did you mean 'Scotland'"),
        ({"as_of": "2024-07-03", "source": "2024-final", "scope": "Wales", "nations": "gb"}, "is for a gb step"),
        ({"as_of": "2024-07-03", "source": []}, "source: name 'pollbase'"),
        ({"as_of": "2024-07-03", "source": "2024-final", "method": "uniform", "sophomore": []},
         "sophomore is used by the linked and multiparty models only"),
        ({"as_of": "2024-07-03", "source": "2024-final", "weights": 1}, "weights"),
    ],
)  # fmt: skip
def test_a_bad_polls_step_is_refused(step: dict, expected: str) -> None:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(polls_scenario(step))
    assert expected in str(info.value)


def test_no_polls_before_the_date_is_a_clear_error(data_dir: DataDir) -> None:
    scenario = parse_scenario(polls_scenario({"as_of": "2023-01-01", "source": "2024-final"}))
    with pytest.raises(Exception) as info:
        project(scenario, load_election("2019-notional", data_dir), data_dir)
    assert "no GB polls with fieldwork ending on or before 2023-01-01" in str(info.value)


def test_a_users_poll_file_runs_end_to_end_relative_to_the_scenario(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "my-polls.csv").write_text(
        "pollster,commissioner,mode,fieldwork_start,fieldwork_end,sample_size,scope,CON,LAB,LD,REF,GRN\n"
        "Alpha,The Paper,online,2024-06-20,2024-06-21,1500,GB,20,40,12,17,7\n"
        "Beta,,phone,2024-06-22,2024-06-24,1000,GB,23,38,11,16,6\n"
        "Alpha,The Paper,online,2024-06-27,2024-06-28,1500,GB,21,39,12,16,7\n"
        "Gamma,,online,2024-06-29,2024-07-01,2100,GB,22,37,13,15,8\n"
    )
    scenario = folder / "mine.toml"
    scenario.write_text(
        'schema = 1\nbase = "2024"\n\n[[steps]]\nkind = "polls"\nas_of = "2024-07-02"\nsource = "my-polls.csv"\n'
    )
    elsewhere = runner.invoke(app, ["project", str(scenario)])  # run from another folder: the path is the file's
    assert elsewhere.exit_code == 0, elsewhere.output
    result = runner.invoke(app, ["run", str(scenario), "--draws", "300", "--json", str(tmp_path / "out.json")])
    assert result.exit_code == 0, result.output
    seats = json.loads((tmp_path / "out.json").read_text())["parties"]
    assert seats["LAB"]["projected"] > 300
    polls = runner.invoke(app, ["polls", "--source", str(folder / "my-polls.csv")])
    assert polls.exit_code == 0 and "Alpha" in polls.output and "3 polls" not in polls.output


def test_a_bad_row_in_a_users_poll_file_stops_the_scenario_naming_the_row(tmp_path: Path) -> None:
    (tmp_path / "p.csv").write_text(
        "pollster,fieldwork_start,fieldwork_end,sample_size,scope,CON,LAB\nA,2024-06-20,2024-06-21,lots,GB,20,40\n"
    )
    (tmp_path / "s.toml").write_text(
        'schema = 1\nbase = "2024"\n\n[[steps]]\nkind = "polls"\nas_of = "2024-07-02"\nsource = "p.csv"\n'
    )
    result = runner.invoke(app, ["run", str(tmp_path / "s.toml"), "--draws", "100"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "p.csv line 2, column sample_size: 'lots'" in result.output.replace("\n", " ")


def test_the_monte_carlo_adds_the_averages_own_variance(data_dir: DataDir) -> None:
    scenario = parse_scenario(polls_scenario({"as_of": "2024-07-03", "source": "2024-final"}))
    projection = project(scenario, load_election("2019-notional", data_dir), data_dir)
    variances = poll_variances(projection)
    assert set(variances) == {"GB", "Scotland", "Wales"}
    assert variances["GB"][0][PARTY_INDEX["LAB"]] > 0
    with_polls = inputs_for(projection, scenario.uncertainty).kernel
    certain = tuple((step, replace(avg, cov=np.zeros_like(avg.cov))) for step, avg in projection.polls)
    without = inputs_for(replace(projection, polls=certain), scenario.uncertainty).kernel  # averages known exactly
    lab = PARTY_INDEX["LAB"]
    total = with_polls.nat.sigma[0, lab] ** 2 + with_polls.nat.factor[0, lab] ** 2
    assert total > without.nat.sigma[0, lab] ** 2 + without.nat.factor[0, lab] ** 2
    scotland = list(np.unique(projection.election.nations)).index("Scotland")
    assert with_polls.nation.sigma[scotland, PARTY_INDEX["SNP"]] > without.nation.sigma[scotland, PARTY_INDEX["SNP"]]


def test_polls_writes_a_scenario_that_projects(tmp_path: Path, data_dir: DataDir) -> None:
    out = tmp_path / "now.toml"
    result = runner.invoke(app, ["polls", "--as-of", "2019-12-11", "--scenario", str(out)])
    assert result.exit_code == 0, result.output
    scenario = load_scenario(out)
    assert scenario.base == "2017" and scenario.steps[-1].kind == "polls"
    assert [step.kind for step in scenario.steps] == ["merge", "override", "layout", "polls"]
    _, projection = project_file(out, data_dir)
    assert projection.seat_totals()[PARTY_INDEX["CON"]] > 326  # the 2019 polls: a Conservative majority


# --- forecasts ----------------------------------------------------------------------------------------


def test_2024_from_its_final_polls_fitted_without_2024_meets_the_bounds(pairs: list, data_dir: DataDir) -> None:
    """The issue's bounds: at most 85 GB seats wrong, mean absolute seat error at most 8, Lib Dems within 20."""
    score, scenario = forecast("2024", pairs=pairs, data_dir=data_dir)
    assert "2019-notional -> 2024" not in score.fitted_on and len(score.fitted_on) == 4
    assert score.gb_wrong <= 85 and score.mae <= 8 and abs(score.seat_error["LD"]) <= 20, score
    assert score.polls == {"GB": 30, "Scotland": 8, "Wales": 4}
    assert scenario.uncertainty.lead is not None and scenario.uncertainty.lead > 0.03  # measured without 2024


def test_backtest_forecast_prints_all_five_elections_and_writes_a_reproducible_scenario(tmp_path: Path) -> None:
    out = tmp_path / "fc.json"
    result = runner.invoke(app, ["backtest", "--forecast", "--draws", "400", "--json", str(out)])
    assert result.exit_code == 0, result.output
    scores = json.loads(out.read_text())
    assert [s["election"] for s in scores] == list(FORECASTS)
    for s in scores:
        assert set(s["seat_error"]) == {"CON", "LAB", "LD", "SNP", "UKIP/BRX/REF", "GRN", "PC"}
        assert 0 < s["brier"] < 1 and s["log_score"] > 0 and 0 <= s["p_outcome"] <= 1 and s["outcome"]
    assert scores[0]["fitted_on"] == [] and scores[-1]["outcome"] == "LAB majority"
    written = tmp_path / "fc24.toml"
    result = runner.invoke(app, ["backtest", "--forecast", "--to", "2024", "--write-scenario", str(written)])
    assert result.exit_code == 0, result.output
    _, projection = project_file(written)
    later = load_election("2024")
    wrong = int((projection.winners[later.gb] != later.winners[later.gb]).sum())
    assert wrong == scores[-1]["gb_wrong"]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--forecast", "--all"], "--forecast scores each election from its own eve's polls: drop --all"),
        (["--forecast", "--to", "2005"], "forecasts are of 2010, 2015, 2017, 2019, 2024"),
        (["--forecast", "--write-scenario", "x.toml"], "give --to"),
    ],
)
def test_backtest_forecast_refuses_what_it_cannot_do(args: list[str], expected: str) -> None:
    result = runner.invoke(app, ["backtest", *args])
    assert result.exit_code == 1 and expected in result.output.replace("\n", " "), result.output
