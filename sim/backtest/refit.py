"""Refit the linked and multiparty models' shipped coefficients on every backtest pair.

    uv run python -m sim.backtest.refit --force

(``--output-dir DIR`` writes both files there instead; ``--data-dir DIR`` names the data folder.)
The files are read by :mod:`sim.projection.coefficients` for ``method = "linked"`` and
``method = "multiparty"`` in scenario files that give no coefficients of their own.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sim.backtest.fit import FITS
from sim.backtest.pairs import PAIRS, load_pairs
from sim.core.errors import SwingometerError
from sim.projection.coefficients import SHIPPED


def main(argv: list[str] | None = None) -> int:
    """Refit the coefficients and write them (``--force`` to replace existing files)."""
    parser = argparse.ArgumentParser(prog="python -m sim.backtest.refit", description=__doc__.splitlines()[0])
    parser.add_argument("--output-dir", type=Path, default=None, help="where to write (default: the shipped files)")
    parser.add_argument("--data-dir", type=Path, default=None, help="data folder (default: $SWINGOMETER_DATA_DIR)")
    parser.add_argument("--force", action="store_true", help="replace existing files")
    args = parser.parse_args(argv)
    paths = {m: (args.output_dir / p.name if args.output_dir else p) for m, p in SHIPPED.items()}
    for path in paths.values():
        if path.exists() and not args.force:
            print(f"error: {path} exists; add --force to replace it", file=sys.stderr)
            return 1
    try:
        pairs = load_pairs(args.data_dir)
        texts = {m: FITS[m](pairs).to_json(m, [f"{a} -> {b}" for a, b in PAIRS]) for m in paths}
    except SwingometerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for method, path in paths.items():
        path.write_text(texts[method])
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
