"""Backtests: project a later election from an earlier one using only its true vote shares.

For a pair (earlier, later), the projection starts from the earlier result and:

1. folds a party into its successor where the later election has one (UKIP's 2017 vote becomes
   the Brexit Party's in 2019; the Brexit Party's notional 2019 vote becomes Reform's in 2024);
2. makes the candidacies those of the later election (from its candidacy files): a party that
   stands down hands its voters to the others in proportion to their votes; a party that newly
   stands starts from nothing and takes the swing. This is how the 2019 Brexit Party stand-downs
   and the Unite to Remain pact enter the test;
3. applies a swing method with the later election's true shares at the chosen scope (GB, each
   nation, or each region); Northern Ireland always uses its own shares. The methods are
   uniform, proportional and strong-transition swing, and ``linked``, the engine's best model
   (:mod:`sim.projection.linked`), fitted on the other pairs only (leave-one-election-out).

The score compares the projected winners with the actual ones: GB seats called wrong (the
headline, as in ``docs/model.md``'s baseline table), per-party seat error, and the mean absolute
error of the projected vote shares. With draws, the projection is simulated with the default
error model less the errors of what the backtest is given (:func:`backtest_uncertainty`), and the
seat-win probabilities and the intervals of party seat totals are scored too.

How many seats a model can hope to call depends on how many were knife-edges. Each score carries
the spread of the model's margin errors (projected minus true lead of the true winner over the
true runner-up); :func:`knife_edges` counts a pair's close seats and the misses to expect of a
model whose margin errors are unbiased and normal with a given spread.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from scipy.stats import norm

if TYPE_CHECKING:
    from collections.abc import Callable

    import pandas as pd

from sim.core.errors import SwingometerError
from sim.core.parties import PARTIES, PARTY_INDEX
from sim.data.election import NATIONS, DataDir, Election, load_election
from sim.montecarlo.results import seat_quantiles
from sim.montecarlo.simulate import inputs_for, simulate
from sim.projection import multiparty
from sim.projection.linked import PairFeatures, adjusted_shares, fit, incumbency
from sim.projection.project import Projection
from sim.projection.steps import State, transfer_voters
from sim.projection.swing import METHODS as SWING_METHODS
from sim.projection.swing import Swung, scope_shares
from sim.scenario.schema import Uncertainty

PAIRS: tuple[tuple[str, str], ...] = (
    ("2005-notional", "2010"), ("2010", "2015"), ("2015", "2017"), ("2017", "2019"), ("2019-notional", "2024"),
)  # fmt: skip
CALIBRATION_PAIRS = PAIRS[1:]
"""The pairs the default error model is calibrated on: those with candidacy files on both sides."""
SUCCESSORS: dict[tuple[str, str], dict[str, str]] = {
    ("2017", "2019"): {"UKIP": "BRX"},
    ("2019-notional", "2024"): {"BRX": "REF"},
}
METHODS = {**SWING_METHODS, "linked": SWING_METHODS["uniform"], "multiparty": multiparty.swing}
FITTED = ("linked", "multiparty")
"""Methods with coefficients fitted on other elections (leave-one-election-out, or rolling origin)."""
DEFAULT_METHOD = "multiparty"
SCOPES = ("gb", "nation", "region")


@dataclass(frozen=True)
class SimulationScore:
    """How the Monte Carlo seat probabilities and intervals compare with the actual result.

    ``brier``: mean over seats of the squared error of the win probabilities (sum over parties);
    ``log_score``: mean over seats of -ln P(actual winner), P floored at half a draw;
    ``intervals``: per party, actual seats and the 50% and 90% central intervals of its total.
    """

    draws: int
    brier: float
    log_score: float
    intervals: dict[str, dict[str, int | list[int]]]

    def covered(self, level: str) -> tuple[int, int]:
        """(intervals covering the actual total, intervals) at level ``"50"`` or ``"90"``."""
        hits = [v[level][0] <= v["actual"] <= v[level][1] for v in self.intervals.values()]  # type: ignore[index,operator]
        return sum(hits), len(hits)


@dataclass(frozen=True)
class Score:
    """How a projection of ``later`` from ``earlier`` compares with the actual result."""

    earlier: str
    later: str
    method: str
    scope: str
    gb_wrong: int
    ni_wrong: int
    seat_error: dict[str, int] = field(default_factory=dict)
    total_seat_error: int = 0
    share_mae: float = 0.0
    margin_sd: float = 0.0
    in_sample: bool = False
    simulation: SimulationScore | None = None

    def to_dict(self) -> dict[str, object]:
        """Plain-Python fields."""
        return asdict(self)


def units(election: Election, scope: str) -> list[np.ndarray]:
    """The seat masks a scope splits the UK into (NI always on its own)."""
    ni = election.nations == "Northern Ireland"
    if scope == "gb":
        return [election.gb, ni]
    if scope == "nation":
        return [election.nations == n for n in NATIONS]
    if scope == "region":
        return [election.regions == r for r in sorted(set(election.regions))]
    raise SwingometerError(f"unknown scope '{scope}'; choose gb, nation or region")


def start_state(earlier: Election, later: Election) -> State:
    """The earlier result with the later election's parties and candidacies (steps 1 and 2 above)."""
    if earlier.boundaries != later.boundaries:
        raise SwingometerError(
            f"{earlier.name} and {later.name} are on different boundaries; use 2019-notional for 2024"
        )
    state = State.from_election(earlier)
    for old, new in SUCCESSORS.get((earlier.name, later.name), {}).items():
        o, n = PARTY_INDEX[old], PARTY_INDEX[new]
        state.votes[:, n] += state.votes[:, o]
        state.votes[:, o] = 0.0
        state.stood[:, n] |= state.stood[:, o]
        state.stood[:, o] = False
    for i, p in zip(*np.nonzero(state.stood & ~later.stood), strict=True):
        transfer_voters(state, int(i), int(p), -1, 0.0, 1.0)  # stood down: voters go to the others
    state.stood |= later.stood
    return state


