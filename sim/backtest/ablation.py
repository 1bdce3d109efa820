"""What each term of the multiparty model buys: GB seats wrong per pair, leave-one-out and rolling origin.

    uv run python -m sim.backtest.ablation

For every backtest pair it prints uniform swing by region, the linked model, the multiparty model,
the multiparty model with the scenario engine's halfway balancing as its last step, and the
multiparty model less each of its shared terms (refitted without it), each fitted two ways:
leave-one-election-out (on every other pair, later ones included) and rolling origin (on the
earlier pairs only; the first, 2005-notional -> 2010, has none). The 2024 pair is fitted on the
earlier pairs either way.
"""

from __future__ import annotations

from pathlib import Path

from sim.backtest.scores import load_pairs, project_pair, seat_errors
from sim.data.election import DataDir
from sim.projection import linked, multiparty
from sim.projection.linked import PairFeatures
from sim.projection.swing import uniform_swing


def misses(pair: PairFeatures, model: str, train: list[PairFeatures]) -> tuple[int, dict[str, int]] | None:
    """GB seats wrong and the seat error per party of ``model`` fitted on ``train`` (None: nothing to fit on)."""
    if model == "uniform":
        state = project_pair(pair, "uniform", "region")
    elif not train:
        return None
    elif model == "linked":
        state = project_pair(pair, "linked", "region", linked.fit(train))
    elif model == HALFWAY:
        state = project_pair(pair, "multiparty", "region", multiparty.fit(train), swing=uniform_swing)
    else:
        dropped = tuple(model.split(" less ", 1)[1].split(" and ")) if " less " in model else ()
        state = project_pair(pair, "multiparty", "region", multiparty.fit(train, drop=dropped))
    winners, error = seat_errors(pair.later, state)
    gb = pair.later.gb
    return int((winners[gb] != pair.later.winners[gb]).sum()), {p: v for p, v in error.items() if v}


HALFWAY = "multiparty, halfway balancing"
"""The model with the scenario engine's balancing as its last step instead of renormalising each seat."""
MODELS = ("uniform", "linked", "multiparty", HALFWAY, *(f"multiparty less {t}" for t in multiparty.POOLED))


def table(data_dir: DataDir = None) -> list[str]:
    """The ablation as Markdown lines."""
    pairs = load_pairs(data_dir)
    names = [f"{p.earlier.name} -> {p.later.name}" for p in pairs]
    lines = [
        "| model | " + " | ".join(f"{n} (LOO / rolling)" for n in names) + " | 2024 seat error CON / LAB / LD |",
        "|---|" + "---:|" * (len(pairs) + 1),
    ]
    for model in MODELS:
        cells, last = [], {}
        for k, pair in enumerate(pairs):
            loo = misses(pair, model, [q for q in pairs if q is not pair])
            roll = misses(pair, model, pairs[:k])
            cells.append(f"{loo[0] if loo else '-'} / {roll[0] if roll else '-'}")
            last = loo[1] if loo else {}
        errors = " / ".join(f"{last.get(p, 0):+d}" for p in ("CON", "LAB", "LD"))
        lines.append(f"| {model} | " + " | ".join(cells) + f" | {errors} |")
    return lines


def main(argv: list[str] | None = None) -> int:
    """Print the ablation table (``--data-dir DIR`` names the data folder)."""
    import argparse
    import sys

    from sim.core.errors import SwingometerError

    parser = argparse.ArgumentParser(prog="python -m sim.backtest.ablation", description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=None, help="data folder (default: $SWINGOMETER_DATA_DIR)")
    args = parser.parse_args(argv)
    try:
        print("\n".join(table(args.data_dir)))
    except SwingometerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
