"""The command line, in process with typer's CliRunner, on the real data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app

runner = CliRunner()
SCENARIO = str(Path(__file__).resolve().parent.parent / "scenarios" / "uniform-2019-polls.toml")


def test_data_show_croydon_central() -> None:
    result = runner.invoke(app, ["data", "show", "Croydon Central", "--election", "2015"])
    assert result.exit_code == 0, result.output
    assert "22,753" in result.output and "22,588" in result.output
    assert "majority 165" in result.output


def test_data_show_unknown_seat_suggests() -> None:
    result = runner.invoke(app, ["data", "show", "Croydn Central", "--election", "2015"])
    assert result.exit_code == 1
    assert "did you mean 'Croydon Central'" in result.output
    assert "Traceback" not in result.output


def test_data_show_unknown_election() -> None:
    result = runner.invoke(app, ["data", "show", "Croydon Central", "--election", "2016"])
    assert result.exit_code == 1
    assert "unknown election '2016'" in result.output


def test_data_verify_reports_every_file_good() -> None:
    result = runner.invoke(app, ["data", "verify"])
    assert result.exit_code == 0, result.output
    assert "data files good" in result.output


def test_run_prints_table_and_writes_json(tmp_path: Path) -> None:
    out = tmp_path / "result.json"
    result = runner.invoke(app, ["run", SCENARIO, "--draws", "500", "--seed", "3", "--json", str(out)])
    assert result.exit_code == 0, result.output
    assert "CON" in result.output and "P(maj)" in result.output
    summary = json.loads(out.read_text())
    assert summary["draws"] == 500
    assert abs(sum(p["mean"] for p in summary["parties"].values()) - 650) < 1e-9


def test_run_refuses_to_overwrite(tmp_path: Path) -> None:
    out = tmp_path / "result.json"
    out.write_text("keep me")
    result = runner.invoke(app, ["run", SCENARIO, "--draws", "10", "--json", str(out)])
    assert result.exit_code == 1
    assert "--force" in result.output
    assert out.read_text() == "keep me"


def test_scenario_check_misspelt_party(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('schema = 1\nbase = "2015"\n[[steps]]\nkind = "shares"\nshares = { Labor = 0.4 }\n')
    result = runner.invoke(app, ["scenario", "check", str(bad)])
    assert result.exit_code == 1
    assert "steps[0].shares" in result.output and "did you mean 'LAB'" in result.output
    assert "Traceback" not in result.output


def test_flip_croydon_prints_166() -> None:
    result = runner.invoke(app, ["flip", "Croydon Central", "--election", "2015", "--from", "GRN", "--to", "LAB"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].strip() == "166"


def test_project_with_explain_and_exports(tmp_path: Path) -> None:
    out_json, out_csv = tmp_path / "p.json", tmp_path / "p.csv"
    args = ["project", SCENARIO, "--explain", "Bury North", "--json", str(out_json), "--csv", str(out_csv)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "change hands" in result.output and "Bury North" in result.output
    doc = json.loads(out_json.read_text())
    assert sum(row["seats"] for row in doc["seats"]) == 650
    assert out_csv.read_text().startswith("party,")


def test_targets_exports_every_seat(tmp_path: Path) -> None:
    out = tmp_path / "t.csv"
    result = runner.invoke(app, ["targets", "LAB", "--election", "2019", "--limit", "5", "--csv", str(out)])
    assert result.exit_code == 0, result.output
    assert "Bury North" in result.output
    assert len(out.read_text().splitlines()) == 1 + 429


def test_scenario_schema_is_json() -> None:
    result = runner.invoke(app, ["scenario", "schema"])
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert "steps" in schema["properties"]


def test_scenario_check_semantic_error_names_file_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "seat.toml"
    bad.write_text('schema = 1\nbase = "2019"\n[[steps]]\nkind = "override"\nseats = ["Hartlepol"]\nstand = ["REF"]\n')
    result = runner.invoke(app, ["scenario", "check", str(bad)])
    assert result.exit_code == 1
    assert str(bad) in result.output
    assert "steps[0].seats" in result.output and "did you mean 'Hartlepool'" in result.output


def test_run_outputs_csv_parquet_blocs(tmp_path: Path) -> None:
    import pandas as pd

    csv, parquet = tmp_path / "seats.csv", tmp_path / "draws.parquet"
    args = [
        "run",
        SCENARIO,
        "--draws",
        "300",
        "--bloc",
        "LAB+LD+SNP",
        "--seats",
        "3",
        "--csv",
        str(csv),
        "--parquet",
        str(parquet),
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "bloc LAB+LD+SNP" in result.output and "closest seats" in result.output
    seats = pd.read_csv(csv)
    assert len(seats) == 650 and {"favourite", "p_favourite", "label", "p_change"} <= set(seats.columns)
    draws = pd.read_parquet(parquet)
    seats_cols = [c for c in draws.columns if not c.startswith("share_")]
    share_cols = [c for c in draws.columns if c.startswith("share_")]
    assert draws.shape == (300, 34) and (draws[seats_cols].sum(axis=1) == 650).all()
    assert share_cols == [f"share_{p}" for p in seats_cols]
    assert abs(draws["share_CON"].mean() - 0.38) < 0.01 and 0.015 < draws["share_CON"].std() < 0.04  # GB target 38%


def test_run_rejects_unknown_bloc_party() -> None:
    result = runner.invoke(app, ["run", SCENARIO, "--draws", "10", "--bloc", "LAB+Labor"])
    assert result.exit_code == 1
    assert "did you mean 'LAB'" in result.output


def test_json_identical_for_one_and_two_threads(tmp_path: Path) -> None:
    one, two = tmp_path / "one.json", tmp_path / "two.json"
    base = ["run", str(Path(SCENARIO).parent / "baseline-2019.toml"), "--draws", "3000", "--seed", "7"]
    assert runner.invoke(app, [*base, "--threads", "1", "--json", str(one)]).exit_code == 0
    assert runner.invoke(app, [*base, "--threads", "2", "--json", str(two)]).exit_code == 0
    assert one.read_bytes() == two.read_bytes()


def test_run_writes_charts(tmp_path: Path) -> None:
    plot, battle = tmp_path / "seats.svg", tmp_path / "battle.png"
    result = runner.invoke(app, ["run", SCENARIO, "--draws", "300", "--plot", str(plot), "--battleground", str(battle)])
    assert result.exit_code == 0, result.output
    assert plot.read_text().lstrip().startswith("<?xml")
    assert battle.read_bytes()[:4] == b"\x89PNG"


def test_run_rejects_unknown_chart_format(tmp_path: Path) -> None:
    result = runner.invoke(app, ["run", SCENARIO, "--draws", "10", "--plot", str(tmp_path / "x.jpg")])
    assert result.exit_code == 1
    assert ".png or .svg" in result.output


def test_the_public_api_is_importable_from_sim() -> None:
    import sim

    for name in sim.__all__:
        assert getattr(sim, name) is not None, name


def test_the_house_is_organised_by_stage() -> None:
    """At most 8 modules at the top of sim/, no source file over 450 lines, kernels import nothing of sim."""
    import ast

    root = Path(__file__).resolve().parent.parent
    assert len(list((root / "sim").glob("*.py"))) <= 8
    for path in [*root.glob("sim/**/*.py"), *root.glob("cli/*.py"), *root.glob("kernels/*.py")]:
        assert len(path.read_text().splitlines()) <= 450, path
    for path in [*root.glob("kernels/*.py"), root / "tests" / "reference.py"]:
        tree = ast.parse(path.read_text())
        modules = [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
        modules += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
        assert not any(m == "sim" or m.startswith("sim.") for m in modules), path


def test_outputs_carry_their_provenance(tmp_path: Path, data_dir: Path | None) -> None:
    """JSON in the document, CSV beside it, Parquet in its metadata; identical on 1 and 2 threads."""
    import hashlib
    import json

    import pyarrow.parquet as pq

    def run_to(folder: Path, threads: str) -> dict:
        folder.mkdir()
        outputs = [
            "--json",
            str(folder / "r.json"),
            "--csv",
            str(folder / "s.csv"),
            "--parquet",
            str(folder / "d.parquet"),
        ]
        args = ["run", SCENARIO, "--draws", "500", "--seed", "3", "--threads", threads, *outputs]
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 0, result.output
        return json.loads((folder / "r.json").read_text())

    doc = run_to(tmp_path / "one", "1")
    prov = doc["provenance"]
    assert prov["seed"] == 3 and prov["draws"] == 500
    assert prov["scenarios"][SCENARIO] == hashlib.sha256(Path(SCENARIO).read_bytes()).hexdigest()
    assert "parliament_psephology/ge2019_candidacies.noheader.csv" in prov["data"]
    assert {"numpy", "numba", "python", "swingometer", "git_commit"} <= set(prov)
    assert json.loads((tmp_path / "one" / "s.csv.provenance.json").read_text()) == prov
    meta = pq.read_schema(tmp_path / "one" / "d.parquet").metadata
    assert json.loads(meta[b"swingometer"]) == prov
    run_to(tmp_path / "two", "2")
    assert (tmp_path / "one" / "r.json").read_bytes() == (tmp_path / "two" / "r.json").read_bytes()


@pytest.mark.parametrize("command", ["run", "compare", "sweep", "coalitions", "backtest", "claims", "report"])
def test_every_simulating_command_takes_threads(command: str) -> None:
    result = CliRunner().invoke(app, [command, "--help"])
    assert result.exit_code == 0 and "--threads" in result.output


@pytest.mark.parametrize(
    "args",
    [["run", SCENARIO], ["compare", SCENARIO, SCENARIO], ["claims", "--only", "croydon"],
     ["coalitions", "--scenario", SCENARIO], ["backtest", "--all", "--draws", "10"],
     ["report", SCENARIO, "--html", "x.html"]],
)  # fmt: skip
def test_threads_have_the_same_bounds_everywhere(args: list[str]) -> None:
    result = CliRunner().invoke(app, [*args, "--threads", "100000"])
    assert result.exit_code == 1 and "numba can use 1 to" in result.output, result.output


def test_provenance_hashes_a_shipped_scenario_named_from_another_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``scenarios/...`` outside the checkout resolves to the shipped copy, for the loader and provenance alike."""
    import hashlib
    import json

    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["project", "scenarios/baseline-2019.toml", "--json", "p.json"])
    assert result.exit_code == 0, result.output
    shipped = Path(__file__).resolve().parent.parent / "scenarios" / "baseline-2019.toml"
    prov = json.loads((tmp_path / "p.json").read_text())["provenance"]
    assert prov["scenarios"]["scenarios/baseline-2019.toml"] == hashlib.sha256(shipped.read_bytes()).hexdigest()


