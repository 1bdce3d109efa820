"""Deterministic swing models: move a scope's vote shares to target values seat by seat.

``shares`` is ``(n_seats, n_parties)`` (fractions of valid votes), ``stood`` the mask of parties
standing, ``weight`` each seat's valid votes (scope shares are vote-weighted) and ``full`` the
scope share wanted for *every* party (:func:`implied_targets` fills in the parties a scenario
gives no target).

Uniform swing works this way in a seat: it says how much each standing party should gain or
lose there (the same number of points in every seat it fights, a loss capped at what the party
has), and then balances the seat (:func:`balance`). A seat's intended changes need not add up to
zero: a party that moves elsewhere does not stand there, or a loser has less than its change.
That residual goes first to the standing parties that fight only part of the scope (less than
``PARTIAL_COVERAGE`` of its votes), whose candidacies cause it, so the parties fighting the
whole scope keep their uniform change. What they cannot take is balanced by one rule: where the
gains exceed the losses, the seat is renormalised over the parties that move (the textbook
clip-and-renormalise uniform swing: every mover gives up the excess in proportion to its share);
where the losses exceed the gains (a gaining party is absent), the two sides meet halfway: gains
grow and losses shrink, each in proportion to its change, so no loser ends above its start and a
seat where no party gains keeps its shares. This rule is uniform swing's, so it is the last step
of the fitted models and of every uniform-swing scenario and backtest alike (proportional swing
and the strong transition model balance a seat their own way). The per-party changes are then
re-solved until the scope's vote-weighted shares equal the targets (to ``TOLERANCE``).
Proportional swing renormalises each seat instead; the strong transition model is exact by
construction (see each function).

Each method returns the new shares and ``correction``, the largest amount (in share points) by
which balancing moved a party fighting the whole scope away from its intended change in any seat
(the departure from the textbook formula, shown to the user), and ``absorbed``, the largest
amount by which it moved a party fighting part of it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from sim.core.errors import ScenarioError
from sim.core.parties import PARTIES

TOLERANCE = 1e-10
FIXED_POINT_ITERATIONS = 400
"""Fixed-point iterations before Newton's method takes over (uniform and proportional swing; STM stops there)."""
ACCEPTABLE = 1e-7
"""A solver that has not reached ``TOLERANCE`` after ``MAX_ITERATIONS`` still succeeds within this."""
PARTIAL_COVERAGE = 0.8
"""A party fighting less than this share of the scope's votes takes a seat's residual first."""
PARTIAL_LIMIT = 3.0
"""A party taking a seat's residual first moves between 1/this and this times its change (before the common rule)."""
MAX_SEED = 0.5
"""Proportional swing: the new candidacies in a seat start with at most this much of it between them."""
WEAK_LIMIT = 0.20
"""Strong transition model: weak supporters are at most this share of a seat's turnout."""

MEETING = 0.1
"""An untargeted party meets the targets where the targeted parties hold at least this fraction of their scope share
in its seats."""
OTHERS_RULES = ("keep", "proportional")
"""How parties without a target get their implied scope share (see :func:`implied_targets`)."""


class Swung(NamedTuple):
    """The result of a swing: new shares and the largest balancing departures in any seat (share points).

    ``correction`` is the largest for a party fighting the whole scope, ``absorbed`` the largest
    for a party fighting part of it (which takes a seat's residual first, by design).
    """

    shares: np.ndarray
    correction: float
    absorbed: float = 0.0


