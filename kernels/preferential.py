"""The alternative vote (instant runoff) in one constituency, compiled: used seat by seat and draw by draw.

The count (docs/systems.md): while no continuing candidate holds more than half of the continuing
votes, the candidate with the fewest is excluded and its whole pile passes to the continuing
candidates in proportion to its party's row of the preference matrix (``prefs[e, q]``: the share
of ``e``'s voters ranking ``q`` next), renormalised over the candidates still in the count. A pile
whose row gives nothing to any continuing candidate exhausts. Ties for the fewest exclude the later
candidate (candidates come in descending order of projected share, so the one projected lower).
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def irv_winner(first: np.ndarray, parties: np.ndarray, prefs: np.ndarray, pile: np.ndarray, alive: np.ndarray) -> int:
    """The winner (an index into ``first``) of an instant-runoff count.

    Parameters
    ----------
    first : (k,) float64
        First preferences of the ``k`` candidates.
    parties : (k,) int64
        Each candidate's party column (its row and column of ``prefs``).
    prefs : (n_parties, n_parties) float64
        Transfer weights, row ``e`` for an excluded ``e``'s pile; only ratios within a row matter.
    pile, alive : (>= k,) float64 and bool
        Scratch space.

    """
    k = first.size
    for j in range(k):
        pile[j] = first[j]
        alive[j] = True
    remaining = k
    while True:
        total = 0.0
        top = -1
        for j in range(k):
            if alive[j]:
                total += pile[j]
                if top < 0 or pile[j] > pile[top]:
                    top = j
        if remaining <= 1 or pile[top] * 2.0 > total:
            return top
        low = -1
        for j in range(k):
            if alive[j] and (low < 0 or pile[j] <= pile[low]):
                low = j
        alive[low] = False
        remaining -= 1
        e = parties[low]
        weight = 0.0
        for j in range(k):
            if alive[j]:
                weight += prefs[e, parties[j]]
        if weight > 0.0:
            moved = pile[low] / weight
            for j in range(k):
                if alive[j]:
                    pile[j] += moved * prefs[e, parties[j]]
        pile[low] = 0.0


@njit(cache=True)
def av_winners(votes: np.ndarray, stood: np.ndarray, prefs: np.ndarray) -> np.ndarray:
    """Each seat's AV winner (a party column) from its candidates' first preferences ``votes`` ``(n_seats, n_parties)``.

    Candidates are the parties that stood, in descending order of their votes (the kernel's order).
    """
    n_seats, n_parties = votes.shape
    out = np.empty(n_seats, dtype=np.int64)
    first = np.empty(n_parties)
    parties = np.empty(n_parties, dtype=np.int64)
    pile = np.empty(n_parties)
    alive = np.empty(n_parties, dtype=np.bool_)
    for i in range(n_seats):
        order = np.argsort(-votes[i], kind="mergesort")
        k = 0
        for p in order:
            if stood[i, p]:
                first[k] = votes[i, p]
                parties[k] = p
                k += 1
        out[i] = parties[irv_winner(first[:k], parties[:k], prefs, pile, alive)] if k > 0 else -1
    return out
