"""Shared fixtures. Tests run on the real data, found through the engine's own resolution.

Point the engine at a data folder with ``SWINGOMETER_DATA_DIR`` (CI uses ``../shared/data``).
When no data can be found the data fixtures fail with the engine's own error: they never skip.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sim.data.election import Election, load_election


@pytest.fixture(scope="session")
def data_dir() -> Path | None:
    """The data folder named by SWINGOMETER_DATA_DIR, or None (cache / download)."""
    env = os.environ.get("SWINGOMETER_DATA_DIR")
    return Path(env) if env else None


@pytest.fixture(scope="session")
def elections(data_dir: Path | None) -> dict[str, Election]:
    """Every election, loaded once per test session."""
    return {name: load_election(name, data_dir) for name in ("2010", "2015", "2017", "2019", "2024", "2019-notional")}
