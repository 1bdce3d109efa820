"""Regression corpus of hostile input: every case must fail cleanly, naming the problem.

Each case was once accepted with a wrong result, or ended in a traceback or a hang.
"""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from sim.core.errors import SwingometerError
from sim.data.election import Election
from tests.hostile import ROOT, SCENARIO, assert_refused, clean, invoke, write_scenario

COMMANDS = (["scenario", "check"], ["project"], ["run", "--draws", "200"])


def _doc(steps: list[dict[str, Any]], base: str = "2019", **extra: Any) -> dict[str, Any]:
    return {"schema": 1, "base": base, "steps": steps, **extra}


def _turnout(**fields: Any) -> dict[str, Any]:
    return {"kind": "turnout", "parties": {"LAB": 0.05}, **fields}


NAN, INF = float("nan"), float("inf")
GB_2019 = ["CON", "LAB", "LD", "GRN", "SNP", "PC", "UKIP", "BRX", "SPK", "IND", "OTH"]
"""Every party that stood in Great Britain in 2019."""

SCENARIO_CASES: dict[str, tuple[dict[str, Any], str]] = {
    # non-finite and out-of-range numbers
    "turnout-party-nan": (_doc([_turnout(parties={"CON": NAN})]), "steps[0].parties.CON: Input should be a finite"),
    "turnout-party-inf": (_doc([_turnout(parties={"CON": INF})]), "steps[0].parties.CON"),
    "turnout-party-1e308": (_doc([_turnout(parties={"CON": 1e308})]), "less than or equal to 10"),
    "turnout-slope-nan": (_doc([_turnout(covariate="age65", slope=NAN)]), "steps[0].slope"),
    "turnout-slope-1e308": (_doc([_turnout(covariate="age65", slope=1e308)]), "steps[0].slope"),
    "covariate-slope-inf": (
        _doc([{"kind": "covariate_swing", "party": "CON", "covariate": "leave", "slope": INF}]),
        "steps[0].slope",
    ),
    "covariate-levels-nan": (
        _doc([{"kind": "covariate_swing", "party": "CON", "covariate": "settlement_group", "levels": {"town": NAN}}]),
        "steps[0].levels.town",
    ),
    "where-covariate-nan": (
        _doc([_turnout(where={"covariates": {"leave": [NAN, 1.0]}})]),
        "steps[0].where.covariates.leave",
    ),
    "where-covariate-1e308": (_doc([_turnout(where={"covariates": {"leave": [0.0, 1e308]}})]), "steps[0].where"),
    # impossible or meaningless instructions
    "override-shares-over-1": (
        _doc([{"kind": "override", "seats": ["Bath"], "shares": {"CON": 0.8, "LD": 0.8}}]),
        "shares add up to 1.6000, more than 1",
    ),
    "withdraw-every-party": (
        _doc([{"kind": "override", "where": {"scope": ["gb"]}, "withdraw": GB_2019}]),
        "with no votes",
    ),
    "party-keys-differ-in-case": (
        _doc([{"kind": "shares", "shares": {"CON": 0.4, "con": 0.3}}]),
        "party 'CON' is given twice",
    ),
    "merge-into-itself": (
        _doc([{"kind": "merge", "parties": ["LAB", "lab"], "into": "LAB"}]),
        "steps[0].parties: party 'LAB' is given twice",
    ),
    "merge-only-into": (
        _doc([{"kind": "merge", "parties": ["LAB", "LAB"], "into": "LAB"}]),
        "given twice",
    ),
    "pact-party-not-standing": (
        _doc([{"kind": "pact", "members": ["LAB", "REF"]}], base="2015"),
        "REF stands in none of the 650 seat(s) this step acts on (it stands nowhere in the 2015 election)",
    ),
    "pact-repeated-member": (
        _doc([{"kind": "pact", "members": ["LAB", "GRN", "LAB"]}]),
        "steps[0].members: party 'LAB' is given twice",
    ),
    "tactical-for-itself": (
        _doc([{"kind": "tactical", "party": "LAB", "prefer": ["LAB"], "rate": 0.2}]),
        "cannot switch tactically to LAB",
    ),
    "tactical-against-itself": (
        _doc([{"kind": "tactical", "party": "LAB", "prefer": ["LD"], "against": "LAB", "rate": 0.2}]),
        "against LAB",
    ),
    "flow-to-self": (
        _doc([{"kind": "flows", "from": "BRX", "to": {"BRX": 0.5, "CON": 0.2}}]),
        "cannot flow to BRX itself",
    ),
    "turnout-slope-without-covariate": (_doc([_turnout(slope=0.5)]), "a slope needs a covariate"),
    "where-range-low-above-high": (
        _doc([_turnout(where={"covariates": {"leave": [0.7, 0.3]}})]),
        "leave = [0.7, 0.3] is empty",
    ),
    "where-unknown-category-level": (
        _doc([_turnout(where={"categories": {"settlement_group": ["metropolis"]}})]),
        "no seat has level 'metropolis'",
    ),
    "rate-true": (_doc([{"kind": "tactical", "party": "LAB", "prefer": ["LD"], "rate": True}]), "true is not allowed"),
    "rate-string": (
        _doc([{"kind": "tactical", "party": "LAB", "prefer": ["LD"], "rate": "0.5"}]),
        "steps[0].rate: Input should be a valid number",
    ),
    "uncertainty-national-string": (_doc([], uncertainty={"national": "0.1"}), "write a number without quotes"),
    # once tracebacks
    "by-election-bad-date": (
        _doc([{"kind": "override", "seats": ["Hartlepool"], "by_election": "2021-13-45"}]),
        "is not a date; write YYYY-MM-DD",
    ),
    # passed 'scenario check' but failed 'run'
    "uncertain-path-unknown": (
        _doc(
            [{"kind": "tactical", "party": "LAB", "prefer": ["LD"], "rate": 0.2}],
            uncertainty={"parameters": {"steps.0.rat": {"beta": [2.0, 8.0]}}},
        ),
        "no field 'rat'; did you mean 'rate'",
    ),
    "uncertain-distribution-out-of-range": (
        _doc(
            [{"kind": "tactical", "party": "LAB", "prefer": ["LD"], "rate": 0.2}],
            uncertainty={"parameters": {"steps.0.rate": {"normal": [0.2, 0.3]}}},
        ),
        "the distribution reaches",
    ),
    "uncertainty-unknown-slope": (_doc([], uncertainty={"slopes": {"leeve": 0.1}}), "did you mean 'leave'?"),
}


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
@pytest.mark.parametrize("case", sorted(SCENARIO_CASES))
def test_scenario_case_refused(case: str, command: list[str], tmp_path: Path, elections: dict[str, Election]) -> None:
    data, fragment = SCENARIO_CASES[case]
    path = write_scenario(tmp_path, data)
    assert_refused(invoke([*command, path]), path, fragment)


