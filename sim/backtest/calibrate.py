"""Calibrate the default error model (``[uncertainty]``) to the historical errors.

Each default is a root-mean-square of past errors in the units the kernel uses: share points
divided by the party's scale ``sqrt(s(1-s)/0.25)``, ``s`` its share where the error applies.

- ``national``: the eve-of-poll GB poll average (:mod:`sim.polls.average`) against the result,
  2010-2024, less the average's own variance (:mod:`sim.backtest.pollerror`); ``lead``: the RMS
  error of the CON-LAB lead in the same averages, likewise (both include the polls' bias).
- ``nations``: each nation's change against the GB change over the backtest pairs, standardised
  by the nation's shares; the independent scales are solved so that, once centred over GB (by
  the nations' vote weights, as the kernel does), each nation's deviation has its measured sd.
- ``regional``: each region's change against its nation's, standardised by the region's shares.
- ``slopes``, ``contest`` and ``seat``: the residuals of the default model (multiparty, fitted
  leave-one-election-out, given the true regional shares, projected through its backtest
  scenario), split without double counting into random slopes (Leave, degree, age65; measured on
  CON, LAB and LD, applied to every party), contest-type means and the rest (:func:`residual_errors`).

Nothing is scaled by a blanket factor; :func:`coverage` reports the intervals' coverage at the
defaults, leave-one-out and rolling origin (``docs/accuracy.md``). A backtest that simulates scores
each election with an error model measured on the other elections only (:func:`backtest_uncertainty`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

from sim.backtest.fit import fit_multiparty
from sim.backtest.pairs import Pair, pair_scenario
from sim.backtest.pollerror import PollError, industry_error, poll_errors
from sim.backtest.simulation import simulate_pair
from sim.core.parties import PARTIES, PARTY_INDEX
from sim.data.election import NATIONS, DataDir, load_election
from sim.montecarlo.groups import contest_of
from sim.montecarlo.simulate import inputs_for, party_scale, simulate
from sim.projection.project import Projection, project
from sim.projection.steps import State
from sim.projection.terms import centred
from sim.scenario.schema import DEFAULT_NATIONS, Uncertainty

MAIN = ("CON", "LAB", "LD", "GRN", "SNP", "PC", "UKIP", "BRX", "REF")
SLOPE_COVARIATES = ("leave", "degree", "age65")
SLOPE_PARTIES = ("CON", "LAB", "LD")
MAIN_PARTIES = ("CON", "LAB", "LD", "SNP")
NATION_SUMMARY = ("England", "Wales")
"""The nations whose deviations make the single ``nation`` summary figure (Scotland has its own)."""


def _scale(share: np.ndarray) -> np.ndarray:
    return np.sqrt(np.clip(share, 0.0, 1.0) * (1.0 - np.clip(share, 0.0, 1.0)) / 0.25)


def _unit_changes(pair: Pair, masks: list[np.ndarray]) -> np.ndarray:
    """Change in each party's share over each unit of seats, ``(n_units, n_parties)``."""
    before, after = pair.start, pair.later
    out = []
    for m in masks:
        b = (before.votes[m].sum(axis=0)) / before.votes[m].sum()
        a = after.votes[m].sum(axis=0) / after.votes[m].sum()
        out.append(a - b)
    return np.array(out)


def _nation_deviations(pair: Pair) -> dict[str, tuple[list[float], float]]:
    """Per GB nation: standardised deviations of its change from the GB change, and its vote weight."""
    e, votes = pair.earlier, pair.earlier.valid_votes.astype(float)
    gb = _unit_changes(pair, [e.gb])[0]
    out = {}
    for nation in NATIONS[:3]:
        nm = e.nations == nation
        nat = _unit_changes(pair, [nm])[0]
        scale = _unit_scale(pair, nm)
        main = [PARTY_INDEX[p] for p in MAIN if scale[PARTY_INDEX[p]] > 0.2]
        out[nation] = ([(nat[j] - gb[j]) / scale[j] for j in main], votes[nm].sum() / votes[e.gb].sum())
    return out


def _unit_scale(pair: Pair, mask: np.ndarray) -> np.ndarray:
    """The kernel's error scale of each party in a unit of seats: by its later share there."""
    later = pair.later.votes[mask]
    return _scale(later.sum(axis=0) / later.sum())


