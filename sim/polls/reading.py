"""How a poll share becomes a target where a party does not stand everywhere.

A poll asks voters in every seat; a party standing in part of an area cannot get the votes of its
supporters where it does not stand. For a party fighting seats with a fraction ``c`` of the area's
votes, under ``PARTIAL``, the target is its polled share times ``c``, and what that takes off is
shared by every party in proportion; a party fighting at least ``PARTIAL`` of the area is read as
polled (firms prompt with each constituency's candidates in a campaign's final weeks, so a party
missing from a few seats is already counted right). ``docs/model.md`` gives the evidence either way.
"""

from __future__ import annotations

import numpy as np

from sim.core.parties import PARTY_INDEX

HOME = {"SNP": "Scotland", "PC": "Wales"}
"""Parties standing in one nation: a GB poll share counts their voters there only."""

PARTIAL = 0.9
"""A party fighting seats with less than this share of an area's votes has its poll share scaled by that share."""


def read_shares(shares: dict[str, float], coverage: dict[str, float]) -> dict[str, float]:
    """Poll shares (``OTH`` the others) read as targets: partial candidacies scaled, the whole renormalised.

    ``coverage`` gives each party's share of the area's votes cast in seats it fights (a party
    missing from it stands everywhere). Without an ``OTH`` share the named parties are returned
    scaled to their polled total; with one, everything adds up to 1, ``OTH`` included.
    """
    read = {}
    for code, value in shares.items():
        c = coverage.get(code, 1.0) if code != "OTH" else 1.0
        read[code] = value * (c if c < PARTIAL else 1.0)
    total = sum(read.values())
    scale = (sum(shares.values()) / total) if total > 0 else 0.0
    return {code: value * scale for code, value in read.items()}


def coverage(
    stood: np.ndarray, votes: np.ndarray, nations: np.ndarray, mask: np.ndarray, codes: list[str]
) -> dict[str, float]:  # fmt: skip
    """Each party's share of the votes in ``mask`` cast in seats it fights (the SNP's and Plaid's: of their nation's).

    ``stood`` is ``(n_seats, n_parties)``; ``votes`` a seat's weight; ``codes`` party codes.
    """
    out = {}
    for code in codes:
        home = mask & (nations == HOME[code]) if code in HOME else mask
        out[code] = float((stood[home, PARTY_INDEX[code]] * votes[home]).sum() / max(votes[home].sum(), 1e-12))
    return out
