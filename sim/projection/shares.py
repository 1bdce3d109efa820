"""The ``shares`` step: move vote shares to targets by a swing method (:mod:`sim.projection.swing`).

A step gives targets for its scope (``shares``) or for each of several areas (``areas``: nations or
regions that together make its scope, each swung to its own targets). The fitted methods
(``linked``, ``multiparty``) first add their terms (:mod:`sim.projection.terms`) over the whole
step, then uniform swing lands each area on its targets. The step also makes parties stand with a
geography (``stand``) and tells the user what it implied (notes on untargeted parties' shares,
targets met in few seats, balancing departures).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from sim.core.errors import ScenarioError, did_you_mean
from sim.core.parties import PARTIES, party_index
from sim.data.by_election_change import by_election_change
from sim.data.election import DataDir, Election
from sim.projection import coefficients, terms
from sim.projection.layout import stand
from sim.projection.steps import State, party_column, seat_row, step_scope
from sim.projection.swing import METHODS as SWING_METHODS
from sim.projection.swing import PARTIAL_COVERAGE, coverage, implied_targets, scope_shares
from sim.scenario import schema as s

IMPLIED_NOTE = 0.005
"""An untargeted party whose implied scope share moves more than this is reported."""
PARTIAL_WARNING = PARTIAL_COVERAGE
"""A targeted party fighting seats with less than this share of the scope's votes may be warned about..."""
CONCENTRATION_WARNING = 0.02
"""... when meeting its target in those seats alone adds more than this (two points) to its per-seat change."""
FITTED = ("linked", "multiparty")


@dataclass(frozen=True, eq=False)
class Area:
    """One area of a shares step: its name, its seats (less the Speaker's) and every party's target there."""

    name: str
    mask: np.ndarray
    targeted: np.ndarray
    full: np.ndarray


def areas(state: State, election: Election, step: s.SharesStep, where: str) -> list[Area]:
    """The step's areas with their implied targets (one area, the scope, for ``shares``)."""
    tables = [(step.scope_name, step.shares, f"{where}.shares")] if step.shares else [
        (name, table, f"{where}.areas.{name}") for name, table in step.areas.items()
    ]  # fmt: skip
    out: list[Area] = []
    covered = np.zeros(election.n_seats, dtype=bool)
    for name, table, at in tables:
        mask = step_scope(election, state, name, f"{where}.scope" if step.shares else f"{where}.areas")
        if (mask & covered).any():
            other = next(a.name for a in out if (a.mask & mask).any())
            raise ScenarioError(f"{at}: area '{name}' overlaps area '{other}'; give each seat one area")
        covered |= mask
        shares, stood, weight = state.shares[mask], state.stood[mask], state.total[mask]
        can_stand = stood.any(axis=0)
        target = np.zeros(len(PARTIES))
        targeted = np.zeros(len(PARTIES), dtype=bool)
        for party, value in table.items():
            p = party_column(party, at)
            if value > 0 and not can_stand[p]:
                raise ScenarioError(
                    f"{at}: {party} stands in no seat of '{name}', so it cannot reach {value:.3f}; make it stand "
                    f"first (stand = {{ {party} = {{ like = {{ covariate = 'leave' }} }} }}, or an override step)"
                )
            target[p], targeted[p] = value, True
        if not (can_stand & ~targeted).any() and abs(target.sum() - 1.0) > 1e-9:
            raise ScenarioError(f"{at}: every standing party has a target, so the targets must add up to 1")
        full = implied_targets(
            shares, stood, weight, target, targeted, others=step.others, multiplicative=step.method == "proportional"
        )
        out.append(Area(name, mask, targeted, full))
    return out


def apply_shares(state: State, election: Election, step: s.SharesStep, where: str, data_dir: DataDir = None) -> None:
    """Swing each area's shares to its targets (uniform, proportional, STM; linked and multiparty add terms first)."""
    if step.stand and step.areas:
        raise ScenarioError(f"{where}.stand: stand works with a scope's shares; with areas use a layout step")
    if step.stand:
        mask = step_scope(election, state, step.scope_name, f"{where}.scope")
        for party, candidacy in step.stand.items():
            stand(state, election, mask, step, party, candidacy, f"{where}.stand.{party}", data_dir)
    parts = areas(state, election, step, where)
    scope = np.any([a.mask for a in parts], axis=0)
    start = state.shares
    if step.method in FITTED:
        _note_model_twice(state, scope, where)
        ctx = context(state, election, step, parts, where, data_dir)
        coefs = coefficients.for_step(step, where)
        start = start.copy()
        start[scope] = terms.adjust(ctx, coefs.linked, coefs.shared if step.method == "multiparty" else None)
        state.notes.append(
            f"{where}: {step.method}: the largest adjustment before the swing is "
            f"{100 * np.abs(start[scope] - state.shares[scope]).max():.1f} points in a seat"
        )
    method = "uniform" if step.method in FITTED else step.method
    weight_all = state.total.copy()
    for area in parts:
        m = area.mask
        before = scope_shares(state.shares[m], weight_all[m])
        try:
            swung = SWING_METHODS[method](start[m], state.stood[m], weight_all[m], area.full)
        except ScenarioError as exc:
            raise ScenarioError(f"{where}{f'.areas.{area.name}' if step.areas else ''}: {exc}") from None
        state.votes[m] = swung.shares * weight_all[m, None]
        label = area.name if step.areas else step.scope_name
        state.notes += _shares_notes(
            label, step.others, before, area, coverage(state.stood[m], weight_all[m]), bool(step.areas)
        )
        if swung.correction > 0.001:
            state.notes.append(
                f"{where} ({label}): where a party is absent or has less to lose than its change, a seat's changes "
                f"are balanced; the largest departure from the {method} change is {100 * swung.correction:.2f} points"
            )


