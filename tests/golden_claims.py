"""The pinned claims: every verdict and key number at fixed draws and seed (``tests/golden/claims.json``).

Regenerate on purpose, after a change that is meant to move a verdict or a number::

    SWINGOMETER_DATA_DIR=... uv run python -m tests.golden_claims

With a fixed seed every number is deterministic, so the golden test compares verdicts exactly and
numbers within a quarter of their Monte Carlo standard error (the ``_se`` number beside them,
where there is one) or 1e-9 relative otherwise: tight enough that any real change fails, loose
enough for floating-point differences between machines.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from sim.claims import Finding, run_claims

DRAWS = 500
SEED = 1
PATH = Path(__file__).parent / "golden" / "claims.json"


def pinned(findings: list[Finding]) -> dict[str, Any]:
    """What the golden file holds: per claim, the verdict, threshold text and every number."""
    return {
        "draws": DRAWS,
        "seed": SEED,
        "claims": {
            f.id: {
                "verdict": f.verdict,
                "threshold": f.threshold,
                "numbers": {k: float(v) for k, v in f.numbers.items()},
            }
            for f in findings
        },
    }


def tolerance(numbers: dict[str, float], key: str) -> float:
    """Allowed difference for a pinned number: a quarter of its standard error, or 1e-9 relative."""
    se = numbers.get(f"{key}_se", 0.0)
    return max(0.25 * se, 1e-9 * max(1.0, abs(numbers[key])))


def differences(golden: dict[str, Any], findings: list[dict[str, Any]]) -> list[str]:
    """Where the findings (as JSON dicts) depart from the golden file: one line per difference."""
    out = []
    if (golden["draws"], golden["seed"]) != (DRAWS, SEED):
        out.append(f"golden file made with draws {golden['draws']}, seed {golden['seed']}")
    now = {f["id"]: f for f in findings}
    if sorted(now) != sorted(golden["claims"]):
        out.append(f"claims {sorted(golden['claims'])} became {sorted(now)}")
    for claim, pinned in golden["claims"].items():
        if claim not in now:
            continue
        got = now[claim]
        for field in ("verdict", "threshold"):
            if got[field] != pinned[field]:
                out.append(f"{claim}: {field} {pinned[field]!r} became {got[field]!r}")
        if sorted(got["numbers"]) != sorted(pinned["numbers"]):
            out.append(f"{claim}: numbers {sorted(set(got['numbers']) ^ set(pinned['numbers']))} added or removed")
        for key, value in pinned["numbers"].items():
            if key in got["numbers"] and abs(got["numbers"][key] - value) > tolerance(pinned["numbers"], key):
                out.append(f"{claim}: {key} {value} became {got['numbers'][key]}")
    return out


def main() -> None:
    """Rerun every claim and rewrite the golden file."""
    data_dir = os.environ.get("SWINGOMETER_DATA_DIR")
    findings = run_claims(DRAWS, SEED, data_dir=data_dir, progress=lambda c: print(f"running {c}"))
    PATH.parent.mkdir(parents=True, exist_ok=True)
    PATH.write_text(json.dumps(pinned(findings), indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {PATH}")


if __name__ == "__main__":
    main()