def scope_shares(shares: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Vote-weighted shares of a set of seats, ``(n_parties,)``."""
    return (shares * weight[:, None]).sum(axis=0) / weight.sum()


def coverage(stood: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Share of the scope's votes cast in seats where each party stands, ``(n_parties,)``."""
    return (stood * weight[:, None]).sum(axis=0) / weight.sum()


def implied_targets(
    shares: np.ndarray, stood: np.ndarray, weight: np.ndarray, target: np.ndarray, targeted: np.ndarray,
    *, others: str = "keep", multiplicative: bool = False,
) -> np.ndarray:  # fmt: skip
    """Scope shares for every party: the targets, and for the others the scenario's rule.

    ``keep`` (the default): parties without a target keep their scope shares. With complete
    targets they stay exactly where they were. What the targets leave over is added to them as
    one change for all: the same number of points in every seat each of them fights (uniform
    and strong transition), or the same fraction of their share (``multiplicative``, for
    proportional swing). What the targets leave short is taken from them as the same fraction
    of each one's share, as the transition model takes votes from declining parties (so no
    small party is driven to zero by a large party's target).
    ``proportional``: they share what the targets leave in proportion to their scope shares.

    Either way, an untargeted party in whose seats the targeted parties hold less than ``MEETING``
    of their scope share keeps its scope share: votes hardly move between it and the targets
    (Northern Ireland's parties under a ``uk`` step with targets for Great Britain's parties,
    where the Conservatives stand on about 1%).
    """
    current = scope_shares(shares, weight)
    full = np.where(targeted, target, 0.0)
    # A party "meets" the targets where the targeted parties hold a real part of the votes it fights, as
    # against their share of the scope (a Conservative on 1% in a Northern Irish seat is no meeting).
    targeted_share = (shares * targeted).sum(axis=1)
    fought = (stood * weight[:, None]).sum(axis=0)
    exposure = np.divide(((stood * weight[:, None]) * targeted_share[:, None]).sum(axis=0), fought,
                         out=np.zeros_like(fought), where=fought > 0)  # fmt: skip
    meets = exposure >= MEETING * max(float(current[targeted].sum()), 1e-12)
    apart = ~targeted & stood.any(axis=0) & ~meets
    full[apart] = current[apart]
    rest = 1.0 - target[targeted].sum() - current[apart].sum()
    free = ~targeted & stood.any(axis=0) & meets
    if rest < -1e-12 and apart.any():
        names = ", ".join(PARTIES[p] for p in np.flatnonzero(apart)) if len(current) == len(PARTIES) else "some"
        raise ScenarioError(
            f"the targets add up to more than the {100 * (1 - current[apart].sum()):.1f}% left by the parties that "
            f"stand only where no targeted party does ({names}, which keep their share); lower the targets, or use a "
            "smaller scope (gb rather than uk)"
        )
    if not free.any():
        return full
    held = current[free].sum()
    if abs(rest - held) < 1e-12:  # complete targets: the others keep their shares exactly
        full[free] = current[free]
        return full
    if others == "proportional" or multiplicative or rest < held:
        full[free] = current[free] * (rest / held) if held > 0 else rest / free.sum()
        return full
    if others != "keep":
        raise ScenarioError(f"unknown rule for untargeted parties '{others}'; choose {' or '.join(OTHERS_RULES)}")
    cov = coverage(stood, weight)[free]
    lo, hi = -1.0, 1.0  # points per seat: the untargeted parties' common change, found by bisection
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if np.maximum(current[free] + mid * cov, 0.0).sum() < rest:
            lo = mid
        else:
            hi = mid
    full[free] = np.maximum(current[free] + 0.5 * (lo + hi) * cov, 0.0)
    full[free] *= rest / full[free].sum() if full[free].sum() > 0 else 0.0
    return full


def balance(
    shares: np.ndarray, stood: np.ndarray, change: np.ndarray, partial: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Apply intended per-seat changes, adjusted so each seat's shares still add up to one.

    ``change`` is ``(n_seats, n_parties)``; a loss is first capped at the party's share. A seat's
    residual (its intended gains less its losses) is first taken by the standing parties marked
    ``partial`` (``(n_parties,)`` bool: those fighting part of the scope, :func:`absorb_residual`).
    What is left is balanced by one rule. Where a
    seat's intended gains ``G`` exceed its losses ``L`` (a loser has less than its change, or does
    not stand there), the parties that move are renormalised: each mover's share after its change
    is scaled by the same factor, so every mover gives up the excess in proportion to its share
    (the textbook uniform swing; a large gaining party can end below its start: in Rotherham in
    2024, where no Conservative stood, Labour's projected share fell 14 points against a regional
    rise, its share of Reform's and the Greens' unfunded gains). Where the losses exceed the gains (a
    gaining party is absent), gains are scaled by ``2L / (G + L)`` and losses by ``2G / (G + L)``:
    the two sides meet halfway, so no party ends above its start against a loss, and a seat where
    no party gains keeps its shares (a Green target does not inflate the parties of a seat the
    Greens do not fight). A party with no change never moves.
    Returns the new shares and each party's departure from its (capped) intended change.
    """
    intended = np.where(stood, np.maximum(change, -shares), 0.0)
    delta = intended if partial is None or not partial.any() else absorb_residual(shares, intended, partial & stood)
    moved = np.where(stood, np.maximum(shares + delta, 0.0), 0.0)
    mover = stood & (delta != 0)
    gain = np.where(delta > 0, delta, 0.0).sum(axis=1, keepdims=True)
    loss = np.where(delta < 0, -delta, 0.0).sum(axis=1, keepdims=True)
    fixed = np.where(mover, 0.0, moved).sum(axis=1, keepdims=True)
    movers = np.where(mover, moved, 0.0).sum(axis=1, keepdims=True)
    scale = np.divide(1.0 - fixed, movers, out=np.ones_like(movers), where=movers > 0)
    renormalised = np.where(mover, moved * scale, moved)
    both = gain + loss
    halfway = shares + np.where(
        delta > 0,
        delta * np.divide(2 * loss, both, out=np.ones_like(both), where=both > 0),
        delta * np.divide(2 * gain, both, out=np.ones_like(both), where=both > 0),
    )
    out = np.where(gain > loss, renormalised, np.where(stood, np.maximum(halfway, 0.0), 0.0))
    return out, np.where(stood, np.abs(out - shares - intended), 0.0)


def absorb_residual(shares: np.ndarray, change: np.ndarray, partial: np.ndarray) -> np.ndarray:
    """A seat's residual taken by the parties fighting part of the scope, in proportion to their changes.

    ``change`` is ``(n_seats, n_parties)`` with losses capped at the shares; ``partial`` marks
    the parties that may take the residual (``(n_parties,)`` or ``(n_seats, n_parties)`` bool).
    Where the seat's changes add up to more than zero, the partial parties' gains shrink, then
    their losses grow; where they add up to less, their gains grow, then their losses shrink.
    In this step each party's change stays between ``1 / PARTIAL_LIMIT`` and ``PARTIAL_LIMIT``
    times its intended change (a loss at most its share); each adjustment is shared in
    proportion to the parties' room to move that way. Returns the adjusted changes; what is left
    of the residual is for :func:`balance` to share out, and that step can move a partial party
    further (halfway doubles a gain at most; renormalising scales it with the seat).
    """
    part = np.broadcast_to(partial, change.shape)
    residual = change.sum(axis=1, keepdims=True)  # > 0: more gains than losses
    gain = np.where(part & (change > 0), change, 0.0)
    loss = np.where(part & (change < 0), -change, 0.0)

    def share_out(amount: np.ndarray, room: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``amount`` (per seat) spread over ``room`` (per party) in proportion, at most the room."""
        total = room.sum(axis=1, keepdims=True)
        taken = np.minimum(amount, total)
        return room * np.divide(taken, total, out=np.zeros_like(total), where=total > 0), amount - taken

    excess, deficit = np.maximum(residual, 0.0), np.maximum(-residual, 0.0)
    least = 1.0 / PARTIAL_LIMIT
    cut, excess = share_out(excess, gain * (1.0 - least))
    deeper, _ = share_out(excess, np.minimum(loss * PARTIAL_LIMIT, shares) - loss)
    most = gain * PARTIAL_LIMIT
    grow, deficit = share_out(deficit, most - gain)
    relief, _ = share_out(deficit, loss * (1.0 - least))
    return change - cut + grow + np.where(part & (change < 0), relief - deeper, 0.0)


def _solve(
    method: str, step: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]], update: Callable[..., np.ndarray],
    params: np.ndarray, weight: np.ndarray, full: np.ndarray, strict: bool, partial: np.ndarray | None = None,
) -> Swung:  # fmt: skip
    """Iterate ``params`` until the scope shares of ``step(params)`` equal ``full``.

    Parameters that the fixed-point iteration does not settle (uniform swing's changes where a
    party's balancing share is out of step with its change, proportional swing's factors for a
    party surging from a few seats) are then solved by Newton's method (:func:`_newton`).
    """
    for _ in range(FIXED_POINT_ITERATIONS):
        out, departure = step(params)
        gap = full - scope_shares(out, weight)
        if np.abs(gap).max() < TOLERANCE:
            break
        params = update(params, gap, out)
    else:
        if method in NEWTON_BOUNDS:
            params, out, departure, gap = _newton(step, params, weight, full, NEWTON_BOUNDS[method])
        if strict and np.abs(gap).max() > ACCEPTABLE:
            raise unreachable(method, full, gap)
    if partial is None:
        return Swung(out, float(departure.max(initial=0.0)))
    return Swung(out, float(departure[:, ~partial].max(initial=0.0)), float(departure[:, partial].max(initial=0.0)))


