"""A local-level Kalman filter and Rauch-Tung-Striebel smoother with pollster house effects (numpy only).

The state at time ``t`` is ``x = [mu, h_1, ..., h_{H-1}]``: ``mu`` the level (``d`` numbers, the
parties' additive log-ratios) and one house effect per pollster but the last, whose effect is
``h_H = -(h_1 + ... + h_{H-1})``, so the effects sum to zero over the pollsters. Between two
observations ``dt`` days apart the level takes a random-walk step ``N(0, dt Q)``; house effects do
not move. Observation ``k``, by pollster ``j``, is ``y_k = mu + h_j + e_k`` with ``e_k ~ N(0, R_k)``
on its observed components (a NaN is a component the poll did not report). ``R_k`` may depend on
the predicted observation (the sampling variance depends on the shares), so it is given as a
function called with the prediction.

:func:`filter_smooth` returns the filtered and smoothed states at every observation and the
log-likelihood (for fitting the variances).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

ObsCov = Callable[[int, np.ndarray], np.ndarray]
"""``R(k, predicted y_k) -> (d, d)``: observation ``k``'s noise covariance over all ``d`` components."""


@dataclass(frozen=True)
class Filtered:
    """The filter's and smoother's output, one row per observation (in the order given).

    Attributes
    ----------
    times : (n,) float64
    predicted_mean, filtered_mean, smoothed_mean : (n, D) float64
        The state before and after observation ``k``, and given every observation (``D = d H``).
    predicted_cov, filtered_cov, smoothed_cov : (n, D, D) float64
    obs_cov : (n, d, d) float64
        The ``R_k`` used (NaN where not observed).
    loglik : float
        The Gaussian log-likelihood of the observations (prediction-error decomposition).
    d, n_house : int

    """

    times: np.ndarray
    predicted_mean: np.ndarray
    predicted_cov: np.ndarray
    filtered_mean: np.ndarray
    filtered_cov: np.ndarray
    smoothed_mean: np.ndarray
    smoothed_cov: np.ndarray
    obs_cov: np.ndarray
    loglik: float
    d: int
    n_house: int

    def house_effects(self, mean: np.ndarray) -> np.ndarray:
        """Every pollster's effect ``(H, d)`` from a state vector (the last is minus the others' sum)."""
        return np.array([design(self.d, self.n_house, j)[:, self.d :] @ mean[self.d :] for j in range(self.n_house)])


def design(d: int, n_house: int, house: int) -> np.ndarray:
    """``Z`` with ``y = Z x`` for pollster ``house`` (``(d, d H)``)."""
    z = np.zeros((d, d * n_house))
    z[:, :d] = np.eye(d)
    if n_house > 1:
        if house < n_house - 1:
            z[:, d * (house + 1) : d * (house + 2)] = np.eye(d)
        else:
            for j in range(n_house - 1):
                z[:, d * (j + 1) : d * (j + 2)] = -np.eye(d)
    return z


def initial(
    d: int, n_house: int, mean: np.ndarray, cov: np.ndarray, house_cov: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The prior state: level ``N(mean, cov)``; house effects iid ``N(0, house_cov)`` conditioned to sum to zero.

    Independent effects conditioned on their sum being zero have covariance ``house_cov`` times
    ``I - J / H`` over pollsters; the first ``H - 1`` of them are the state.
    """
    size = d * n_house
    x0 = np.zeros(size)
    x0[:d] = mean
    p0 = np.zeros((size, size))
    p0[:d, :d] = cov
    if n_house > 1:
        k = n_house - 1
        p0[d:, d:] = np.kron(np.eye(k) - np.ones((k, k)) / n_house, house_cov)
    return x0, p0


def filter_smooth(
    times: np.ndarray,
    y: np.ndarray,
    house: np.ndarray,
    n_house: int,
    obs_cov: ObsCov,
    drift: np.ndarray,
    x0: np.ndarray,
    p0: np.ndarray,
) -> Filtered:
    """Filter and smooth ``y`` (``(n, d)``, NaN: not observed) observed at ``times`` (sorted, days).

    ``drift`` is the level's random-walk covariance per day ``(d, d)``; ``x0, p0`` the prior at
    ``times[0]`` (:func:`initial`).
    """
    n, d = y.shape
    size = x0.size
    if n and np.any(np.diff(times) < 0):
        raise ValueError("observations must be in time order")
    xp, pp = np.zeros((n, size)), np.zeros((n, size, size))
    xf, pf = np.zeros((n, size)), np.zeros((n, size, size))
    used = np.full((n, d, d), np.nan)
    x, p = x0.astype(float).copy(), p0.astype(float).copy()
    loglik = 0.0
    last = times[0] if n else 0.0
    for k in range(n):
        p = p.copy()
        p[:d, :d] += (times[k] - last) * drift
        last = times[k]
        xp[k], pp[k] = x, p
        z = design(d, n_house, int(house[k]))
        seen = ~np.isnan(y[k])
        if seen.any():
            r = obs_cov(k, z @ x)
            used[k] = r
            zs, rs = z[seen], r[np.ix_(seen, seen)]
            v = y[k, seen] - zs @ x
            f = zs @ p @ zs.T + rs
            f = 0.5 * (f + f.T)
            gain = np.linalg.solve(f, zs @ p).T
            x = x + gain @ v
            a = np.eye(size) - gain @ zs
            p = a @ p @ a.T + gain @ rs @ gain.T  # Joseph form: stays symmetric and positive
            _, logdet = np.linalg.slogdet(f)
            loglik -= 0.5 * (logdet + v @ np.linalg.solve(f, v) + seen.sum() * np.log(2 * np.pi))
        xf[k], pf[k] = x, p
    xs, ps = xf.copy(), pf.copy()
    for k in range(n - 2, -1, -1):
        gain = np.linalg.solve(pp[k + 1], pf[k]).T  # P_f[k] P_p[k+1]^-1 (both symmetric)
        xs[k] = xf[k] + gain @ (xs[k + 1] - xp[k + 1])
        ps[k] = pf[k] + gain @ (ps[k + 1] - pp[k + 1]) @ gain.T
        ps[k] = 0.5 * (ps[k] + ps[k].T)
    return Filtered(times, xp, pp, xf, pf, xs, ps, used, float(loglik), d, n_house)
