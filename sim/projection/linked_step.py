"""The linked model in scenario files: ``method = "linked"`` in a shares step.

The step first moves votes between seats *within each region of its scope* by the linked model's
terms (:mod:`sim.projection.linked`), with the shipped coefficients (:mod:`sim.projection.linked_coefficients`), and
then applies uniform swing (:mod:`sim.projection.swing`) to land the scope targets exactly. For each party
with coefficients ``(kappa, sophomore, standing_down)`` (UKIP, the Brexit Party and Reform share
UKIP's), in each seat where it stands with a share above zero:

``change = kappa * leave_slope * leave + sophomore * S + standing_down * R``

* ``leave`` is the seat's Leave share minus its region's mean (weighted by the seat's valid
  votes, over the scope's seats), 0 outside England and Wales and where the figure is missing;
  ``leave_slope`` is the party's between-region slope the step gives (``leave_slope = { CON =
  0.10 }``: change in share per unit of a region's Leave share). A scenario has no regional
  truths to read the slope from, so without ``leave_slope`` the Leave term is off (and a note
  says so).
* ``S`` is 1 where the party won the seat at the base election with a candidate who was not
  already its MP (an MP first elected then, assumed to stand again), ``R`` is 1 where the party
  holds the seat and the step lists it in ``retiring``; both centred within region as ``leave``.
  A base without sitting-MP data (2019-notional) has no sophomore term (a note says so).

Shares are then clipped at zero and each seat divided by its total, as in the backtest.
"""

from __future__ import annotations

import numpy as np

from sim.core.errors import LookupFailed, ScenarioError, did_you_mean
from sim.core.parties import PARTIES, PARTY_INDEX, party_index
from sim.data.election import Election
from sim.projection.linked import LINEAGE, MODEL_PARTIES, SLOPE_NATIONS, centred
from sim.projection.linked_coefficients import shipped
from sim.scenario import schema as s


def _retiring_rows(election: Election, mask: np.ndarray, step: s.SharesStep, where: str) -> np.ndarray:
    """Rows of the seats whose MP stands down (each must lie in the step's scope)."""
    rows = []
    for seat in step.retiring:
        try:
            i = election.seat_index(seat)
        except LookupFailed as exc:
            raise ScenarioError(f"{where}.retiring: {exc}") from None
        if i in rows:
            raise ScenarioError(
                f"{where}.retiring: '{seat}' is {election.seat_names[i]}, already listed; list each seat once"
            )
        if not mask[i]:
            raise ScenarioError(
                f"{where}.retiring: {election.seat_names[i]} is not in scope '{step.scope}' (or is the Speaker's "
                "seat); list it in a step whose scope contains it"
            )
        rows.append(i)
    return np.array(rows, dtype=np.int64)


def incumbency(election: Election, retiring: np.ndarray) -> tuple[np.ndarray, np.ndarray, bool]:
    """Sophomore and standing-down masks ``(n_seats, n_parties)`` from the base election.

    Sophomore: the base winner's candidate was not the seat's MP at dissolution (first elected at
    the base election), and the seat is not in ``retiring``. Standing down: the base winner in
    the ``retiring`` rows. The flag is False when the base has no sitting-MP data.
    """
    held = np.zeros(election.votes.shape, dtype=bool)
    held[np.arange(election.n_seats), election.winners] = True
    sitting = election.sitting_mps()
    known = bool(sitting.any())
    standing_down = np.zeros_like(held)
    standing_down[retiring, election.winners[retiring]] = True
    sophomore = held & ~sitting & ~standing_down.any(axis=1, keepdims=True) if known else np.zeros_like(held)
    return sophomore, standing_down, known


def _slopes(step: s.SharesStep, coefs: dict[str, np.ndarray], where: str, stood: np.ndarray) -> dict[int, float]:
    out = {}
    for code, value in step.leave_slope.items():
        p = party_index(code, where=f"{where}.leave_slope")
        if not stood[:, p].any():
            raise ScenarioError(
                f"{where}.leave_slope: {PARTIES[p]} stands in no seat of scope '{step.scope}', so its slope would "
                "do nothing; remove it, or make the party stand first (stand = ...)"
            )
        if LINEAGE.get(PARTIES[p], PARTIES[p]) not in coefs:
            fitted = sorted(p for p in MODEL_PARTIES if LINEAGE.get(p, p) in coefs)
            raise ScenarioError(
                f"{where}.leave_slope: the linked model has no coefficients for {PARTIES[p]}"
                f"{did_you_mean(code, fitted)}; give slopes for {', '.join(fitted)}"
            )
        out[p] = value
    return out


def adjust(
    shares: np.ndarray, stood: np.ndarray, weight: np.ndarray, election: Election, mask: np.ndarray,
    step: s.SharesStep, where: str, coefs: dict[str, np.ndarray] | None = None,
) -> tuple[np.ndarray, list[str]]:  # fmt: skip
    """The scope's shares with the linked model's within-region terms (before the uniform swing).

    ``shares``, ``stood`` and ``weight`` are the rows of ``mask`` (the step's scope). Returns the
    adjusted shares and notes for the user. ``coefs`` default to the shipped linked coefficients.
    """
    coefs = shipped() if coefs is None else coefs
    slopes = _slopes(step, coefs, where, stood)
    sophomore, standing_down, known = incumbency(election, _retiring_rows(election, mask, step, where))
    sophomore, standing_down = sophomore[mask], standing_down[mask]
    regions = election.regions[mask]
    leave = centred(election.covariate("leave")[mask].astype(float), regions, weight)
    leave[~np.isin(election.nations[mask], SLOPE_NATIONS)] = 0.0
    out = shares.copy()
    for party in MODEL_PARTIES:
        key = LINEAGE.get(party, party)
        j = PARTY_INDEX[party]
        if key not in coefs:
            continue
        x = np.column_stack([
            slopes.get(j, 0.0) * leave,
            centred(sophomore[:, j].astype(float), regions, weight),
            centred(standing_down[:, j].astype(float), regions, weight),
        ])  # fmt: skip
        fights = stood[:, j] & (shares[:, j] > 0)
        out[fights, j] += x[fights] @ coefs[key]
    out = np.where(stood, np.clip(out, 0.0, None), 0.0)
    total = out.sum(axis=1, keepdims=True)
    out = np.divide(out, total, out=shares.copy(), where=total > 0)
    notes = [
        f"{where}: linked: {int(sophomore.any(axis=1).sum())} sophomore and {int(standing_down.any(axis=1).sum())} "
        f"standing-down seats; the largest within-region adjustment is {100 * np.abs(out - shares).max():.1f} points"
    ]
    if not slopes and np.isin(election.nations[mask], SLOPE_NATIONS).any():
        notes.append(
            f"{where}: linked: no leave_slope given, so the Leave term is off (incumbency terms only); "
            "give e.g. leave_slope = { CON = 0.10, LAB = -0.05 }"
        )
    if not known:
        notes.append(f"{where}: linked: the {election.name} base has no sitting-MP data, so the sophomore term is off")
    return out, notes