def test_deeply_nested_arrays_refused(tmp_path: Path) -> None:
    path = tmp_path / "deep.toml"
    path.write_text("schema = 1\nbase = '2019'\nname = " + "[" * 500 + "]" * 500 + "\n")
    assert_refused(invoke(["scenario", "check", str(path)]), "nested too deeply")
    path.write_text("schema = 1\nbase = '2019'\nclaim = " + "[" * 20 + "]" * 20 + "\n")
    assert_refused(invoke(["scenario", "check", str(path)]), "nested more than")


def _override(**fields: Any) -> dict[str, Any]:
    return {"kind": "override", "seats": ["East Devon"], **fields}


_CANDIDACIES = {"kind": "candidacies", "election": "2024"}
_SHARES = {"kind": "shares", "scope": "gb", "shares": {"CON": 0.30, "LAB": 0.35}}
_LINKED = {"kind": "shares", "scope": "gb", "shares": {"CON": 0.30}, "method": "linked"}

ONE_SPINE_CASES: dict[str, tuple[dict[str, Any], str]] = {
    # found by the hostile review of the one-spine change: each was a wrong number, a no-op or a crash
    "lead-on-a-party": (_doc([_override(lead={"CON": 0.1})]), "steps[0].lead: CON is one candidate a seat"),
    "lead-zero": (_doc([_override(lead={"IND": 0.0})]), "steps[0].lead: IND = 0 does nothing"),
    "withdraw-part-on-a-party": (_doc([_override(withdraw_part={"LD": 0.5})]), "use withdraw"),
    "withdraw-part-to-itself": (
        _doc([_override(withdraw_part={"IND": 0.4}, withdrawn_to="IND")]),
        "IND is withdrawn in this step",
    ),
    "withdraw-a-party-not-standing": (_doc([_override(withdraw=["REF"])]), "REF stands in none of the step's seats"),
    "withdrawn-to-with-nothing-withdrawn": (_doc([_override(withdrawn_to="CON")]), "nothing is withdrawn"),
    "withdrawn-to-misspelt-others": (_doc([_override(withdraw=["LD"], withdrawn_to="Otherz")]), "'others'"),
    "candidacies-twice": (_doc([_CANDIDACIES, _CANDIDACIES], base="2019-notional"), "give one candidacies step"),
    "candidacies-of-a-notional-result": (
        _doc([{"kind": "candidacies", "election": "2019-notional"}], base="2024"),
        "a notional result",
    ),
    "layout-without-votes": (
        _doc(
            [_CANDIDACIES, {"kind": "layout", "party": "REF", "like": {"party": "UKIP", "election": "2015"}}],
            base="2019-notional",
        ),
        "REF has no votes in scope 'gb' to lay out",
    ),
    "layout-from-a-party-absent": (
        _doc([{"kind": "layout", "party": "LAB", "like": {"covariate": "leave"}, "scope": "England", "from": ["SNP"]}]),
        "SNP stands in none of these seats",
    ),
    "stand-seat-outside-scope": (
        _doc(
            [
                {
                    **_SHARES,
                    "scope": "Scotland",
                    "shares": {"REF": 0.1},
                    "stand": {"REF": {"like": {"covariate": "leave"}, "seats": ["Hartlepool"]}},
                }
            ]
        ),
        "stand.REF.seats: Hartlepool is not in scope 'Scotland'",
    ),
    "coefficients-partial": (
        _doc([{**_LINKED, "coefficients": {"linked": {"CON": [0.5, 0.0, 0.0]}}}]),
        "give every lineage",
    ),
    "coefficients-misspelt": (
        _doc([{**_LINKED, "coefficients": {"linked": {}, "shard": {}}}]),
        "did you mean 'shared'",
    ),
    "merge-the-speaker": (
        _doc([{"kind": "merge", "parties": ["SPK", "CON"], "into": "CON"}]),
        "the Speaker is no party",
    ),
    "uncertain-lead": (
        _doc([_override(lead={"IND": 0.6})], uncertainty={"parameters": {"steps.0.lead.IND": {"uniform": [0.2, 1.0]}}}),
        "moves no seat's shares",
    ),
    "sophomore-with-uniform": (_doc([{**_SHARES, "sophomore": []}]), "linked and multiparty models only"),
    "area-target-unreachable-names-the-area": (
        _doc([{"kind": "shares", "areas": {"Wales": {"PC": 0.95}, "Scotland": {"SNP": 0.4}}}]),
        "steps[0].areas.Wales: uniform swing cannot reach PC's share",
    ),
}


