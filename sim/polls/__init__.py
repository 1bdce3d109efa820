"""Voting-intention polls: the poll-table format, its sources, and the poll average (a Kalman filter and smoother)."""
