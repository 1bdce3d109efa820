"""Fit the linked and multiparty models on past elections, through the scenario path.

For each training pair the terms are the ones its backtest scenario's ``shares`` step computes
(:func:`sim.projection.shares.context`, from the state the step starts from), and the response is
each party's seat change to the true later share. Every term and the change are centred within
region, each election is weighted equally, and the coefficients are found by least squares:

* ``linked``: per party lineage, its three terms (``kappa``, ``sophomore``, ``retiring``);
* ``multiparty``: the linked terms per lineage and the shared terms jointly. Each incumbency term
  is fitted per lineage where the lineage has at least :data:`MIN_INCUMBENCY_SEATS` such seats in
  the fit; a smaller lineage's seats are left out of that term's fit and it takes the mean of the
  fitted lineages' coefficients (the Greens' only sophomore seat, Brighton Pavilion, alone gave
  them a 25-point term).

A party enters a pair's fit when it fights at least :data:`MIN_SEATS` seats there.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from sim.backtest.pairs import Pair, pair_scenario
from sim.core.parties import PARTY_INDEX
from sim.projection import terms
from sim.projection.coefficients import Coefficients
from sim.projection.project import project_state
from sim.projection.shares import areas, context
from sim.scenario import schema as s

MIN_SEATS = 30
"""A party needs this many seats it fights in a pair to enter that pair's fit."""
MIN_INCUMBENCY_SEATS = 10
"""A lineage gets its own sophomore (or standing-down) coefficient with at least this many such seats in the fit."""


@dataclass(frozen=True, eq=False)
class Training:
    """One pair's terms and seat changes, on the seats of its shares step.

    Attributes
    ----------
    context : terms.Context
    change : (n, n_parties) float64
        The later election's true share minus the start share.
    later_stood : (n, n_parties) bool

    """

    context: terms.Context
    change: np.ndarray
    later_stood: np.ndarray

    def mask(self, party: int) -> np.ndarray:
        """Seats where the party is modelled and stands at the later election."""
        return self.context.modelled[:, party] & self.later_stood[:, party]


@cache
def training(pair: Pair) -> Training:
    """The pair's terms as its backtest scenario computes them (cached per pair)."""
    scenario = pair_scenario(pair, "multiparty", "region")
    k = len(scenario.steps) - 1
    step = scenario.steps[k]
    assert isinstance(step, s.SharesStep)
    where = f"steps[{k}]"
    state = project_state(scenario, pair.earlier, k, pair.data_dir)
    parts = areas(state, pair.earlier, step, where)
    ctx = context(state, pair.earlier, step, parts, where, pair.data_dir)
    scope = np.any([a.mask for a in parts], axis=0)
    return Training(ctx, pair.later.shares[scope] - ctx.shares, pair.later.stood[scope])


def _centred(values: np.ndarray, mask: np.ndarray, ctx: terms.Context) -> np.ndarray:
    """``values`` over the masked seats, centred within region (weighted by the seats' votes)."""
    return terms.centred(np.where(mask, values, np.nan), ctx.regions, ctx.weight)[mask]


def _cases(pairs: list[Pair]) -> list[tuple[Training, int, str, np.ndarray, np.ndarray]]:
    """(training, party column, lineage, seats in the fit, linked terms ``(n, 3)``) per pair and party."""
    out = []
    for pair in pairs:
        t = training(pair)
        linked = terms.linked_features(t.context)
        for party in terms.MODEL_PARTIES:
            j = PARTY_INDEX[party]
            mask = t.mask(j)
            if mask.sum() >= MIN_SEATS:
                x = np.column_stack([linked[term][:, j] for term in terms.LINKED_TERMS])
                out.append((t, j, terms.LINEAGE.get(party, party), mask, x))
    return out


def fit_linked(pairs: list[Pair]) -> Coefficients:
    """The linked model's coefficients per lineage, fitted on ``pairs``."""
    rows: dict[str, tuple[list[np.ndarray], list[np.ndarray]]] = {}
    for t, j, key, mask, x in _cases(pairs):
        w = 1.0 / np.sqrt(mask.sum())
        xs, ys = rows.setdefault(key, ([], []))
        xs.append(np.column_stack([_centred(c, mask, t.context) for c in x.T]) * w)
        ys.append(_centred(t.change[:, j], mask, t.context) * w)
    linked = {}
    for key, (xs, ys) in rows.items():
        a, b = np.vstack(xs), np.concatenate(ys)
        linked[key] = np.linalg.solve(a.T @ a + 1e-9 * np.eye(a.shape[1]), a.T @ b)
    return Coefficients(linked, {})


def fit_multiparty(pairs: list[Pair], drop: tuple[str, ...] = ()) -> Coefficients:
    """The multiparty model's coefficients, fitted jointly on ``pairs``; ``drop`` names shared terms left out (0)."""
    cases = _cases(pairs)
    keys = sorted({key for _, _, key, _, _ in cases})
    counts = {key: np.zeros(2) for key in keys}
    for t, j, key, mask, _ in cases:
        counts[key] += [t.context.sophomore[mask, j].sum(), t.context.retiring[mask, j].sum()]
    own = {key: counts[key] >= MIN_INCUMBENCY_SEATS for key in keys}
    n_lin = len(keys)
    shared_at = 3 * n_lin  # columns: kappa per lineage, (sophomore, standing down) per lineage, shared terms
    n_cols = shared_at + len(s.SHARED_TERMS)
    blocks, ys = [], []
    shared_cache: dict[int, dict[str, np.ndarray]] = {}
    for t, j, key, mask, x in cases:
        if id(t) not in shared_cache:
            shared_cache[id(t)] = terms.shared_features(t.context)
        k = keys.index(key)
        row = np.zeros((int(mask.sum()), n_cols))
        row[:, k] = _centred(x[:, 0], mask, t.context)
        for f in (0, 1):
            if own[key][f]:
                row[:, n_lin + 2 * k + f] = _centred(x[:, 1 + f], mask, t.context)
        for c, term in enumerate(s.SHARED_TERMS):
            if term not in drop:
                row[:, shared_at + c] = _centred(shared_cache[id(t)][term][:, j], mask, t.context)
        w = 1.0 / np.sqrt(mask.sum())
        blocks.append(row * w)
        ys.append(_centred(t.change[:, j], mask, t.context) * w)
    a, b = np.vstack(blocks), np.concatenate(ys)
    used = np.abs(a).sum(axis=0) > 0
    beta = np.zeros(n_cols)
    beta[used] = np.linalg.solve(a[:, used].T @ a[:, used] + 1e-9 * np.eye(int(used.sum())), a[:, used].T @ b)
    fitted = [[beta[n_lin + 2 * k + f] for k, key in enumerate(keys) if own[key][f]] for f in (0, 1)]
    small = [float(np.mean(v)) if v else 0.0 for v in fitted]
    linked = {
        key: np.array([beta[k], *(beta[n_lin + 2 * k + f] if own[key][f] else small[f] for f in (0, 1))])
        for k, key in enumerate(keys)
    }
    return Coefficients(linked, {term: float(beta[shared_at + c]) for c, term in enumerate(s.SHARED_TERMS)})


FITS = {"linked": fit_linked, "multiparty": fit_multiparty}
"""The fitted methods and their fitting functions."""
