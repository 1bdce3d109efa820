"""The counter-based generator: distribution against scipy, and independence of keys."""

from __future__ import annotations

import numpy as np
from scipy import stats

from kernels.rng import normals


def _sample(n: int, seed: int = 7, stream: int = 1, draw: int = 0) -> np.ndarray:
    return normals(np.uint64(seed), np.uint64(stream), np.uint64(draw), n)


def test_moments_and_ks() -> None:
    z = _sample(2_000_000)
    se = 1 / np.sqrt(z.size)
    assert abs(z.mean()) < 5 * se
    assert abs(z.std() - 1) < 5 * se
    assert abs(stats.skew(z)) < 5 * np.sqrt(6 / z.size)
    assert abs(stats.kurtosis(z)) < 5 * np.sqrt(24 / z.size)
    assert stats.kstest(z[:500_000], "norm").pvalue > 1e-4


def test_tails_match_normal() -> None:
    z = _sample(4_000_000, seed=11)
    for t in (2.0, 3.0, 3.5, 4.0):
        expected = 2 * stats.norm.sf(t) * z.size
        observed = (np.abs(z) > t).sum()
        assert abs(observed - expected) < 5 * np.sqrt(expected), (t, observed, expected)
    assert (np.abs(z) > 3.4426).sum() > 0, "the ziggurat tail path is exercised"


def test_same_key_same_numbers_other_key_independent() -> None:
    a = _sample(1000, seed=3, draw=5)
    np.testing.assert_array_equal(a, _sample(1000, seed=3, draw=5))
    for other in (
        _sample(1000, seed=4, draw=5),
        _sample(1000, seed=3, draw=6),
        _sample(1000, seed=3, stream=2, draw=5),
    ):
        assert abs(np.corrcoef(a, other)[0, 1]) < 0.15
        assert not np.array_equal(a, other)
