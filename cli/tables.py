"""Render DataFrames as rich tables and write them as CSV or JSON."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rich.table import Table

from cli.common import Outputs

if TYPE_CHECKING:
    import pandas as pd


def frame_table(frame: pd.DataFrame, title: str, percent: tuple[str, ...] = ()) -> Table:
    """A rich table of a DataFrame (index first); columns in ``percent`` shown as percentages."""
    import pandas as pd

    table = Table(title=title)
    table.add_column(str(frame.index.name or ""))
    for col in frame.columns:
        table.add_column(str(col), justify="right" if pd.api.types.is_numeric_dtype(frame[col]) else "left")
    for k, index in enumerate(frame.index):
        cells = [str(index)]
        for col in frame.columns:
            value = frame[col].iloc[k]
            if isinstance(value, float) and value != value:  # NaN: nothing to show
                cells.append("-")
            elif col in percent:
                cells.append(f"{value:.1%}")
            elif pd.api.types.is_integer_dtype(frame[col]):
                cells.append(f"{int(value):,}")
            elif pd.api.types.is_float_dtype(frame[col]):
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
