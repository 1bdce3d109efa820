"""The scenario steps, each a function ``apply(state, election, step, where)`` on vote counts.

The state holds votes per seat and party and the seat's non-voters (``abstain``), so every step
conserves each seat's electorate exactly: what a party loses goes to another party or to
abstention. Votes are floats (a fraction of a voter is a modelling artefact, kept exact).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sim.core.errors import LookupFailed, ScenarioError, did_you_mean
from sim.core.parties import PARTIES, PARTY_INDEX, party_index
from sim.data.election import Election
from sim.data.names import CATEGORICAL, COVARIATES, NUMERIC
from sim.data.scope import scope_mask
from sim.polls.average import Average
from sim.projection.swing import scope_shares
from sim.scenario import schema as s

SPEAKER = PARTY_INDEX["SPK"]


@dataclass
class State:
    """Votes and candidacies as the steps transform them.

    Attributes
    ----------
    votes : (n_seats, n_parties) float64
    abstain : (n_seats,) float64
        Electors who do not cast a valid vote.
    stood : (n_seats, n_parties) bool
    lead : (n_seats, n_parties) float64
        Leading candidate's fraction of a pooled party's vote.
    notes : list of str
        What the steps want the user to know (implied shares, warnings).
    modelled : (n_seats,) bool, optional
        Seats a fitted model's terms (``linked`` or ``multiparty``) have already been applied to.
    incumbency : (sophomore, retiring), optional
        ``(n_seats, n_parties)`` bool masks set by a ``candidacies`` step, for the fitted models.
    merged : dict
        Parties merged into others so far (code -> the code it joined).
    polls : list of (step, Average)
        The poll averages ``polls`` steps set targets from (their covariance goes to the Monte Carlo).

    """

    votes: np.ndarray
    abstain: np.ndarray
    stood: np.ndarray
    lead: np.ndarray
    notes: list[str] = field(default_factory=list)
    modelled: np.ndarray | None = None
    incumbency: tuple[np.ndarray, np.ndarray] | None = None
    merged: dict[str, str] = field(default_factory=dict)
    polls: list[tuple[str, Average]] = field(default_factory=list)

    @classmethod
    def from_election(cls, election: Election) -> State:
        """The base election as a state."""
        return cls(
            votes=election.votes.astype(np.float64),
            abstain=np.maximum(election.electorate - election.valid_votes, 0).astype(np.float64),
            stood=election.stood.copy(),
            lead=election.lead_fraction.copy(),
        )

    @property
    def total(self) -> np.ndarray:
        """Valid votes per seat."""
        return self.votes.sum(axis=1)

    @property
    def shares(self) -> np.ndarray:
        """Shares of valid votes."""
        total = self.total[:, None]
        return np.divide(self.votes, total, out=np.zeros_like(self.votes), where=total > 0)


def party_column(code: str, where: str, *, abstain: bool = False) -> int:
    """Column of a party; ``-1`` for ABSTAIN where allowed."""
    if abstain and code.strip().upper() == s.ABSTAIN:
        return -1
    return party_index(code, where=where)


def seat_row(election: Election, name: str, where: str) -> int:
    """Row of a named seat; a lookup error names the field it came from."""
    try:
        return election.seat_index(name)
    except LookupFailed as exc:
        raise ScenarioError(f"{where}: {exc}") from None


def covariate_values(election: Election, name: str, where: str, kinds: tuple[str, ...] = NUMERIC) -> np.ndarray:
    """A seat covariate's values, or an error naming the field when it is not of the kind needed."""
    if name not in kinds:
        kind = "numeric" if kinds == NUMERIC else "categorical"
        hint = did_you_mean(name, COVARIATES)
        raise ScenarioError(f"{where}: '{name}' is not a {kind} covariate{hint} (choose from {', '.join(kinds)})")
    return election.covariate(name)


