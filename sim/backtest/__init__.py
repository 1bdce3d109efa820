"""Backtests on past elections, and the calibration of the default uncertainty."""
