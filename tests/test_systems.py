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
from sim.systems.rules import SYSTEMS, outcomes

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
    results = {o.system.key: o for o in outcomes(e.votes, e.winners, e.regions, list(SYSTEMS.values()))}
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
    share = 56 / 129
    assert ams.house == 650 + sum(round(n * share / (1 - share)) for n in per_region)
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
    rows = {r["party"]: r for r in json.loads(out.read_text())}
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
        (["systems", "--election", "1997"], "1997"),
    ],
)
def test_systems_refuses_bad_input(args: list[str], fragment: str) -> None:
    from tests.hostile import assert_refused

    assert_refused(runner.invoke(app, args), fragment)