def seat_filter(election: Election, f: s.SeatFilter, where: str) -> np.ndarray:
    """Boolean mask of the seats matching a filter (all conditions must hold)."""
    mask = np.ones(election.n_seats, dtype=bool)
    if f.scope:
        any_scope = np.zeros_like(mask)
        for k, name in enumerate(f.scope):
            any_scope |= scope_mask(election, name, where=f"{where}.scope[{k}]")
        mask &= any_scope
    if f.seats:
        named = np.zeros_like(mask)
        named[[seat_row(election, seat, f"{where}.seats") for seat in f.seats]] = True
        mask &= named
    if f.exclude:
        mask[[seat_row(election, seat, f"{where}.exclude") for seat in f.exclude]] = False
    order = np.argsort(-(election.shares * election.lead_fraction), axis=1)
    for name, column in (("winner", 0), ("runner_up", 1)):
        parties = getattr(f, name)
        if parties:
            idx = [party_column(p, f"{where}.{name}") for p in parties]
            mask &= np.isin(order[:, column], idx)
    for name, (low, high) in f.covariates.items():
        x = covariate_values(election, name, f"{where}.covariates")
        mask &= (x >= low) & (x <= high)  # NaN (no data) never matches
    for name, levels in f.categories.items():
        x = covariate_values(election, name, f"{where}.categories", CATEGORICAL)
        mask &= np.isin(x.astype(str), levels)
    return mask


def step_scope(election: Election, state: State, scope: str, where: str) -> np.ndarray:
    """Seats of a scope, less the Speaker's seat (which the main parties do not contest)."""
    return scope_mask(election, scope, where=where) & ~state.stood[:, SPEAKER]


def apply_flows(state: State, election: Election, step: s.FlowsStep, where: str) -> None:
    """Move fractions of a party's voters (or non-voters) to parties or abstention."""
    source = party_column(step.from_, f"{where}.from", abstain=True)
    mask = seat_filter(election, step.where, f"{where}.where")
    scale = np.ones(election.n_seats)
    if step.scale_by:
        x = covariate_values(election, step.scale_by, f"{where}.scale_by")
        pool = state.abstain if source < 0 else state.votes[:, source]
        ok = mask & ~np.isnan(x)
        mean = _covariate_mean(x, ok, pool, step.scale_by, f"{where}.scale_by")
        if not mean > 0:
            raise ScenarioError(
                f"{where}.scale_by: {step.scale_by} averages {mean:g} over this step's seats, so the rates cannot be "
                f"scaled by {step.scale_by} / its mean; choose a covariate that is positive there, or narrow where"
            )
        scale = np.where(np.isnan(x), 1.0, x / mean)
    moving = state.abstain.copy() if source < 0 else state.votes[:, source].copy()
    rates = {party_column(k, f"{where}.to", abstain=True): v for k, v in step.to.items()}
    total_rate = sum(rates.values()) * scale
    # Scaling may push a seat's total above 1: cap it, keeping the destinations' proportions.
    cap = np.where(total_rate > 1.0, 1.0 / np.maximum(total_rate, 1e-300), 1.0) * scale
    for dest, rate in rates.items():
        if dest == source:
            continue
        amount = np.where(mask, moving * rate * cap, 0.0)
        if dest >= 0:
            absent = ~state.stood[:, dest]
            if step.if_absent == "stay":
                amount = np.where(absent, 0.0, amount)
                state.votes[:, dest] += amount
            else:
                state.votes[:, dest] += np.where(absent, 0.0, amount)
                state.abstain += np.where(absent, amount, 0.0)
        else:
            state.abstain += amount
        if source >= 0:
            state.votes[:, source] -= amount
        else:
            state.abstain -= amount


def _covariate_mean(x: np.ndarray, ok: np.ndarray, weight: np.ndarray, name: str, where: str) -> float:
    """The ``weight``-weighted mean of covariate ``x`` over the seats ``ok`` (those with data), or a clear error."""
    if not ok.any():
        raise ScenarioError(
            f"{where}: no seat this step acts on has {name} figures (census figures are missing for Northern "
            f"Ireland, and some for Scotland); narrow where to seats with data, or drop {name}"
        )
    w = weight[ok]
    return float(np.average(x[ok], weights=w)) if w.sum() > 0 else float(np.mean(x[ok]))