@pytest.mark.parametrize("case", sorted(ONE_SPINE_CASES))
def test_one_spine_case_refused(case: str, tmp_path: Path, elections: dict[str, Election]) -> None:
    doc, fragment = ONE_SPINE_CASES[case]
    assert_refused(invoke(["project", str(write_scenario(tmp_path, doc))]), fragment)


def test_a_candidacies_step_on_2017_reaches_2019_through_the_speakers_retirement(
    tmp_path: Path, elections: dict[str, Election]
) -> None:
    """Buckingham's 2017 parties (the Speaker, Greens, UKIP) all stand down in 2019: once an error, 'no votes'."""
    path = write_scenario(tmp_path, _doc([{"kind": "candidacies", "election": "2019"}], base="2017"))
    result = invoke(["project", str(path), "--explain", "Buckingham"])
    assert result.exit_code == 0, result.output
    assert "CON" in result.output


_PACT = {"kind": "pact", "members": ["LAB", "LD"]}
_FLOW = {"kind": "flows", "from": "LAB", "to": {"CON": 0.1}}

THIRD_PASS_CASES: dict[str, tuple[dict[str, Any], str]] = {
    # found by the third hostile review: wrong numbers with exit 0, silent no-ops, crashes
    "pact-lowercase-members-rates-over-1": (
        _doc([{**_PACT, "members": ["lab", "ld"], "transfer": {"LAB": 1.0, "LD": 1.0}, "to_others": 1.0}]),
        "transfer + to_others for LAB is 2.000",
    ),
    "pact-transfer-non-member": (
        _doc([{**_PACT, "transfer": {"LAB": 0.7, "LD": 0.7, "GRN": 0.7}}]),
        "transfer: GRN is not a pact member (LAB, LD)",
    ),
    "pact-transfer-member-missing": (_doc([{**_PACT, "transfer": {"lab": 0.7}}]), "transfer: no rate for LD"),
    "pact-member-merged-away": (
        _doc([{"kind": "merge", "parties": ["LD", "GRN"], "into": "LD"}, {**_PACT, "members": ["LAB", "GRN"]}]),
        "steps[1].members: GRN stands in none of the 650 seat(s) this step acts on (an earlier step withdrew it",
    ),
    "tactical-party-withdrawn-where-prefer-stands": (
        _doc(
            [
                {"kind": "override", "where": {"scope": ["gb"]}, "withdraw": ["GRN"]},
                {"kind": "tactical", "party": "GRN", "prefer": ["LAB"], "rate": 0.5},
            ]
        ),
        "steps[1].prefer: LAB stands in none of the 3 seat(s) this step acts on (the seats where GRN stands)",
    ),
    "tactical-against-a-party-standing-nowhere": (
        _doc([{"kind": "tactical", "party": "GRN", "prefer": ["LAB"], "rate": 0.5, "against": "REF"}]),
        "steps[0].against: REF stands in none",
    ),
    "flow-to-a-party-standing-nowhere": (
        _doc([{**_FLOW, "to": {"REF": 0.5}, "if_absent": "abstain"}]),
        "steps[0].to: REF stands in none",
    ),
    "where-seats-outside-scope": (
        _doc([{**_FLOW, "where": {"seats": ["Glasgow North"], "scope": ["England"]}}]),
        "steps[0].where: matches no seat of the 2019 election",
    ),
    "where-exclude-every-named-seat": (
        _doc([{**_FLOW, "where": {"seats": ["Bath"], "exclude": ["bath"]}}]),
        "steps[0].where: matches no seat",
    ),
    "where-covariate-range-outside-the-data": (
        _doc([{**_FLOW, "where": {"covariates": {"leave": [0.9, 1.0]}}}]),
        "steps[0].where: matches no seat",
    ),
    "pact-candidate-outside-where": (
        _doc([{**_PACT, "where": {"scope": ["Scotland"]}, "candidates": {"Sheffield, Hallam": "LD"}}]),
        "Sheffield, Hallam is not among the seats the pact's where filter selects",
    ),
    "pact-candidate-twice-in-another-case": (
        _doc([{**_PACT, "candidates": {"Sheffield, Hallam": "LD", "sheffield, hallam": "LAB"}}]),
        "are the same seat (Sheffield, Hallam)",
    ),
    "turnout-covariate-without-data": (
        _doc(
            [
                {
                    "kind": "turnout",
                    "parties": {"DUP": 0.1},
                    "covariate": "age65",
                    "slope": 0.5,
                    "where": {"scope": ["Northern Ireland"]},
                }
            ]
        ),
        "steps[0].covariate: no seat this step acts on has age65 figures",
    ),
    "scale-by-without-data": (
        _doc(
            [
                {
                    "kind": "flows",
                    "from": "SNP",
                    "to": {"LAB": 0.1},
                    "scale_by": "degree",
                    "where": {"scope": ["Scotland"]},
                }
            ]
        ),
        "steps[0].scale_by: no seat this step acts on has degree figures",
    ),
    "scale-by-mean-zero": (
        _doc([{**_FLOW, "scale_by": "city_share", "where": {"covariates": {"city_share": [0.0, 0.0]}}}]),
        "steps[0].scale_by: city_share averages 0 over this step's seats",
    ),
    "slope-in-the-wrong-units": (_doc([], uncertainty={"slopes": {"density": 5.0}}), "at most 10 points"),
    "uncertain-error-scale": (
        _doc([], uncertainty={"parameters": {"uncertainty.seat": {"uniform": [0.01, 0.1]}}}),
        "an uncertain parameter is a number in a step",
    ),
    "uncertain-parameter-spelt-twice": (
        _doc(
            [{"kind": "tactical", "party": "LAB", "prefer": ["LD"], "rate": 0.2}],
            uncertainty={"parameters": {"steps.0.rate": {"beta": [2, 8]}, "steps.00.rate": {"beta": [2, 8]}}},
        ),
        "the same number as",
    ),
    "pact-members-never-together": (
        _doc([{**_PACT, "members": ["SNP", "PC"], "where": {"scope": ["gb"]}}]),
        "no seat this step acts on has two of SNP, PC standing",
    ),
    "candidacies-of-the-base-itself": (
        _doc([{"kind": "candidacies", "election": "2019"}]),
        "steps[0].election: 2019 is not later than the base (2019)",
    ),
    "uncertain-path-with-a-unicode-digit": (
        _doc(
            [{"kind": "tactical", "party": "LAB", "prefer": ["LD"], "rate": 0.2}],
            uncertainty={"parameters": {"steps.\u00b2.rate": {"beta": [2, 8]}}},
        ),
        "is not an index",
    ),
    "steps-without-end": (_doc([{"kind": "merge", "parties": ["LD", "GRN"], "into": "LD"}] * 1001), "at most 1000"),
}


