"""Render DataFrames as rich tables and write them as CSV or JSON."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from rich.table import Table

from cli.common import Outputs

if TYPE_CHECKING:
    import pandas as pd


def frame_table(frame: pd.DataFrame, title: str, percent: tuple[str, ...] = ()) -> Table:
    """A rich table of a DataFrame (index first); columns in ``percent`` shown as percentages."""
    columns = {str(col): frame[col].to_numpy() for col in frame.columns}
    return columns_table(str(frame.index.name or ""), list(frame.index), columns, title, percent)


def columns_table(
    index_name: str, index: Sequence[object], columns: dict[str, np.ndarray], title: str, percent: tuple[str, ...] = ()
) -> Table:  # fmt: skip
    """A rich table of named columns (numpy arrays), the index first; columns in ``percent`` as percentages.

    Integers get thousands separators, other numbers three decimals, NaN a dash; text is left-aligned.
    """
    arrays = {name: np.asarray(values) for name, values in columns.items()}
    table = Table(title=title)
    table.add_column(index_name)
    for name, values in arrays.items():
        table.add_column(name, justify="right" if values.dtype.kind in "iuf" else "left")
    for k, label in enumerate(index):
        cells = [str(label)]
        for name, values in arrays.items():
            value = values[k]
            if values.dtype.kind == "f" and value != value:  # NaN: nothing to show
                cells.append("-")
            elif name in percent:
                cells.append(f"{value:.1%}")
            elif values.dtype.kind in "iu":
                cells.append(f"{int(value):,}")
            elif values.dtype.kind == "f":
                cells.append(f"{value:,.3f}")
            else:
                cells.append(str(value))
        table.add_row(*cells)
    return table


def export(frame: pd.DataFrame, json_path: Path | None, csv_path: Path | None, outputs: Outputs) -> None:
    """Queue a frame for the ``--json`` (records) and/or ``--csv`` paths."""
    if csv_path is not None:
        outputs.add(csv_path, frame.to_csv())
    if json_path is not None:
        outputs.add(json_path, frame.reset_index().to_json(orient="records", indent=2) + "\n")


def markdown_table(frame: pd.DataFrame) -> str:
    """A GitHub-flavoured Markdown table of a DataFrame (index first), numbers right-aligned."""
    import pandas as pd

    frame = frame.reset_index()
    numeric = [pd.api.types.is_numeric_dtype(frame[c]) for c in frame.columns]
    lines = ["| " + " | ".join(str(c) for c in frame.columns) + " |"]
    lines.append("|" + "|".join("---:" if n else "---" for n in numeric) + "|")
    for row in frame.itertuples(index=False):
        lines.append("| " + " | ".join(str(v).replace("|", "\\|") for v in row) + " |")
    return "\n".join(lines) + "\n"
