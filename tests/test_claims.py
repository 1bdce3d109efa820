"""The essays' claims: scenario files, the essays' arithmetic against the data, and the command."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from sim.claims import BEGIN, CLAIM_KEYS, END, EVALUATORS, Finding, claim_files, evaluate, run_claims
from sim.data.election import DataDir
from tests import golden_claims

DRAWS = golden_claims.DRAWS


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
    # Two of the three deputy speakers were Labour: LAB+LD+SNP had 258 - 2 + 57 + 6 voting MPs of 641.
    assert f.numbers["sitting_voting_mps"] == 641
    assert f.numbers["lab_ld_snp_voting"] == 319
    assert f.numbers["smallest_effective"] >= 321


def test_nuneaton_whole_number_percentages_allow_a_point(files: dict[str, list], data_dir: DataDir) -> None:
    f = _finding(files, "nuneaton-arithmetic", data_dir)
    checks = {c.what: c for c in f.checks}
    assert -0.14 < f.numbers["ld_change"] < -0.13
    assert checks["Lib Dem change in share ('13% swing against')"].agrees
    assert "27,409" in f.summary and "18,042" in f.summary


def test_green_split_counts(files: dict[str, list], data_dir: DataDir) -> None:
    f = _finding(files, "green-split", data_dir)
    assert f.numbers["green_votes_gb"] == pytest.approx(1_150_808, rel=0.01)
    assert f.numbers["seats_majority_below_green"] >= f.numbers["flips_at_rate"] >= 1
    # Tactical lending: the Greens keep Brighton Pavilion, their only seat.
    assert f.numbers["green_seats"] == f.numbers["green_seats_kept"] == 1
    assert 0 < f.numbers["measured_grn_to_lab_2015_2017_low"] < f.numbers["measured_grn_to_lab_2015_2017"]
    assert f.numbers["measured_grn_to_lab_2015_2017"] < f.numbers["measured_grn_to_lab_2015_2017_high"] < 1
    assert f.numbers["measured_grn_to_lab_2015_2017_n"] > 10


def test_leave_realignment_file_uses_the_fitted_slopes(files: dict[str, list], data_dir: DataDir) -> None:
    f = _finding(files, "leave-realignment", data_dir)
    assert f.numbers["slope_con"] > 0 > f.numbers["slope_lab"]
    assert f.numbers["file_slope[CON]"] == pytest.approx(f.numbers["slope_con"], abs=0.01)
    assert f.numbers["file_slope[LAB]"] == pytest.approx(f.numbers["slope_lab"], abs=0.01)
    assert f.numbers["leave_lost"] > f.numbers["leave_held"]
    # The slopes were fitted in England and Wales and apply there only: Scotland does not move.
    assert f.numbers["file_slope_scopes[CON]"] == f.numbers["file_slope_scopes[LAB]"] == 2
    assert f.numbers["largest_share_change_scotland"] == 0
    # The Brexit Party flow alone already puts the Conservatives ahead: the test is whether the swing adds to it.
    assert f.numbers["hartlepool_con_lead[flow_only]"] > 0


def test_england_wales_switching_needed_grows_with_ukip_to_con(files: dict[str, list], data_dir: DataDir) -> None:
    """More UKIP voters back with the Conservatives: more Conservative voters must switch to Labour."""
    f = _finding(files, "england-wales", data_dir)
    needed = [f.numbers[f"con_to_lab_needed[{p} of UKIP to CON]"] for p in ("0%", "50%", "100%")]
    assert needed == sorted(needed) and needed[0] < needed[-1]
    for year in ("2010", "2015", "2017", "2019"):  # Labour never led the Conservatives there in 2010-2019
        assert f.numbers[f"lead_ew[{year}]"] < 0 and f.numbers[f"lab_seats_ew[{year}]"] < 296
    # Every election in the data: 2024 cleared the bar (+9.1, 374 seats); 2005 won a majority without Scotland.
    assert f.numbers["lead_ew[2024]"] > f.numbers["lead_needed[50% of UKIP to CON]"] and f.verdict == "not supported"
    assert f.numbers["lab_seats_ew[2024]"] == 374 and f.numbers["lab_seats_ew[2005-notional]"] >= 296
    # Without Scotland the House has 591 seats (Northern Ireland stays): a majority is 296.
    assert f.numbers["house_without_scotland"] == 591
    assert f.numbers["majority_without_scotland"] == 296
    assert f.numbers["lead_needed[50% of UKIP to CON]"] == pytest.approx(0.029, abs=0.003)
    assert f.numbers["measured_ukip_to_con_2015_2017_n"] > 50


def test_retreat_restricted_to_england_and_wales_with_paired_errors(files: dict[str, list], data_dir: DataDir) -> None:
    f = _finding(files, "retreat-to-cities", data_dir)
    for k in ("-0.03", "+0.03", "+0.05"):
        assert f.numbers[f"lab_change[{k}]_se"] > 0
        assert f.numbers[f"p_con_majority_change[{k}]_se"] > 0
    # The projection gains Labour seats from the retreat, so the claim cannot hold on the simulated loss alone.
    if f.numbers["lab_projected[+0.03]"] >= f.numbers["lab_projected_base"]:
        assert f.verdict != "supported"


def test_ukip_12_threshold_carries_its_monte_carlo_error(files: dict[str, list], data_dir: DataDir) -> None:
    f = _finding(files, "ukip-12", data_dir)
    assert 0 < f.numbers["threshold_se"] < 0.05
    # More draws shrink the error as 1/sqrt(draws): the draws for a half-point error exceed these.
    assert f.numbers["threshold_draws"] > DRAWS and f.numbers["threshold_se"] <= 0.0055
    assert f.numbers["threshold_net_of_lab"] == pytest.approx(f.numbers["threshold"] - 0.15)
    assert 0 <= f.numbers["p_majority_at_measured"] <= 1
    for party in ("con", "lab", "abstain"):
        assert f.numbers[f"measured_ukip_to_{party}_2015_2017_n"] > 50


def test_unknown_claim_is_a_clear_error(data_dir: DataDir) -> None:
    result = CliRunner().invoke(app, ["claims", "--only", "croydn", "--draws", "100"])
    assert result.exit_code == 1
    assert "did you mean 'croydon'" in result.output


@pytest.fixture(scope="module")
def command_run(tmp_path_factory: pytest.TempPathFactory, data_dir: DataDir) -> tuple[list[dict], str]:
    """Every claim through the command, once, at the golden file's draws and seed."""
    tmp = tmp_path_factory.mktemp("claims")
    out, md = tmp / "claims.json", tmp / "claims.md"
    args = ["claims", "--draws", str(DRAWS), "--seed", str(golden_claims.SEED), "--json", str(out)]
    result = CliRunner().invoke(app, [*args, "--markdown", str(md)])
    assert result.exit_code == 0, result.output
    return json.loads(out.read_text()), md.read_text()


