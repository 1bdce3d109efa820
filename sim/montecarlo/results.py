"""Typed results of a Monte Carlo run, with ``to_frame()`` and ``to_json()``.

Definitions used throughout:

* **majority**: at least 326 of 650 seats.
* **effective majority**: more than half of the MPs who vote. The Speaker and three deputy
  speakers do not vote and Sinn Fein MPs do not take their seats, so the threshold in a draw is
  ``floor((650 - speaker seats - 3 - SF seats) / 2) + 1`` (the deputies are taken from the total,
  not from any party).
* **largest party**: strictly more seats than any other party (a tie for first counts for none).
* **seat labels**: by the favourite's win probability: safe >= 0.95, likely >= 0.80,
  lean >= 0.60, toss-up below.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.core.errors import SwingometerError
from sim.core.output import Outputs
from sim.core.parties import PARTY_INDEX, party_index
from sim.montecarlo.summary import SeatSummary, column_histograms, histogram_quantiles

if TYPE_CHECKING:
    import pandas as pd

    from sim.projection.project import Projection

LABELS = ((0.95, "safe"), (0.80, "likely"), (0.60, "lean"), (0.0, "toss-up"))


def seat_quantiles(seat_counts: np.ndarray, qs: Sequence[float]) -> np.ndarray:
    """Quantiles (inverted CDF) of integer seat counts per party, ``(len(qs), n_parties)``.

    Seat counts are integers from 0 to 650, so a bincount gives the exact distribution in one
    pass, with no sort of the draws.
    """
    return histogram_quantiles(column_histograms(seat_counts), qs)


def draws_frame(parties: Sequence[str], first: int, counts: np.ndarray, shares: np.ndarray) -> pd.DataFrame:
    """Draws ``first ..``: seats per party and ``share_PARTY``, the GB vote share before the seat noise.

    The rows of the ``--parquet`` file, indexed by ``draw``; :meth:`SimulationResult.draws_frame`
    for a run that kept its draws, or one batch at a time as a run streams them.
    """
    import pandas as pd

    index = pd.Index(np.arange(first, first + counts.shape[0], dtype=np.int64), name="draw")
    seats = pd.DataFrame(counts, columns=list(parties), index=index)
    gb = pd.DataFrame(shares, columns=[f"share_{p}" for p in parties], index=index)
    return pd.concat([seats, gb], axis=1)


def _kept(draws: np.ndarray | None, what: str) -> np.ndarray:
    """A per-draw array of a result, or a clear error when the run kept summaries only."""
    if draws is None:
        raise SwingometerError(
            f"this run kept summaries only, not every draw; simulate with keep_draws=True to get the per-draw {what}"
        )
    return draws


def label(probability: float) -> str:
    """Safe / likely / lean / toss-up for the favourite's win probability."""
    return next(name for bound, name in LABELS if probability >= bound)


