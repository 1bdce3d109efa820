"""The linked model's shipped coefficients: fitted on every backtest pair, stored as JSON.

Scenario files use ``method = "linked"`` with the coefficients in ``linked_coefficients.json``
(next to this module): per party lineage, ``kappa`` (the multiple of a between-region Leave slope
applied within regions), the sophomore-MP term and the MP-standing-down term, fitted by
:func:`sim.projection.linked.fit` on all four pairs of :data:`sim.backtest.scores.PAIRS`. Refit and rewrite them
with::

    uv run python -m sim.projection.linked_coefficients --force

(``--output PATH`` writes elsewhere; ``--data-dir DIR`` names the data folder.) A test refits and
checks the shipped file, so it cannot go stale silently.
"""

from __future__ import annotations

import argparse
import json
import sys
from functools import cache
from pathlib import Path

import numpy as np

from sim.core.errors import SwingometerError
from sim.data.election import DataDir
from sim.projection.linked import FEATURES

SHIPPED = Path(__file__).with_name("linked_coefficients.json")
"""The coefficients scenario files use."""


def fit_all(data_dir: DataDir = None) -> dict[str, np.ndarray]:
    """Fit the linked model on every backtest pair (``sim.backtest.scores.PAIRS``)."""
    from sim.backtest.scores import load_pairs
    from sim.projection.linked import fit

    return fit(load_pairs(data_dir))


def to_json(coefs: dict[str, np.ndarray]) -> str:
    """The coefficient file's text: features, training pairs and one row per party lineage."""
    from sim.backtest.scores import PAIRS

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


def read(path: Path) -> dict[str, np.ndarray]:
    """Coefficients per party lineage from a file written by :func:`to_json`."""
    try:
        data = json.loads(path.read_text())
        table = data["coefficients"]
        out = {str(k): np.array(v, dtype=np.float64) for k, v in table.items()}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise SwingometerError(f"cannot read the linked model's coefficients from {path}: {exc}") from None
    if any(v.shape != (len(FEATURES),) or not np.isfinite(v).all() for v in out.values()):
        raise SwingometerError(f"{path}: every party needs {len(FEATURES)} finite coefficients")
    return out


@cache
def shipped() -> dict[str, np.ndarray]:
    """The shipped coefficients (read once)."""
    return read(SHIPPED)


def main(argv: list[str] | None = None) -> int:
    """Refit the coefficients and write them (``--force`` to replace an existing file)."""
    parser = argparse.ArgumentParser(
        prog="python -m sim.projection.linked_coefficients", description=__doc__.splitlines()[0]
    )
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