def test_claims_command_prints_a_verdict_for_every_claim(command_run: tuple[list[dict], str]) -> None:
    findings, text = command_run
    assert [f["id"] for f in findings] == list(EVALUATORS)
    assert all(f["verdict"] in ("supported", "not supported", "conditional") for f in findings)
    assert all(f["threshold"] for f in findings if f["verdict"] == "conditional")
    assert all(f"### {claim}:" in text for claim in EVALUATORS)
    by_id = {f["id"]: f for f in findings}
    assert by_id["england-wales"]["numbers"]["majority_without_scotland"] == 296
    for claim in ("ukip-12", "nuneaton-ukip", "england-wales", "green-split"):
        assert any(k.startswith("measured_") for k in by_id[claim]["numbers"]), claim


def test_golden_claims(command_run: tuple[list[dict], str]) -> None:
    """Every verdict and number as pinned; regenerate on purpose with `uv run python -m tests.golden_claims`."""
    golden = json.loads(golden_claims.PATH.read_text())
    found = golden_claims.differences(golden, command_run[0])
    assert not found, "\n".join(found) + "\nIf intended, regenerate: uv run python -m tests.golden_claims"


def test_golden_comparison_catches_a_moved_verdict_or_number(command_run: tuple[list[dict], str]) -> None:
    golden = json.loads(golden_claims.PATH.read_text())
    flipped = copy.deepcopy(command_run[0])
    by_id = {f["id"]: f for f in flipped}
    by_id["croydon"]["verdict"] = "not supported"
    numbers = by_id["ukip-12"]["numbers"]
    numbers["threshold"] += numbers["threshold_se"]  # one standard error: a real move, not float noise
    found = golden_claims.differences(golden, flipped)
    assert any(d.startswith("croydon: verdict") for d in found)
    assert any(d.startswith("ukip-12: threshold ") for d in found)
    assert len(found) == 2


def test_update_section_keeps_the_written_parts(tmp_path: Path, command_run: tuple[list[dict], str]) -> None:
    doc = tmp_path / "claims.md"
    doc.write_text(f"# Written intro\n\nprose\n\n{BEGIN}\nstale section\n{END}\n\n## Written outro\n")
    args = ["claims", "--only", "croydon", "--draws", "100", "--markdown", str(doc), "--update-section"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    text = doc.read_text()
    assert text.startswith("# Written intro\n\nprose\n\n" + BEGIN) and text.endswith(END + "\n\n## Written outro\n")
    assert "stale section" not in text and "### croydon: supported" in text


def test_update_section_needs_the_markers(tmp_path: Path) -> None:
    doc = tmp_path / "claims.md"
    doc.write_text("# no markers\n")
    result = CliRunner().invoke(app, ["claims", "--only", "croydon", "--markdown", str(doc), "--update-section"])
    assert result.exit_code == 1
    assert "claims:begin" in result.output and doc.read_text() == "# no markers\n"


def test_whole_markdown_file_is_not_overwritten_without_force(tmp_path: Path) -> None:
    doc = tmp_path / "claims.md"
    doc.write_text("keep\n")
    result = CliRunner().invoke(app, ["claims", "--only", "croydon", "--markdown", str(doc)])
    assert result.exit_code == 1 and "--force" in result.output
    assert doc.read_text() == "keep\n"


def test_run_claims_is_reproducible(data_dir: DataDir) -> None:
    a = run_claims(DRAWS, 5, only=["progressive-alliance"], data_dir=data_dir)
    b = run_claims(DRAWS, 5, only=["progressive-alliance"], data_dir=data_dir)
    assert a[0].numbers == b[0].numbers
