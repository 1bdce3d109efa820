"""Deterministic swing models: move a scope's vote shares to target values seat by seat.

``shares`` is ``(n_seats, n_parties)`` (fractions of valid votes), ``stood`` the mask of parties
standing, ``weight`` each seat's valid votes (scope shares are vote-weighted), ``target`` the
scope share wanted for each party in ``targeted``.

Parties with a target hit it exactly (to 1e-10). Parties without one form a block: in every seat
they keep their relative sizes and together they take what the targets leave (``1 - sum(targets)``).
Clipping negative shares at zero and renormalising each seat moves the scope totals away from a
one-shot swing, so each method re-solves its swing by a short fixed-point iteration.
"""

from __future__ import annotations

import numpy as np

from sim.errors import ScenarioError

TOLERANCE = 1e-10
MAX_ITERATIONS = 500
WEAK_LIMIT = 0.20
"""Strong transition model: weak supporters are at most this share of a seat's turnout."""


def scope_shares(shares: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Vote-weighted shares of a set of seats, ``(n_parties,)``."""
    return (shares * weight[:, None]).sum(axis=0) / weight.sum()


def _renormalise(shares: np.ndarray, stood: np.ndarray) -> np.ndarray:
    clipped = np.where(stood, np.clip(shares, 0.0, None), 0.0)
    totals = clipped.sum(axis=1, keepdims=True)
    return np.divide(clipped, totals, out=np.zeros_like(clipped), where=totals > 0)


def _gaps(out: np.ndarray, weight: np.ndarray, target: np.ndarray, targeted: np.ndarray) -> tuple[np.ndarray, float]:
    achieved = scope_shares(out, weight)
    rest_target = 1.0 - target[targeted].sum()
    rest = achieved[~targeted].sum()
    return np.where(targeted, target - achieved, 0.0), (rest_target / rest if rest > 0 else 1.0)


def uniform_swing(
    shares: np.ndarray, stood: np.ndarray, weight: np.ndarray, target: np.ndarray, targeted: np.ndarray,
    *, strict: bool = True,
) -> np.ndarray:  # fmt: skip
    """Uniform swing: add the same change to a targeted party's share in every seat it fights.

    Negative shares are clipped to zero and each seat renormalised (the clipped mass is taken
    from the other parties in proportion to their shares); the changes are re-solved until the
    scope totals land on the targets.
    """
    swing = np.where(targeted, target - scope_shares(shares, weight), 0.0)
    block = 1.0
    coverage = (stood * weight[:, None]).sum(axis=0) / weight.sum()
    for _ in range(MAX_ITERATIONS):
        raw = np.where(targeted, shares + swing, shares * block)
        out = _renormalise(raw, stood)
        gap, ratio = _gaps(out, weight, target, targeted)
        if np.abs(gap).max() < TOLERANCE and abs(ratio - 1.0) < TOLERANCE:
            return out
        swing += np.divide(gap, coverage, out=np.zeros_like(gap), where=coverage > 0)
        block *= ratio
    if not strict:
        return out
    raise _no_convergence("uniform")


def proportional_swing(
    shares: np.ndarray, stood: np.ndarray, weight: np.ndarray, target: np.ndarray, targeted: np.ndarray,
    *, strict: bool = True,
) -> np.ndarray:  # fmt: skip
    """Proportional swing: multiply a targeted party's share in every seat by the same factor.

    A party's relative strength between seats is kept. Each seat is renormalised, and the
    factors are re-solved until the scope totals land on the targets. A targeted party with no
    votes yet (it newly stands) has nothing to scale: it starts from its target share in every
    seat it fights.
    """
    current = scope_shares(shares, weight)
    new = targeted & (current <= 0) & (target > 0)
    if new.any():
        shares = np.where(new & stood, target, shares)
        current = scope_shares(shares, weight)
    factor = np.where(targeted, np.divide(target, current, out=np.zeros_like(target), where=current > 0), 1.0)
    for _ in range(MAX_ITERATIONS):
        out = _renormalise(shares * factor, stood)
        gap, ratio = _gaps(out, weight, target, targeted)
        if np.abs(gap).max() < TOLERANCE and abs(ratio - 1.0) < TOLERANCE:
            return out
        achieved = scope_shares(out, weight)
        factor = np.where(
            targeted, factor * np.divide(target, achieved, out=np.ones_like(target), where=achieved > 0), factor * ratio
        )
    if not strict:
        return out  # the closest reachable: a party cannot pass 100% in the few seats it has votes in
    raise _no_convergence("proportional")


def stm_swing(
    shares: np.ndarray, stood: np.ndarray, weight: np.ndarray, target: np.ndarray, targeted: np.ndarray,
    *, strict: bool = True,
) -> np.ndarray:  # fmt: skip
    """Strong transition model (Electoral Calculus): declining parties lose weak supporters first.

    Each party's vote in a seat splits into weak supporters (up to ``WEAK_LIMIT`` of the seat's
    turnout) and strong supporters (the rest). A declining party loses the same fraction of its
    weak supporters in every seat; only if that is not enough does it lose the same fraction of
    its strong supporters too. The votes released in a seat go to the gaining parties that stand
    there, in proportion to their national gains; where no gainer stands, the seat keeps its
    votes. Untargeted parties take part with the target that keeps their share of the block.
    Gainers cannot gain where they do not stand, so the pass lands close to, not on, the targets;
    a final proportional swing (typically a few tenths of a point) makes the totals exact.
    With ``strict=False`` unreachable targets give the closest result instead of an error.
    """
    current = scope_shares(shares, weight)
    rest = current[~targeted].sum()
    full = np.where(targeted, target, current * ((1.0 - target[targeted].sum()) / rest if rest > 0 else 0.0))
    change = full - current
    weak = np.minimum(shares, WEAK_LIMIT)
    strong = shares - weak
    weak_total = scope_shares(weak, weight)
    strong_total = scope_shares(strong, weight)
    need = np.where(change < 0, -change, 0.0)
    from_weak = np.divide(np.minimum(need, weak_total), weak_total, out=np.zeros_like(need), where=weak_total > 0)
    extra = np.maximum(need - weak_total, 0.0)
    from_strong = np.minimum(np.divide(extra, strong_total, out=np.zeros_like(need), where=strong_total > 0), 1.0)
    loss = weak * from_weak + strong * from_strong
    gain = np.where(change > 0, change, 0.0)
    eligible = stood & (gain > 0)
    placeable = eligible.any(axis=1)
    loss[~placeable] = 0.0
    released = loss.sum(axis=1)
    w = eligible * gain
    alloc = w / np.where(placeable, w.sum(axis=1), 1.0)[:, None] * released[:, None]
    first = shares - loss + alloc
    return proportional_swing(first, stood, weight, target, targeted, strict=strict)


def _no_convergence(method: str) -> ScenarioError:
    return ScenarioError(
        f"{method} swing could not reach the target shares within {MAX_ITERATIONS} iterations; "
        "the targets are probably out of reach for a party that stands in few seats"
    )
