"""Refit the linked and multiparty models' shipped coefficients on every backtest pair, as JSON.

    uv run python -m sim.backtest.refit_linked --force

(``--output PATH`` and ``--multiparty-output PATH`` write elsewhere; ``--data-dir DIR`` names the
data folder.) The files are read by :mod:`sim.projection.linked_coefficients` for ``method =
"linked"`` and by :mod:`sim.projection.multiparty_step` for ``method = "multiparty"``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from sim.backtest.scores import PAIRS, load_pairs
from sim.core.errors import SwingometerError
from sim.data.election import DataDir
from sim.projection.linked import FEATURES, fit
from sim.projection.linked_coefficients import SHIPPED
from sim.projection.multiparty import fit as fit_multiparty
from sim.projection.multiparty_step import SHIPPED as SHIPPED_MULTIPARTY
from sim.projection.multiparty_step import to_json as multiparty_json


def fit_all(data_dir: DataDir = None) -> dict[str, np.ndarray]:
    """Fit the linked model on every backtest pair (``sim.backtest.scores.PAIRS``)."""
    return fit(load_pairs(data_dir))


def to_json(coefs: dict[str, np.ndarray]) -> str:
    """The coefficient file's text: features, training pairs and one row per party lineage."""
    return (
        json.dumps(
            {
                "features": list(FEATURES),
                "pairs": [f"{a} -> {b}" for a, b in PAIRS],
                "coefficients": {party: [float(v) for v in row] for party, row in sorted(coefs.items())},
            },
            indent=2,
        )
        + "\n"
    )


def main(argv: list[str] | None = None) -> int:
    """Refit the coefficients and write them (``--force`` to replace an existing file)."""
    parser = argparse.ArgumentParser(prog="python -m sim.backtest.refit_linked", description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=SHIPPED, help="where to write (default: the shipped file)")
    parser.add_argument(
        "--multiparty-output", type=Path, default=None,
        help="the multiparty model's file (default: the shipped one, or beside --output when that is given)",
    )  # fmt: skip
    parser.add_argument("--data-dir", type=Path, default=None, help="data folder (default: $SWINGOMETER_DATA_DIR)")
    parser.add_argument("--force", action="store_true", help="replace an existing file")
    args = parser.parse_args(argv)
    if args.multiparty_output is None:
        beside = args.output.with_name(f"{args.output.stem}.multiparty.json")
        args.multiparty_output = SHIPPED_MULTIPARTY if args.output == SHIPPED else beside
    for path in (args.output, args.multiparty_output):
        if path.exists() and not args.force:
            print(f"error: {path} exists; add --force to replace it", file=sys.stderr)
            return 1
    try:
        pairs = load_pairs(args.data_dir)
        text = to_json(fit(pairs))
        multiparty_text = multiparty_json(fit_multiparty(pairs), [f"{a} -> {b}" for a, b in PAIRS])
    except SwingometerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    args.output.write_text(text)
    args.multiparty_output.write_text(multiparty_text)
    print(f"wrote {args.output} and {args.multiparty_output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
