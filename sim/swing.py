"""Deterministic swing models: move a scope's vote shares to target values seat by seat.

Shares are fractions of valid votes. ``shares`` is ``(n_seats, n_parties)``, ``stood`` the mask of
parties standing, ``weight`` each seat's valid votes (scope shares are vote-weighted).

Every method hits the targets exactly (to 1e-9): the swing is found by a short fixed-point
iteration, because clipping negative shares at zero and renormalising each seat moves the scope
total away from a one-shot swing. Parties without a target keep their relative sizes and share
what the targets leave (``1 - sum(targets)``).
"""

from __future__ import annotations

import numpy as np

from sim.errors import ScenarioError

TOLERANCE = 1e-10  # on every scope share
MAX_ITERATIONS = 200


def scope_shares(shares: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Vote-weighted shares of a set of seats, ``(n_parties,)``."""
    return (shares * weight[:, None]).sum(axis=0) / weight.sum()


def full_targets(current: np.ndarray, targets: dict[int, float], can_stand: np.ndarray) -> np.ndarray:
    """Complete a partial target vector: untargeted parties share the rest in proportion.

    ``can_stand`` marks parties that stand somewhere in the scope; a party standing nowhere
    cannot be given a positive target.
    """
    out = np.zeros_like(current)
    given = np.zeros(current.size, dtype=bool)
    for p, value in targets.items():
        out[p] = value
        given[p] = True
    rest = 1.0 - out.sum()
    free = ~given & can_stand
    pool = current[free].sum()
    if pool > 0:
        out[free] = current[free] * rest / pool
    elif rest > 1e-9:
        raise ScenarioError(
            f"the targets add up to {1 - rest:.4f} and no other party has votes to take the "
            f"remaining {rest:.4f}; give targets that add up to 1"
        )
    return out


def _renormalise(shares: np.ndarray, stood: np.ndarray) -> np.ndarray:
    clipped = np.where(stood, np.clip(shares, 0.0, None), 0.0)
    totals = clipped.sum(axis=1, keepdims=True)
    return np.divide(clipped, totals, out=np.zeros_like(clipped), where=totals > 0)


def uniform_swing(shares: np.ndarray, stood: np.ndarray, weight: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Uniform national swing: add the same change to a party's share in every seat it fights.

    Negative shares are clipped to zero and each seat renormalised (the clipped mass is taken
    from the other parties in proportion to their shares); the change is then re-solved so the
    scope totals land on ``target``.
    """
    swing = target - scope_shares(shares, weight)
    for _ in range(MAX_ITERATIONS):
        out = _renormalise(shares + np.where(stood, swing, 0.0), stood)
        gap = target - scope_shares(out, weight)
        if np.abs(gap).max() < TOLERANCE:
            return out
        coverage = (stood * weight[:, None]).sum(axis=0) / weight.sum()
        swing += np.divide(gap, coverage, out=np.zeros_like(gap), where=coverage > 0)
    raise _no_convergence("uniform")


def proportional_swing(shares: np.ndarray, stood: np.ndarray, weight: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Proportional swing: multiply a party's share in every seat by the same factor.

    A party's relative strength between seats is kept. Each seat is renormalised, and the
    factors are re-solved so the scope totals land on ``target``.
    """
    current = scope_shares(shares, weight)
    factor = np.divide(target, current, out=np.zeros_like(target), where=current > 0)
    for _ in range(MAX_ITERATIONS):
        out = _renormalise(shares * factor, stood)
        achieved = scope_shares(out, weight)
        if np.abs(target - achieved).max() < TOLERANCE:
            return out
        factor = factor * np.divide(target, achieved, out=np.ones_like(target), where=achieved > 0)
    raise _no_convergence("proportional")


def _no_convergence(method: str) -> ScenarioError:
    return ScenarioError(
        f"{method} swing could not reach the target shares within {MAX_ITERATIONS} iterations; "
        "the targets are probably out of reach for a party that stands in few seats"
    )
