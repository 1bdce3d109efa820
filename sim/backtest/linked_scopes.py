"""Backtest of the scenario-file linked model against uniform swing at the scopes scenarios use.

A scenario file usually sets GB (or nation) shares and gives no Leave slope, so its linked step
adds only the incumbency terms to uniform swing. This backtest measures exactly that: for each
pair, the coefficients fitted on the other pairs with the Leave term removed (``kappa = 0``),
the pair's sophomore and standing-down features (as a scenario listing the actual retirements
would give them), then uniform swing at the scope to the later election's true shares. Run::

    uv run python -m sim.backtest.linked_scopes

It prints GB seats called wrong and the mean absolute share error per pair, for uniform swing
and the incumbency-only linked model at GB, nation and region scope.
"""

from __future__ import annotations

import numpy as np

from sim.backtest.scores import SCOPES, load_pairs, project_pair, units
from sim.core.parties import PARTY_INDEX
from sim.data.election import DataDir
from sim.projection.linked import PairFeatures, adjusted_shares, fit
from sim.projection.steps import State
from sim.projection.swing import scope_shares, uniform_swing


def incumbency_only(pair: PairFeatures, others: list[PairFeatures], scope: str) -> State:
    """Project ``pair`` by uniform swing at ``scope`` after the incumbency terms (fitted on ``others``)."""
    coefs = {k: v * np.array([0.0, 1.0, 1.0]) for k, v in fit(others).items()}
    shares = adjusted_shares(pair, coefs)
    start, later = pair.start, pair.later
    state = State(start.votes.copy(), start.abstain.copy(), start.stood.copy(), start.lead.copy())
    speaker = later.stood[:, PARTY_INDEX["SPK"]] | pair.earlier.stood[:, PARTY_INDEX["SPK"]]
    for unit in units(pair.earlier, scope):
        mask = unit & ~speaker
        if not mask.any():
            continue
        weight = state.total[mask]
        target = scope_shares(later.shares[mask], later.valid_votes[mask].astype(float))
        state.votes[mask] = (
            uniform_swing(shares[mask], state.stood[mask], weight, target, strict=False).shares * (weight[:, None])
        )
    state.votes[speaker] = later.shares[speaker] * state.total[speaker][:, None]
    return state


def errors(pair: PairFeatures, state: State) -> tuple[int, float]:
    """GB seats called wrong and the mean absolute share error where parties stand."""
    later = pair.later
    winners = np.argmax(state.shares * state.lead * state.stood, axis=1)
    gb = later.gb
    wrong = int((winners[gb] != later.winners[gb]).sum())
    return wrong, float(np.abs(state.shares - later.shares)[later.stood].mean())


def table(data_dir: DataDir = None) -> list[tuple[str, str, int, float, int, float]]:
    """Rows ``(pair, scope, uniform wrong, uniform MAE, linked wrong, linked MAE)``."""
    pairs = load_pairs(data_dir)
    rows = []
    for pair in pairs:
        others = [q for q in pairs if q is not pair]
        for scope in SCOPES:
            u = errors(pair, project_pair(pair, "uniform", scope))
            lk = errors(pair, incumbency_only(pair, others, scope))
            rows.append((f"{pair.earlier.name} -> {pair.later.name}", scope, *u, *lk))
    return rows


def main() -> None:
    """Print the comparison as a Markdown table."""
    print("| pair | scope | uniform: GB wrong | MAE | linked, incumbency only: GB wrong | MAE |")
    print("|---|---|---:|---:|---:|---:|")
    for name, scope, uw, um, lw, lm in table():
        print(f"| {name} | {scope} | {uw} | {um:.4f} | {lw} | {lm:.4f} |")


if __name__ == "__main__":
    main()
