"""Multi-member districts built from constituencies: STV's 3-5-member districts and the Senedd's pairs.

**STV districts** (:func:`stv_districts`). Constituencies are joined into districts of 3 to 5
within each of the twelve nations and regions. Neighbours are those on the ground
(:func:`shared_ground`: constituencies sharing the area of a seat of the other boundary set) and
those on the hex map of the boundaries (:mod:`sim.data.hexmap`: hexes that touch; an island that
touches no hex of its region, such as Orkney and Shetland or the Isle of Wight, is joined to its
region's nearest hex). A region of ``n`` constituencies aims at ``ceil(n / 5)`` districts, their
sizes as equal as possible, larger ones first (London's 75: fifteen of five); where the shape
does not allow it, smaller districts are made (on the 2010 map, Scotland's 59 seats make 13
districts and Wales's 40 make 9). Districts are grown one at a time from the most outlying
constituency left (the fewest neighbours left, then the farthest from the centre of those left),
adding the neighbour with the most neighbours on the ground in the district, then on the map,
then the nearest on the map, and backtracking when a choice would leave a group of
constituencies too small to form a district. Hex neighbours approximate geographic ones: the
layout keeps each constituency near its real place but not every real border.

**The Senedd's 2026 constituencies** (:func:`senedd_districts`): the sixteen pairs of Welsh
constituencies of the Democracy and Boundary Commission Cymru's final determinations (11 March
2025) under the Senedd Cymru (Members and Elections) Act 2024, each electing six members; on the
2024 boundaries only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.core.errors import SwingometerError
from sim.data.election import DataDir
from sim.data.hexmap import HexMap, load_hexmap
from sim.data.model import Election
from sim.data.readers import overlaps

if TYPE_CHECKING:
    import pandas as pd

MIN_MEMBERS, MAX_MEMBERS = 3, 5
"""STV districts: the fewest and most constituencies joined (the Electoral Reform Society's 3-5)."""

SENEDD_2026: tuple[tuple[str, str, str], ...] = (
    ("Bangor Conwy Môn", "Bangor Aberconwy", "Ynys Môn"),
    ("Clwyd", "Clwyd East", "Clwyd North"),
    ("Fflint Wrecsam", "Alyn and Deeside", "Wrexham"),
    ("Gwynedd Maldwyn", "Dwyfor Meirionnydd", "Montgomeryshire and Glyndŵr"),
    ("Ceredigion Penfro", "Ceredigion Preseli", "Mid and South Pembrokeshire"),
    ("Sir Gaerfyrddin", "Caerfyrddin", "Llanelli"),
    ("Gŵyr Abertawe", "Gower", "Swansea West"),
    ("Brycheiniog Tawe Nedd", "Brecon, Radnor and Cwm Tawe", "Neath and Swansea East"),
    ("Afan Ogwr Rhondda", "Aberafan Maesteg", "Rhondda and Ogmore"),
    ("Pen-y-bont Bro Morgannwg", "Bridgend", "Vale of Glamorgan"),
    ("Caerdydd Penarth", "Cardiff South and Penarth", "Cardiff West"),
    ("Caerdydd Ffynnon Taf", "Cardiff East", "Cardiff North"),
    ("Pontypridd Cynon Merthyr", "Pontypridd", "Merthyr Tydfil and Aberdare"),
    ("Blaenau Gwent Caerffili Rhymni", "Blaenau Gwent and Rhymney", "Caerphilly"),
    ("Sir Fynwy Torfaen", "Monmouthshire", "Torfaen"),
    ("Casnewydd Islwyn", "Newport East", "Newport West and Islwyn"),
)
"""The Senedd's 2026 constituencies: name and the two UK Parliament constituencies paired."""


@dataclass(frozen=True, eq=False)
class Districts:
    """Constituencies grouped into multi-member districts.

    Attributes
    ----------
    of_seat : (n_seats,) int64
        Each constituency's district, or -1 for a constituency in none (outside Wales for the Senedd).
    names, regions : (n_districts,) object
        Each district's name and its nation or region.
    members : (n_districts,) int64
        Members each district elects.

    """

    of_seat: np.ndarray
    names: np.ndarray
    regions: np.ndarray
    members: np.ndarray

    @property
    def n(self) -> int:
        """Number of districts."""
        return len(self.names)


def neighbours(hexmap: HexMap, regions: np.ndarray) -> list[set[int]]:
    """Each constituency's neighbours in its own region: hexes that touch, islands joined to the nearest hex."""
    centres = hexmap.centres()
    n = len(centres)
    where = {(round(2 * x), round(2 * y)): i for i, (x, y) in enumerate(centres)}
    links: list[set[int]] = [set() for _ in range(n)]
    angles = np.deg2rad(np.arange(6) * 60.0 + (0.0 if hexmap.layout.endswith("-r") else 30.0))
    steps = np.stack([np.cos(angles), np.sin(angles)], axis=1)
    for i in range(n):
        for dx, dy in steps:
            j = where.get((round(2 * (centres[i, 0] + dx)), round(2 * (centres[i, 1] + dy))))
            if j is not None and regions[j] == regions[i]:
                links[i].add(j)
    for name in dict.fromkeys(regions.tolist()):
        seats = np.flatnonzero(regions == name)
        while True:
            parts = _components(seats, links)
            if len(parts) == 1:
                break
            part = min(  # the smallest part, joined to the nearest hex outside it
                parts, key=lambda p: (len(p), min(p))
            )
            rest = np.array(sorted(set(seats) - part))
            inside = np.array(sorted(part))
            gap = np.linalg.norm(centres[inside][:, None, :] - centres[rest][None, :, :], axis=2)
            a, b = np.unravel_index(np.argmin(gap), gap.shape)
            links[inside[a]].add(int(rest[b]))
            links[int(rest[b])].add(int(inside[a]))
    return links


def shared_ground(election: Election, data_dir: DataDir = None, least: float = 0.01) -> list[set[int]]:
    """Neighbours on the ground: constituencies (of one region) that took parts of the same seat of the other set.

    From the Commons Library's overlaps of the 2010 and 2024 boundaries: two 2024 constituencies
    each holding at least ``least`` of a 2010 constituency's area lie side by side, and likewise
    two 2010 constituencies sharing a 2024 one. A constituency whose boundaries did not change has
    no such neighbours.
    """
    frame = overlaps(data_dir)
    if election.boundaries == "2024":
        old, new, share = "From ONS ID", "To ONS ID", "From geographic overlap"
    else:
        old, new, share = "To ONS ID", "From ONS ID", "To geographic overlap"
    index = {str(code): i for i, code in enumerate(election.seat_ids)}
    regions = np.asarray(election.regions).astype(str)
    links: list[set[int]] = [set() for _ in range(election.n_seats)]
    kept = frame[frame[share].astype(float) >= least]
    for _, group in kept.groupby(old):
        seats = [index[str(c)] for c in group[new] if str(c) in index]
        for a in seats:
            links[a] |= {b for b in seats if b != a and regions[b] == regions[a]}
    return links


def _components(seats: np.ndarray, links: list[set[int]]) -> list[set[int]]:
    """The connected groups of ``seats`` under ``links`` (restricted to ``seats``)."""
    left = set(int(s) for s in seats)
    parts = []
    while left:
        start = min(left)
        part, stack = {start}, [start]
        while stack:
            for j in links[stack.pop()]:
                if j in left and j not in part:
                    part.add(j)
                    stack.append(j)
        left -= part
        parts.append(part)
    return parts


def _size(n: int) -> int:
    """The next district's size for a group of ``n`` constituencies: ``ceil(n / ceil(n / 5))``."""
    k = -(-n // MAX_MEMBERS)
    return -(-n // k)


def _grow(
    seed: int, size: int, free: set[int], links: list[set[int]], ground: list[set[int]], centres: np.ndarray
) -> list[int] | None:
    """A connected district of ``size`` from ``seed`` among ``free`` leaving no group under 3, or None.

    Candidates are ranked by their neighbours on the ground in the district, then on the map, then
    by distance on the map.
    """

    def ok(district: list[int]) -> bool:
        rest = free - set(district)
        return all(len(p) >= MIN_MEMBERS for p in _components(np.array(sorted(rest)), links))

    def extend(district: list[int]) -> list[int] | None:
        if len(district) == size:
            return district if ok(district) else None
        inside = set(district)
        middle = centres[district].mean(axis=0)
        options = {j for i in district for j in links[i] if j in free and j not in inside}
        ranked = sorted(options, key=lambda j: (-len(ground[j] & inside), -len(links[j] & inside),
                                                float(np.linalg.norm(centres[j] - middle)), j))  # fmt: skip
        for j in ranked[:4]:
            found = extend([*district, j])
            if found is not None:
                return found
        return None

    return extend([seed])


def stv_districts(election: Election, hexmap: HexMap, ground: list[set[int]] | None = None) -> Districts:
    """The election's constituencies joined into STV districts of 3-5 within each region (module docstring).

    Raises
    ------
    SwingometerError
        If a region cannot be divided (it has under three constituencies, or its map is too broken up).

    """
    regions = np.asarray(election.regions).astype(str)
    ground = ground if ground is not None else [set() for _ in range(election.n_seats)]
    links = [a | b for a, b in zip(neighbours(hexmap, regions), ground, strict=True)]
    centres = hexmap.centres()
    of_seat = np.full(election.n_seats, -1, dtype=np.int64)
    names: list[str] = []
    owners: list[str] = []
    members: list[int] = []
    for region in sorted(set(regions.tolist())):
        free = set(np.flatnonzero(regions == region).tolist())
        found: list[list[int]] = []
        while free:
            middle = centres[sorted(free)].mean(axis=0)
            order = sorted(free, key=lambda i: (len(links[i] & free), -float(np.linalg.norm(centres[i] - middle)), i))
            group = next(p for p in _components(np.array(sorted(free)), links) if order[0] in p)
            target = _size(len(group))
            sizes = sorted(range(MIN_MEMBERS, MAX_MEMBERS + 1), key=lambda s: (abs(s - target), -s))
            district = next(
                (d for s in sizes if s <= len(group) for seed in order[:8] if seed in group
                 for d in [_grow(seed, s, free, links, ground, centres)] if d is not None),
                None,
            )  # fmt: skip
            if district is None:
                raise SwingometerError(f"the {region} constituencies could not be joined into districts of 3-5")
            found.append(district)
            free -= set(district)
        # numbered from north to south, then west to east
        found.sort(key=lambda d: (-centres[d, 1].mean(), centres[d, 0].mean()))
        for k, district in enumerate(found, 1):
            of_seat[district] = len(names)
            names.append(f"{region} {k}")
            owners.append(region)
            members.append(len(district))
    return Districts(of_seat, np.array(names, dtype=object), np.array(owners, dtype=object),
                     np.array(members, dtype=np.int64))  # fmt: skip


def senedd_districts(election: Election, per_pair: int = 6) -> Districts:
    """The Senedd's sixteen 2026 constituencies (pairs of Welsh constituencies), each electing ``per_pair``.

    Raises
    ------
    SwingometerError
        On boundaries other than 2024's, whose Welsh constituencies are not the ones paired.

    """
    names = {str(n): i for i, n in enumerate(election.seat_names)}
    missing = [s for _, *pair in SENEDD_2026 for s in pair if s not in names]
    if election.boundaries != "2024" or missing:
        raise SwingometerError(
            f"the Senedd's 2026 constituencies pair the 2024 Welsh constituencies; the {election.name} election is on "
            f"the {election.boundaries} boundaries: use --election 2024 or 2019-notional, or a scenario on one of them"
        )
    of_seat = np.full(election.n_seats, -1, dtype=np.int64)
    for k, (_, *pair) in enumerate(SENEDD_2026):
        for seat in pair:
            of_seat[names[seat]] = k
    return Districts(of_seat, np.array([n for n, *_ in SENEDD_2026], dtype=object),
                     np.array(["Wales"] * len(SENEDD_2026), dtype=object),
                     np.full(len(SENEDD_2026), per_pair, dtype=np.int64))  # fmt: skip


DISTRICTINGS = ("stv", "senedd-2026")
"""The districtings a system may name (``System.districts``)."""


def districts_for(names: set[str] | list[str], election: Election, data_dir: DataDir = None) -> dict[str, Districts]:
    """The named districtings of an election's constituencies (the hex map is read only for STV's)."""
    found = {}
    for name in dict.fromkeys(sorted(names)):
        if name == "stv":
            found[name] = stv_districts(election, load_hexmap(election, data_dir), shared_ground(election, data_dir))
        elif name == "senedd-2026":
            found[name] = senedd_districts(election)
        else:
            raise ValueError(f"unknown districting '{name}'; expected one of {', '.join(DISTRICTINGS)}")
    return found


def districts_frame(found: dict[str, Districts], election: Election) -> pd.DataFrame:
    """One row per constituency in a district: the districting, the district, its region and members, the seat."""
    import pandas as pd

    rows = [
        {"districting": name, "district": d.names[k], "region": d.regions[k], "members": int(d.members[k]),
         "code": str(election.seat_ids[i]), "constituency": str(election.seat_names[i])}
        for name, d in found.items() for k in range(d.n) for i in np.flatnonzero(d.of_seat == k)
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=["districting", "district", "region", "members", "code", "constituency"])
