"""Distributions of uncertain scenario parameters as inverse-CDF tables (``[uncertainty.parameters]``)."""

from __future__ import annotations

import numpy as np

from sim.scenario.schema import Distribution

QUANTILE_POINTS = 1025
TAIL = 1e-6  # quantile tables run from TAIL to 1 - TAIL


def quantile_table(dist: Distribution) -> np.ndarray:
    """Inverse-CDF table of a distribution at ``QUANTILE_POINTS`` evenly spaced probabilities."""
    from scipy import stats  # imported here: it is slow to import and only parameters need it

    u = np.linspace(TAIL, 1 - TAIL, QUANTILE_POINTS)
    if dist.beta is not None:
        return stats.beta(*dist.beta).ppf(u)
    if dist.normal is not None:
        return stats.norm(*dist.normal).ppf(u)
    if dist.uniform is not None:
        lo, hi = dist.uniform
        return lo + (hi - lo) * u
    assert dist.triangular is not None
    lo, mode, hi = dist.triangular
    return stats.triang((mode - lo) / (hi - lo) if hi > lo else 0.5, loc=lo, scale=hi - lo).ppf(u)
