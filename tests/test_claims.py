"""The essays' claims: scenario files, the essays' arithmetic against the data, and the command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from sim.claims import CLAIM_KEYS, EVALUATORS, Finding, claim_files, evaluate, run_claims
from sim.data.election import DataDir

DRAWS = 500


@pytest.fixture(scope="module")
def files() -> dict[str, list]:
    return claim_files()


def _finding(files: dict[str, list], claim: str, data_dir: DataDir) -> Finding:
    return evaluate(claim, files[claim], DRAWS, 1, data_dir)


def test_every_claim_has_a_file_with_a_complete_claim_table(files: dict[str, list]) -> None:
    assert list(files) == list(EVALUATORS)
    for group in files.values():
        for _, scenario in group:
            assert all(scenario.claim[k] for k in CLAIM_KEYS)
            assert (
                scenario.claim["essay"].split(" ")[0] in {p.name for p in Path("../shared/seeds").glob("*.txt")}
                or scenario.claim["essay"][:3].isdigit()
            )


def test_croydon_arithmetic(files: dict[str, list], data_dir: DataDir) -> None:
    f = _finding(files, "croydon", data_dir)
    assert f.numbers["majority"] == 165
    assert f.numbers["votes_needed"] == 166
    assert f.numbers["tusc"] == 127
    assert f.verdict == "supported"


def test_nuneaton_arithmetic(files: dict[str, list], data_dir: DataDir) -> None:
    """Essay: right 27,000 of 45,000; progressives about 18,000; Greens 1,500 (data: 1,281)."""
    f = _finding(files, "nuneaton-arithmetic", data_dir)
    assert f.numbers["right"] == 20827 + 6582
    assert f.numbers["total"] == 45749
    assert f.numbers["progressive"] == 15945 + 1281 + 816
    assert f.numbers["majority"] == 4882
    checks = {c.what: c for c in f.checks}
    assert not checks["Green votes"].agrees and checks["Green votes"].data == "1,281"
    assert checks["UKIP share 2015"].agrees


def test_nuneaton_alliance_loses_even_without_ukip(files: dict[str, list], data_dir: DataDir) -> None:
    f = _finding(files, "nuneaton-ukip", data_dir)
    assert f.numbers["con"] == pytest.approx(27409)
    assert f.numbers["alliance"] == pytest.approx(18042)
    assert f.numbers["ukip_to_lab_needed"] == pytest.approx((20827 - 18042) / 6582)
    assert f.verdict == "supported"


def test_rainbow_2010_arithmetic(files: dict[str, list], data_dir: DataDir) -> None:
    f = _finding(files, "rainbow-2010", data_dir)
    assert f.numbers["lab_ld"] == 258 + 57
    assert f.numbers["effective_threshold"] == 321
    assert f.numbers["smallest_majority"] >= 326


def test_green_split_counts(files: dict[str, list], data_dir: DataDir) -> None:
    f = _finding(files, "green-split", data_dir)
    assert f.numbers["green_votes_gb"] == pytest.approx(1_150_808, rel=0.01)
    assert f.numbers["seats_majority_below_green"] >= f.numbers["flips_at_half"] >= 1


def test_leave_realignment_file_uses_the_fitted_slopes(files: dict[str, list], data_dir: DataDir) -> None:
    f = _finding(files, "leave-realignment", data_dir)
    assert f.numbers["slope_con"] > 0 > f.numbers["slope_lab"]
    assert f.numbers["file_slope[CON]"] == pytest.approx(f.numbers["slope_con"], abs=0.01)
    assert f.numbers["file_slope[LAB]"] == pytest.approx(f.numbers["slope_lab"], abs=0.01)
    assert f.numbers["leave_lost"] > f.numbers["leave_held"]


def test_england_wales_switching_needed_grows_with_ukip_to_con(files: dict[str, list], data_dir: DataDir) -> None:
    """More UKIP voters back with the Conservatives: more Conservative voters must switch to Labour."""
    f = _finding(files, "england-wales", data_dir)
    needed = [f.numbers[f"con_to_lab_needed[{p} of UKIP to CON]"] for p in ("0%", "50%", "100%")]
    assert needed == sorted(needed) and needed[0] < needed[-1]
    assert f.numbers["best_lead_2010_2019"] < 0  # Labour never led the Conservatives in England and Wales


def test_unknown_claim_is_a_clear_error(data_dir: DataDir) -> None:
    result = CliRunner().invoke(app, ["claims", "--only", "croydn", "--draws", "100"])
    assert result.exit_code == 1
    assert "did you mean 'croydon'" in result.output


def test_claims_command_prints_a_verdict_for_every_claim(tmp_path: Path) -> None:
    out, md = tmp_path / "claims.json", tmp_path / "claims.md"
    result = CliRunner().invoke(app, ["claims", "--draws", str(DRAWS), "--json", str(out), "--markdown", str(md)])
    assert result.exit_code == 0, result.output
    findings = json.loads(out.read_text())
    assert [f["id"] for f in findings] == list(EVALUATORS)
    assert all(f["verdict"] in ("supported", "not supported", "conditional") for f in findings)
    assert all(f["threshold"] for f in findings if f["verdict"] == "conditional")
    text = md.read_text()
    assert all(f"## {claim}:" in text for claim in EVALUATORS)


def test_run_claims_is_reproducible(data_dir: DataDir) -> None:
    a = run_claims(DRAWS, 5, only=["progressive-alliance"], data_dir=data_dir)
    b = run_claims(DRAWS, 5, only=["progressive-alliance"], data_dir=data_dir)
    assert a[0].numbers == b[0].numbers
