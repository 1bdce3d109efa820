"""Disproportionality and fragmentation: how far seats are from votes.

* **Gallagher's least-squares index** (Gallagher 1991, "Proportionality, disproportionality and
  electoral systems", *Electoral Studies* 10(1)): ``sqrt(sum((v_i - s_i)^2) / 2)`` over parties, in
  percentage points of the vote and of the seats.
* **Loosemore-Hanby index** (Loosemore & Hanby 1971, *British Journal of Political Science* 1(4)):
  ``sum(|v_i - s_i|) / 2``, the share of seats held beyond a party's share of the votes.
* **Effective number of parties** (Laakso & Taagepera 1979, *Comparative Political Studies* 12(1)):
  ``1 / sum(p_i^2)`` of the vote shares or of the seat shares.

Parties are the engine's columns as labelled (independents together, as are the other candidates).
"""

from __future__ import annotations

import numpy as np


def _shares(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    total = x.sum(axis=-1, keepdims=True)
    return np.divide(x, total, out=np.zeros_like(x), where=total > 0)


def gallagher(votes: np.ndarray, seats: np.ndarray) -> np.ndarray | float:
    """Gallagher's least-squares index in percentage points (per row for 2-d input)."""
    diff = 100 * (_shares(votes) - _shares(seats))
    return np.sqrt((diff**2).sum(axis=-1) / 2)


def loosemore_hanby(votes: np.ndarray, seats: np.ndarray) -> np.ndarray | float:
    """Loosemore-Hanby index in percentage points (per row for 2-d input)."""
    return np.abs(100 * (_shares(votes) - _shares(seats))).sum(axis=-1) / 2


def effective_parties(x: np.ndarray) -> np.ndarray | float:
    """Laakso-Taagepera effective number of parties of votes or seats (per row for 2-d input)."""
    squares = (_shares(x) ** 2).sum(axis=-1)
    return np.divide(1.0, squares, out=np.zeros_like(squares), where=squares > 0)


INDEX_NAMES = {"gallagher": "Gallagher index", "loosemore_hanby": "Loosemore-Hanby index",
               "enp_votes": "eff. parties (votes)", "enp_seats": "eff. parties (seats)"}  # fmt: skip
"""The indices by key, with the names tables show."""


def indices(votes: np.ndarray, seats: np.ndarray) -> dict[str, np.ndarray | float]:
    """Every index of :data:`INDEX_NAMES` for votes and seats (per row for 2-d input)."""
    return {
        "gallagher": gallagher(votes, seats),
        "loosemore_hanby": loosemore_hanby(votes, seats),
        "enp_votes": effective_parties(votes),
        "enp_seats": effective_parties(seats),
    }