def geographic_errors(pairs: list[Pair]) -> tuple[float, float]:
    """Vote-weighted RMS standardised nation-vs-GB and region-vs-nation deviations of the change.

    Each deviation is standardised by the party's scale in the nation or region (its share
    there), as the kernel scales it. The ``nation`` summary is England's and Wales's; the
    defaults use each nation's own figure (:func:`nation_errors`, :func:`nation_scales`).
    """
    nation_z: list[tuple[float, float]] = []
    region_z: list[tuple[float, float]] = []
    for pair in pairs:
        e, votes = pair.earlier, pair.earlier.valid_votes.astype(float)
        for nation, (z, w) in _nation_deviations(pair).items():
            if nation in NATION_SUMMARY:
                nation_z += [(v, w) for v in z]
            nm = e.nations == nation
            regions = sorted(set(e.regions[nm]))
            if len(regions) > 1:
                nat = _unit_changes(pair, [nm])[0]
                changes = _unit_changes(pair, [e.regions == r for r in regions])
                for r, reg in zip(regions, changes, strict=True):
                    w = votes[e.regions == r].sum() / votes[nm].sum()
                    scale = _unit_scale(pair, e.regions == r)
                    main = [PARTY_INDEX[p] for p in MAIN if scale[PARTY_INDEX[p]] > 0.2]
                    region_z += [((reg[j] - nat[j]) / scale[j], w) for j in main]
    return _weighted_rms(nation_z), _weighted_rms(region_z)


def nation_errors(pairs: list[Pair]) -> dict[str, float]:
    """RMS standardised deviation of each GB nation's change from the GB change."""
    deviations = [_nation_deviations(pair) for pair in pairs]
    return {
        nation: float(np.sqrt(np.mean(np.square([v for d in deviations for v in d[nation][0]]))))
        for nation in NATIONS[:3]
    }


def _weighted_rms(values: list[tuple[float, float]]) -> float:
    z, w = np.array(values).T
    return float(np.sqrt((w * z**2).sum() / w.sum()))


def model_states(pairs: list[Pair], *, rolling: bool = False) -> list[Projection]:
    """The default model's projection of each pair (its backtest scenario), fitted on the other pairs (leave-one-out).

    With ``rolling``, fitted only on the pairs before it (the first pair, with none, gets uniform
    swing by region), as a forecaster would have had it.
    """
    fitted = [pairs[:k] if rolling else pairs[:k] + pairs[k + 1 :] for k in range(len(pairs))]
    out = []
    for pair, others in zip(pairs, fitted, strict=True):
        scenario = pair_scenario(pair, "multiparty", "region", fit_multiparty(others)) if others else pair_scenario(
            pair, "uniform", "region"
        )  # fmt: skip
        out.append(project(scenario, pair.earlier, pair.data_dir))
    return out


def residual_errors(pairs: list[Pair], states: list[Projection]) -> tuple[float, float, dict[str, float]]:
    """Seat, contest-type and slope errors, measured on the projections' residuals without double counting.

    Residuals are standardised as the kernel scales errors. For each pair and each of CON, LAB and
    LD they are regressed (within region) on the centred covariates together: the fitted slopes
    measure the random-slope error (their RMS over pairs and parties, less their sampling
    variance: a fitted slope's square overstates the true one's by its squared standard error).
    What the slopes leave is split into the mean of each contest type (the seat's projected top
    two) and the rest: the contest error is the seat-weighted RMS of those means, less the
    sampling variance of a mean; the seat error is the RMS of the rest.
    """
    seat_sq: list[float] = []
    seat_n = 0
    contest_sq: list[float] = []
    contest_n = 0
    slopes: dict[str, list[float]] = {c: [] for c in SLOPE_COVARIATES}
    main = np.isin(np.arange(len(PARTIES)), [PARTY_INDEX[p] for p in MAIN])
    for pair, state in zip(pairs, states, strict=True):
        e, later = pair.earlier, pair.later
        scale = party_scale(state)
        z = (later.shares - state.shares) / np.where(scale > 0, scale, 1.0)
        fought = later.stood & state.stood & e.gb[:, None] & main[None, :]
        fought &= ~later.stood[:, [PARTY_INDEX["SPK"]]]
        weight = e.valid_votes.astype(float)
        x = np.column_stack([e.covariate(c).astype(float) for c in SLOPE_COVARIATES])
        types, _ = contest_of(state.shares * state.lead * state.stood, e.nations)
        for j in np.flatnonzero(fought.any(axis=0)):
            m = fought[:, j]
            resid = z[:, j].copy()
            if PARTIES[j] in SLOPE_PARTIES:
                ok = m & ~np.isnan(x).any(axis=1)
                within = np.column_stack(
                    [centred(np.where(ok, x[:, c], np.nan), e.regions, weight) for c in range(x.shape[1])]
                )
                xc = within[ok]
                yc = centred(np.where(ok, z[:, j], np.nan), e.regions, weight)[ok]
                coef = np.linalg.lstsq(xc, yc, rcond=None)[0]
                dof = max(len(yc) - xc.shape[1], 1)
                var = ((yc - xc @ coef) ** 2).sum() / dof * np.diag(np.linalg.inv(xc.T @ xc))
                for c, name in enumerate(SLOPE_COVARIATES):
                    slopes[name].append(float(coef[c] ** 2 - var[c]))  # E[b^2] = beta^2 + se^2: de-biased
                resid = np.where(ok, z[:, j] - within @ coef, z[:, j])
            raw = resid * (scale[j] if scale[j] > 0 else 1.0)  # back to share points
            for k in np.unique(types[m]):
                in_type = m & (types == k)
                n = int(in_type.sum())
                # In the kernel's units: the party's scale by its share where it stands in this type.
                votes = state.votes[in_type, j].sum()
                fought_votes = state.votes[in_type].sum(axis=1)[state.stood[in_type, j]].sum()
                unit = float(_scale(np.array(votes / fought_votes))) if fought_votes > 0 else 1.0
                mean = float(raw[in_type].mean())
                if n >= 2 and unit > 0:
                    within_var = float(raw[in_type].var(ddof=1))
                    contest_sq.append(n * (mean**2 - within_var / n) / unit**2)  # E[mean^2] = mu^2 + s^2 / n
                    contest_n += n
                resid[in_type] -= mean / (scale[j] if scale[j] > 0 else 1.0)
            seat_sq.append(float((resid[m] ** 2).sum()))
            seat_n += int(m.sum())
    rms = {c: float(np.sqrt(max(float(np.mean(v)), 0.0))) for c, v in slopes.items()}
    contest = float(np.sqrt(max(sum(contest_sq) / contest_n, 0.0)))
    return float(np.sqrt(sum(seat_sq) / seat_n)), contest, rms