def apply_covariate_swing(state: State, election: Election, step: s.CovariateSwingStep, where: str) -> None:
    """Swing a party by ``a + b (x - mean x)`` (or per level), solving ``a`` for the scope total."""
    p = party_column(step.party, f"{where}.party")
    mask = step_scope(election, state, step.scope, f"{where}.scope") & state.stood[:, p]
    if step.slope is not None:
        x = covariate_values(election, step.covariate, f"{where}.covariate").astype(float)
        effect = step.slope * x
    else:
        x = covariate_values(election, step.covariate, f"{where}.covariate", CATEGORICAL).astype(str)
        effect = np.full(election.n_seats, np.nan)
        for level, value in step.levels.items():
            if level not in set(x[mask]):
                known = sorted(set(x[mask]) - {"nan"})
                raise ScenarioError(
                    f"{where}.levels: no seat has {step.covariate} = '{level}' (levels: {', '.join(known)})"
                )
            effect[x == level] = value
        unlisted = mask & np.isnan(effect) & (x != "nan")
        effect[unlisted] = 0.0
    # Seats without the covariate get no differential effect (the scope's mean effect).
    weight = state.total[mask]
    shares = state.shares[mask]
    eff = effect[mask]
    known = ~np.isnan(eff)
    mean_effect = np.average(eff[known], weights=weight[known]) if known.any() else 0.0
    eff = np.where(known, eff - mean_effect, 0.0)
    target = scope_shares(shares, weight)[p] + step.change
    if not 0.0 <= target <= 1.0:
        raise ScenarioError(f"{where}.change: {step.party}'s share would become {target:.3f}, outside 0-1")
    a = step.change
    for _ in range(200):
        new = _set_party_share(shares, state.stood[mask], p, shares[:, p] + a + eff)
        gap = target - scope_shares(new, weight)[p]
        if abs(gap) < 1e-10:
            break
        a += gap
    else:
        raise ScenarioError(
            f"{where}: could not hold {step.party}'s scope share at {target:.4f}; the slope is too steep"
        )
    state.votes[mask] = new * weight[:, None]


def _set_party_share(shares: np.ndarray, stood: np.ndarray, p: int, value: np.ndarray) -> np.ndarray:
    """Set party ``p``'s share per seat (clipped to 0-1); others scale to fill the rest."""
    out = shares.copy()
    new = np.clip(value, 0.0, 1.0)
    rest = 1.0 - shares[:, p]
    others = np.delete(np.arange(shares.shape[1]), p)
    factor = np.divide(1.0 - new, rest, out=np.zeros_like(rest), where=rest > 0)
    has_others = (stood[:, others] & (shares[:, others] > 0)).any(axis=1)
    new = np.where(has_others, new, shares[:, p])  # a lone candidate keeps 100%
    factor = np.where(has_others, factor, 1.0)
    out[:, others] = shares[:, others] * factor[:, None]
    out[:, p] = new
    return out


def stand_down(state: State, i: int, leaving: list[int], to: int, rates: list[tuple[float, float]]) -> None:
    """Stand the parties ``leaving`` down in seat ``i`` for party ``to``, all at once.

    Each one's voters: its ``rates[k][0]`` to ``to``, its ``rates[k][1]`` to the other parties
    still standing, in proportion to their votes once every leaving party is gone, and the rest
    abstain (as does the share to others where no other party stands). Done at once, so the
    result does not depend on the order of ``leaving``.
    """
    moved = state.votes[i, leaving].copy()
    state.votes[i, leaving] = 0.0
    state.stood[i, leaving] = False
    others = state.stood[i].copy()
    others[to] = False
    pool = state.votes[i] * others
    for votes, (rate_to, rate_others) in zip(moved, rates, strict=True):
        state.votes[i, to] += votes * rate_to
        rate_others = rate_others if pool.sum() > 0 else 0.0
        if rate_others > 0:
            state.votes[i] += pool / pool.sum() * votes * rate_others
        state.abstain[i] += votes * (1.0 - rate_to - rate_others)


def _rate(value: float | dict[str, float], party: str, default: float = 0.0) -> float:
    return value.get(party, default) if isinstance(value, dict) else value


def apply_pact(state: State, election: Election, step: s.PactStep, where: str) -> np.ndarray:
    """One pact candidate per seat; returns the ``(n_seats, n_parties)`` stand-down mask."""
    members = [party_column(m, f"{where}.members") for m in step.members]
    may_stand_down = {party_column(m, f"{where}.only_stand_down") for m in step.only_stand_down} or set(members)
    mask = seat_filter(election, step.where, f"{where}.where")
    forced: dict[int, int] = {}
    for seat, member in step.candidates.items():
        p = party_column(member, f"{where}.candidates")
        if p not in members:
            raise ScenarioError(f"{where}.candidates: {member} is not a pact member ({', '.join(step.members)})")
        forced[seat_row(election, seat, f"{where}.candidates")] = p
    stood_down = np.zeros(state.stood.shape, dtype=bool)
    for i in map(int, np.flatnonzero(mask)):
        standing = [m for m in members if state.stood[i, m]]
        if len(standing) < 2 and i not in forced:
            continue
        candidate = forced.get(i, max(standing, key=lambda m: state.votes[i, m]) if standing else -1)
        if candidate < 0:
            continue
        state.stood[i, candidate] = True
        leaving = [m for m in standing if m != candidate and m in may_stand_down]
        if leaving:
            rates = [(_rate(step.transfer, PARTIES[m]), _rate(step.to_others, PARTIES[m])) for m in leaving]
            stand_down(state, i, leaving, candidate, rates)
            stood_down[i, leaving] = True
    return stood_down


