"""A bare roofline for context: argmax over fixed noise, no random numbers, no error model."""

from __future__ import annotations

import numpy as np
from numba import njit, prange


@njit(parallel=True, cache=True)
def argmax_fixed_noise(shares: np.ndarray, cand_ptr: np.ndarray, cand_idx: np.ndarray,
                       noise: np.ndarray, n_draws: int) -> np.ndarray:  # fmt: skip
    """Seats per party per draw when draw ``d`` adds ``noise[d % len(noise)]`` to the shares."""
    n_seats, n_parties = shares.shape
    counts = np.zeros((n_draws, n_parties), dtype=np.int32)
    for d in prange(n_draws):
        layer = noise[d % noise.shape[0]]
        for i in range(n_seats):
            best = -np.inf
            w = 0
            for j in range(cand_ptr[i], cand_ptr[i + 1]):
                p = cand_idx[j]
                x = shares[i, p] + layer[i, p]
                if x > best:
                    best = x
                    w = p
            counts[d, w] += 1
    return counts