@dataclass(frozen=True)
class Calibration:
    """Measured error scales, the defaults they give, and the coverage those defaults reach."""

    national: float
    lead: float
    nation: float
    regional: float
    contest: float
    seat: float
    slopes: dict[str, float]
    nations: dict[str, float]
    nation_scales: dict[str, float]
    poll_errors: list[PollError]
    scores: dict[str, dict[str, float]]

    def uncertainty(self) -> Uncertainty:
        """The calibrated defaults, rounded as they are written in the schema."""
        return Uncertainty(
            national=round(self.national, 3), lead=round(self.lead, 3), regional=round(self.regional, 3),
            nations={n: round(v, 3) for n, v in self.nation_scales.items()}, seat=round(self.seat, 3),
            contest=round(self.contest, 3),
            slopes={c: round(v, 2) for c, v in self.slopes.items()},
        )  # fmt: skip


def coverage(
    pairs: list[Pair], states: list[Projection], seat: float, contest: float, slopes: dict[str, float],
    draws: int, seed: int,
) -> dict[str, float]:  # fmt: skip
    """Coverage (all parties, and the main parties CON, LAB, LD, SNP apart), Brier and log scores.

    Simulations around the given projections with only the seat and slope errors (the backtest
    is given the true regional shares).
    """
    unc = Uncertainty(national=0.0, lead=None, nation=0.0, regional=0.0, contest=contest, seat=seat, slopes=slopes)
    hits: dict[str, list[bool]] = {k: [] for k in ("50", "90", "main50", "main90")}
    brier, log = [], []
    for pair, state in zip(pairs, states, strict=True):
        sim = simulate_pair(pair, state, draws, seed, unc)
        for party, v in sim.intervals.items():
            for level in ("50", "90"):
                low, high = v[level]  # type: ignore[misc]
                hit = low <= v["actual"] <= high  # type: ignore[operator]
                hits[level].append(hit)
                if party in MAIN_PARTIES:
                    hits["main" + level].append(hit)
        brier.append(sim.brier)
        log.append(sim.log_score)
    out = {f"cover{k}": float(np.mean(v)) for k, v in hits.items()}
    out["n_main"] = float(len(hits["main90"]))
    return {**out, "brier": float(np.mean(brier)), "log": float(np.mean(log))}


def nation_scales(pairs: list[Pair], measured: dict[str, float]) -> dict[str, float]:
    """Independent scale per nation whose centred deviations (zero-sum over GB) have the measured sd.

    After centring, nation ``n``'s deviation is ``sum_m (delta_nm - W_m) e_m`` with ``W`` the
    nations' shares of GB votes, so its variance is ``sum_m (delta_nm - W_m)^2 sigma_m^2``: a linear
    system in the squared scales, solved by non-negative least squares.
    """
    from scipy.optimize import nnls

    gb_nations = NATIONS[:3]
    e = pairs[-1].earlier
    votes = e.valid_votes.astype(float)
    w = np.array([votes[e.nations == n].sum() for n in gb_nations])
    w /= w.sum()
    system = (np.eye(3) - w[None, :]) ** 2
    sq, _ = nnls(system, np.array([measured[n] ** 2 for n in gb_nations]))
    out = {n: float(np.sqrt(v)) for n, v in zip(gb_nations, sq, strict=True)}
    out["Northern Ireland"] = DEFAULT_NATIONS["Northern Ireland"]
    return out


