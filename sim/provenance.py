"""Provenance: what produced an output file, so anyone can tell how to reproduce it.

Package version, git commit (when run from a checkout), the versions of Python, numpy and numba,
the sha256 of the scenario files and of the data files read, the seed and the number of draws.
Nothing that varies between identical runs (no time, no thread count), so outputs stay
byte-identical for the same inputs.
"""

from __future__ import annotations

import hashlib
import platform
import subprocess
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

from sim.data.registry import BY_PATH
from sim.data.sources import ELECTION_FILES
from sim.scenario.load import scenario_path
from sim.scenario.schema import CandidaciesStep, Geography, LayoutStep, Scenario, SharesStep


@cache
def _versions() -> dict[str, str | None]:
    from importlib.metadata import PackageNotFoundError, version

    import numpy

    try:
        package = version("swingometer")
    except PackageNotFoundError:
        package = None
    # numba's version from its metadata: importing numba takes about a second, and `project` never needs it.
    return {"swingometer": package, "python": platform.python_version(), "numpy": numpy.__version__,
            "numba": version("numba")}  # fmt: skip


@cache
def git_commit() -> str | None:
    """The checkout's commit when the package runs from a git checkout, else None."""
    root = Path(__file__).resolve().parents[1]
    if not (root / ".git").exists():
        return None
    try:
        done = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() or None if done.returncode == 0 else None


def provenance(
    *,
    scenario_files: Iterable[str | Path] = (),
    elections: Iterable[str] = (),
    seed: int | None = None,
    draws: int | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """The provenance record of an output (see the module docstring).

    ``elections`` names the elections whose data files were read; their registered sha256 are
    listed (the files were checked against them when read).
    """
    data = sorted({f for name in elections for f in ELECTION_FILES.get(str(name), ())})
    record: dict[str, Any] = {**_versions(), "git_commit": git_commit()}

    record["scenarios"] = {str(p): hashlib.sha256(scenario_path(p).read_bytes()).hexdigest() for p in scenario_files}
    record["data"] = {f: BY_PATH[f].sha256 for f in data if f in BY_PATH}
    if seed is not None:
        record["seed"] = seed
    if draws is not None:
        record["draws"] = draws
    record.update(extra)
    return record


def elections_read(scenario: Scenario) -> list[str]:
    """The elections a scenario reads: its base, and any named by a candidacies step or a geography."""
    names = {scenario.base}
    for step in scenario.steps:
        if isinstance(step, CandidaciesStep):
            names.add(step.election)
        likes = [step.like] if isinstance(step, LayoutStep) else []
        likes += [c.like for c in step.stand.values()] if isinstance(step, SharesStep) else []
        names |= {like.election for like in likes if isinstance(like, Geography) and like.election is not None}
    return sorted(names)


def scenario_provenance(
    path: str | Path, scenario: Scenario, seed: int | None = None, draws: int | None = None
) -> dict[str, Any]:
    """The provenance of outputs made from one scenario file (what the CLI stamps on them)."""
    return provenance(scenario_files=[path], elections=elections_read(scenario), seed=seed, draws=draws)
