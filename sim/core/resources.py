"""Files that ship with the package: the scenario files (claims and examples).

In an installed wheel the ``scenarios/`` folder is packaged as ``sim/scenarios``; running from a
checkout (or an editable install) it is the checkout's ``scenarios/`` folder.
:func:`scenarios_dir` decides which, in one place.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from sim.core.errors import SwingometerError


def scenarios_dir() -> Path:
    """The folder holding the shipped scenario files (``claims/``, ``examples/``, ...).

    Raises
    ------
    SwingometerError
        If neither the installed package nor a checkout holds the scenarios.

    """
    packaged = Path(str(files("sim"))) / "scenarios"
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parents[2] / "scenarios"  # sim/core/resources.py -> the checkout
    if checkout.is_dir():
        return checkout
    raise SwingometerError(
        f"no scenario files in {packaged} or {checkout}: reinstall swingometer (the wheel ships them) or run "
        "from a checkout"
    )
