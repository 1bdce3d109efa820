"""The registry of evaluators and the runner: claim files grouped by id, each evaluated into a finding."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sim.claims import arithmetic, flows, geography
from sim.claims.model import CLAIM_KEYS, VERDICTS, Context, Finding
from sim.core.errors import SwingometerError, did_you_mean
from sim.core.resources import scenarios_dir
from sim.data.election import DataDir
from sim.scenario.load import load_scenario
from sim.scenario.schema import Scenario

Evaluator = Callable[[Context, Finding], None]

# The report's order: local arithmetic, national flows, geography.
EVALUATORS: dict[str, Evaluator] = {
    "croydon": arithmetic.croydon,
    "nuneaton-arithmetic": arithmetic.nuneaton_arithmetic,
    "nuneaton-ukip": flows.nuneaton_ukip,
    "ukip-12": flows.ukip_12,
    "progressive-alliance": flows.progressive_alliance,
    "england-wales": flows.england_wales,
    "green-split": flows.green_split,
    "cities-towns": geography.cities_towns,
    "retreat-to-cities": geography.retreat_to_cities,
    "rainbow-2010": arithmetic.rainbow_2010,
    "leave-realignment": geography.leave_realignment,
    "ukip-sweep": geography.ukip_sweep,
}


def claims_dir() -> Path:
    """The folder of claim files shipped with the package (or the checkout's)."""
    return scenarios_dir() / "claims"


def claim_files(folder: Path | None = None) -> dict[str, list[tuple[Path, Scenario]]]:
    """Claim scenario files grouped by ``[claim] id``, in the order of :data:`EVALUATORS`."""
    folder = claims_dir() if folder is None else folder
    found: dict[str, list[tuple[Path, Scenario]]] = {}
    for path in sorted(folder.glob("*.toml")):
        scenario = load_scenario(path)
        missing = [k for k in CLAIM_KEYS if not scenario.claim.get(k)]
        if missing:
            raise SwingometerError(f"{path}: the [claim] table needs {', '.join(missing)}")
        claim_id = scenario.claim["id"]
        if claim_id not in EVALUATORS:
            raise SwingometerError(
                f"{path}: no evaluator for claim '{claim_id}'{did_you_mean(claim_id, list(EVALUATORS))}"
            )
        found.setdefault(claim_id, []).append((path, scenario))
    # The file named after the claim leads its group: its quote, test and assumptions are the claim's.
    return {k: sorted(found[k], key=lambda f: f[0].stem != k) for k in EVALUATORS if k in found}


def evaluate(
    claim_id: str, files: list[tuple[Path, Scenario]], draws: int, seed: int, data_dir: DataDir = None
) -> Finding:
    """Run one claim's evaluator."""
    first = files[0][1].claim
    finding = Finding(
        id=claim_id,
        essay=first["essay"],
        quote=first["quote"],
        test=first["test"],
        assumptions=first["assumptions"],
        files=[f"scenarios/{p.parent.name}/{p.name}" for p, _ in files],
    )
    scenarios = {s.claim.get("variant", p.stem): s for p, s in files}
    EVALUATORS[claim_id](Context(scenarios, draws, seed, data_dir), finding)
    if finding.verdict not in VERDICTS:
        raise AssertionError(f"claim {claim_id}: evaluator gave no verdict")
    return finding


def run_claims(
    draws: int,
    seed: int,
    *,
    only: list[str] | None = None,
    data_dir: DataDir = None,
    progress: Callable[[str], object] | None = None,
) -> list[Finding]:
    """Evaluate every claim (or those in ``only``)."""
    files = claim_files()
    for claim_id in only or []:
        if claim_id not in files:
            raise SwingometerError(
                f"no claim '{claim_id}'{did_you_mean(claim_id, list(files))}; claims: {', '.join(files)}"
            )
    out = []
    for claim_id, group in files.items():
        if only and claim_id not in only:
            continue
        if progress is not None:
            progress(claim_id)
        out.append(evaluate(claim_id, group, draws, seed, data_dir))
    return out