def _note_model_twice(state: State, scope: np.ndarray, where: str) -> None:
    again = int((state.modelled & scope).sum()) if state.modelled is not None else 0
    if again:
        state.notes.append(
            f"warning: {where}: an earlier step already applied a fitted model's terms to {again} of these seats; "
            f"they are applied again here (give each seat one linked or multiparty step, e.g. by nation)"
        )
    state.modelled = scope | (state.modelled if state.modelled is not None else False)


@cache
def _by_election(election: Election, fold: tuple[tuple[str, str], ...], data_dir: DataDir) -> np.ndarray:
    return by_election_change(election, dict(fold), data_dir)


def context(
    state: State, election: Election, step: s.SharesStep, parts: list[Area], where: str, data_dir: DataDir = None
) -> terms.Context:  # fmt: skip
    """What the fitted models' terms read at this step, for its scope's seats (a :class:`terms.Context`)."""
    scope = np.any([a.mask for a in parts], axis=0)
    shares, stood, weight = state.shares[scope], state.stood[scope], state.total[scope]
    regions, nations = election.regions[scope], election.nations[scope]
    region_shares = np.zeros_like(shares)
    for region in np.unique(regions):
        m = regions == region
        region_shares[m] = scope_shares(shares[m], weight[m])
    change = np.zeros_like(shares)
    for area in parts:
        m = area.mask[scope]
        change[m] = area.full - scope_shares(shares[m], weight[m])
    sophomore, retiring = _incumbency(state, election, step, scope, where)
    leave = terms.centred(election.covariate("leave")[scope].astype(float), regions, weight)
    leave[~np.isin(nations, terms.SLOPE_NATIONS)] = 0.0
    fold = tuple(sorted(state.merged.items()))
    by = _by_election(election, fold, data_dir)[scope]
    return terms.Context(
        shares=shares, stood=stood, weight=weight, regions=regions, nations=nations, region_shares=region_shares,
        change=change, winners=election.winners[scope], by_election=np.where(stood, by, 0.0),
        sophomore=sophomore[scope], retiring=retiring[scope], leave=leave,
        slope=_slopes(state, election, step, parts, scope, where),
    )  # fmt: skip


def _slopes(
    state: State, election: Election, step: s.SharesStep, parts: list[Area], scope: np.ndarray, where: str
) -> np.ndarray:  # fmt: skip
    """Each party's between-region Leave slope, ``(n_parties,)``.

    From the areas' targets when every English and Welsh region of the scope has its own, else the
    step's ``leave_slope`` (else 0: the term is off, with a note).
    """
    regions = [r for r in np.unique(election.regions[scope & np.isin(election.nations, terms.SLOPE_NATIONS)])]
    own = {a.name.strip().lower() for a in parts} if step.areas else set()
    slope = np.zeros(len(PARTIES))
    if len(regions) >= 2 and all(str(r).lower() in own for r in regions):
        if step.leave_slope:
            raise ScenarioError(
                f"{where}.leave_slope: the Leave slopes are read from the regional targets of this step's areas; "
                "remove leave_slope"
            )
        x, y = [], []
        leave = election.covariate("leave").astype(float)
        valid = election.valid_votes.astype(float)
        for region in regions:
            area = next(a for a in parts if a.name.strip().lower() == str(region).lower())
            m = area.mask
            ok = m & ~np.isnan(leave)
            x.append(np.average(leave[ok], weights=valid[ok]))
            y.append(area.full - scope_shares(state.shares[m], state.total[m]))
        xs, ys = np.array(x), np.array(y)
        return np.polyfit(xs, ys, 1)[0] if np.ptp(xs) > 0 else slope
    for code, value in step.leave_slope.items():
        p = party_index(code, where=f"{where}.leave_slope")
        if not state.stood[scope, p].any():
            raise ScenarioError(
                f"{where}.leave_slope: {PARTIES[p]} stands in no seat of the step, so its slope would do nothing; "
                "remove it, or make the party stand first (stand = ...)"
            )
        if PARTIES[p] not in terms.MODEL_PARTIES:
            raise ScenarioError(
                f"{where}.leave_slope: the fitted models have no terms for {PARTIES[p]}"
                f"{did_you_mean(code, list(terms.MODEL_PARTIES))}; give slopes for {', '.join(terms.MODEL_PARTIES)}"
            )
        slope[p] = value
    if not step.leave_slope and np.isin(election.nations[scope], terms.SLOPE_NATIONS).any():
        state.notes.append(
            f"{where}: {step.method}: the Leave term is off: give each English and Welsh region its own targets "
            "(areas), or leave_slope = { CON = 0.10, LAB = -0.05 }"
        )
    return slope


