"""Other voting systems: divisor methods, disproportionality indices, list PR and AMS, the command."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from cli.main import app
from sim.core.parties import PARTY_INDEX
from sim.data.election import load_election
from sim.systems.divisor import allocate
from sim.systems.indices import effective_parties, gallagher, loosemore_hanby
from sim.systems.preferences import preferences_for, projection_outcomes
from sim.systems.rules import SYSTEMS, outcomes, systems_for

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()


def test_textbook_divisor_allocations() -> None:
    """The usual worked example (4 parties, 8 seats): D'Hondt 4-3-1-0, Sainte-Lague 3-3-1-1."""
    votes = np.array([100_000, 80_000, 30_000, 20_000])
    assert allocate(votes, 8, "dhondt").tolist() == [4, 3, 1, 0]
    assert allocate(votes, 8, "sainte-lague").tolist() == [3, 3, 1, 1]


@pytest.mark.parametrize(("ours", "theirs"), [("dhondt", "dhondt"), ("sainte-lague", "saintelague")])
def test_divisor_methods_agree_with_an_independent_implementation(ours: str, theirs: str) -> None:
    from apportionment.methods import compute

    rng = np.random.default_rng(8)
    for _ in range(200):
        votes = rng.integers(1_000, 2_000_000, size=int(rng.integers(2, 9)))
        seats = int(rng.integers(1, 80))
        expected = compute(theirs, votes.tolist(), seats, verbose=False)
        assert allocate(votes, seats, ours).tolist() == list(expected), (votes, seats)


def test_seats_already_held_count_in_the_divisor() -> None:
    """AMS: a party that won every constituency gets no top-up until the others catch up with its quotient."""
    votes = np.array([40.0, 35.0, 25.0])
    held = np.array([10, 0, 0])
    topups = allocate(votes, 7, "dhondt", held=held)
    assert topups.tolist() == [0, 4, 3]  # 40/11 = 3.6 is beaten by 35/1 ... 35/4 = 8.75 and 25/3 = 8.3


@pytest.mark.parametrize(("year", "g", "lh"), [("2019", 11.8, 17.2), ("2024", 23.7, 30.1)])
def test_the_published_disproportionality_of_real_results(year: str, g: float, lh: float) -> None:
    e = load_election(year)
    seats = np.bincount(e.winners, minlength=len(e.parties))
    votes = e.votes.sum(axis=0)
    assert round(float(gallagher(votes, seats)), 1) == g
    assert round(float(loosemore_hanby(votes, seats)), 1) == lh
    assert effective_parties(seats) < effective_parties(votes)


def test_list_pr_fills_each_region_and_cuts_disproportionality() -> None:
    e = load_election("2024")
    plain = [s for s in SYSTEMS.values() if s.rule == "plurality" and not s.districts]
    results = {o.system.key: o for o in outcomes(e.votes, e.winners, e.regions, plain)}
    assert results["fptp"].seats.tolist() == np.bincount(e.winners, minlength=len(e.parties)).tolist()
    for key in ("list-dhondt", "list-sainte-lague", "national-dhondt", "national-sainte-lague"):
        assert results[key].house == 650
        assert results[key].indices()["gallagher"] < 5
        assert results[key].seats[PARTY_INDEX["IND"]] == 0 and results[key].seats[PARTY_INDEX["SPK"]] == 0
    ni = e.regions == "Northern Ireland"
    regional = outcomes(e.votes[ni], e.winners[ni], e.regions[ni], [SYSTEMS["list-dhondt"]])[0]
    assert regional.house == 18 and regional.seats[PARTY_INDEX["LAB"]] == 0
    # Sainte-Lague is kinder to small parties than D'Hondt
    assert results["list-sainte-lague"].seats[PARTY_INDEX["GRN"]] >= results["list-dhondt"].seats[PARTY_INDEX["GRN"]]