def test_the_library_writes_the_files_the_cli_writes(tmp_path: Path, data_dir: Path | None) -> None:
    """``import sim`` gives the same bytes as ``swingometer run`` and ``project`` (provenance included)."""
    import sim
    from sim.provenance import scenario_provenance

    cli_files = [tmp_path / n for n in ("r.json", "s.csv", "p.json", "p.csv")]
    run_args = [
        "run",
        SCENARIO,
        "--draws",
        "300",
        "--seed",
        "5",
        "--json",
        str(cli_files[0]),
        "--csv",
        str(cli_files[1]),
    ]
    assert CliRunner().invoke(app, run_args).exit_code == 0
    assert (
        CliRunner()
        .invoke(app, ["project", SCENARIO, "--json", str(cli_files[2]), "--csv", str(cli_files[3])])
        .exit_code
        == 0
    )
    scenario, projection = sim.project_file(SCENARIO, data_dir)
    result = sim.run_file(SCENARIO, 300, 5, data_dir=data_dir)
    lib = [tmp_path / f"lib-{p.name}" for p in cli_files]
    written = result.write(json=lib[0], csv=lib[1], provenance=scenario_provenance(SCENARIO, scenario, 5, 300))
    written += projection.write(
        json=lib[2], csv=lib[3], scenario=SCENARIO, provenance=scenario_provenance(SCENARIO, scenario)
    )
    assert set(lib) <= set(written)  # and the CSV files' provenance sidecars
    for a, b in zip(cli_files, lib, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name
    for a in cli_files[1::2]:  # CSV provenance goes beside the file
        assert (a.parent / (a.name + ".provenance.json")).read_bytes() == (b := lib[cli_files.index(a)]).with_name(
            b.name + ".provenance.json"
        ).read_bytes()


def test_the_quickstart_run_prints_no_jargon_and_says_which_number_to_quote() -> None:
    """The README's first command: no balancing or implied-share notes unless asked, one sentence on the headline."""
    result = runner.invoke(app, ["run", "scenarios/uniform-2019-polls.toml", "--draws", "2000", "--seed", "7"])
    assert result.exit_code == 0, result.output
    text = result.output.replace("\n", " ")
    for jargon in ("largest departure", "implied", "balanced;", "steps[0]"):
        assert jargon not in text, jargon
    assert "Quote the simulation: CON" in text and "median of 2,000 simulated elections" in text
    assert "projection without error" in text and "312" in text  # the same seed gives the same projection


def test_shares_written_as_percentages_get_one_plain_line(tmp_path: Path) -> None:
    path = tmp_path / "pct.toml"
    path.write_text('schema = 1\nbase = "2019"\n[[steps]]\nkind = "shares"\nshares = { CON = 38, LAB = 30, LD = 12 }\n')
    result = runner.invoke(app, ["project", str(path)])
    assert result.exit_code == 1
    text = " ".join(result.output.split())
    assert "shares are fractions of the vote, not percentages: write CON = 0.38, LAB = 0.3, LD = 0.12" in text
    assert "less than or equal to 1" not in text


def test_a_party_name_users_type_gets_its_code_suggested() -> None:
    result = runner.invoke(app, ["run", SCENARIO, "--draws", "10", "--bloc", "LAB+LIB"])
    assert result.exit_code == 1 and "did you mean 'LD'" in result.output


def test_flip_and_targets_default_to_the_latest_election_and_say_so() -> None:
    result = runner.invoke(app, ["flip", "Croydon East"])
    assert result.exit_code == 0, result.output
    assert "the 2024 election (the latest; --election names another)" in result.output
    assert "Croydon East (2024)" in " ".join(result.output.split())
    targets = runner.invoke(app, ["targets", "LAB", "--limit", "3"])
    assert targets.exit_code == 0 and "LAB targets from 2024" in targets.output


def test_project_shows_shares_in_the_targets_scope() -> None:
    result = runner.invoke(app, ["project", "scenarios/uniform-2019-polls.toml"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "shares of the GB vote, the scope of the targets" in text and "GB share" in text
    assert "│ CON │ 365 │ 312 │ 44.7% │ 38.5% │ -53 │" in text  # GB shares: the UK's would be 43.6% and 37.6%
