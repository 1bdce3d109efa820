"""Analyses over many runs: comparisons, sweeps, coalitions, executors and charts."""