@pytest.mark.parametrize("case", sorted(THIRD_PASS_CASES))
def test_third_pass_case_refused(case: str, tmp_path: Path, elections: dict[str, Election]) -> None:
    doc, fragment = THIRD_PASS_CASES[case]
    assert_refused(invoke(["scenario", "check", str(write_scenario(tmp_path, doc))]), fragment)


def test_pact_rates_ignore_case(tmp_path: Path, data_dir: Path | None) -> None:
    """A transfer table keyed lab/ld is the one keyed LAB/LD (once read as 0: every stood-down voter abstained)."""
    from sim.run import project_file

    pact = {**_PACT, "members": ["LAB", "LD", "GRN"], "to_others": 0.05}
    lower = write_scenario(tmp_path, _doc([{**pact, "transfer": {"lab": 0.9, "ld": 0.9, "grn": 0.9}}]), "lower.toml")
    upper = write_scenario(tmp_path, _doc([{**pact, "transfer": 0.9}]), "upper.toml")
    none = write_scenario(tmp_path, _doc([{**pact, "transfer": 0.0}]), "none.toml")
    (_, a), (_, b), (_, c) = (project_file(p, data_dir) for p in (lower, upper, none))
    assert (a.votes == b.votes).all()
    assert (a.seat_totals() != c.seat_totals()).any()