def load_pair(earlier_name: str, later_name: str, data_dir: DataDir = None) -> PairFeatures:
    """Load a backtest pair with its start state, incumbency, by-election and lineage features."""
    from sim.data.by_election_change import by_election_change
    from sim.projection.multiparty import LINEAGE_GEOGRAPHY
    from sim.projection.shares import geography
    from sim.scenario.schema import Geography

    earlier, later = load_election(earlier_name, data_dir), load_election(later_name, data_dir)
    real_earlier = load_election("2019", data_dir) if earlier_name == "2019-notional" else earlier
    ids = real_earlier.candidate_columns["member_id"][real_earlier.candidate_columns["sitting"].astype(bool)]
    sophomore, retiring = incumbency(earlier, later, {int(m) for m in ids})
    successors = SUCCESSORS.get((earlier.name, later.name), {})
    lineage_fold = {**successors, "UKIP": next(iter(successors.values()))} if successors else {}
    by = by_election_change(earlier, lineage_fold, data_dir)
    party, year = LINEAGE_GEOGRAPHY[earlier.name]
    lineage = geography(earlier, Geography(party=party, election=year), "lineage geography", data_dir)
    lineage = np.where(np.isnan(lineage), np.nanmean(lineage), lineage)  # seats it did not fight: its mean
    return PairFeatures(earlier, later, start_state(earlier, later), sophomore, retiring, by, lineage)


