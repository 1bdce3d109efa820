"""Preferential counts, compiled: the alternative vote per constituency and STV per district, draw by draw.

The count (docs/systems.md): while no continuing candidate holds more than half of the continuing
votes, the candidate with the fewest is excluded and its whole pile passes to the continuing
candidates in proportion to its party's row of the preference matrix (``prefs[e, q]``: the share
of ``e``'s voters ranking ``q`` next), renormalised over the candidates still in the count. A pile
whose row gives nothing to any continuing candidate exhausts. Ties for the fewest exclude the later
candidate (candidates come in descending order of projected share, so the one projected lower).

STV (:func:`stv_count`, docs/systems.md) is counted party by party: each party's candidates
share one pile (perfect transfers between running mates), and each pooled column (independents,
others, the Speaker) is its strongest single candidate in the district.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange, uint64

from kernels.rng import key, normal
from kernels.terms import STREAM_PREFERENCE


@njit(cache=True)
def draw_preferences(seed: np.uint64, draw: np.uint64, prefs: np.ndarray, out: np.ndarray) -> None:
    """Draw ``draw``'s preference matrix: ``prefs[0]`` times a mean-one log-normal factor per cell, log sd ``prefs[1]``.

    The factors are keyed by (seed, draw, cell), so every count of a draw (AV in the seat kernel,
    STV after it) uses the same matrix.
    """
    n = prefs.shape[1]
    base = key(seed, uint64(STREAM_PREFERENCE), draw)
    for e in range(n):
        for q in range(n):
            s = prefs[1, e, q]
            out[e, q] = prefs[0, e, q]
            if s > 0.0 and prefs[0, e, q] > 0.0:
                out[e, q] *= np.exp(s * normal(base, uint64(e * n + q)) - 0.5 * s * s)


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


@njit(cache=True)
def _pass_on(e: int, pile: np.ndarray, parties: np.ndarray, running: np.ndarray, prefs: np.ndarray) -> None:
    """Unit ``e``'s pile passes to the running units in proportion to its party's row (exhausts if it gives none)."""
    k = parties.size  # the scratch arrays may be longer
    weight = 0.0
    for j in range(k):
        if running[j]:
            weight += prefs[parties[e], parties[j]]
    if weight > 0.0:
        moved = pile[e] / weight
        for j in range(k):
            if running[j]:
                pile[j] += moved * prefs[parties[e], parties[j]]
    pile[e] = 0.0


@njit(cache=True)
def stv_count(first: np.ndarray, parties: np.ndarray, caps: np.ndarray, members: int, total: float,
              prefs: np.ndarray, pile: np.ndarray, running: np.ndarray, won: np.ndarray) -> None:  # fmt: skip
    """An STV count in one district, by party piles: ``won[j]`` members elected from unit ``j``.

    Parameters
    ----------
    first : (k,) float64
        First preferences of the ``k`` units (a party's candidates together, or one candidate),
        in descending order.
    parties : (k,) int64
        Each unit's column (its row and column of ``prefs``).
    caps : (k,) int64
        The most members a unit can elect: its candidates (``members`` for a party, 1 for a
        single candidate).
    members : int
        Seats to fill.
    total : float
        Valid votes in the district: the Droop quota is ``total / (members + 1)`` (exact, fixed).
    prefs : (n_parties, n_parties) float64
        Transfer weights, as for :func:`irv_winner`.
    pile, running, won : (>= k,) float64, bool, int64
        Scratch space and the result.

    Notes
    -----
    Each round: a unit whose pile exceeds the quota (the largest first) elects a member and keeps
    its surplus for its running mates, or passes it on (Weighted Inclusive Gregory: the whole
    pile at the surplus's value, by the unit's row) once all its candidates are elected. With
    none over the quota, if no more units are running than seats are left, the largest pile
    elects a member (its pile less a quota, at least 0, stays); otherwise the smallest pile is
    excluded (the later unit on ties) and passes on whole. Transfers skip elected and excluded
    units.

    """
    k = first.size
    quota = total / (members + 1.0)
    for j in range(k):
        pile[j] = first[j]
        running[j] = caps[j] > 0
        won[j] = 0
    left = members
    while left > 0:
        top = -1
        n_running = 0
        for j in range(k):
            if running[j]:
                n_running += 1
                if top < 0 or pile[j] > pile[top]:
                    top = j
        if n_running == 0:
            return
        if pile[top] > quota or n_running <= left:
            won[top] += 1
            left -= 1
            pile[top] = max(pile[top] - quota, 0.0)
            if won[top] == caps[top]:
                running[top] = False
                _pass_on(top, pile, parties, running, prefs)
            continue
        low = -1
        for j in range(k):
            if running[j] and (low < 0 or pile[j] <= pile[low]):
                low = j
        running[low] = False
        _pass_on(low, pile, parties, running, prefs)


@njit(cache=True)
def stv_district(votes: np.ndarray, top: np.ndarray, listed: np.ndarray, members: int, prefs: np.ndarray,
                 seats: np.ndarray) -> None:  # fmt: skip
    """Add one district's STV seats per party to ``seats``.

    ``votes`` are the district's votes per column; a listed column (a party) is one unit with up
    to ``members`` candidates, any other (independents, others, the Speaker) its strongest single
    candidate, ``top``, whose running mates are not in the count (their votes count in the quota
    and exhaust).
    """
    n = votes.size
    scratch = np.empty((3, n))
    units = np.empty((3, n), dtype=np.int64)
    _stv_district(votes, top, listed, members, prefs, seats, scratch, units, np.empty(n, dtype=np.bool_))


@njit(cache=True)
def _stv_district(votes: np.ndarray, top: np.ndarray, listed: np.ndarray, members: int, prefs: np.ndarray,
                  seats: np.ndarray, scratch: np.ndarray, units: np.ndarray, running: np.ndarray) -> None:  # fmt: skip
    """:func:`stv_district` with its scratch space given: ``scratch`` (3, n) float64, ``units`` (3, n) int64."""
    n = votes.size
    value = scratch[0]
    first = scratch[1]
    pile = scratch[2]
    parties = units[0]
    caps = units[1]
    won = units[2]
    total = 0.0
    for p in range(n):
        value[p] = votes[p] if listed[p] else top[p]
        total += votes[p]
    k = 0
    for p in range(n):  # insertion into descending order of first preferences (ties: the lower column first)
        v = value[p]
        if v <= 0.0:
            continue
        j = k
        while j > 0 and first[j - 1] < v:
            first[j] = first[j - 1]
            parties[j] = parties[j - 1]
            j -= 1
        first[j] = v
        parties[j] = p
        k += 1
    for j in range(k):
        caps[j] = members if listed[parties[j]] else 1
    stv_count(first[:k], parties[:k], caps[:k], members, total, prefs, pile, running, won)
    for j in range(k):
        seats[parties[j]] += won[j]


@njit(parallel=True, cache=True)
def stv_draws(group_votes: np.ndarray, group_top: np.ndarray, top_cols: np.ndarray, group_district: np.ndarray,
              members: np.ndarray, listed: np.ndarray, prefs: np.ndarray, seed: np.uint64,
              first_draw: int) -> np.ndarray:  # fmt: skip
    """STV seats per party in every draw, ``(n_draws, n_parties)`` int64, from the seat kernel's group tallies.

    ``group_votes`` ``(n_draws, n_groups, n_parties)`` are summed into districts
    (``group_district``, -1 for groups in none) and ``group_top`` ``(n_draws, n_groups,
    len(top_cols))`` give the strongest single candidate of the columns ``top_cols``; draw ``d``
    counts with its own preference matrix (:func:`draw_preferences` of ``first_draw + d``).
    """
    n_draws, n_groups, n_parties = group_votes.shape
    n_districts = members.size
    out = np.zeros((n_draws, n_parties), dtype=np.int64)
    for d in prange(n_draws):
        votes = np.zeros((n_districts, n_parties))
        top = np.zeros((n_districts, n_parties))
        matrix = np.empty((n_parties, n_parties))
        scratch = np.empty((3, n_parties))
        units = np.empty((3, n_parties), dtype=np.int64)
        running = np.empty(n_parties, dtype=np.bool_)
        draw_preferences(seed, uint64(first_draw + d), prefs, matrix)
        for g in range(n_groups):
            k = group_district[g]
            if k < 0:
                continue
            for p in range(n_parties):
                votes[k, p] += group_votes[d, g, p]
            for s in range(top_cols.size):
                top[k, top_cols[s]] = max(top[k, top_cols[s]], group_top[d, g, s])
        for k in range(n_districts):
            _stv_district(votes[k], top[k], listed, members[k], matrix, out[d], scratch, units, running)
    return out
