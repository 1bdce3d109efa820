"""Refit the linked model's shipped coefficients on every backtest pair and write them as JSON.

    uv run python -m sim.backtest.refit_linked --force

(``--output PATH`` writes elsewhere; ``--data-dir DIR`` names the data folder.) The file is read
by :mod:`sim.projection.linked_coefficients` for ``method = "linked"`` in scenario files.
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
    parser.add_argument("--data-dir", type=Path, default=None, help="data folder (default: $SWINGOMETER_DATA_DIR)")
    parser.add_argument("--force", action="store_true", help="replace an existing file")
    args = parser.parse_args(argv)
    if args.output.exists() and not args.force:
        print(f"error: {args.output} exists; add --force to replace it", file=sys.stderr)
        return 1
    try:
        text = to_json(fit_all(args.data_dir))
    except SwingometerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    args.output.write_text(text)
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