def project_pair(
    pair: PairFeatures, method: str, scope: str, coefs: dict[str, np.ndarray] | multiparty.Coefficients | None = None,
    *, swing: Callable[..., Swung] | None = None,
) -> State:  # fmt: skip
    """Project the later election from the earlier one with its true shares at ``scope``.

    ``method`` is uniform, proportional, stm, linked or multiparty; the fitted models need their
    ``coefs`` (:func:`sim.projection.linked.fit`, :func:`sim.projection.multiparty.fit`) and region
    scope, since they read their Leave slopes and changes from regional shares. ``swing`` replaces
    the method's last step (for the ablation).
    """
    earlier, later = pair.earlier, pair.later
    if method not in METHODS:
        raise SwingometerError(f"unknown method '{method}'; choose {', '.join(METHODS)}")
    if scope not in SCOPES:
        raise SwingometerError(f"unknown scope '{scope}'; choose {', '.join(SCOPES)}")
    state = State(pair.start.votes.copy(), pair.start.abstain.copy(), pair.start.stood.copy(), pair.start.lead.copy())
    shares = state.shares
    swing = swing or METHODS[method]
    if method in FITTED:  # the adjusted shares, then uniform swing (METHODS[method]: multiparty.swing renormalises)
        if scope != "region":
            raise SwingometerError(
                f"the {method} model reads its Leave slopes from regional shares: use scope 'region'", field="scope"
            )
        if method == "multiparty":
            if not isinstance(coefs, multiparty.Coefficients):
                raise SwingometerError("the multiparty model needs its fitted coefficients (multiparty.fit)")
            shares = multiparty.adjusted_shares(pair, coefs)
        else:
            shares = adjusted_shares(pair, coefs if isinstance(coefs, dict) else {})
    speaker = later.stood[:, PARTY_INDEX["SPK"]] | earlier.stood[:, PARTY_INDEX["SPK"]]
    for mask in units(earlier, scope):
        mask = mask & ~speaker
        if not mask.any():
            continue
        weight = state.total[mask]
        target = scope_shares(later.shares[mask], later.valid_votes[mask].astype(float))
        stood = state.stood[mask]
        # Backtests take the closest reachable result where a target cannot be met exactly (a
        # party surging from a few votes in a handful of seats, under proportional swing).
        projected = swing(shares[mask], stood, weight, target, strict=False).shares
        state.votes[mask] = projected * weight[:, None]
    state.votes[speaker] = later.shares[speaker] * state.total[speaker][:, None]  # the Speaker's seat is not projected
    return state


def score(
    pair: PairFeatures, method: str, scope: str, others: list[PairFeatures] | None = None,
    *, draws: int = 0, seed: int = 1, in_sample: bool = False,
) -> Score:  # fmt: skip
    """Project and score one pair, method and scope; with ``draws``, simulate and score that too.

    The linked model is fitted on ``others`` (the other pairs: leave-one-election-out), or with
    ``in_sample`` on the predicted pair itself: not a forecast, but the best its features can do.
    """
    if in_sample and method not in FITTED:
        raise SwingometerError(
            f"only the {' and '.join(FITTED)} models are fitted: in_sample needs one of them", field="in_sample"
        )
    coefs = fit_method(method, [pair] if in_sample else others or [])
    state = project_pair(pair, method, scope, coefs)
    earlier, later = pair.earlier, pair.later
    winners, error = seat_errors(later, state)
    actual = later.winners
    gb = later.gb
    stood = later.stood
    return Score(
        earlier=earlier.name, later=later.name, method=method, scope=scope, in_sample=in_sample,
        gb_wrong=int((winners[gb] != actual[gb]).sum()), ni_wrong=int((winners[~gb] != actual[~gb]).sum()),
        seat_error=error, total_seat_error=int(sum(abs(v) for v in error.values())),
        share_mae=float(np.abs(state.shares - later.shares)[stood].mean()),
        margin_sd=float(np.sqrt(np.mean(margin_errors(later, state.shares * state.lead) ** 2))),
        simulation=simulate_pair(pair, state, scope, draws, seed) if draws else None,
    )  # fmt: skip


def seat_errors(later: Election, state: State) -> tuple[np.ndarray, dict[str, int]]:
    """The projected winner of each seat, and projected minus actual seats per party (parties with either)."""
    winners = np.argmax(state.shares * state.lead * state.stood, axis=1)
    projected_seats = np.bincount(winners, minlength=len(PARTIES))
    actual_seats = np.bincount(later.winners, minlength=len(PARTIES))
    error = {
        PARTIES[p]: int(projected_seats[p] - actual_seats[p])
        for p in range(len(PARTIES))
        if projected_seats[p] or actual_seats[p]
    }
    return winners, error