def test_ams_keeps_the_constituencies_and_adds_the_top_ups() -> None:
    e = load_election("2024")
    fptp = np.bincount(e.winners, minlength=len(e.parties))
    (ams,) = outcomes(e.votes, e.winners, e.regions, [SYSTEMS["ams-scottish"]])
    assert (ams.seats >= fptp).all()  # overhang kept: no constituency is taken away
    _, per_region = np.unique(e.regions, return_counts=True)
    assert ams.house == 650 + sum(int(np.floor(n * 56 / 73 + 0.5)) for n in per_region)  # rounded half up
    assert ams.indices()["gallagher"] < float(gallagher(e.votes.sum(axis=0), fptp)) / 3


def test_a_threshold_keeps_small_parties_out_of_the_list_seats() -> None:
    e = load_election("2019")
    (plain,) = outcomes(e.votes, e.winners, e.regions, [SYSTEMS["national-sainte-lague"]])
    (five,) = outcomes(e.votes, e.winners, e.regions, [SYSTEMS["national-sainte-lague"]], threshold=0.05)
    assert plain.seats[PARTY_INDEX["GRN"]] > 0 and five.seats[PARTY_INDEX["GRN"]] == 0  # 2.7% of the vote
    assert five.house == 650


def test_systems_command_for_a_result_and_a_scenario(tmp_path: Path) -> None:
    import json

    out = tmp_path / "systems.json"
    result = runner.invoke(app, ["systems", "--election", "2024", "--json", str(out)])
    assert result.exit_code == 0, result.output
    assert "Gallagher index" in result.output and "ams-scottish" in result.output
    rows = {r["party"]: r for r in json.loads(out.read_text())["votes_as_given"]}
    assert rows["LAB"]["fptp"] == 411 and round(rows["Gallagher index"]["fptp"], 1) == 23.7
    scenario = ROOT / "scenarios" / "examples" / "pact-progressive.toml"
    result = runner.invoke(app, ["systems", str(scenario), "--systems", "fptp,list-dhondt"])
    assert result.exit_code == 0, result.output
    assert "pact-progressive.toml (projected)" in result.output and "national-dhondt" not in result.output


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["systems"], "give either a scenario FILE or --election YEAR"),
        (["systems", "--election", "2024", "--systems", "stv2"], "unknown system 'stv2'"),
        (["systems", "--election", "2024", "--systems", "list-dhont"], "did you mean 'list-dhondt'"),
        (["systems", "--election", "2024", "--threshold", "0.7"], "--threshold"),
        (["systems", "--election", "2024", "--threads", "1"], "add --draws"),
        (["systems", "--election", "1997"], "1997"),
    ],
)
def test_systems_refuses_bad_input(args: list[str], fragment: str) -> None:
    from tests.hostile import assert_refused

    assert_refused(runner.invoke(app, args), fragment)


def test_the_compiled_allocation_is_the_reference_one() -> None:
    """kernels.apportion (numba, used draw by draw) gives what sim.systems.divisor gives, ties included."""
    from kernels.apportion import highest_averages

    rng = np.random.default_rng(21)
    for _ in range(300):
        n = int(rng.integers(2, 10))
        votes = rng.integers(0, 50, size=n).astype(float) * 1000  # coarse: ties happen
        seats = int(rng.integers(0, 40))
        held = rng.integers(0, 5, size=n) * int(rng.integers(0, 2))
        for method in ("dhondt", "sainte-lague"):
            got = np.zeros(n, dtype=np.int64)
            eligible = np.ones(n, dtype=np.bool_)
            highest_averages(votes, eligible, seats, method == "sainte-lague", held.astype(np.int64), got, np.empty(n))
            assert got.tolist() == allocate(votes, seats, method, held=held).tolist(), (votes, seats, held, method)


