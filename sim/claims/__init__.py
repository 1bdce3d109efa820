"""The essays' claims: each scenario file in ``scenarios/claims/`` tested against the data.

A claim file is a scenario with a ``[claim]`` table: ``id``, ``essay``, ``quote``, ``test`` (what
counts as the claim holding), ``assumptions`` (what the essay leaves open), and optionally
``variant`` (several files for one claim) and ``sweep`` (the axis the report sweeps). Each ``id``
has an evaluator that runs the scenario (projections, simulations with the calibrated default
uncertainty, sweeps and thresholds with their Monte Carlo error), checks the essay's own numbers
against the data, sets flow assumptions beside the rates voters reported in surveys, and returns
a :class:`Finding` with a verdict: supported, not supported, or conditional (with the threshold
where it turns).

The engine is :mod:`~sim.claims.model` (finding, check, context), :mod:`~sim.claims.runner`
(registry of evaluators, loading and running), :mod:`~sim.claims.report` (Markdown) and
:mod:`~sim.claims.stats`; the evaluators are grouped by theme in :mod:`~sim.claims.arithmetic`,
:mod:`~sim.claims.flows` and :mod:`~sim.claims.geography`.
"""

from sim.claims.model import CLAIM_KEYS, VERDICTS, Check, Context, Finding
from sim.claims.report import BEGIN, END, markdown_report, update_section
from sim.claims.runner import EVALUATORS, claim_files, claims_dir, evaluate, run_claims

__all__ = [
    "BEGIN",
    "CLAIM_KEYS",
    "END",
    "EVALUATORS",
    "VERDICTS",
    "Check",
    "Context",
    "Finding",
    "claim_files",
    "claims_dir",
    "evaluate",
    "markdown_report",
    "run_claims",
    "update_section",
]