def fit_method(method: str, pairs: list[PairFeatures]) -> dict[str, np.ndarray] | multiparty.Coefficients | None:
    """The coefficients of a fitted method on ``pairs`` (None for the unfitted methods)."""
    if method == "linked":
        return fit(pairs)
    if method == "multiparty":
        if not pairs:
            raise SwingometerError("the multiparty model needs at least one other election to be fitted on")
        return multiparty.fit(pairs)
    return None


def _top_two(later: Election) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """GB seats other than the Speaker's; the true winner and runner-up of each; the true shares.

    Shares are those of each party's lead candidate (several independents are not one vote).
    """
    seats = np.nonzero(later.gb & ~later.stood[:, PARTY_INDEX["SPK"]])[0]
    true = later.shares * later.lead_fraction
    order = np.argsort(true[seats], axis=1, kind="stable")
    return seats, order[:, -1], order[:, -2], true


def margin_errors(later: Election, candidate_shares: np.ndarray) -> np.ndarray:
    """Projected minus true lead of the true winner over the true runner-up, per GB seat.

    ``candidate_shares`` are projected shares of each party's lead candidate (``shares * lead``).
    """
    seats, first, second, true = _top_two(later)
    projected = candidate_shares[seats, first] - candidate_shares[seats, second]
    return projected - (true[seats, first] - true[seats, second])


def knife_edges(later: Election, spreads: tuple[float, ...] = (0.03, 0.04, 0.05)) -> dict[str, object]:
    """How hard ``later`` is to call seat by seat, whatever the model.

    ``close``: GB seats won by under 2 and 5 points. ``expected_wrong``: for each spread ``sd``,
    the seats a model would miss on average if its margin errors were unbiased and normal with
    that spread, ``sum(Phi(-margin / sd))`` over GB seats (the race for first is taken as a
    two-party race; third parties only add misses).
    """
    seats, first, second, true = _top_two(later)
    margin = true[seats, first] - true[seats, second]
    return {
        "later": later.name,
        "close": {"2": int((margin < 0.02).sum()), "5": int((margin < 0.05).sum())},
        "expected_wrong": {f"{sd:g}": float(norm.cdf(-margin / sd).sum()) for sd in spreads},
    }


def backtest_uncertainty(scope: str) -> Uncertainty:
    """The default error model less the errors of what the backtest is given.

    The true shares at ``scope`` are known, so the national error is off, and so are the nation
    and regional errors at region scope (and the nation error at nation scope). The seat error
    and the Leave-slope error stay at their calibrated defaults.
    """
    default = Uncertainty()
    return default.model_copy(update={
        "national": 0.0,
        "nation": default.nation if scope == "gb" else 0.0,
        "regional": default.regional if scope in ("gb", "nation") else 0.0,
    })  # fmt: skip


def simulate_pair(
    pair: PairFeatures, state: State, scope: str, draws: int, seed: int, *, uncertainty: Uncertainty | None = None
) -> SimulationScore:
    """Simulate around a backtest projection and score it (``backtest_uncertainty(scope)`` by default)."""
    earlier, later = pair.earlier, pair.later
    projection = Projection.from_state(earlier, state)
    unc = uncertainty if uncertainty is not None else backtest_uncertainty(scope)
    result = simulate(inputs_for(projection, unc), draws, seed)
    prob = result.wins / draws
    actual = np.zeros_like(prob)
    actual[np.arange(later.n_seats), later.winners] = 1.0
    p_actual = np.maximum(prob[np.arange(later.n_seats), later.winners], 0.5 / draws)
    q = seat_quantiles(result.seat_counts, (0.25, 0.75, 0.05, 0.95)).astype(int)
    actual_seats = np.bincount(later.winners, minlength=len(PARTIES))
    mean = result.seat_counts.mean(axis=0)
    intervals: dict[str, dict[str, int | list[int]]] = {
        PARTIES[p]: {"actual": int(actual_seats[p]), "50": q[:2, p].tolist(), "90": q[2:, p].tolist()}
        for p in range(len(PARTIES))
        if PARTIES[p] != "SPK" and (actual_seats[p] > 0 or mean[p] >= 0.5)
    }  # fmt: skip
    return SimulationScore(
        draws=draws,
        brier=float(((prob - actual) ** 2).sum(axis=1).mean()),
        log_score=float(-np.log(p_actual).mean()),
        intervals=intervals,
    )


