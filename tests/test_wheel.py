"""Marked slow (about 10-40 s; CI runs it): the wheel ships the claim files; `claims` runs from an installed package.

Builds the wheel, installs it into a fresh virtual environment (dependencies from the uv cache or
PyPI) and runs ``swingometer claims --only croydon`` from a folder outside the checkout.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sim.data.election import DataDir

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_installed_wheel_runs_claims_outside_the_checkout(tmp_path: Path, data_dir: DataDir) -> None:
    uv = shutil.which("uv")
    assert uv is not None, "the wheel test needs uv on PATH (CI installs it)"
    subprocess.run([uv, "build", "--wheel", "-q", "-o", str(tmp_path / "dist"), str(ROOT)], check=True)
    (wheel,) = (tmp_path / "dist").glob("swingometer-*.whl")
    venv = tmp_path / "venv"
    subprocess.run([uv, "venv", "-q", "--python", sys.executable, str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run([uv, "pip", "install", "-q", "--python", str(python), str(wheel)], check=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    if data_dir is not None:
        env["SWINGOMETER_DATA_DIR"] = str(data_dir)
    run = subprocess.run(
        [str(venv / "bin" / "swingometer"), "claims", "--only", "croydon", "--draws", "200", "--json", "out.json"],
        cwd=elsewhere, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    (finding,) = json.loads((elsewhere / "out.json").read_text())
    assert finding["verdict"] == "supported"
    assert finding["files"] == ["scenarios/claims/croydon.toml"]
    where = subprocess.run(
        [str(python), "-c", "from sim.core.resources import scenarios_dir; print(scenarios_dir())"],
        cwd=elsewhere, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert str(ROOT) not in where.stdout and "site-packages" in where.stdout
    # The example scenarios ship too: `scenarios/...` paths resolve to the packaged copies.
    example = subprocess.run(
        [str(venv / "bin" / "swingometer"), "scenario", "check", "scenarios/examples/hartlepool-by-election.toml"],
        cwd=elsewhere, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert example.returncode == 0, example.stdout + example.stderr
