"""What each piece of the multiparty model buys: GB seats wrong per pair, leave-one-out and rolling origin.

    uv run python -m sim.backtest.ablation

For every backtest pair it prints uniform swing by region, the linked model, the multiparty model,
the multiparty model less each of its shared terms (refitted without it), and the multiparty model
without the lineage's lay-out or with the lay-out's default donors (every party rather than the
Conservatives), each fitted two ways: leave-one-election-out (on every other pair, later ones
included) and rolling origin (on the earlier pairs only; the first, 2005-notional -> 2010, has
none). Every row is a backtest scenario projected as users project scenarios. With
``--coefficients`` it prints the shared coefficients fitted on each training set instead (their
stability), with 2024's score where 2024 is left out of the fit.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from sim.backtest.fit import fit_linked, fit_multiparty
from sim.backtest.pairs import Pair, load_pairs, pair_scenario
from sim.backtest.scores import seat_errors
from sim.core.errors import SwingometerError
from sim.data.election import DataDir
from sim.projection.project import project
from sim.scenario.schema import SHARED_TERMS

NO_LAYOUT = "multiparty, Reform's start not laid out"
LAYOUT_DEFAULT = "multiparty, lay-out paid by every party (the default)"
MODELS = ("uniform", "linked", "multiparty", *(f"multiparty less {t}" for t in SHARED_TERMS), NO_LAYOUT,
          LAYOUT_DEFAULT)  # fmt: skip


def variant(pair: Pair, model: str) -> Pair:
    """The pair with its setup as ``model`` has it (the lay-out left out, or paid by every party)."""
    if model == NO_LAYOUT:
        return replace(pair, setup=tuple(s for s in pair.setup if s["kind"] != "layout"))
    if model == LAYOUT_DEFAULT:
        return replace(pair, setup=tuple({**s, "from": []} if s["kind"] == "layout" else s for s in pair.setup))
    return pair


def misses(pair: Pair, model: str, train: list[Pair]) -> tuple[int, dict[str, int]] | None:
    """GB seats wrong and the seat error per party of ``model`` fitted on ``train`` (None: nothing to fit on)."""
    if model == "uniform":
        scenario = pair_scenario(pair, "uniform", "region")
    elif not train:
        return None
    elif model == "linked":
        scenario = pair_scenario(pair, "linked", "region", fit_linked(train))
    else:
        dropped = tuple(model.split(" less ", 1)[1].split(" and ")) if " less " in model else ()
        scenario = pair_scenario(variant(pair, model), "multiparty", "region", fit_multiparty(train, drop=dropped))
    projection = project(scenario, pair.earlier, pair.data_dir)
    winners, error = seat_errors(pair.later, projection)
    gb = pair.later.gb
    return int((winners[gb] != pair.later.winners[gb]).sum()), {p: v for p, v in error.items() if v}


def table(data_dir: DataDir = None) -> list[str]:
    """The ablation as Markdown lines."""
    pairs = load_pairs(data_dir)
    names = [p.name for p in pairs]
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


def coefficients(data_dir: DataDir = None) -> list[str]:
    """The multiparty model's shared coefficients fitted on each training set, and 2024's score where it is out.

    Rows: each pair alone, every set that leaves one pair out, all five (the shipped fit), and the
    earlier pairs less one each (2024 fitted without one of the elections before it).
    """
    pairs = load_pairs(data_dir)
    earlier = pairs[:-1]
    sets = [[p] for p in pairs] + [[q for q in pairs if q is not p] for p in pairs] + [pairs]
    sets += [[q for q in earlier if q is not p] for p in earlier]  # 2024 fitted without one earlier pair too
    lines = [
        "| fitted on | " + " | ".join(SHARED_TERMS) + " | kappa CON / LAB | 2024 GB seats wrong |",
        "|---|" + "---:|" * (len(SHARED_TERMS) + 2),
    ]
    last = pairs[-1]
    for train in sets:
        coefs = fit_multiparty(train)
        left_out = " and ".join(p.name for p in pairs if p not in train)
        names = ", ".join(p.name for p in train) if len(train) < 3 else (
            "all five" if len(train) == len(pairs) else f"all but {left_out}"
        )  # fmt: skip
        wrong = misses(last, "multiparty", train)[0] if last not in train else "-"  # type: ignore[index]
        kappa = f"{coefs.linked['CON'][0]:.2f} / {coefs.linked['LAB'][0]:.2f}"
        lines.append(f"| {names} | " + " | ".join(f"{coefs.shared[t]:+.2f}" for t in SHARED_TERMS)
                     + f" | {kappa} | {wrong} |")  # fmt: skip
    return lines


def main(argv: list[str] | None = None) -> int:
    """Print the ablation table (``--data-dir DIR`` names the data folder; ``--coefficients``: the fits by set)."""
    import argparse
    import sys

    parser = argparse.ArgumentParser(prog="python -m sim.backtest.ablation", description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=None, help="data folder (default: $SWINGOMETER_DATA_DIR)")
    parser.add_argument(
        "--coefficients", action="store_true", help="print the shared coefficients fitted on each training set instead"
    )
    args = parser.parse_args(argv)
    try:
        print("\n".join(coefficients(args.data_dir) if args.coefficients else table(args.data_dir)))
    except SwingometerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
