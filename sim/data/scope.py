"""Scopes: the set of seats a step or a share target refers to (GB, UK, a nation, a region)."""

from __future__ import annotations

import numpy as np

from sim.core.errors import LookupFailed, did_you_mean
from sim.data.model import NATIONS, Election


def scope_names(election: Election) -> list[str]:
    """Every scope name valid for an election: gb, uk, the nations and the regions."""
    regions = sorted(set(election.regions) - set(NATIONS))
    return ["gb", "uk", *NATIONS, *regions]


def scope_mask(election: Election, scope: str, *, where: str = "scope") -> np.ndarray:
    """Boolean mask of the seats in a scope (case-insensitive), or raise with did-you-mean."""
    key = scope.strip().lower()
    if key == "gb":
        return election.gb.copy()
    if key == "uk":
        return np.ones(election.n_seats, dtype=bool)
    for nation in NATIONS:
        if key == nation.lower():
            return election.nations == nation
    for region in set(election.regions):
        if key == str(region).lower():
            return election.regions == region
    names = scope_names(election)
    raise LookupFailed(f"unknown scope '{scope}' in {where}{did_you_mean(scope, names)} (scopes: {', '.join(names)})")
