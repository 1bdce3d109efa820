"""Small, picklable summaries of a simulation: what sweeps and comparisons keep per run."""

from __future__ import annotations

import re
from collections.abc import Sequence

from sim.core.errors import SwingometerError
from sim.core.parties import PARTIES, PARTY_INDEX, party_index
from sim.montecarlo.results import SimulationResult

METRIC = re.compile(
    r"^\s*(?:P\(\s*([A-Za-z+]+)\s+(majority|effective majority|largest)\s*\)|seats\(\s*([A-Za-z+]+)\s*\))\s*$"
)


def summarise(result: SimulationResult) -> dict[str, float]:
    """Per-party mean seats, 5th/95th percentiles and probabilities, keyed like ``CON.mean``."""
    mean = result.mean_seats()
    p5, p95 = result.quantiles((0.05, 0.95))
    won = result.summary.won_any()
    major = result.majority_probability()
    effective = result.effective_majority_probability()
    largest = result.largest_probability()
    out: dict[str, float] = {}
    for p, party in enumerate(PARTIES):
        if won[p]:
            out[f"{party}.mean"] = float(mean[p])
            out[f"{party}.p5"] = float(p5[p])
            out[f"{party}.p95"] = float(p95[p])
            out[f"{party}.p_majority"] = float(major[p])
            out[f"{party}.p_effective_majority"] = float(effective[p])
            out[f"{party}.p_largest"] = float(largest[p])
    return out


def metric_value(result: SimulationResult, metric: str) -> float:
    """Evaluate ``P(CON majority)``, ``P(LAB+LD effective majority)``, ``P(CON largest)`` or ``seats(LAB)``."""
    match = METRIC.match(check_metric(metric))
    assert match is not None
    parties = metric_parties(metric)
    kind = match.group(2)
    if kind == "largest":
        return float(result.largest_probability()[PARTY_INDEX[parties[0]]])
    bloc = result.bloc(parties)  # from the summary when the run named it (metric_blocs), else from the draws
    return bloc["mean" if kind is None else "p_majority" if kind == "majority" else "p_effective_majority"]


def metric_blocs(metrics: Sequence[str | None]) -> list[list[str]]:
    """The blocs a run must summarise for these metrics (:func:`metric_value` without the draws)."""
    return [metric_parties(m) for m in metrics if m is not None]


def check_metric(metric: str) -> str:
    """Validate a metric expression before any simulation runs (a bloc names each party once)."""
    match = METRIC.match(metric)
    if not match:
        raise SwingometerError(
            f"cannot read the metric '{metric}'; write P(PARTY majority), P(PARTY effective majority), "
            "P(PARTY largest) or seats(PARTY), where PARTY may be a bloc like LAB+LD+SNP"
        )
    codes = [PARTIES[party_index(p, where=f"metric '{metric}'")] for p in (match.group(1) or match.group(3)).split("+")]
    repeated = sorted({c for c in codes if codes.count(c) > 1})
    if repeated:
        raise SwingometerError(
            f"metric '{metric}': {repeated[0]} is named twice in the bloc (party codes ignore case); "
            "name each party once"
        )
    if match.group(2) == "largest" and len(codes) > 1:
        raise SwingometerError(f"metric '{metric}': P(... largest) takes a single party, not a bloc")
    return metric


def metric_parties(metric: str) -> list[str]:
    """The canonical party codes a (valid) metric names."""
    match = METRIC.match(check_metric(metric))
    assert match is not None
    return [PARTIES[party_index(p)] for p in (match.group(1) or match.group(3)).split("+")]