def load_pairs(data_dir: DataDir = None, pairs: tuple[tuple[str, str], ...] = PAIRS) -> list[PairFeatures]:
    """Every backtest pair (or those named)."""
    return [load_pair(a, b, data_dir) for a, b in pairs]


def backtest_all(pairs: list[PairFeatures], *, draws: int = 0, seed: int = 1, in_sample: bool = False) -> list[Score]:
    """Every pair (see :func:`load_pairs`), method and scope (the linked model at region scope only).

    With ``in_sample``, the linked model is also fitted on each pair itself (an extra row).
    """
    out = []
    for pair in pairs:
        others = [q for q in pairs if q is not pair]
        for method in METHODS:
            for scope in SCOPES if method not in FITTED else ("region",):
                out.append(score(pair, method, scope, others, draws=draws, seed=seed))
        if in_sample:
            for method in FITTED:
                out.append(score(pair, method, "region", draws=draws, seed=seed, in_sample=True))
    return out


@dataclass(frozen=True)
class BacktestRun:
    """The pairs a backtest loaded and their scores (``pairs[k].later`` is what ``scores`` predict)."""

    pairs: list[PairFeatures]
    scores: list[Score]


def run_backtest(
    pair: tuple[str | None, str | None] | None, method: str = DEFAULT_METHOD, scope: str = "region", *,
    draws: int = 0, seed: int = 1, in_sample: bool = False, data_dir: DataDir = None,
) -> BacktestRun:  # fmt: skip
    """Backtest one pair (``(earlier, later)``) with a method and scope, or every pair and method (``None``).

    The linked model of one pair is fitted on the other pairs (leave-one-election-out) unless
    ``in_sample``.
    """
    from sim.data.election import check_election_name

    if pair is None:
        pairs = load_pairs(data_dir)
        return BacktestRun(pairs, backtest_all(pairs, draws=draws, seed=seed, in_sample=in_sample))
    earlier, later = pair
    if earlier is None or later is None:
        raise SwingometerError("give the earlier and the later election of a pair, or ask for every pair", field="pair")
    key = (check_election_name(earlier), check_election_name(later))
    if key not in PAIRS:
        raise SwingometerError(f"backtest pairs are {', '.join(f'{a} -> {b}' for a, b in PAIRS)}", field="pair")
    loo = method in FITTED and not in_sample
    others = [load_pair(a, b, data_dir) for a, b in PAIRS if (a, b) != key] if loo else []
    loaded = [load_pair(*key, data_dir)]
    return BacktestRun(loaded, [score(loaded[0], method, scope, others, draws=draws, seed=seed, in_sample=in_sample)])


def score_frame(scores: list[Score]) -> pd.DataFrame:
    """The scores as a table: one row per pair, method and scope (simulation columns when simulated)."""
    import pandas as pd

    rows = []
    for s in scores:
        row: dict[str, object] = {
            "pair": f"{s.earlier} -> {s.later}", "method": s.method + (" (in-sample)" if s.in_sample else ""),
            "scope": s.scope, "gb_wrong": s.gb_wrong,
            "ni_wrong": s.ni_wrong, "seat_error_sum": s.total_seat_error, "share_mae": round(s.share_mae, 4),
            "margin_sd": round(s.margin_sd, 4),
        }  # fmt: skip
        if s.simulation is not None:
            sim = s.simulation
            row.update(brier=round(sim.brier, 3), log_score=round(sim.log_score, 3))
            row.update({f"cover{level}": "{}/{}".format(*sim.covered(level)) for level in ("50", "90")})
        rows.append(row)
    return pd.DataFrame(rows)
