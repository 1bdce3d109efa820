"""Forecasts tested as forecasts: each election from its eve-of-poll polls, the model fitted on earlier ones only.

For 2010, 2015, 2017, 2019 and 2024 the forecast is a scenario a user can run: the backtest pair's
setup (merges, the later candidacies, the lineage's layout: all public before polling day), then a
``polls`` step as of the day before polling day (GB polls, and Scotland's and Wales's own where a
source has them) by the method, its coefficients fitted on the earlier pairs only (2010 has none:
the model's terms are zero, i.e. uniform swing by nation). The Monte Carlo uses the error model
measured on the other elections (:func:`sim.backtest.calibrate.backtest_uncertainty`, and the
polls' industry error on the other elections' eve-of-poll averages), the average's own variance
added by the ``polls`` step.

Scored: GB seats called wrong; the seat error of CON, LAB, LD, the SNP, the UKIP-Brexit-Reform
lineage, the Greens and Plaid Cymru and its mean absolute value; Brier and log scores of the
seat probabilities; whether the 50% and 90% intervals of those seven parties' totals cover the
result; and the probability given to what happened (a party's majority, or a hung parliament
with a given largest party).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from sim.backtest.calibrate import backtest_uncertainty
from sim.backtest.fit import FITS
from sim.backtest.pairs import PAIRS, Pair, load_pairs
from sim.backtest.pollerror import EVE, industry_error, poll_errors
from sim.core.errors import SwingometerError
from sim.core.parties import PARTIES, PARTY_INDEX
from sim.data.election import DataDir
from sim.montecarlo.simulate import inputs_for, simulate
from sim.projection.coefficients import LINEAGES, Coefficients
from sim.projection.project import Projection, project
from sim.projection.terms import LINKED_TERMS
from sim.scenario import schema as s
from sim.scenario.load import parse_scenario

FORECASTS: dict[str, tuple[tuple[str, str], tuple[str, ...]]] = {
    "2010": (PAIRS[0], ("pollbase",)),
    "2015": (PAIRS[1], ("pollbase", "nations-final")),
    "2017": (PAIRS[2], ("pollbase", "nations-final")),
    "2019": (PAIRS[3], ("pollbase", "nations-final")),
    "2024": (PAIRS[4], ("2024-final",)),
}
"""Each forecast election: its backtest pair and the poll sources read on its eve (``EVE`` gives the date)."""
SCORED = ("CON", "LAB", "LD", "SNP", "UKIP/BRX/REF", "GRN", "PC")
MAIN = ("CON", "LAB", "LD", "SNP")
"""The main parties, whose interval coverage is also counted apart (the small parties' are often trivially met)."""
LINEAGE = ("UKIP", "BRX", "REF")
MAJORITY = 326


@dataclass(frozen=True)
class ForecastScore:
    """One election forecast from its polls, scored against what happened."""

    election: str
    method: str
    fitted_on: list[str]
    as_of: str
    sources: list[str]
    polls: dict[str, int]
    gb_wrong: int
    seat_error: dict[str, int]
    mae: float
    seats: dict[str, int]
    actual: dict[str, int]
    draws: int = 0
    brier: float | None = None
    log_score: float | None = None
    cover50: int | None = None
    cover90: int | None = None
    cover50_main: int | None = None
    cover90_main: int | None = None
    intervals: dict[str, dict[str, list[int]]] = field(default_factory=dict)
    outcome: str = ""
    p_outcome: float | None = None
    outcomes: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain-Python fields."""
        return asdict(self)


def forecast_scenario(
    pair: Pair, as_of: str, sources: tuple[str, ...], method: str, earlier: list[Pair], uncertainty: s.Uncertainty
) -> s.Scenario:  # fmt: skip
    """The forecast as a scenario: the pair's setup, then a polls step, coefficients fitted on ``earlier``."""
    step: dict[str, Any] = {"kind": "polls", "as_of": as_of, "source": list(sources), "method": method}
    if method in FITS:
        coefs = FITS[method](earlier) if earlier else _zero(method)
        step["coefficients"] = coefs.to_dict()
    fitted = ", ".join(p.name for p in earlier) if earlier else "no earlier election (the terms are zero)"
    return parse_scenario({
        "schema": 1,
        "name": f"Forecast: {pair.later.name} from the polls as of {as_of}, {method}",
        "description": (
            f"The {pair.earlier.name} result with the {pair.later.name} candidacies, moved to the poll average as of "
            f"{as_of} ({', '.join(sources)}) by {method} swing"
            + (f", coefficients fitted on {fitted}" if method in FITS else "")
            + ". Written by swingometer backtest --forecast."
        ),
        "base": pair.earlier.name,
        "steps": [*pair.setup, step],
        "uncertainty": uncertainty.model_dump(exclude={"parameters"}),
    })  # fmt: skip


def _zero(method: str) -> Coefficients:
    return Coefficients(
        {k: np.zeros(len(LINKED_TERMS)) for k in LINEAGES},
        {k: 0.0 for k in s.SHARED_TERMS} if method == "multiparty" else {},
    )


def forecast_uncertainty(election: str, pairs: list[Pair], data_dir: DataDir = None) -> s.Uncertainty:
    """The error model of a forecast: measured on the other elections (geography, seats, and the polls' errors)."""
    others = [p for p in pairs if p.later.name != election]
    national, lead = industry_error(poll_errors(data_dir, tuple(e for e in EVE if e != election)))
    unc = backtest_uncertainty("gb", others)
    return unc.model_copy(update={"national": round(national, 3), "lead": round(lead, 3)})


def forecast(
    election: str, method: str = "multiparty", *, draws: int = 0, seed: int = 1, data_dir: DataDir = None,
    pairs: list[Pair] | None = None,
) -> tuple[ForecastScore, s.Scenario]:  # fmt: skip
    """Forecast ``election`` from its eve-of-poll polls and score it (see the module docstring)."""
    if election not in FORECASTS:
        raise SwingometerError(f"forecasts are of {', '.join(FORECASTS)}", field="election")
    pairs = pairs if pairs is not None else load_pairs(data_dir)
    key, sources = FORECASTS[election]
    index = PAIRS.index(key)
    pair = next(p for p in pairs if (p.earlier.name, p.later.name) == key)
    earlier = [p for p in pairs if PAIRS.index((p.earlier.name, p.later.name)) < index]
    as_of = EVE[election][0]
    scenario = forecast_scenario(pair, as_of, sources, method, earlier, forecast_uncertainty(election, pairs, data_dir))
    projection = project(scenario, pair.earlier, data_dir)
    return score_forecast(pair, projection, scenario, method, earlier, as_of, sources, draws, seed), scenario


def _seats(winners: np.ndarray, gb: np.ndarray | None = None) -> dict[str, int]:
    counts = np.bincount(winners if gb is None else winners[gb], minlength=len(PARTIES))
    out = {p: int(counts[PARTY_INDEX[p]]) for p in SCORED if p in PARTY_INDEX}
    out["UKIP/BRX/REF"] = int(sum(counts[PARTY_INDEX[p]] for p in LINEAGE))
    return out


def _outcome(counts: np.ndarray) -> str:
    """``"LAB majority"`` or ``"hung, CON largest"`` from seats per party (the lineage apart)."""
    top = int(np.argmax(counts))
    return f"{PARTIES[top]} majority" if counts[top] >= MAJORITY else f"hung, {PARTIES[top]} largest"


def score_forecast(
    pair: Pair, projection: Projection, scenario: s.Scenario, method: str, earlier: list[Pair], as_of: str,
    sources: tuple[str, ...], draws: int, seed: int,
) -> ForecastScore:  # fmt: skip
    """Score a forecast projection of ``pair.later`` (and, with ``draws``, its simulation)."""
    later = pair.later
    gb = later.gb
    seats, actual = _seats(projection.winners), _seats(later.winners)
    error = {p: seats[p] - actual[p] for p in SCORED}
    score = ForecastScore(
        election=later.name, method=method, fitted_on=[p.name for p in earlier], as_of=as_of, sources=list(sources),
        polls={avg.scope: len(avg.polls) for _, avg in projection.polls},
        gb_wrong=int((projection.winners[gb] != later.winners[gb]).sum()), seat_error=error,
        mae=float(np.mean([abs(v) for v in error.values()])), seats=seats, actual=actual,
    )  # fmt: skip
    if not draws:
        return score
    result = simulate(inputs_for(projection, scenario.uncertainty), draws, seed, keep_draws=True)
    prob = result.wins / draws
    truth = np.zeros_like(prob)
    truth[np.arange(later.n_seats), later.winners] = 1.0
    p_actual = np.maximum(prob[np.arange(later.n_seats), later.winners], 0.5 / draws)
    counts = result.seat_draws().astype(np.int64)
    lineage = counts[:, [PARTY_INDEX[p] for p in LINEAGE]].sum(axis=1)
    totals = {p: counts[:, PARTY_INDEX[p]] for p in SCORED if p in PARTY_INDEX} | {"UKIP/BRX/REF": lineage}
    intervals, hits = {}, {"50": 0, "90": 0, "50_main": 0, "90_main": 0}
    for party, values in totals.items():
        q = np.quantile(values, [0.25, 0.75, 0.05, 0.95], method="inverted_cdf").astype(int)
        intervals[party] = {"50": q[:2].tolist(), "90": q[2:].tolist()}
        for level, (low, high) in (("50", q[:2]), ("90", q[2:])):
            hit = int(low <= actual[party] <= high)
            hits[level] += hit
            hits[f"{level}_main"] += hit if party in MAIN else 0
    outcomes: dict[str, int] = {}
    for row in counts:
        label = _outcome(row)
        outcomes[label] = outcomes.get(label, 0) + 1
    happened = _outcome(np.bincount(later.winners, minlength=len(PARTIES)))
    shares = {k: v / draws for k, v in sorted(outcomes.items(), key=lambda kv: -kv[1])}
    return ForecastScore(**{
        **score.to_dict(), "draws": draws, "brier": float(((prob - truth) ** 2).sum(axis=1).mean()),
        "log_score": float(-np.log(p_actual).mean()), "cover50": hits["50"], "cover90": hits["90"],
        "cover50_main": hits["50_main"], "cover90_main": hits["90_main"], "intervals": intervals,
        "outcome": happened, "p_outcome": shares.get(happened, 0.0), "outcomes": shares,
    })  # fmt: skip


def forecast_all(
    method: str = "multiparty", *, draws: int = 0, seed: int = 1, data_dir: DataDir = None
) -> list[ForecastScore]:  # fmt: skip
    """Every forecast election (see :data:`FORECASTS`)."""
    pairs = load_pairs(data_dir)
    return [forecast(e, method, draws=draws, seed=seed, data_dir=data_dir, pairs=pairs)[0] for e in FORECASTS]


def forecasts_json(scores: list[ForecastScore]) -> str:
    """The scores as JSON (what ``backtest --forecast --json`` writes)."""
    return json.dumps([sc.to_dict() for sc in scores], indent=1) + "\n"