def calibrate(pairs: list[Pair], data_dir: DataDir = None, draws: int = 2000, seed: int = 1) -> Calibration:
    """Measure every error scale (see the module docstring) and score the defaults they give."""
    polls = poll_errors(data_dir)
    national, lead = industry_error(polls)
    nation, regional = geographic_errors(pairs)
    nations = nation_errors(pairs)
    states = model_states(pairs)
    seat, contest, slopes = residual_errors(pairs, states)
    scores = {
        "leave-one-out": coverage(pairs, states, seat, contest, slopes, draws, seed),
        "rolling": coverage(pairs, model_states(pairs, rolling=True), seat, contest, slopes, draws, seed),
    }
    return Calibration(
        national, lead, nation, regional, contest, seat, slopes, nations,
        nation_scales(pairs, nations), polls,
        scores,
    )  # fmt: skip


def calibration_check(unc: Uncertainty, data_dir: DataDir = None, draws: int = 20_000, seed: int = 7) -> pd.DataFrame:
    """Simulated sd of the main parties' GB shares and of the CON-LAB lead, beside the polls' errors.

    The simulation is the 2019 result with no change and the error model ``unc``; the measured
    column is the RMS error of the eve-of-poll GB average against the result, 2010-2024, in points,
    net of the average's own variance as the defaults are (:mod:`sim.backtest.pollerror`).
    """
    import pandas as pd

    election = load_election("2019", data_dir)
    result = simulate(inputs_for(Projection.from_state(election, State.from_election(election)), unc), draws, seed,
                      keep_draws=True)  # fmt: skip
    gb = result.share_draws().astype(float) * 100
    polls = poll_errors(data_dir)
    rows = []
    for party in ("CON", "LAB", "LD"):
        j = PARTY_INDEX[party]
        squares = [e.error[party] ** 2 - e.variance[party] for e in polls if party in e.error]
        rows.append({"quantity": party, "simulated_sd": gb[:, j].std(),
                     "measured_rms": 100 * float(np.sqrt(max(0.0, float(np.mean(squares)))))})  # fmt: skip
    lead = gb[:, PARTY_INDEX["CON"]] - gb[:, PARTY_INDEX["LAB"]]
    measured_lead = float(np.sqrt(max(0.0, float(np.mean([e.lead_error**2 - e.lead_variance for e in polls])))))
    rows.append({"quantity": "CON-LAB lead", "simulated_sd": lead.std(), "measured_rms": 100 * measured_lead})
    return pd.DataFrame(rows).set_index("quantity").round(2)


_HELD_OUT: dict[tuple[int, ...], tuple[float, float, dict[str, float], float, dict[str, float]]] = {}


def backtest_uncertainty(scope: str, calibration: list[Pair] | None = None) -> Uncertainty:
    """The error model a backtest simulates with: calibrated on ``calibration``, less what the backtest is given.

    The seat, contest-type and slope errors are measured on the default model's residuals in the
    ``calibration`` pairs (each fitted on the others among them), and the nation and regional
    errors on their geographic deviations, so an election is never scored with an error model
    measured on itself; without ``calibration``, the shipped defaults. The true shares at
    ``scope`` are known, so the national error is off, and so are the nation and regional errors
    at region scope (and the nation error at nation scope).
    """
    default = Uncertainty()
    if not calibration:
        return default.model_copy(update={
            "national": 0.0,
            "nation": default.nation if scope == "gb" else 0.0,
            "regional": default.regional if scope in ("gb", "nation") else 0.0,
        })  # fmt: skip
    key = tuple(sorted(id(p) for p in calibration))
    if key not in _HELD_OUT:
        seat, contest, slopes = residual_errors(calibration, model_states(calibration))
        _, regional = geographic_errors(calibration)
        _HELD_OUT[key] = (seat, contest, slopes, regional, nation_scales(calibration, nation_errors(calibration)))
    seat, contest, slopes, regional, nations = _HELD_OUT[key]
    return Uncertainty(
        national=0.0, lead=None, regional=round(regional, 3) if scope in ("gb", "nation") else 0.0,
        nation=None if scope == "gb" else 0.0, nations={n: round(v, 3) for n, v in nations.items()},
        contest=round(contest, 3), seat=round(seat, 3), slopes={c: round(v, 2) for c, v in slopes.items()},
    )  # fmt: skip
