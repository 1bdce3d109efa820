"""Covariate-linked swing: the engine's best backtest model.

Uniform swing by region misses seats for two reasons the data can speak to:

1. **The swing follows Leave within a region.** From 2015 the Conservatives gained most, and
   Labour lost most, where Leave was strongest; in 2024 the pattern reversed. The slope of a
   party's change on the seat's Leave share differs from one election to the next, so it cannot
   be fitted once. It *can* be read from the regional shares the model is given: across the ten
   English and Welsh regions, a party's regional change regressed on the region's Leave share
   gives a between-region slope, and the within-region slope tracks it (``docs/accuracy.md``).
   The model applies ``kappa * between-region slope`` within each region, ``kappa`` fitted.
2. **Incumbency.** A party defending a seat its MP first won at the last election gains (the
   sophomore surge); a party whose MP stands down loses. Both are read from the candidacy files
   (``Sitting MP`` and the MP's Parliament ID), which are known before polling day.

For each party (UKIP, the Brexit Party and Reform are one lineage) the three coefficients are
fitted by least squares on the other elections' seat changes, each election weighted equally,
with every feature and the change centred within region. The fitted adjustment is added to the
earlier shares (clipped at zero, renormalised), and uniform swing by region then lands every
region exactly on its true shares: the adjustment moves votes between seats, never between
regions. Scotland is one region (no slope can be read there), so it gets the incumbency terms
only.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from sim.core.parties import PARTY_INDEX
from sim.data.election import Election
from sim.projection.steps import State

MODEL_PARTIES = ("CON", "LAB", "LD", "GRN", "UKIP", "BRX", "REF", "SNP", "PC")
LINEAGE = {"BRX": "UKIP", "REF": "UKIP"}
FEATURES = ("kappa (x between-region Leave slope)", "sophomore MP", "MP standing down")
SLOPE_NATIONS = ("England", "Wales")
MIN_SEATS = 30  # a party needs this many seats it fights twice to enter a fit


@dataclass(frozen=True, eq=False)
class PairFeatures:
    """What the linked model needs of one (earlier, later) pair, besides the later shares.

    Attributes
    ----------
    earlier, later : Election
    start : State
        The earlier result with the later candidacies (see :func:`sim.backtest.scores.start_state`).
    sophomore, retiring : (n_seats, n_parties) bool
        The party holds the seat and its MP, first elected at the earlier election, stands again;
        the party holds the seat and its candidate is not a sitting MP.
    target : (n_seats, n_parties) float64
        The later shares, used only as regional totals (and, when fitting, as the seat changes).
    by_election : (n_seats, n_parties) float64, optional
        Share changes at the earlier Parliament's by-elections (the multiparty model's term).
    lineage_geography : (n_seats,) float64, optional
        UKIP's share where the lineage last stood everywhere (the multiparty model's term).

    """

    earlier: Election
    later: Election
    start: State
    sophomore: np.ndarray
    retiring: np.ndarray
    by_election: np.ndarray | None = None
    lineage_geography: np.ndarray | None = None

    @property
    def target(self) -> np.ndarray:
        """The later election's seat shares."""
        return self.later.shares

    @cached_property
    def leave(self) -> np.ndarray:
        """Leave share centred within region (0 outside England and Wales), computed once per pair."""
        e = self.earlier
        leave = centred(e.covariate("leave").astype(float), e.regions, e.valid_votes.astype(float))
        leave[~np.isin(e.nations, SLOPE_NATIONS)] = 0.0
        return leave


def incumbency(earlier: Election, later: Election, sitting_before: set[int]) -> tuple[np.ndarray, np.ndarray]:
    """Sophomore and standing-down masks (see :class:`PairFeatures`).

    ``sitting_before`` holds the Parliament IDs of the MPs sitting at the earlier election (for
    the notional 2019 results, those of the real 2019 election); empty when the data do not say
    who sat (the notional 2005 result), and then there is no sophomore term.
    """
    held = np.zeros(later.votes.shape, dtype=bool)
    held[np.arange(earlier.n_seats), earlier.winners] = True
    sitting = later.sitting_mps()
    first_term = np.zeros(later.votes.shape, dtype=bool)
    cols = later.candidate_columns
    row = {seat: i for i, seat in enumerate(later.seat_ids)}
    for seat, party, is_sitting, member in zip(
        cols["seat_id"], cols["party"], cols["sitting"], cols["member_id"], strict=True
    ):
        if is_sitting and int(member) not in sitting_before:
            first_term[row[seat], PARTY_INDEX[party]] = True
    return held & sitting & first_term & bool(sitting_before), held & ~sitting