def test_every_step_keeps_non_voters_at_or_above_zero(elections: dict[str, Election]) -> None:
    """The invariant after every step: a state with more voters than electors is refused, naming seat and step."""
    from sim.core.errors import ScenarioError
    from sim.projection.checks import check_state
    from sim.projection.steps import State

    election = elections["2019"]
    state = State.from_election(election)
    check_state(state, election, "steps[0]: pact")
    state.abstain[3] = -500.0
    with pytest.raises(ScenarioError, match=rf"steps\[0\]: pact gives {election.seat_names[3]} 500 more voters"):
        check_state(state, election, "steps[0]: pact")


ARGUMENT_CASES: dict[str, tuple[list[str], str]] = {
    "draws-5e9-kept": (["coalitions", "--scenario", SCENARIO, "--draws", "5000000000"], "of memory"),
    "draws-1e12": (["run", SCENARIO, "--draws", "1000000000000"], "10000000000"),
    "draws-not-integer": (["run", SCENARIO, "--draws", "1e12"], "--draws"),
    "threads-1000": (["run", SCENARIO, "--threads", "1000"], "--threads 1000: numba can use 1 to"),
    "bloc-twice": (["run", SCENARIO, "--draws", "100", "--bloc", "LAB+LAB"], "LAB is named twice"),
    "bloc-unknown": (["run", SCENARIO, "--draws", "100", "--bloc", "LAB+Labor"], "unknown party 'Labor'"),
    "bloc-not-standing": (["run", SCENARIO, "--draws", "100", "--bloc", "LAB+REF"], "REF did not stand"),
    "seed-2**64-backtest": (["backtest", "--from", "2017", "--to", "2019", "--seed", str(2**64)], "--seed"),
    "seed-negative-run": (["run", SCENARIO, "--seed", "-1"], "--seed"),
    "sweep-same-path-twice": (
        ["sweep", SCENARIO, "--set", "steps.0.shares.CON=0.3:0.4:2", "--set", "steps.0.shares.CON=0.3:0.4:2"],
        "--set: two axes name steps.0.shares.CON",
    ),
    "sweep-path-spelt-twice": (
        ["sweep", SCENARIO, "--set", "steps.0.shares.CON=0.3:0.4:2", "--set", "steps.00.shares.con=0.3:0.4:2"],
        "--set: two axes name steps.0.shares.CON",
    ),
    "metric-bloc-repeated": (
        ["sweep", SCENARIO, "--set", "steps.0.shares.CON=0.3:0.4:2", "--metric", "seats(CON+CON)"],
        "CON is named twice",
    ),
    "find-bloc-repeated-in-another-case": (
        ["sweep", SCENARIO, "--set", "steps.0.shares.CON=0.3:0.4:2", "--find", "P(CON+con majority)=0.5"],
        "CON is named twice",
    ),
    "find-party-standing-nowhere": (
        ["sweep", SCENARIO, "--set", "steps.0.shares.CON=0.3:0.4:2", "--find", "P(REF majority)=0.5"],
        "REF stands in no seat of this scenario",
    ),
    "find-largest-of-a-bloc": (
        ["sweep", SCENARIO, "--set", "steps.0.shares.CON=0.3:0.4:2", "--find", "P(CON+LD largest)=0.5"],
        "takes a single party",
    ),
    "report-bloc-not-standing": (
        ["report", SCENARIO, "--draws", "100", "--bloc", "LAB+REF", "--map-png", "/tmp/never-written.png"],
        "REF did not stand",
    ),
    "sweep-huge-axis": (["sweep", SCENARIO, "--set", "steps.0.shares.CON=0:0.6:1000000000"], "N must be between 2"),
    "sweep-huge-grid": (
        ["sweep", SCENARIO, "--set", "steps.0.shares.CON=0.3:0.4:200", "--set", "steps.0.shares.LAB=0.3:0.4:200"],
        "the grid has 40,000 points",
    ),
    "sweep-set-emoji": (["sweep", SCENARIO, "--set", "a:b:c"], "--set: cannot read the axis 'a:b:c'"),
    "find-nan": (
        ["sweep", SCENARIO, "--set", "steps.0.shares.CON=0.3:0.4:2", "--find", "P(CON majority)=nan"],
        "--find: cannot read the target",
    ),
    "find-1.5": (
        ["sweep", SCENARIO, "--set", "steps.0.shares.CON=0.3:0.4:2", "--find", "P(CON majority)=1.5"],
        "a probability is between 0 and 1",
    ),
    "data-dir-missing": (["project", SCENARIO, "--data-dir", "/no/such/folder"], "does not exist"),
    "explain-empty": (["project", SCENARIO, "--explain", ""], "--explain needs a seat name"),
    "explain-misspelt": (["project", SCENARIO, "--explain", "Nuneatn"], "did you mean 'Nuneaton'"),
    "targets-party-not-standing": (["targets", "REF", "--election", "2015"], "REF did not stand in the 2015"),
    "flip-to-party-not-standing": (
        ["flip", "Croydon Central", "--election", "2015", "--to", "REF"],
        "REF did not stand in Croydon Central",
    ),
    "flip-from-party-not-standing": (
        ["flip", "Croydon Central", "--election", "2015", "--from", "BRX"],
        "BRX did not stand in Croydon Central",
    ),
}