def _incumbency(
    state: State, election: Election, step: s.SharesStep, scope: np.ndarray, where: str
) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Sophomore and retiring masks: from a candidacies step, else the step's lists, else the base's MPs.

    Without a candidacies step or a ``sophomore`` list, a sophomore is a base winner who was not
    already the seat's MP (first elected then, assumed to stand again unless listed as retiring).
    """
    if state.incumbency is not None:
        given = {"retiring": bool(step.retiring), "sophomore": step.sophomore is not None}
        for name in ("retiring", "sophomore"):
            if given[name]:
                raise ScenarioError(
                    f"{where}.{name}: a candidacies step already says which MPs stand again; remove {name}"
                )
        return state.incumbency
    held = np.zeros(election.votes.shape, dtype=bool)
    held[np.arange(election.n_seats), election.winners] = True
    retiring = _rows(election, step.retiring, scope, f"{where}.retiring")
    if step.sophomore is not None:
        sophomore = _rows(election, step.sophomore, scope, f"{where}.sophomore")
        both = np.flatnonzero(sophomore & retiring)
        if both.size:
            raise ScenarioError(
                f"{where}.sophomore: {election.seat_names[both[0]]} is also retiring; list it in one of the two"
            )
        return held & sophomore[:, None], held & retiring[:, None]
    sitting = election.sitting_mps()
    if not sitting.any():
        state.notes.append(f"{where}: {step.method}: the {election.name} base has no sitting-MP data, so the "
                           "sophomore term is off (give sophomore = [...] to set it)")  # fmt: skip
        return np.zeros_like(held), held & retiring[:, None]
    return held & ~sitting & ~retiring[:, None], held & retiring[:, None]


def _rows(election: Election, seats: list[str], scope: np.ndarray, where: str) -> np.ndarray:
    """``(n_seats,)`` bool: the listed seats, each listed once and inside the step."""
    mask = np.zeros(election.n_seats, dtype=bool)
    for seat in seats:
        i = seat_row(election, seat, where)
        if mask[i]:
            raise ScenarioError(f"{where}: '{seat}' is {election.seat_names[i]}, already listed; list each seat once")
        if not scope[i]:
            raise ScenarioError(
                f"{where}: {election.seat_names[i]} is not in this step's scope (or is the Speaker's seat); "
                "list it in a step whose scope contains it"
            )
        mask[i] = True
    return mask


def _shares_notes(
    label: str, others: str, before: np.ndarray, area: Area, cov: np.ndarray, areas_step: bool = False
) -> list[str]:
    """What the user should know: implied shares of untargeted parties, targets met in few seats.

    A targeted party fighting less than ``PARTIAL_WARNING`` of the area's votes is warned about
    when its change where it stands exceeds its area change by more than ``CONCENTRATION_WARNING``.
    """
    notes = []
    full, targeted = area.full, area.targeted
    for p in np.flatnonzero(~targeted & (np.abs(full - before) > IMPLIED_NOTE)):
        notes.append(
            f"{PARTIES[p]}: implied {label} share {100 * full[p]:.1f}% ({100 * (full[p] - before[p]):+.1f}), "
            f"not set by the scenario (others = '{others}')"
        )
    extra = np.abs(full - before) * np.divide(1.0 - cov, cov, out=np.zeros_like(cov), where=cov > 0)
    for p in np.flatnonzero(targeted & (cov < PARTIAL_WARNING) & (full > 0) & (extra > CONCENTRATION_WARNING)):
        notes.append(
            f"warning: {PARTIES[p]} fights seats with only {100 * cov[p]:.0f}% of {label}'s votes, "
            f"so its target is met there alone (its change there is {1 / max(cov[p], 1e-9):.1f}x the scope change, "
            f"{100 * (full[p] - before[p]) / max(cov[p], 1e-9):+.1f} points); "
            + (
                f"to make it stand everywhere give it a geography, e.g. stand = {{ {PARTIES[p]} = {{ like = "
                f"{{ covariate = 'leave' }} }} }} or a party's shares at an earlier election"
                if PARTIES[p] not in ("IND", "OTH") and not areas_step
                else "its candidates stand where they stand"
                if PARTIES[p] in ("IND", "OTH")
                else "to make it stand everywhere, use a layout step before this one"
            )
        )
    return notes
