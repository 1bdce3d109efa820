"""Numba kernels: pure functions of arrays (random numbers, Monte Carlo)."""