def centred(x: np.ndarray, regions: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """``x`` minus its weighted mean within each region; NaN (no figure) becomes 0 (the mean)."""
    out = np.zeros(x.shape, dtype=np.float64)
    for region in np.unique(regions):
        m = regions == region
        ok = m & ~np.isnan(x)
        if ok.any():
            out[ok] = x[ok] - np.average(x[ok], weights=weight[ok])
    return out


def regional_slope(pair: PairFeatures, party: int, covariate: str = "leave") -> float:
    """Slope of a party's regional change on the region's mean covariate (England and Wales)."""
    e = pair.earlier
    before, after = e.valid_votes.astype(float), pair.later.valid_votes.astype(float)
    x = e.covariate(covariate).astype(float)
    rows = []
    for region in np.unique(e.regions[np.isin(e.nations, SLOPE_NATIONS)]):
        m = e.regions == region
        change = np.average(pair.target[m, party], weights=after[m]) - np.average(
            pair.start.shares[m, party], weights=pair.start.total[m]
        )
        rows.append((np.average(x[m], weights=before[m]), change))
    xs, ys = np.array(rows).T
    return float(np.polyfit(xs, ys, 1)[0]) if np.ptp(xs) > 0 else 0.0


def design(pair: PairFeatures, party: int) -> tuple[np.ndarray, np.ndarray]:
    """Seats the party fights in both elections (GB) and the centred features there."""
    e, start = pair.earlier, pair.start
    weight = e.valid_votes.astype(float)
    mask = e.gb & start.stood[:, party] & pair.later.stood[:, party] & (start.shares[:, party] > 0)
    x = np.column_stack([
        regional_slope(pair, party) * pair.leave,
        centred(pair.sophomore[:, party].astype(float), e.regions, weight),
        centred(pair.retiring[:, party].astype(float), e.regions, weight),
    ])  # fmt: skip
    return mask, x


def fit(pairs: list[PairFeatures]) -> dict[str, np.ndarray]:
    """Coefficients per party lineage, fitted on ``pairs`` (each election weighted equally)."""
    rows: dict[str, tuple[list[np.ndarray], list[np.ndarray]]] = {}
    for party in MODEL_PARTIES:
        j = PARTY_INDEX[party]
        for pair in pairs:
            mask, x = design(pair, j)
            if mask.sum() < MIN_SEATS:
                continue
            change = np.where(mask, pair.target[:, j] - pair.start.shares[:, j], np.nan)
            y = centred(change, pair.earlier.regions, pair.earlier.valid_votes.astype(float))
            w = 1.0 / np.sqrt(mask.sum())
            xs, ys = rows.setdefault(LINEAGE.get(party, party), ([], []))
            xs.append(x[mask] * w)
            ys.append(y[mask] * w)
    coefs = {}
    for key, (xs, ys) in rows.items():
        a, b = np.vstack(xs), np.concatenate(ys)
        coefs[key] = np.linalg.solve(a.T @ a + 1e-9 * np.eye(a.shape[1]), a.T @ b)
    return coefs


def adjusted_shares(pair: PairFeatures, coefs: dict[str, np.ndarray]) -> np.ndarray:
    """The earlier shares with the fitted within-region adjustment (before the regional swing)."""
    shares = pair.start.shares.copy()
    for party in MODEL_PARTIES:
        key = LINEAGE.get(party, party)
        if key not in coefs:
            continue
        j = PARTY_INDEX[party]
        mask, x = design(pair, j)
        shares[mask, j] += x[mask] @ coefs[key]
    shares = np.where(pair.start.stood, np.clip(shares, 0.0, None), 0.0)
    total = shares.sum(axis=1, keepdims=True)
    return np.divide(shares, total, out=np.zeros_like(shares), where=total > 0)