@pytest.mark.parametrize("name", ["examples/pact-progressive.toml", "2024/reform-led.toml"])
def test_simulated_systems_without_noise_are_the_projection(data_dir: Path | None, name: str) -> None:
    """No error at all: every draw's regional votes are the projection's, so each system gives its fixed seats."""
    from sim.run import project_file
    from sim.scenario.schema import Uncertainty
    from sim.systems.simulate import simulate_systems

    scenario, projection = project_file(ROOT / "scenarios" / name, data_dir)
    still = scenario.model_copy(
        update={"uncertainty": Uncertainty(national=0, nation=0, regional=0, contest=0, seat=0, slopes={})}
    )
    chosen = systems_for(projection.election.boundaries)
    prefs = preferences_for({}, data_dir=data_dir).matrix
    _, summaries = simulate_systems(still, projection, 30, 2, chosen, prefs=prefs, data_dir=data_dir)
    expected = projection_outcomes(projection, chosen, data_dir=data_dir)
    assert {o.system.key for o in expected} >= {"av", "av-plus", "stv"}
    assert ("senedd-2026" in {o.system.key for o in expected}) == (projection.election.boundaries == "2024")
    for summary, outcome in zip(summaries, expected, strict=True):
        assert summary.house == outcome.house
        np.testing.assert_array_equal(summary.mean(), outcome.seats)  # every draw the same
        assert abs(summary.index("gallagher")[0] - outcome.indices()["gallagher"]) < 1e-9


def test_simulated_systems_share_the_runs_draws_and_stay_in_their_houses(data_dir: Path | None) -> None:
    from sim.run import project_file, simulate_projection
    from sim.systems.simulate import simulate_systems

    scenario, projection = project_file(ROOT / "scenarios" / "baseline-2019.toml", data_dir)
    run = simulate_projection(scenario, projection, 600, 4)
    prefs = preferences_for({}, data_dir=data_dir).matrix
    chosen = systems_for(projection.election.boundaries)
    one, summaries = simulate_systems(scenario, projection, 600, 4, chosen, threads=1, prefs=prefs, data_dir=data_dir)
    np.testing.assert_array_equal(one.summary.hist, run.summary.hist)  # the same elections as `run`, seed for seed
    np.testing.assert_array_equal(summaries[0].hist, run.summary.hist)  # FPTP is run's seat counts
    _, again = simulate_systems(scenario, projection, 600, 4, chosen, threads=2, prefs=prefs, data_dir=data_dir)
    for a, b in zip(summaries, again, strict=True):
        np.testing.assert_array_equal(a.hist, b.hist)  # any thread count
        assert a.index("gallagher") == b.index("gallagher")
        assert a.hist.sum(axis=1).tolist() == [600] * a.hist.shape[0]
        assert ((a.hist * np.arange(a.house + 1)).sum() / 600) == a.house  # every draw fills the house exactly
    fptp, dhondt = summaries[0], summaries[1]
    assert dhondt.index("gallagher")[0] < fptp.index("gallagher")[0] / 4


def test_systems_command_with_draws(tmp_path: Path) -> None:
    import json

    out = tmp_path / "s.json"
    args = [
        "systems",
        "--election",
        "2019",
        "--systems",
        "fptp,list-sainte-lague",
        "--draws",
        "300",
        "--json",
        str(out),
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "300 simulated elections" in result.output and "P(CON majority)" in result.output
    doc = json.loads(out.read_text())
    rows = {(r["system"], r["row"]): r for r in doc["simulated"]}
    assert rows[("fptp", "house")]["mean"] == 650 and rows[("list-sainte-lague", "CON")]["p5"] <= 300
    assert doc["provenance"]["draws"] == 300


def test_compare_shows_each_projection_under_the_systems(tmp_path: Path) -> None:
    import json

    out = tmp_path / "c.json"
    files = [str(ROOT / "scenarios" / "baseline-2019.toml"), str(ROOT / "scenarios" / "uniform-2019-polls.toml")]
    result = runner.invoke(app, ["compare", *files, "--draws", "200", "--systems", "--json", str(out)])
    assert result.exit_code == 0, result.output
    assert "under other voting systems" in result.output and "Regional list, D'Hondt" in result.output
    doc = json.loads(out.read_text())["systems"]
    e = load_election("2019")
    (expected,) = outcomes(e.votes, e.winners, e.regions, [SYSTEMS["list-dhondt"]])
    assert doc["baseline-2019"]["list-dhondt"]["seats"]["CON"] == expected.seats[PARTY_INDEX["CON"]]  # the 2019 votes
    assert doc["baseline-2019"]["fptp"]["seats"]["CON"] == 365 and doc["baseline-2019"]["fptp"]["house"] == 650
    assert round(doc["baseline-2019"]["fptp"]["gallagher"], 1) == 11.8