@pytest.mark.parametrize("case", sorted(ARGUMENT_CASES))
def test_argument_case_refused(case: str, elections: dict[str, Election]) -> None:
    args, fragment = ARGUMENT_CASES[case]
    assert_refused(invoke(args), fragment)


def test_output_in_missing_folder_refused_before_work(tmp_path: Path) -> None:
    target = tmp_path / "missing" / "out.json"
    result = invoke(["run", SCENARIO, "--draws", "100", "--json", str(target)])
    assert_refused(result, "does not exist; create it first")
    assert "P(maj)" not in result.output  # refused before simulating


def test_output_whose_folder_is_a_file_refused(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    assert_refused(invoke(["project", SCENARIO, "--csv", str(tmp_path / "file" / "out.csv")]), "does not exist")


def test_two_outputs_second_bad_writes_neither(tmp_path: Path) -> None:
    good, bad = tmp_path / "out.json", tmp_path / "missing" / "out.csv"
    assert_refused(invoke(["run", SCENARIO, "--draws", "100", "--json", str(good), "--csv", str(bad)]))
    assert not good.exists()


def test_failed_write_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import cli.common

    json_path, csv_path = tmp_path / "a.json", tmp_path / "b.csv"
    real = cli.common.os.fdopen
    calls = []

    def failing(fd: int, mode: str) -> Any:
        calls.append(fd)
        if len(calls) == 2:
            raise OSError(28, "No space left on device", str(csv_path))
        return real(fd, mode)

    monkeypatch.setattr(cli.common.os, "fdopen", failing)
    assert_refused(invoke(["project", SCENARIO, "--json", str(json_path), "--csv", str(csv_path)]), "No space left")
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_same_file_for_two_outputs_refused(tmp_path: Path) -> None:
    out = str(tmp_path / "x.out")
    assert_refused(invoke(["project", SCENARIO, "--json", out, "--csv", out]), "named for two outputs")


def test_plot_suffix_checked_before_work(tmp_path: Path) -> None:
    result = invoke(["run", SCENARIO, "--draws", "100", "--plot", str(tmp_path / "chart.pdf")])
    assert_refused(result, ".png or .svg")
    assert "P(maj)" not in result.output


def test_ctrl_c_is_one_line_and_exit_130(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sim.run

    def interrupted(*args: Any, **kwargs: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(sim.run, "simulate_projection", interrupted)
    out = tmp_path / "out.json"
    result = invoke(["run", SCENARIO, "--draws", "100", "--json", str(out)])
    assert clean(result)
    assert result.exit_code == 130
    assert result.output.strip() == "interrupted"
    assert list(tmp_path.iterdir()) == []


def test_ctrl_c_in_entry_point(monkeypatch: pytest.MonkeyPatch) -> None:
    import cli.main

    def interrupted() -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli.main, "app", interrupted)
    with pytest.raises(SystemExit) as exc:
        cli.main.main()
    assert exc.value.code == 130


def test_unreadable_data_file_named(tmp_path: Path) -> None:
    from sim.data.fetch import sha256_of

    folder = tmp_path / "not-a-file"
    folder.mkdir()
    with pytest.raises(SwingometerError, match="cannot read data file"):
        sha256_of(folder / "missing.csv")


@pytest.mark.slow
def test_silent_service_is_not_taken_for_dask() -> None:
    """A loopback server that accepts and never answers: a clear error within the timeout."""
    from sim.analysis.executors import DaskExecutor

    server = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []

    def accept() -> None:
        try:
            while True:
                held.append(server.accept()[0])
        except OSError:
            return

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    port = server.getsockname()[1]
    start = time.monotonic()
    try:
        with pytest.raises(SwingometerError, match="did not answer as a Dask scheduler within 2 s"):
            DaskExecutor(f"tcp://127.0.0.1:{port}", timeout=2.0)
    finally:
        server.close()
        for conn in held:
            conn.close()
        thread.join(5)
    assert time.monotonic() - start < 15


def test_largest_seed_runs(tmp_path: Path) -> None:
    result = invoke(["run", SCENARIO, "--draws", "100", "--seed", str(2**64 - 1)])
    assert result.exit_code == 0, result.output


def test_corrupted_election_cache_is_rebuilt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data_dir: Path | None
) -> None:
    """Random byte flips in the parsed-election cache are detected; the rebuild equals the clean load (one build)."""
    import numpy as np

    import sim.data.election as module

    clean_load = module.load_election("2015", data_dir)  # the session's copy
    monkeypatch.setenv("SWINGOMETER_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(module, "_LOADED", {})
    key = module.election_cache_key("2015", data_dir)
    store = tmp_path / "parsed" / f"election-2015-{key}.pkl"
    module._write_parsed(store, clean_load)
    good = store.read_bytes()
    assert module._read_parsed(store) is not None
    rng = np.random.default_rng(18)
    for position in rng.integers(0, len(good), 60):
        damaged = bytearray(good)
        damaged[position] ^= 1 << int(rng.integers(0, 8))
        store.write_bytes(bytes(damaged))
        assert module._read_parsed(store) is None, f"flip at byte {position} was trusted"
    store.write_bytes(good[: len(good) // 2])
    assert module._read_parsed(store) is None
    reloaded = module.load_election("2015", data_dir)  # the truncated store: rebuilt from the data files
    assert reloaded is not clean_load
    assert np.array_equal(reloaded.votes, clean_load.votes)
    assert np.array_equal(reloaded.stood, clean_load.stood)
    assert list(reloaded.seat_ids) == list(clean_load.seat_ids)
    rewritten = module._read_parsed(store)  # rebuilt and rewritten, whole and trusted again
    assert rewritten is not None and np.array_equal(rewritten.votes, clean_load.votes)


def test_ctrl_c_wrapped_by_numba_is_exit_130(monkeypatch: pytest.MonkeyPatch) -> None:
    """Numba reports a Ctrl-C in a kernel as a SystemError with the KeyboardInterrupt as context."""
    import sim.run

    def interrupted(*args: Any, **kwargs: Any) -> Any:
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt:
            raise SystemError("CPUDispatcher(simulate_seats) returned a result with an exception set") from None

    monkeypatch.setattr(sim.run, "simulate_projection", interrupted)
    result = invoke(["run", SCENARIO, "--draws", "100"])
    assert clean(result)
    assert (result.exit_code, result.output.strip()) == (130, "interrupted")


def test_ctrl_c_during_a_lazy_import_is_exit_130(monkeypatch: pytest.MonkeyPatch) -> None:
    """A compiled module interrupted while it loads reports ImportError("initialization failed") from the Ctrl-C."""
    import sim.run

    def interrupted(*args: Any, **kwargs: Any) -> Any:
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt as exc:
            raise ImportError("initialization failed") from exc

    monkeypatch.setattr(sim.run, "simulate_projection", interrupted)
    result = invoke(["run", SCENARIO, "--draws", "100"])
    assert clean(result)
    assert (result.exit_code, result.output.strip()) == (130, "interrupted")


def test_ctrl_c_in_a_real_run(tmp_path: Path, elections: dict[str, Election]) -> None:
    """SIGINT to a running simulation: one line, exit 130, no output file.

    The child says "simulating" on stdout as the simulation starts (a wrapper around the CLI's
    simulate call), so the signal goes when the run is under way, however loaded the machine.
    """
    import signal
    import subprocess
    import sys

    out = tmp_path / "out.json"
    code = (
        "import sys, sim.run as r, cli.main as m\n"
        "real = r.simulate_projection\n"
        "def started(*a, **k):\n"
        "    print('simulating', flush=True)\n"
        "    return real(*a, **k)\n"
        "r.simulate_projection = started\n"
        "m.main()\n"
    )
    args = [sys.executable, "-c", code, "run", SCENARIO, "--draws", "40000000", "--json", str(out)]
    # A shell without job control starts background jobs with SIGINT ignored: restore the default.
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))  # fmt: skip
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "simulating"
    time.sleep(0.5)  # into the kernel (a signal before it is an interrupt too, handled the same way)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130, stderr
    assert stderr.strip() == "interrupted"
    assert list(tmp_path.iterdir()) == []


def test_force_replaces_through_a_temporary_file(tmp_path: Path) -> None:
    out = tmp_path / "seats.csv"
    out.write_text("old")
    result = invoke(["project", SCENARIO, "--csv", str(out), "--force"])
    assert result.exit_code == 0, result.output
    assert out.read_text().startswith("party")
    assert out.stat().st_mode & 0o644 == 0o644  # the mode a plain open gives, not mkstemp's 0600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["seats.csv", "seats.csv.provenance.json"]  # no temp file


def test_sweeping_an_uncertain_parameter_is_refused(tmp_path: Path, elections: dict[str, Election]) -> None:
    """Its distribution would replace the swept value at every point (once: identical rows, 'does not cross')."""
    doc = _doc(
        [{"kind": "tactical", "party": "LAB", "prefer": ["LD"], "rate": 0.2}],
        uncertainty={"parameters": {"steps.0.rate": {"beta": [2, 8]}}},
    )
    path = write_scenario(tmp_path, doc)
    for extra in ([], ["--find", "P(CON majority)=0.5"]):
        result = invoke(["sweep", path, "--set", "steps.0.rate=0:0.5:3", "--draws", "100", *extra])
        assert_refused(result, "steps.0.rate is also an uncertain parameter")


@pytest.mark.parametrize("kind", ["symlink", "device"])
def test_force_never_replaces_a_link_or_a_device(kind: str, tmp_path: Path) -> None:
    target = tmp_path / "real.csv"
    target.write_text("mine")
    out = tmp_path / "link.csv"
    if kind == "symlink":
        out.symlink_to(target)
    else:
        out = Path("/dev/null")
    result = invoke(["project", SCENARIO, "--csv", str(out), "--force"])
    assert_refused(result, "symbolic link" if kind == "symlink" else "not an ordinary file")
    assert target.read_text() == "mine" and (kind != "symlink" or out.is_symlink())


def test_svg_charts_are_byte_identical_run_to_run(tmp_path: Path) -> None:
    paths = [tmp_path / "a.svg", tmp_path / "b.svg"]
    for path in paths:
        result = invoke(["run", SCENARIO, "--draws", "200", "--seed", "3", "--plot", str(path)])
        assert result.exit_code == 0, result.output
    assert paths[0].read_bytes() == paths[1].read_bytes()


def test_ctrl_c_while_the_command_line_loads_is_one_line(monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    """The console script imports numpy and numba first (about 2 s); a Ctrl-C then: one line, exit 130."""
    import sys

    import cli.entry

    class Interrupting:
        def find_spec(self, name: str, *args: Any) -> None:
            if name == "cli.main":
                raise KeyboardInterrupt

    monkeypatch.delitem(sys.modules, "cli.main")
    monkeypatch.setattr(sys, "meta_path", [Interrupting(), *sys.meta_path])
    with pytest.raises(SystemExit) as exc:
        cli.entry.main()
    assert exc.value.code == 130
    assert capsys.readouterr().err == "interrupted\n"


def test_per_draw_gb_shares_are_shares(data_dir: Path | None) -> None:
    """`run --parquet`'s share columns: never below zero, each draw's row adding up to 1 (once -0.5% for UKIP)."""
    import numpy as np

    from sim.run import run_file

    result = run_file(ROOT / "scenarios" / "baseline-2019.toml", 2000, 1, data_dir=data_dir, keep_draws=True)
    assert result.gb_shares is not None
    shares = result.gb_shares.astype(np.float64)
    assert shares.min() >= 0.0
    np.testing.assert_allclose(shares.sum(axis=1), 1.0, atol=1e-5)


@pytest.mark.parametrize("kind", ["pact", "turnout"])
def test_a_steps_result_does_not_depend_on_the_order_of_its_parties(kind: str, data_dir: Path | None) -> None:
    """Pact members (a stand-down's voters once reached a member standing down later) and turnout parties."""
    import tomllib

    import numpy as np

    from sim.run import project_checked
    from sim.scenario.load import parse_scenario

    if kind == "pact":
        doc = tomllib.loads((ROOT / "scenarios" / "2024" / "progressive-pact.toml").read_text())
        flipped = tomllib.loads((ROOT / "scenarios" / "2024" / "progressive-pact.toml").read_text())
        for step in flipped["steps"]:
            if step["kind"] == "pact":
                step["members"] = step["members"][::-1]
    else:
        doc = _doc([{"kind": "turnout", "parties": {"LAB": 2.0, "CON": 2.0}}])
        flipped = _doc([{"kind": "turnout", "parties": {"CON": 2.0, "LAB": 2.0}}])
    a, b = (project_checked(parse_scenario(d), data_dir) for d in (doc, flipped))
    np.testing.assert_allclose(a.votes, b.votes, rtol=1e-12, atol=1e-6)


def test_sweep_takes_a_path_in_any_spelling(tmp_path: Path) -> None:
    """A lower-case party key once ran the whole sweep and then crashed printing the table."""
    result = invoke(["sweep", SCENARIO, "--set", "steps.00.shares.con=0.3:0.4:2", "--draws", "100"])
    assert result.exit_code == 0, result.output
    assert "steps.0.shares.CON" in result.output


def test_a_file_with_a_byte_order_mark_reads(tmp_path: Path) -> None:
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + Path(SCENARIO).read_bytes())
    result = invoke(["scenario", "check", str(path)])
    assert result.exit_code == 0, result.output


def test_a_parquet_file_too_big_for_its_disk_is_refused_before_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    from cli import common

    usage = shutil.disk_usage(tmp_path)
    monkeypatch.setattr(common.shutil, "disk_usage", lambda _: usage._replace(free=1_000_000))  # 1 MB free
    out = tmp_path / "d.parquet"
    result = invoke(["run", SCENARIO, "--draws", "100000", "--parquet", str(out)])
    assert_refused(result, "free on that disk", "--draws 11,111 or fewer")
    assert not out.exists()