@dataclass(frozen=True, eq=False)
class SimulationResult:
    """Seat distributions from a Monte Carlo run.

    Attributes
    ----------
    projection : Projection
        The deterministic projection the draws perturb.
    wins : (n_seats, n_parties) int64
        Draws in which each party won each seat.
    seed : int
    summary : SeatSummary
        Per-party (and per named bloc) seat histograms, effective-majority and largest-party
        counts, accumulated as batches finished: every summary below is read from it, so its
        size does not depend on the number of draws.
    seat_counts : (n_draws, n_parties) int32 or None
        Seats won by each party in each draw, kept only when the run was asked to keep the draws
        (``keep_draws=True``; :meth:`seat_draws`).
    gb_shares : (n_draws, n_parties) float32 or None
        Each party's GB vote share in each draw before the independent seat noise, kept with the
        seat counts: the projection's GB share plus the draw's national error, slope and parameter
        terms (nation and regional deviations sum to zero over GB), clipped at zero and scaled so
        each row adds up to 1. The seat noise averages out over 632 seats.
    share_hist : (n_candidacies, n_bins) int64 or None
        Histogram of each candidacy's share, when requested.
    cand_ptr, cand_idx : CSR layout of the candidacies (rows of ``share_hist``).

    """

    projection: Projection
    wins: np.ndarray
    seed: int
    summary: SeatSummary
    seat_counts: np.ndarray | None = None
    gb_shares: np.ndarray | None = None
    share_hist: np.ndarray | None = None
    cand_ptr: np.ndarray | None = None
    cand_idx: np.ndarray | None = None

    @property
    def draws(self) -> int:
        """Number of simulated elections."""
        return int(self.summary.draws)

    @property
    def parties(self) -> tuple[str, ...]:
        """Party codes, the columns of every array."""
        return self.projection.election.parties

    def seat_draws(self) -> np.ndarray:
        """Seats per party in every draw, ``(n_draws, n_parties)``; only when the run kept its draws."""
        return _kept(self.seat_counts, "seat counts")

    def share_draws(self) -> np.ndarray:
        """GB vote shares per party in every draw (see ``gb_shares``); only when the run kept its draws."""
        return _kept(self.gb_shares, "GB shares")

    def mean_seats(self) -> np.ndarray:
        """Mean seats per party."""
        return self.summary.mean()

    def quantiles(self, qs: Sequence[float]) -> np.ndarray:
        """Inverted-CDF seat quantiles per party, ``(len(qs), n_parties)``."""
        return self.summary.quantiles(qs)

    def seat_histogram(self, party: int) -> tuple[np.ndarray, np.ndarray]:
        """``(seats, draws)``: each seat count the party reached and in how many draws (its support only)."""
        row = self.summary.hist[party]
        seats = np.flatnonzero(row)
        return seats, row[seats]

    def majority_probability(self) -> np.ndarray:
        """P(party wins at least 326 seats), per party."""
        return self.summary.p_majority()

    def effective_majority_probability(self) -> np.ndarray:
        """P(party has an effective majority), per party."""
        return self.summary.p_effective_majority()

    def largest_probability(self) -> np.ndarray:
        """P(party has strictly more seats than any other party), per party."""
        return self.summary.p_largest()

    def bloc(self, members: Sequence[str]) -> dict[str, float]:
        """Seat distribution and majority probabilities of a bloc of parties (e.g. LAB+LD+SNP).

        A bloc named before the run (``blocs=``) is read from the summary; any other needs the
        run's draws.
        """
        key = tuple(members)
        for code in key:
            party_index(code, where="bloc")
        if key in self.summary.blocs:
            return self.summary.bloc(key)
        if self.seat_counts is None:
            raise SwingometerError(
                f"the bloc {'+'.join(key)} was not named before the run, which kept summaries only; "
                "name it in simulate(blocs=...) or simulate with keep_draws=True"
            )
        return SeatSummary.of(self.seat_counts, [key]).bloc(key)

    def to_frame(self) -> pd.DataFrame:
        """Per-party summary: projected seats, mean, median, 5th/95th percentiles, probabilities.

        Quantiles are inverted-CDF (the smallest seat count with at least that share of draws at
        or below it), the median included.
        """
        import pandas as pd

        parties, columns = self.party_columns()
        return pd.DataFrame(columns, index=pd.Index(parties, name="party"))

    def party_columns(self) -> tuple[list[str], dict[str, np.ndarray]]:
        """:meth:`to_frame` as plain arrays: the parties shown (a seat projected or in any draw), the columns."""
        p5, median, p95 = self.quantiles((0.05, 0.5, 0.95))
        columns = {
            "projected": self.projection.seat_totals(),
            "mean": self.mean_seats(),
            "median": median,
            "p5": p5,
            "p95": p95,
            "p_majority": self.majority_probability(),
            "p_effective_majority": self.effective_majority_probability(),
            "p_largest": self.largest_probability(),
        }
        keep = self.summary.won_any() | (columns["projected"] > 0)
        return [p for p, k in zip(self.parties, keep, strict=True) if k], {k: v[keep] for k, v in columns.items()}

    def headline(self) -> str:
        """One plain sentence: which number to quote for the largest party, and why the projection differs.

        The simulated median and its 90% range are the numbers to quote; the projection is the one
        outcome with every share exactly as the scenario sets it. They differ when the party holds more
        close projected wins than close projected losses (or fewer): the errors then take away more
        seats than they give (or the reverse).
        """
        parties, columns = self.party_columns()
        top = int(np.argmax(columns["median"]))
        party = parties[top]
        row = {name: values[top] for name, values in columns.items()}
        median, projected = int(row["median"]), int(row["projected"])
        quote = (
            f"Quote the simulation: {party} {median} seats (median of {self.draws:,} simulated elections; 90% range "
            f"{row['p5']:.0f}-{row['p95']:.0f}), P(majority) {row['p_majority']:.0%}"
        )
        if abs(projected - median) <= 3:
            return quote + f"; the projection without error ({projected}) says much the same."
        p = PARTY_INDEX[party]
        share = self.wins[:, p] / self.draws
        held = self.projection.winners == p
        shaky, near = int((held & (share < 0.7)).sum()), int((~held & (share > 0.3)).sum())
        direction = "loses more close seats than it gains" if projected > median else "gains more than it loses"
        return (
            quote + f". The projection without error gives {projected}: {party} wins {shaky} of its projected seats in "
            f"under 70% of simulations and is within reach in {near} it is projected to lose, so across the "
            f"simulations it {direction}."
        )

    def seat_frame(self) -> pd.DataFrame:
        """Per-seat win probabilities: favourite, its probability and label, and change of hands."""
        import pandas as pd

        return pd.DataFrame(self.seat_columns(), index=pd.Index(self.projection.election.seat_ids, name="seat_id"))

    def seat_columns(self) -> dict[str, np.ndarray]:
        """:meth:`seat_frame`'s columns as plain arrays, one row per seat (in the election's order)."""
        e = self.projection.election
        prob = self.wins / self.draws
        fav = prob.argmax(axis=1)
        p_fav = prob[np.arange(e.n_seats), fav]
        parties = np.array(self.parties, dtype=object)
        columns = {
            "seat": np.asarray(e.seat_names, dtype=object),
            "base_winner": parties[e.winners],
            "favourite": parties[fav],
            "p_favourite": p_fav,
            "p_second": np.sort(prob, axis=1)[:, -2],
            "label": np.array([label(p) for p in p_fav], dtype=object),
            "p_change": 1.0 - prob[np.arange(e.n_seats), e.winners],
        }
        for p, code in enumerate(self.parties):
            if prob[:, p].any():
                columns[f"p_{code}"] = prob[:, p]
        return columns

    def share_quantiles(self, qs: Sequence[float] = (0.05, 0.5, 0.95)) -> pd.DataFrame:
        """Per seat and party share quantiles from the share histograms (bin midpoints)."""
        import pandas as pd

        if self.share_hist is None or self.cand_ptr is None or self.cand_idx is None:
            raise ValueError("run the simulation with share_bins > 0 to get share quantiles")
        e = self.projection.election
        n_bins = self.share_hist.shape[1]
        cum = np.cumsum(self.share_hist, axis=1) / self.draws
        rows = []
        for i in range(e.n_seats):
            for j in range(self.cand_ptr[i], self.cand_ptr[i + 1]):
                values = [(np.searchsorted(cum[j], q) + 0.5) / n_bins for q in qs]
                rows.append((e.seat_ids[i], self.parties[self.cand_idx[j]], *values))
        return pd.DataFrame(rows, columns=["seat_id", "party", *[f"q{q:g}" for q in qs]])

    def to_dict(self, blocs: Sequence[Sequence[str]] = ()) -> dict[str, Any]:
        """Plain-Python summary, the content of :meth:`to_json`."""
        frame = self.to_frame()
        seats = self.seat_frame()
        return {
            "base": self.projection.election.name,
            "draws": self.draws,
            "seed": self.seed,
            "parties": {
                str(party): {k: (int(v) if k == "projected" else float(v)) for k, v in row.items()}
                for party, row in frame.iterrows()
            },
            "blocs": {"+".join(b): self.bloc(b) for b in blocs},
            "seat_labels": {k: int(v) for k, v in seats["label"].value_counts().sort_index().items()},
            "expected_changes": float(seats["p_change"].sum()),
            "seats": json.loads(seats.reset_index().to_json(orient="records", double_precision=10)),
        }

    def to_json(self, blocs: Sequence[Sequence[str]] = ()) -> str:
        """JSON text of :meth:`to_dict` (sorted keys, stable across runs and thread counts)."""
        return json.dumps(self.to_dict(blocs), indent=1, sort_keys=True)

    def draws_frame(self) -> pd.DataFrame:
        """Every draw (:func:`draws_frame`); only when the run kept its draws."""
        return draws_frame(self.parties, 0, self.seat_draws(), self.share_draws())

    def add_to(
        self, out: Outputs, *, json: Path | None = None, csv: Path | None = None, parquet: Path | None = None,
        blocs: Sequence[Sequence[str]] = (),
    ) -> None:  # fmt: skip
        """Queue the files ``swingometer run`` writes into ``out``.

        ``--json`` is :meth:`to_json`, ``--csv`` :meth:`seat_frame`, ``--parquet`` :meth:`draws_frame`
        (which needs the draws kept; ``swingometer run`` streams them instead, :func:`draws_frame`).
        """
        if json is not None:
            out.add(json, self.to_json(blocs) + "\n")
        if csv is not None:
            out.add(csv, self.seat_frame().to_csv(float_format="%.6f"))
        if parquet is not None:
            out.add_parquet(parquet, self.draws_frame())

    def write(
        self, *, json: str | Path | None = None, csv: str | Path | None = None, parquet: str | Path | None = None,
        blocs: Sequence[Sequence[str]] = (), provenance: dict[str, Any] | None = None, force: bool = False,
    ) -> list[Path]:  # fmt: skip
        """Write the files ``swingometer run`` writes (:meth:`add_to`), all or none; the paths written.

        Each carries ``provenance`` (:func:`sim.provenance.scenario_provenance`); ``force`` replaces existing files.
        """
        paths = [Path(p) if p is not None else None for p in (json, csv, parquet)]
        out = Outputs(force, paths, provenance=provenance)
        self.add_to(out, json=paths[0], csv=paths[1], parquet=paths[2], blocs=blocs)
        return out.commit()
