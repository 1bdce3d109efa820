"""Typed results of a Monte Carlo run, with ``to_frame()`` and ``to_json()``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim.data.election import MAJORITY

if TYPE_CHECKING:
    from sim.project import Projection


@dataclass(frozen=True, eq=False)
class SimulationResult:
    """Seat distributions from a Monte Carlo run.

    Attributes
    ----------
    projection : Projection
        The deterministic projection the draws perturb.
    seat_counts : (n_draws, n_parties) int32
        Seats won by each party in each draw.
    wins : (n_seats, n_parties) int64
        Draws in which each party won each seat.
    seed : int

    """

    projection: Projection
    seat_counts: np.ndarray
    wins: np.ndarray
    seed: int

    @property
    def draws(self) -> int:
        """Number of simulated elections."""
        return int(self.seat_counts.shape[0])

    @property
    def parties(self) -> tuple[str, ...]:
        """Party codes, the columns of every array."""
        return self.projection.election.parties

    def majority_probability(self) -> np.ndarray:
        """P(party wins at least 326 seats), per party."""
        return (self.seat_counts >= MAJORITY).mean(axis=0)

    def largest_probability(self) -> np.ndarray:
        """P(party has strictly more seats than any other party), per party."""
        top = self.seat_counts.max(axis=1, keepdims=True)
        alone = (self.seat_counts == top).sum(axis=1, keepdims=True) == 1
        return ((self.seat_counts == top) & alone).mean(axis=0)

    def to_frame(self) -> pd.DataFrame:
        """Per-party summary: deterministic seats, mean, median, 5th and 95th percentiles, P(majority), P(largest)."""
        counts = self.seat_counts
        frame = pd.DataFrame(
            {
                "projected": self.projection.seat_totals(),
                "mean": counts.mean(axis=0),
                "median": np.median(counts, axis=0),
                "p5": np.percentile(counts, 5, axis=0, method="inverted_cdf"),
                "p95": np.percentile(counts, 95, axis=0, method="inverted_cdf"),
                "p_majority": self.majority_probability(),
                "p_largest": self.largest_probability(),
            },
            index=pd.Index(self.parties, name="party"),
        )
        keep = (counts.max(axis=0) > 0) | (frame["projected"] > 0)
        return frame[keep]

    def to_dict(self) -> dict[str, Any]:
        """Plain-Python summary, the content of :meth:`to_json`."""
        frame = self.to_frame()
        return {
            "base": self.projection.election.name,
            "draws": self.draws,
            "seed": self.seed,
            "parties": {
                party: {k: (int(v) if k in ("projected",) else float(v)) for k, v in row.items()}
                for party, row in frame.iterrows()
            },
        }

    def to_json(self) -> str:
        """JSON text of :meth:`to_dict` (sorted keys, stable across runs)."""
        return json.dumps(self.to_dict(), indent=2, sort_keys=True)
