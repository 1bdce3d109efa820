"""The linked model's shipped coefficients: fitted on every backtest pair, stored as JSON.

Scenario files use ``method = "linked"`` with the coefficients in ``linked_coefficients.json``
(next to this module): per party lineage, ``kappa`` (the multiple of a between-region Leave slope
applied within regions), the sophomore-MP term and the MP-standing-down term, fitted by
:func:`sim.projection.linked.fit` on all four backtest pairs. :mod:`sim.backtest.refit_linked`
refits and rewrites them (``uv run python -m sim.backtest.refit_linked --force``); a test refits
and checks the shipped file, so it cannot go stale silently.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import numpy as np

from sim.core.errors import SwingometerError
from sim.projection.linked import FEATURES

SHIPPED = Path(__file__).with_name("linked_coefficients.json")
"""The coefficients scenario files use."""


def read(path: Path) -> dict[str, np.ndarray]:
    """Coefficients per party lineage from a file written by :func:`to_json`."""
    try:
        data = json.loads(path.read_text())
        table = data["coefficients"]
        out = {str(k): np.array(v, dtype=np.float64) for k, v in table.items()}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise SwingometerError(f"cannot read the linked model's coefficients from {path}: {exc}") from None
    if any(v.shape != (len(FEATURES),) or not np.isfinite(v).all() for v in out.values()):
        raise SwingometerError(f"{path}: every party needs {len(FEATURES)} finite coefficients")
    return out


@cache
def shipped() -> dict[str, np.ndarray]:
    """The shipped coefficients (read once)."""
    return read(SHIPPED)
