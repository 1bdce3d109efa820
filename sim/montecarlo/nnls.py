"""Non-negative least squares in two unknowns, closed form (the national error's two scales)."""

from __future__ import annotations

import numpy as np


def nnls2(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """Non-negative least squares in two unknowns: ``argmin |a x - b|`` with ``x >= 0``.

    The problem is convex, so the optimum is the unconstrained solution when it is non-negative
    and otherwise the best of the boundary candidates (one unknown at zero, or both); the same
    answer as ``scipy.optimize.nnls`` (tested) without importing scipy.optimize (half a second).
    """
    candidates = [np.zeros(2)]
    for j in (0, 1):
        norm = float(a[:, j] @ a[:, j])
        if norm > 0:
            x = np.zeros(2)
            x[j] = max(float(a[:, j] @ b) / norm, 0.0)
            candidates.append(x)
    free = np.linalg.lstsq(a, b, rcond=None)[0]
    if (free >= 0).all():
        candidates.append(free)
    best = min(candidates, key=lambda x: float(np.sum((a @ x - b) ** 2)))
    return float(best[0]), float(best[1])