def _newton(
    step: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]],
    d: np.ndarray,
    weight: np.ndarray,
    full: np.ndarray,
    bounds: tuple[float, float],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Newton's method on the per-party parameters ``d``, kept within ``bounds``.

    The parameters are uniform swing's changes or proportional swing's factors; each step solves a
    finite-difference Jacobian by least squares and halves until the largest gap shrinks.
    """

    def evaluate(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        out, departure = step(x)
        return out, departure, full - scope_shares(out, weight)

    out, departure, gap = evaluate(d)
    for _ in range(NEWTON_ITERATIONS):
        moving = np.flatnonzero((np.abs(gap) > 0) | (d != 0))
        error = np.abs(gap).max()
        if error < TOLERANCE or not moving.size:
            break
        jacobian = np.empty((moving.size, moving.size))
        for c, j in enumerate(moving):
            nudged = d.copy()
            nudged[j] += NEWTON_STEP
            jacobian[:, c] = (gap[moving] - evaluate(nudged)[2][moving]) / NEWTON_STEP
        direction = np.zeros_like(d)
        direction[moving] = np.linalg.lstsq(jacobian, gap[moving], rcond=None)[0]
        t = 1.0
        while t > 1e-4:
            trial = np.clip(d + t * direction, *bounds)
            o, dep, g = evaluate(trial)
            if np.abs(g).max() < error:
                d, out, departure, gap = trial, o, dep, g
                break
            t /= 2
        else:
            break
    return d, out, departure, gap


NEWTON_ITERATIONS = 50
NEWTON_STEP = 1e-7
NEWTON_BOUNDS = {"uniform": (-1.0, 1.0), "proportional": (1e-9, 1e9)}
"""The methods the fixed-point iteration hands over to Newton's method, and their parameters' bounds."""


def unreachable(method: str, full: np.ndarray, gap: np.ndarray) -> ScenarioError:
    """The error for targets a swing cannot reach, naming the party furthest from its target."""
    worst = int(np.argmax(np.abs(gap)))
    name = PARTIES[worst] if len(gap) == len(PARTIES) else f"column {worst}"
    wanted, reached = 100 * full[worst], 100 * (full[worst] - gap[worst])
    digits = 1 if abs(wanted - reached) >= 0.05 else 4  # never "30.0% ... stops at 30.0%"
    return ScenarioError(
        f"{method} swing cannot reach {name}'s share of {wanted:.{digits}f}% in this scope (it stops at "
        f"{reached:.{digits}f}%; for a party without a target that is its implied share): it fights too "
        "few seats, or must gain where the other parties lose too little; give it a target in a smaller "
        "scope (e.g. a Scotland step for the SNP), or set targets for fewer parties"
    )


def uniform_swing(
    shares: np.ndarray, stood: np.ndarray, weight: np.ndarray, full: np.ndarray, *, strict: bool = True
) -> Swung:
    """Uniform swing: every party's share changes by the same number of points in every seat it fights.

    The change of party ``p`` starts at ``(full[p] - S[p]) / coverage[p]`` (its scope change
    spread over the seats it fights) and is re-solved after balancing (:func:`balance`) by a
    fixed-point iteration. A party whose target is zero loses everything everywhere (its change
    is -1, which no iteration need approach).
    """
    cov = coverage(stood, weight)
    partial = cov < PARTIAL_COVERAGE
    wanted = full - scope_shares(shares, weight)
    gone = (full <= 0) & (cov > 0)

    def step(d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return balance(shares, stood, np.broadcast_to(d, shares.shape), partial)

    def update(d: np.ndarray, gap: np.ndarray, out: np.ndarray) -> np.ndarray:
        additive = d + np.divide(gap, cov, out=np.zeros_like(gap), where=cov > 0)
        # A party taking residuals moves more (or less) than its change: rescale its change instead.
        achieved = wanted - gap
        ratio = np.divide(wanted, achieved, out=np.ones_like(gap), where=np.abs(achieved) > 1e-12)
        scaled = partial & (ratio > 0) & (np.abs(wanted) > 1e-12)
        return np.where(gone, -1.0, np.where(scaled, np.clip(d * np.clip(ratio, 0.5, 2.0), -1.0, 1.0), additive))

    start = np.where(gone, -1.0, np.divide(wanted, cov, out=np.zeros_like(full), where=cov > 0))
    return _solve("uniform", step, update, start, weight, full, strict, partial)


def proportional_swing(
    shares: np.ndarray, stood: np.ndarray, weight: np.ndarray, full: np.ndarray, *, strict: bool = True
) -> Swung:
    """Proportional swing: every party's share is multiplied by the same factor in every seat it fights.

    Each seat is then divided by its total (the textbook renormalisation, which keeps the
    proportional character: a party's share relative to another's changes by the same ratio in
    every seat). Where a party stands with no votes yet (it newly stands there) it has nothing to
    scale: it starts there from its target share if it is new to the scope, else from its mean
    share in the seats where it has votes.
    """
    current = scope_shares(shares, weight)
    new = (current <= 0) & (full > 0)
    # Where a party stands with no votes (it newly stands there), there is nothing to scale: it starts
    # from its target share (a party new to the scope) or from its mean share where it has votes.
    held = coverage(stood & (shares > 0), weight)
    mean = np.divide(current, held, out=np.zeros_like(current), where=held > 0)
    seed = np.where(new, full, np.where(full > 0, mean, 0.0))
    room = np.where(stood & (shares <= 0), seed[None, :], 0.0)
    room *= np.minimum(1.0, MAX_SEED / np.maximum(room.sum(axis=1, keepdims=True), 1e-300))
    if room.any():
        shares = np.where(room > 0, room, shares * (1.0 - room.sum(axis=1, keepdims=True)))
        current = scope_shares(shares, weight)

    def step(f: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        scaled = np.where(stood, shares * f, 0.0)
        total = scaled.sum(axis=1, keepdims=True)
        out = np.divide(scaled, total, out=shares.copy(), where=total > 0)
        return out, np.abs(out - scaled)

    def update(f: np.ndarray, gap: np.ndarray, out: np.ndarray) -> np.ndarray:
        achieved = scope_shares(out, weight)
        f = f * np.divide(full, achieved, out=np.ones_like(full), where=achieved > 0)
        # Renormalisation makes the factors scale-free: keep them bounded (a target a party cannot
        # reach, with strict=False, would otherwise grow its factor until it overflows).
        return f / f.max() if f.max() > 0 else f

    start = np.divide(full, current, out=np.ones_like(full), where=current > 0)
    return _solve("proportional", step, update, start, weight, full, strict)


def stm_swing(
    shares: np.ndarray, stood: np.ndarray, weight: np.ndarray, full: np.ndarray, *, strict: bool = True
) -> Swung:
    """Strong transition model (Electoral Calculus): declining parties lose weak supporters first.

    Each party's vote in a seat splits into weak supporters (up to ``WEAK_LIMIT`` of the seat's
    turnout) and strong supporters (the rest). A declining party loses the same fraction of its
    weak supporters in every seat; only if that is not enough does it lose the same fraction of
    its strong supporters too. The votes released in a seat go to the gaining parties standing
    there, in proportion to one weight per gainer; where no gainer stands, the seat keeps its
    votes. The loss fractions and gain weights are solved together so that every party lands on
    its scope target exactly: no closing pass by another method.
    """
    current = scope_shares(shares, weight)
    change = full - current
    weak = np.minimum(shares, WEAK_LIMIT)
    strong = shares - weak
    weak_total = scope_shares(weak, weight)
    loser = change < 0
    gainer = change > 0

    def step(params: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        need, g = params[0], params[1]
        from_weak = np.divide(np.minimum(need, weak_total), weak_total, out=np.zeros_like(need), where=weak_total > 0)
        strong_total = scope_shares(strong, weight)
        extra = np.maximum(need - weak_total, 0.0)
        from_strong = np.divide(extra, strong_total, out=np.zeros_like(need), where=strong_total > 0)
        loss = np.where(loser, weak * np.clip(from_weak, 0, 1) + strong * np.clip(from_strong, 0, 1), 0.0)
        eligible = stood & gainer
        w = np.where(eligible, g, 0.0)
        wsum = w.sum(axis=1, keepdims=True)
        loss = np.where(wsum > 0, loss, 0.0)  # no gainer stands: the seat keeps its votes
        released = loss.sum(axis=1, keepdims=True)
        alloc = np.divide(w, wsum, out=np.zeros_like(w), where=wsum > 0) * released
        return shares - loss + alloc, np.zeros(1)

    def update(params: np.ndarray, gap: np.ndarray, out: np.ndarray) -> np.ndarray:
        need, g = params[0].copy(), params[1].copy()
        need[loser] -= gap[loser]
        achieved = scope_shares(out, weight) - current
        ratio = np.divide(change, achieved, out=np.full_like(change, 2.0), where=gainer & (achieved > 0))
        g[gainer] *= np.clip(ratio[gainer], 0.5, 2.0)  # bounded steps; only the weights' ratios matter
        return np.array([need, g / max(g.max(), 1e-300)])

    start = np.array([np.where(loser, -change, 0.0), np.where(gainer, change, 0.0)])
    return _solve("stm", step, update, start, weight, full, strict)


METHODS: dict[str, Callable[..., Swung]] = {
    "uniform": uniform_swing,
    "proportional": proportional_swing,
    "stm": stm_swing,
}
"""Swing method by the name scenario files use."""
