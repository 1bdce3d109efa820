"""Voting-intention polls: the poll-table format, its sources, and the poll average (a Kalman filter and smoother)."""

SHIPPED = ("2024-final", "nations-final")
"""The poll tables shipped with the package (``sim/polls/data/NAME.csv``)."""
NAMES = ("pollbase", *SHIPPED)
"""Every named poll source (:mod:`sim.polls.sources`); kept here, light, for the command line's help."""
