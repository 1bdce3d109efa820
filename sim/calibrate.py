"""Calibrate the default error model (``[uncertainty]``) to the historical errors.

Each default is a root-mean-square of past errors, in the units the kernel uses: share points
divided by the party's scale ``sqrt(S(1-S)/0.25)`` (see :mod:`sim.simulate`).

- ``national``: final-week GB poll averages (PollBase) against the result, 2010-2019: the
  error of a scenario's national shares when they come from the polls.
- ``nation``: each nation's change against the GB change, over the backtest pairs: the error
  of applying one GB swing everywhere.
- ``regional``: each region's change against its nation's change.
- ``seat`` and ``slopes``: the residuals of the linked model (fitted leave-one-election-out,
  given the true regional shares), as an independent seat error and as random slopes on Leave,
  degree and age: the part of the seat errors that is shared by seats alike in those respects.

The seat and slope measurements are then scaled by the smallest factor whose 90% intervals of
party seat totals cover the actual totals at least 80% of the time across the backtests (the
target of ``docs/accuracy.md``): seat errors measured one seat at a time understate how much
they move together.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.backtest import PairFeatures, project_pair, simulate_pair
from sim.data.election import NATIONS, DataDir
from sim.linked import centred, fit
from sim.parties import PARTIES, PARTY_INDEX
from sim.project import Projection
from sim.scenario.schema import Uncertainty
from sim.simulate import party_scale
from sim.steps import State

MAIN = ("CON", "LAB", "LD", "GRN", "SNP", "PC", "UKIP", "BRX", "REF")
SLOPE_COVARIATES = ("leave", "degree", "age65")
SLOPE_PARTIES = ("CON", "LAB", "LD")
FACTORS = (1.0, 1.1, 1.2, 1.3, 1.4, 1.5, 1.6, 1.8, 2.0)
COVERAGE_TARGET = 0.8
DEFAULT_NATIONS = ("England", "Wales")


def _scale(share: np.ndarray) -> np.ndarray:
    return np.sqrt(np.clip(share, 0.0, 1.0) * (1.0 - np.clip(share, 0.0, 1.0)) / 0.25)


def poll_error(data_dir: DataDir = None) -> tuple[float, dict[str, dict[str, float]]]:
    """RMS standardised error of the final-week poll average, and the errors by election."""
    from sim.data.readers import POLL_SHEETS, final_polls

    errors: dict[str, dict[str, float]] = {}
    z: list[float] = []
    for election in POLL_SHEETS:
        frame = final_polls(election, data_dir)
        result = frame[frame["pollster"] == "Result"].iloc[0]
        polls = frame[frame["pollster"] != "Result"]
        errors[election] = {
            party: float(polls[party].mean() - result[party]) / 100.0
            for party in frame.columns[2:]
            if not np.isnan(result[party]) and result[party] >= 1.0
        }
        z += [err / float(_scale(np.array(result[p] / 100.0))) for p, err in errors[election].items()]
    return float(np.sqrt(np.mean(np.square(z)))), errors


def _unit_changes(pair: PairFeatures, masks: list[np.ndarray]) -> np.ndarray:
    """Change in each party's share over each unit of seats, ``(n_units, n_parties)``."""
    before, after = pair.start, pair.later
    out = []
    for m in masks:
        b = (before.votes[m].sum(axis=0)) / before.votes[m].sum()
        a = after.votes[m].sum(axis=0) / after.votes[m].sum()
        out.append(a - b)
    return np.array(out)


def _nation_deviations(pair: PairFeatures) -> dict[str, tuple[list[float], float]]:
    """Per GB nation: standardised deviations of its change from the GB change, and its vote weight."""
    e, votes = pair.earlier, pair.earlier.valid_votes.astype(float)
    gb = _unit_changes(pair, [e.gb])[0]
    scale = _scale(pair.later.votes[e.gb].sum(axis=0) / pair.later.votes[e.gb].sum())
    main = [PARTY_INDEX[p] for p in MAIN if scale[PARTY_INDEX[p]] > 0.2]
    out = {}
    for nation in NATIONS[:3]:
        nm = e.nations == nation
        nat = _unit_changes(pair, [nm])[0]
        out[nation] = ([(nat[j] - gb[j]) / scale[j] for j in main], votes[nm].sum() / votes[e.gb].sum())
    return out


def geographic_errors(pairs: list[PairFeatures]) -> tuple[float, float]:
    """Vote-weighted RMS standardised nation-vs-GB and region-vs-nation deviations of the change.

    The nation error is measured on England and Wales only. The kernel gives every nation the
    same scale, and Scotland's deviations (RMS about 0.20: 2015's SNP surge, 2017's partial
    reversal, 2024's collapse) are eight times England's; put into the default they would add
    several points of error to every English seat. :func:`nation_errors` gives each nation's own
    figure, for scenarios about Scotland (``docs/model.md``).
    """
    nation_z: list[tuple[float, float]] = []
    region_z: list[tuple[float, float]] = []
    for pair in pairs:
        e, votes = pair.earlier, pair.earlier.valid_votes.astype(float)
        scale = _scale(pair.later.votes[e.gb].sum(axis=0) / pair.later.votes[e.gb].sum())
        main = [PARTY_INDEX[p] for p in MAIN if scale[PARTY_INDEX[p]] > 0.2]
        for nation, (z, w) in _nation_deviations(pair).items():
            if nation in DEFAULT_NATIONS:
                nation_z += [(v, w) for v in z]
            nm = e.nations == nation
            regions = sorted(set(e.regions[nm]))
            if len(regions) > 1:
                nat = _unit_changes(pair, [nm])[0]
                changes = _unit_changes(pair, [e.regions == r for r in regions])
                for r, reg in zip(regions, changes, strict=True):
                    w = votes[e.regions == r].sum() / votes[nm].sum()
                    region_z += [((reg[j] - nat[j]) / scale[j], w) for j in main]
    return _weighted_rms(nation_z), _weighted_rms(region_z)


