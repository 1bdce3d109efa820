"""Hex cartograms of the 650 seats: HexJSON files read, joined to an election and laid out.

A HexJSON file (Open Innovations' format) holds one hex per seat, keyed by ONS code, with a
column ``q`` and a row ``r`` on an offset grid named by its ``layout``: ``odd-r`` / ``even-r``
(pointy-top hexes, odd or even rows shifted right by half a hex) or ``odd-q`` / ``even-q``
(flat-top hexes, odd or even columns shifted up by half a hex). Rows and columns grow to the
right and upwards (north is up), as in the constituency maps.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sim.core.errors import DataError
from sim.data.election import DataDir, Election
from sim.data.fetch import data_path
from sim.data.readers import scottish_code_fixes

HEXMAPS: dict[str, str] = {
    "2010": "hexmaps/constituencies.hexjson",
    "2024": "hexmaps/uk-constituencies-2023.hexjson",
}
"""Registered HexJSON file per boundary set (``Election.boundaries``)."""

LAYOUTS = ("odd-r", "even-r", "odd-q", "even-q")
_RADIUS = 1.0 / np.sqrt(3.0)  # centre to corner of a hex one unit across its flats


@dataclass(frozen=True, eq=False)
class HexMap:
    """Hex positions of an election's seats, in the election's seat order.

    Attributes
    ----------
    layout : str
        One of :data:`LAYOUTS`.
    codes : (n_seats,) object
        ONS code of each seat (the election's codes).
    q, r : (n_seats,) int64
        Column and row of each seat's hex.

    """

    layout: str
    codes: np.ndarray
    q: np.ndarray
    r: np.ndarray

    def centres(self) -> np.ndarray:
        """Hex centres, ``(n_seats, 2)`` float64, x to the right and y upwards; neighbours 1 apart."""
        return hex_centres(self.q, self.r, self.layout)

    def corners(self) -> np.ndarray:
        """The six corners of every hex, ``(n_seats, 6, 2)`` float64 (x right, y up)."""
        pointy = self.layout.endswith("-r")
        angles = np.deg2rad(np.arange(6) * 60.0 + (30.0 if pointy else 0.0))
        offsets = _RADIUS * np.stack([np.cos(angles), np.sin(angles)], axis=1)
        return self.centres()[:, None, :] + offsets[None, :, :]


def hex_centres(q: np.ndarray, r: np.ndarray, layout: str) -> np.ndarray:
    """Centres of hexes at offset coordinates ``(q, r)``, ``(n, 2)``; adjacent centres are 1 apart."""
    q = np.asarray(q, dtype=np.float64)
    r = np.asarray(r, dtype=np.float64)
    if layout in ("odd-r", "even-r"):
        shifted = (r % 2 == 1) if layout == "odd-r" else (r % 2 == 0)
        return np.stack([q + 0.5 * shifted, r * np.sqrt(3.0) / 2.0], axis=1)
    if layout in ("odd-q", "even-q"):
        shifted = (q % 2 == 1) if layout == "odd-q" else (q % 2 == 0)
        return np.stack([q * np.sqrt(3.0) / 2.0, r + 0.5 * shifted], axis=1)
    raise DataError(f"unknown HexJSON layout '{layout}'; expected one of {', '.join(LAYOUTS)}")


def read_hexjson(path: str | Path) -> tuple[str, dict[str, tuple[int, int]]]:
    """Read a HexJSON file: its layout and ``{code: (q, r)}``."""
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
        layout = str(doc["layout"])
        hexes = {str(code): (int(h["q"]), int(h["r"])) for code, h in doc["hexes"].items()}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise DataError(f"{path}: not a HexJSON file with a layout and hexes holding q and r ({exc})") from None
    if layout not in LAYOUTS:
        raise DataError(f"{path}: unknown HexJSON layout '{layout}'; expected one of {', '.join(LAYOUTS)}")
    return layout, hexes


def load_hexmap(election: Election, data_dir: DataDir = None) -> HexMap:
    """The registered hex map of an election's boundary set, joined to its seats by ONS code.

    On the 2024 boundaries the map's five renamed Scottish seats carry their old codes (data
    caveat C1); they are mapped to the new codes the elections use.

    Raises
    ------
    DataError
        If any seat of the election has no hex, or the map has a hex for no seat.

    """
    relpath = HEXMAPS[election.boundaries]
    layout, hexes = read_hexjson(data_path(relpath, data_dir))
    if election.boundaries == "2024":
        fixes = scottish_code_fixes(data_dir)
        hexes = {fixes.get(code, code): qr for code, qr in hexes.items()}
    missing = [str(c) for c in election.seat_ids if c not in hexes]
    extra = sorted(set(hexes) - {str(c) for c in election.seat_ids})
    if missing or extra:
        raise DataError(
            f"{relpath} does not match the {election.name} seats: {len(missing)} seats without a hex "
            f"({', '.join(missing[:5])}), {len(extra)} hexes for no seat ({', '.join(extra[:5])}); "
            "re-fetch it with `swingometer data fetch`"
        )
    q = np.array([hexes[str(c)][0] for c in election.seat_ids], dtype=np.int64)
    r = np.array([hexes[str(c)][1] for c in election.seat_ids], dtype=np.int64)
    return HexMap(layout, np.asarray(election.seat_ids, dtype=object), q, r)
