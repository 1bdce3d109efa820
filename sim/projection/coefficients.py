"""The fitted models' coefficients: the shipped fits, and those a scenario file gives.

``linked_coefficients.json`` and ``multiparty_coefficients.json`` (next to this module) hold the
fits on every backtest pair; ``uv run python -m sim.backtest.refit --force`` rewrites them, and a
test refits and compares. A ``shares`` step can give its own (``[steps.coefficients]``): a
backtest's written scenario carries the coefficients fitted without the election it predicts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from sim.core.errors import ScenarioError, SwingometerError
from sim.projection.terms import LINKED_DESCRIPTIONS, LINKED_TERMS
from sim.scenario import schema as s

SHIPPED = {
    "linked": Path(__file__).with_name("linked_coefficients.json"),
    "multiparty": Path(__file__).with_name("multiparty_coefficients.json"),
}
"""The coefficient file of each fitted method."""
LINEAGES = ("CON", "GRN", "LAB", "LD", "PC", "SNP", "UKIP")
"""The lineages a fit can give coefficients for."""


@dataclass(frozen=True)
class Coefficients:
    """Per-lineage linked coefficients ``(kappa, sophomore, standing down)`` and the shared terms' values."""

    linked: dict[str, np.ndarray]
    shared: dict[str, float]

    def without(self, *terms: str) -> Coefficients:
        """The same model with some shared terms switched off."""
        return Coefficients(self.linked, {k: (0.0 if k in terms else v) for k, v in self.shared.items()})

    def to_dict(self) -> dict[str, object]:
        """As a scenario file's ``coefficients`` table."""
        out: dict[str, object] = {"linked": {k: [float(x) for x in v] for k, v in sorted(self.linked.items())}}
        if self.shared:
            out["shared"] = {k: float(self.shared[k]) for k in s.SHARED_TERMS}
        return out

    def to_json(self, method: str, pairs: list[str]) -> str:
        """The coefficient file's text."""
        return json.dumps({"method": method, "pairs": pairs, "linked_terms": list(LINKED_DESCRIPTIONS),
                           **self.to_dict()}, indent=2) + "\n"  # fmt: skip


def read(path: Path, method: str) -> Coefficients:
    """Coefficients from a file written by :meth:`Coefficients.to_json`."""
    try:
        data = json.loads(path.read_text())
        linked = {str(k): np.array(v, dtype=np.float64) for k, v in data["linked"].items()}
        shared = {str(k): float(v) for k, v in data.get("shared", {}).items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise SwingometerError(f"cannot read the {method} model's coefficients from {path}: {exc}") from None
    if any(v.shape != (len(LINKED_TERMS),) or not np.isfinite(v).all() for v in linked.values()):
        raise SwingometerError(f"{path}: every lineage needs {len(LINKED_TERMS)} finite linked coefficients")
    if method == "multiparty" and set(shared) != set(s.SHARED_TERMS):
        raise SwingometerError(f"{path}: expected the shared terms {', '.join(s.SHARED_TERMS)}")
    return Coefficients(linked, shared if method == "multiparty" else {})


@cache
def shipped(method: str) -> Coefficients:
    """The shipped coefficients of a fitted method (read once)."""
    return read(SHIPPED[method], method)


def for_step(step: s.SharesStep, where: str) -> Coefficients:
    """The coefficients a ``linked`` or ``multiparty`` step uses: its own, else the shipped fit."""
    if step.coefficients is None:
        return shipped(step.method)
    unknown = sorted({k.strip().upper() for k in step.coefficients.linked} - set(LINEAGES))
    if unknown:
        raise ScenarioError(
            f"{where}.coefficients.linked: no lineage '{unknown[0]}' (lineages: {', '.join(LINEAGES)}; the Brexit "
            "Party and Reform use UKIP's)"
        )
    linked = {k.strip().upper(): np.array(v, dtype=np.float64) for k, v in step.coefficients.linked.items()}
    return Coefficients(linked, dict(step.coefficients.shared))