def nation_errors(pairs: list[PairFeatures]) -> dict[str, float]:
    """RMS standardised deviation of each GB nation's change from the GB change."""
    deviations = [_nation_deviations(pair) for pair in pairs]
    return {
        nation: float(np.sqrt(np.mean(np.square([v for d in deviations for v in d[nation][0]]))))
        for nation in NATIONS[:3]
    }


def _weighted_rms(values: list[tuple[float, float]]) -> float:
    z, w = np.array(values).T
    return float(np.sqrt((w * z**2).sum() / w.sum()))


def linked_states(pairs: list[PairFeatures]) -> list[State]:
    """The linked model's projection of each pair, fitted on the other pairs (leave-one-out)."""
    return [project_pair(pair, "linked", "region", fit([q for q in pairs if q is not pair])) for pair in pairs]


def residual_errors(pairs: list[PairFeatures], states: list[State]) -> tuple[float, dict[str, float]]:
    """RMS standardised seat residual of the linked projections and RMS residual slope per covariate."""
    seat_rms: list[float] = []
    slopes: dict[str, list[float]] = {c: [] for c in SLOPE_COVARIATES}
    main = np.isin(np.arange(len(PARTIES)), [PARTY_INDEX[p] for p in MAIN])
    for pair, state in zip(pairs, states, strict=True):
        e, later = pair.earlier, pair.later
        scale = party_scale(Projection.from_state(e, state))
        z = (later.shares - state.shares) / np.where(scale > 0, scale, 1.0)
        fought = later.stood & state.stood & e.gb[:, None] & main[None, :]
        fought &= ~later.stood[:, [PARTY_INDEX["SPK"]]]
        seat_rms.append(np.sqrt(np.mean(z[fought] ** 2)))
        weight = e.valid_votes.astype(float)
        for c in SLOPE_COVARIATES:
            x = e.covariate(c).astype(float)
            for party in SLOPE_PARTIES:
                j = PARTY_INDEX[party]
                m = fought[:, j] & ~np.isnan(x)
                xc = centred(np.where(m, x, np.nan), e.regions, weight)[m]
                yc = centred(np.where(m, z[:, j], np.nan), e.regions, weight)[m]
                slopes[c].append(float((xc * yc).sum() / (xc * xc).sum()))
    return float(np.mean(seat_rms)), {c: float(np.sqrt(np.mean(np.square(v)))) for c, v in slopes.items()}


@dataclass(frozen=True)
class Calibration:
    """Measured error scales, the coverage at each scaling factor, and the defaults they give."""

    national: float
    nation: float
    regional: float
    seat: float
    slopes: dict[str, float]
    nations: dict[str, float]
    poll_errors: dict[str, dict[str, float]]
    grid: list[dict[str, float]]
    factor: float

    def uncertainty(self) -> Uncertainty:
        """The calibrated defaults, rounded as they are written in the schema."""
        return Uncertainty(
            national=round(self.national, 3), nation=round(self.nation, 3), regional=round(self.regional, 3),
            seat=round(self.seat * self.factor, 3),
            slopes={c: round(v * self.factor, 2) for c, v in self.slopes.items()},
        )  # fmt: skip


def coverage(
    pairs: list[PairFeatures], states: list[State], seat: float, slopes: dict[str, float], draws: int, seed: int
) -> dict[str, float]:
    """Coverage, Brier and log scores of simulations around the linked projections with these error scales."""
    unc = Uncertainty(national=0.0, nation=0.0, regional=0.0, seat=seat, slopes=slopes)
    hits50 = hits90 = n = 0
    brier, log = [], []
    for pair, state in zip(pairs, states, strict=True):
        sim = simulate_pair(pair, state, "region", draws, seed, uncertainty=unc)
        a, total = sim.covered("50")
        b, _ = sim.covered("90")
        hits50, hits90, n = hits50 + a, hits90 + b, n + total
        brier.append(sim.brier)
        log.append(sim.log_score)
    return {"cover50": hits50 / n, "cover90": hits90 / n, "brier": float(np.mean(brier)), "log": float(np.mean(log))}


def calibrate(pairs: list[PairFeatures], data_dir: DataDir = None, draws: int = 2000, seed: int = 1) -> Calibration:
    """Measure every error scale and pick the seat/slope factor (see the module docstring)."""
    national, polls = poll_error(data_dir)
    nation, regional = geographic_errors(pairs)
    states = linked_states(pairs)
    seat, slopes = residual_errors(pairs, states)
    grid, factor = [], FACTORS[-1]
    for f in FACTORS:
        row = {"factor": f, **coverage(pairs, states, seat * f, {c: v * f for c, v in slopes.items()}, draws, seed)}
        grid.append(row)
        if row["cover90"] >= COVERAGE_TARGET:
            factor = f
            break
    return Calibration(national, nation, regional, seat, slopes, nation_errors(pairs), polls, grid, factor)
