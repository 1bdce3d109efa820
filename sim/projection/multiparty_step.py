"""The multiparty model in scenario files: ``method = "multiparty"`` in a shares step.

The step applies the linked model's terms with the multiparty model's jointly fitted coefficients
(:mod:`sim.projection.linked_step`), then the multiparty model's shared terms
(:mod:`sim.projection.multiparty`: collapse, damping, progressive and unionist consolidation,
by-election change), and finally the engine's uniform swing, with its balancing and the untargeted
parties' gain cap, to land the scope targets exactly. The backtests end with the model's
renormalising swing instead (:func:`sim.projection.multiparty.swing`): with every party given its
true regional share it measured better (2024: 67 seats wrong against 70), but in scenarios, where
a targeted party may fight part of the scope or every party in a seat may share one implied change
(Northern Ireland under a ``uk`` scope), renormalising moves seats nobody asked to move (a Green
target of 30% made the Lib Dems 81% in Orkney and Shetland). The engine's swing never moves a
party against its change, and its backtest is the "halfway balancing" row of docs/accuracy.md.

In a scenario the change ``D`` the terms read is the step's: each party's scope target (implied for
parties without one) minus its scope share before the step, the same in every seat of the scope; the
incumbent of a seat is the base election's winner; the by-election changes are those of the
Parliament the base election elected (for a 2019 base, the 2019-2024 by-elections). The backtests'
lay-out of Reform's start (:func:`sim.projection.multiparty.lineage_layout`) is not applied: a
scenario that makes a party stand anew gives it a geography itself (``stand``).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import numpy as np

from sim.core.errors import SwingometerError
from sim.data.election import DataDir, Election
from sim.projection import multiparty
from sim.projection.linked import FEATURES
from sim.scenario import schema as s

SHIPPED = Path(__file__).with_name("multiparty_coefficients.json")
"""The coefficients scenario files use (``uv run python -m sim.backtest.refit_linked --force`` rewrites them)."""


def to_json(coefs: multiparty.Coefficients, pairs: list[str]) -> str:
    """The coefficient file's text."""
    return (
        json.dumps(
            {
                "features": list(FEATURES),
                "shared_terms": list(multiparty.POOLED),
                "pairs": pairs,
                "linked": {k: [float(v) for v in row] for k, row in sorted(coefs.linked.items())},
                "shared": {k: float(v) for k, v in coefs.pooled.items()},
            },
            indent=2,
        )
        + "\n"
    )


def read(path: Path) -> multiparty.Coefficients:
    """Coefficients from a file written by :func:`to_json`."""
    try:
        data = json.loads(path.read_text())
        linked = {str(k): np.array(v, dtype=np.float64) for k, v in data["linked"].items()}
        pooled = {str(k): float(v) for k, v in data["shared"].items()}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise SwingometerError(f"cannot read the multiparty model's coefficients from {path}: {exc}") from None
    if set(pooled) != set(multiparty.POOLED) or any(v.shape != (len(FEATURES),) for v in linked.values()):
        raise SwingometerError(f"{path}: expected the terms {', '.join(multiparty.POOLED)} and 3 linked terms a party")
    return multiparty.Coefficients(linked, pooled)


@cache
def shipped() -> multiparty.Coefficients:
    """The shipped coefficients (read once)."""
    return read(SHIPPED)


@cache
def _by_election(election: Election, data_dir: DataDir) -> np.ndarray:
    """The base election's by-election changes (all seats)."""
    from sim.data.by_election_change import by_election_change

    return by_election_change(election, {}, data_dir)


def adjust(
    shares: np.ndarray, stood: np.ndarray, weight: np.ndarray, full: np.ndarray, election: Election,
    mask: np.ndarray, step: s.SharesStep, where: str, data_dir: DataDir = None,
) -> tuple[np.ndarray, list[str]]:  # fmt: skip
    """The scope's shares with the linked and shared terms (before the uniform swing) and notes."""
    from sim.projection.linked_step import adjust as linked_adjust
    from sim.projection.swing import scope_shares

    coefs = shipped()
    out, notes = linked_adjust(shares, stood, weight, election, mask, step, where, coefs.linked)
    notes = [n.replace(": linked:", ": multiparty (linked terms):") for n in notes]
    before = scope_shares(shares, weight)
    by = _by_election(election, data_dir)
    ctx = multiparty.Context(
        shares=shares, scope_shares=multiparty.unit_shares(shares, weight, election.regions[mask]),
        change=np.broadcast_to(full - before, shares.shape),
        stood=stood, winners=election.winners[mask], by_election=np.where(stood, by[mask], 0.0),
    )  # fmt: skip
    adjusted = multiparty.apply_terms(out, ctx, coefs)
    adjusted = np.where(stood, np.clip(adjusted, 0.0, None), 0.0)
    total = adjusted.sum(axis=1, keepdims=True)
    adjusted = np.divide(adjusted, total, out=out.copy(), where=total > 0)
    notes.append(
        f"{where}: multiparty: the largest adjustment before the uniform swing is "
        f"{100 * np.abs(adjusted - shares).max():.1f} points in a seat"
    )
    return adjusted, notes