def apply_tactical(state: State, election: Election, step: s.TacticalStep, where: str) -> None:
    """Where ``party`` is third or lower and a preferred party is top two, ``rate`` of its voters switch."""
    a = party_column(step.party, f"{where}.party")
    prefer = [party_column(p, f"{where}.prefer") for p in step.prefer]
    against = party_column(step.against, f"{where}.against") if step.against else None
    mask = seat_filter(election, step.where, f"{where}.where") & state.stood[:, a]
    order = np.argsort(-(state.shares * state.lead * state.stood), axis=1, kind="stable")
    top2 = order[:, :2]
    for i in np.flatnonzero(mask):
        if a in top2[i] or (against is not None and against not in top2[i]):
            continue
        candidates = [p for p in prefer if p in top2[i] and state.stood[i, p]]
        if not candidates:
            continue
        best = max(candidates, key=lambda p: state.votes[i, p])
        moved = state.votes[i, a] * step.rate
        state.votes[i, a] -= moved
        state.votes[i, best] += moved


def apply_turnout(state: State, election: Election, step: s.TurnoutStep, where: str) -> None:
    """Scale each party's vote by ``1 + change`` (plus a covariate term), to or from abstention."""
    mask = seat_filter(election, step.where, f"{where}.where")
    extra = np.zeros(election.n_seats)
    if step.covariate:
        x = covariate_values(election, step.covariate, f"{where}.covariate").astype(float)
        ok = mask & ~np.isnan(x)
        mean = _covariate_mean(x, ok, state.total, step.covariate, f"{where}.covariate")
        extra = np.where(np.isnan(x), 0.0, step.slope * (x - mean))
    columns = [party_column(party, f"{where}.parties") for party in step.parties]
    deltas = np.zeros((election.n_seats, len(columns)))
    for k, (p, change) in enumerate(zip(columns, step.parties.values(), strict=True)):
        factor = np.clip(1.0 + change + extra, 0.0, None)
        deltas[:, k] = np.where(mask, state.votes[:, p] * (factor - 1.0), 0.0)
    # New voters come from the seat's non-voters (after the losers' voters join them); where the
    # gainers ask for more than there are, each gets the same fraction of what it asked for, so
    # the result does not depend on the order of the parties.
    available = state.abstain - np.minimum(deltas, 0.0).sum(axis=1)
    asked = np.maximum(deltas, 0.0).sum(axis=1)
    short = asked > available
    scale = np.where(short, available / np.where(asked > 0, asked, 1.0), 1.0)
    deltas = np.where(deltas > 0, deltas * scale[:, None], deltas)
    if short.any():
        state.notes.append(
            f"warning: {where}: in {int(short.sum())} seat(s) the turnout rises ask for more voters than the seat's "
            "non-voters; each rising party got the same fraction of its rise"
        )
    for k, p in enumerate(columns):
        state.votes[:, p] += deltas[:, k]
    state.abstain -= deltas.sum(axis=1)


def apply_merge(state: State, election: Election, step: s.MergeStep, where: str) -> None:
    """Fold several parties into one."""
    into = party_column(step.into, f"{where}.into")
    parts = [party_column(p, f"{where}.parties") for p in step.parties]
    for p in parts:
        if p == into:
            continue
        state.merged = {**{k: PARTIES[into] if v == PARTIES[p] else v for k, v in state.merged.items()},
                        PARTIES[p]: PARTIES[into]}  # fmt: skip
        state.votes[:, into] += state.votes[:, p]
        state.votes[:, p] = 0.0
        state.stood[:, into] |= state.stood[:, p]
        state.stood[:, p] = False
    state.lead[:, into] = 1.0
