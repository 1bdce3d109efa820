"""Fixed-size summaries of the seat counts, accumulated batch by batch as a run proceeds.

A run of any length keeps the same state: per party a histogram of its seat count (0-650), the
draws in which it holds an effective majority and those in which it is the largest party, and the
same histogram and counter for each bloc named before the run. Every summary the results give
(means, quantiles, majority and largest-party probabilities, blocs) is read from this state, so
memory does not grow with the number of draws; only the per-draw file (``--parquet``) needs the
draws themselves, and it is streamed as batches finish.

Definitions (the same as :mod:`sim.montecarlo.results`):

* **effective majority**: more than half of the MPs who vote, ``floor((650 - speaker seats - 3 -
  SF seats) / 2) + 1`` in each draw;
* **largest party**: strictly more seats than any other party (a tie for first counts for none).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from sim.core.parties import PARTIES, PARTY_INDEX
from sim.data.model import MAJORITY, N_SEATS

DEPUTY_SPEAKERS = 3
Bloc = tuple[str, ...]


def effective_threshold(seat_counts: np.ndarray) -> np.ndarray:
    """Seats needed for an effective majority in each draw, ``(n_draws,)``."""
    absent = seat_counts[:, PARTY_INDEX["SPK"]] + seat_counts[:, PARTY_INDEX["SF"]] + DEPUTY_SPEAKERS
    return (N_SEATS - absent) // 2 + 1


def column_histograms(counts: np.ndarray, top: int = N_SEATS) -> np.ndarray:
    """Histogram of each column of non-negative integer ``counts`` (at most ``top``), ``(n_columns, top + 1)``.

    One bincount over the flattened counts, each column offset into its own row.
    """
    n_columns = counts.shape[1]
    offsets = np.arange(n_columns, dtype=np.int64) * (top + 1)
    flat = (counts.astype(np.int64) + offsets).ravel()
    return np.bincount(flat, minlength=n_columns * (top + 1)).reshape(n_columns, top + 1)


def histogram_mean(hist: np.ndarray) -> np.ndarray:
    """Mean value of each row of a histogram over 0, 1, 2, ..."""
    return (hist @ np.arange(hist.shape[-1])) / hist.sum(axis=-1)


def histogram_quantiles(hist: np.ndarray, qs: Sequence[float]) -> np.ndarray:
    """Inverted-CDF quantiles of integer counts from their histograms, ``(len(qs), n_rows)``.

    ``hist`` is ``(n_rows, N_SEATS + 1)``: the smallest count with at least a share ``q`` of the
    draws at or below it, exactly as ``np.quantile(..., method="inverted_cdf")`` on the draws.
    """
    cdf = np.cumsum(hist, axis=1)
    n = cdf[:, -1:]
    out = np.empty((len(qs), hist.shape[0]))
    for k, q in enumerate(qs):
        out[k] = (cdf < q * n).sum(axis=1)  # the first bin whose cumulative count reaches q * n
    return out


class SeatSummary:
    """Seat-count summaries of a run, the same size for ten draws or ten million.

    Parameters
    ----------
    n_parties : int
    blocs : sequence of sequences of party codes
        Blocs whose seat distribution the run keeps (``--bloc``); each is a tuple of codes.

    """

    def __init__(self, n_parties: int = len(PARTIES), blocs: Sequence[Sequence[str]] = ()) -> None:
        self.draws = 0
        self.hist = np.zeros((n_parties, N_SEATS + 1), dtype=np.int64)
        self.effective = np.zeros(n_parties, dtype=np.int64)
        self.largest = np.zeros(n_parties, dtype=np.int64)
        self.blocs: dict[Bloc, np.ndarray] = {}
        self.bloc_effective: dict[Bloc, int] = {}
        self.bloc_columns: dict[Bloc, list[int]] = {}
        for members in blocs:
            key = tuple(members)
            self.bloc_columns[key] = [PARTY_INDEX[m] for m in key]
            self.blocs[key] = np.zeros(N_SEATS + 1, dtype=np.int64)
            self.bloc_effective[key] = 0

    @classmethod
    def of(cls, seat_counts: np.ndarray, blocs: Sequence[Sequence[str]] = ()) -> SeatSummary:
        """The summary of a whole ``(n_draws, n_parties)`` array at once."""
        summary = cls(seat_counts.shape[1], blocs)
        summary.add(seat_counts)
        return summary

    def add(self, counts: np.ndarray) -> None:
        """Fold in a batch of draws, ``(n, n_parties)`` seat counts."""
        n = counts.shape[0]
        if n == 0:
            return
        self.draws += n
        self.hist += column_histograms(counts)
        threshold = effective_threshold(counts)
        self.effective += (counts >= threshold[:, None]).sum(axis=0)
        top = counts.max(axis=1, keepdims=True)
        at_top = counts == top
        alone = at_top.sum(axis=1) == 1
        self.largest += (at_top & alone[:, None]).sum(axis=0)
        for key, cols in self.bloc_columns.items():
            seats = counts[:, cols].sum(axis=1)
            self.blocs[key] += np.bincount(seats, minlength=N_SEATS + 1)
            self.bloc_effective[key] += int((seats >= threshold).sum())

    # --- per party -------------------------------------------------------------------------

    def mean(self) -> np.ndarray:
        """Mean seats per party."""
        return histogram_mean(self.hist)

    def quantiles(self, qs: Sequence[float]) -> np.ndarray:
        """Inverted-CDF seat quantiles per party, ``(len(qs), n_parties)``."""
        return histogram_quantiles(self.hist, qs)

    def p_at_least(self, seats: int) -> np.ndarray:
        """P(party wins at least ``seats``), per party."""
        return self.hist[:, seats:].sum(axis=1) / self.draws

    def p_majority(self) -> np.ndarray:
        """P(at least 326 seats), per party."""
        return self.p_at_least(MAJORITY)

    def p_effective_majority(self) -> np.ndarray:
        """P(effective majority), per party."""
        return self.effective / self.draws

    def p_largest(self) -> np.ndarray:
        """P(strictly more seats than any other party), per party."""
        return self.largest / self.draws

    def won_any(self) -> np.ndarray:
        """Whether each party won a seat in any draw."""
        return np.asarray(self.hist[:, 1:].any(axis=1))

    # --- blocs -----------------------------------------------------------------------------

    def bloc(self, members: Sequence[str]) -> dict[str, float]:
        """Mean, 90% interval and majority probabilities of a bloc named before the run."""
        key = tuple(members)
        hist = self.blocs[key]
        p5, p95 = histogram_quantiles(hist[None, :], (0.05, 0.95))[:, 0]
        return {
            "mean": float(histogram_mean(hist)),
            "p5": float(p5),
            "p95": float(p95),
            "p_majority": float(hist[MAJORITY:].sum() / self.draws),
            "p_effective_majority": float(self.bloc_effective[key] / self.draws),
        }
