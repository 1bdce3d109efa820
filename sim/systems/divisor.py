"""Highest-averages (divisor) allocation: D'Hondt and Sainte-Lague, with seats already held.

Each of ``seats`` seats goes in turn to the party with the highest quotient ``votes / d(k)``, ``k``
the seats it holds so far (including ``held``, the constituency seats under AMS) and ``d(k) = k + 1``
(D'Hondt, also Jefferson) or ``2k + 1`` (Sainte-Lague, also Webster). Ties go to the party with
more votes, then to the lower column: deterministic, and rare with real vote counts. Sources: the
Scotland Act 1998, section 7 (the Scottish Parliament's regional seats: D'Hondt with the
constituency seats counted); Pukelsheim (2017), *Proportional Representation: Apportionment
Methods and Their Applications*.
"""

from __future__ import annotations

import numpy as np

METHODS = ("dhondt", "sainte-lague")


def divisors(method: str, k: np.ndarray) -> np.ndarray:
    """The divisor for a party holding ``k`` seats."""
    if method == "dhondt":
        return k + 1.0
    if method == "sainte-lague":
        return 2.0 * k + 1.0
    raise ValueError(f"unknown divisor method '{method}'; use one of {', '.join(METHODS)}")


def allocate(votes: np.ndarray, seats: int, method: str = "dhondt", held: np.ndarray | None = None) -> np.ndarray:
    """Seats won per party, ``(n_parties,)`` int: ``seats`` more seats on top of ``held`` (not counted in the result).

    ``votes`` of zero (or parties left out by a threshold, given zero votes) never win a seat.
    """
    votes = np.asarray(votes, dtype=float)
    start = np.zeros(votes.shape, dtype=np.int64) if held is None else np.asarray(held, dtype=np.int64).copy()
    won = np.zeros(votes.shape, dtype=np.int64)
    if seats <= 0 or not (votes > 0).any():
        return won
    order = np.lexsort((np.arange(votes.size), -votes))  # ties: more votes first, then the lower column
    rank = np.empty(votes.size, dtype=np.int64)
    rank[order] = np.arange(votes.size)
    for _ in range(seats):
        quotient = np.where(votes > 0, votes / divisors(method, start + won), -np.inf)
        best = quotient.max()
        tied = np.flatnonzero(quotient == best)
        won[tied[np.argmin(rank[tied])]] += 1
    return won
