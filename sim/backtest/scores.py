"""Backtests: project a later election from an earlier one using only its true vote shares, and score it.

Each backtest is a scenario (:func:`sim.backtest.pairs.pair_scenario`): the earlier result with
the later election's parties and candidacies, moved to the later election's true shares in each
area of the scope (Great Britain and Northern Ireland, each nation, or each region) by a method:
uniform, proportional or strong-transition swing, or the fitted ``linked`` and ``multiparty``
models (:mod:`sim.projection.terms`), fitted on the other pairs only (leave-one-election-out,
:mod:`sim.backtest.fit`) and carried in the scenario. It is projected by the same
:func:`sim.projection.project.project` users run, so ``backtest --write-scenario PATH`` followed by
``project PATH`` gives the same seats.

The score compares the projected winners with the actual ones: GB seats called wrong (the
headline, as in ``docs/model.md``'s baseline table), per-party seat error, and the mean absolute
error of the projected vote shares. With draws, the projection is simulated with an error model
calibrated without the predicted election, less the errors of what the backtest is given
(:func:`backtest_uncertainty`), and the seat-win probabilities and the intervals of party seat
totals are scored too.

How many seats a model can hope to call depends on how many were knife-edges. Each score carries
the spread of the model's margin errors (projected minus true lead of the true winner over the
true runner-up); :func:`knife_edges` counts a pair's close seats and the misses to expect of a
model whose margin errors are unbiased and normal with a given spread.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy.stats import norm

if TYPE_CHECKING:
    import pandas as pd

from sim.backtest.calibrate import backtest_uncertainty
from sim.backtest.fit import FITS
from sim.backtest.pairs import PAIRS, SCOPES, Pair, load_pair, load_pairs, pair_scenario
from sim.backtest.simulation import SimulationScore, simulate_pair
from sim.core.errors import ScenarioError, SwingometerError
from sim.core.output import Outputs
from sim.core.parties import PARTIES, PARTY_INDEX
from sim.data.election import DataDir, Election, check_election_name
from sim.projection.coefficients import Coefficients
from sim.projection.project import Projection, project
from sim.projection.swing import METHODS as SWING_METHODS
from sim.scenario.schema import Scenario
from sim.scenario.write import to_toml

METHODS = (*SWING_METHODS, "linked", "multiparty")
FITTED = ("linked", "multiparty")
"""Methods with coefficients fitted on other elections (leave-one-election-out, or rolling origin)."""
DEFAULT_METHOD = "multiparty"


@dataclass(frozen=True)
class Score:
    """How a projection of ``later`` from ``earlier`` compares with the actual result.

    ``unreachable`` holds the method's error where it cannot reach the true shares at the scope
    (uniform swing at GB scope and the SNP's 2015 surge in Scotland; proportional swing and the
    strong transition model where a party gains in seats it held no votes in): such a row has no
    numbers, rather than numbers for targets it missed.
    """

    earlier: str
    later: str
    method: str
    scope: str
    gb_wrong: int | None
    ni_wrong: int | None
    seat_error: dict[str, int] = field(default_factory=dict)
    total_seat_error: int = 0
    share_mae: float = 0.0
    margin_sd: float = 0.0
    in_sample: bool = False
    simulation: SimulationScore | None = None
    unreachable: str | None = None

    def to_dict(self) -> dict[str, object]:
        """Plain-Python fields."""
        return asdict(self)


def backtest_scenario(
    pair: Pair, method: str, scope: str, others: list[Pair] | None = None, *, in_sample: bool = False
) -> Scenario:
    """The scenario that backtests ``pair`` with ``method`` at ``scope``; a fitted method is fitted on ``others``.

    With ``in_sample`` the fitted method is fitted on the pair itself: not a forecast, but the best
    its terms can do.
    """
    if method not in METHODS:
        raise SwingometerError(f"unknown method '{method}'; choose {', '.join(METHODS)}", field="method")
    if scope not in SCOPES:
        raise SwingometerError(f"unknown scope '{scope}'; choose {', '.join(SCOPES)}", field="scope")
    if in_sample and method not in FITTED:
        raise SwingometerError(
            f"only the {' and '.join(FITTED)} models are fitted: in_sample needs one of them", field="in_sample"
        )
    if method not in FITTED:
        return pair_scenario(pair, method, scope)
    train = [pair] if in_sample else list(others or [])
    if not train:
        raise SwingometerError(f"the {method} model needs at least one other election to be fitted on")
    coefs = FITS[method](train)
    return pair_scenario(pair, method, scope, coefs, ", ".join(p.name for p in train))


def fit_method(method: str, pairs: list[Pair]) -> Coefficients | None:
    """The coefficients of a fitted method on ``pairs`` (None for the unfitted methods)."""
    return FITS[method](pairs) if method in FITS else None


def score(
    pair: Pair, method: str, scope: str, others: list[Pair] | None = None,
    *, draws: int = 0, seed: int = 1, in_sample: bool = False, held_out: list[Pair] | None = None,
) -> Score:  # fmt: skip
    """Project and score one pair, method and scope; with ``draws``, simulate and score that too.

    The fitted models are fitted on ``others`` (the other pairs: leave-one-election-out), or with
    ``in_sample`` on the predicted pair itself. The simulation's error model is calibrated on
    ``held_out`` (default ``others``): never on the predicted election.
    """
    scenario = backtest_scenario(pair, method, scope, others, in_sample=in_sample)
    projection = project(scenario, pair.earlier, pair.data_dir)
    return score_projection(pair, projection, method, scope, in_sample=in_sample, draws=draws, seed=seed,
                            calibration=held_out if held_out is not None else others)  # fmt: skip


def score_projection(
    pair: Pair, projection: Projection, method: str, scope: str, *, in_sample: bool = False, draws: int = 0,
    seed: int = 1, calibration: list[Pair] | None = None,
) -> Score:  # fmt: skip
    """Score a projection of ``pair.later`` (see :func:`score`)."""
    later = pair.later
    winners, error = seat_errors(later, projection)
    actual, gb = later.winners, later.gb
    simulation = None
    if draws:
        simulation = simulate_pair(pair, projection, draws, seed, uncertainty=backtest_uncertainty(scope, calibration))
    return Score(
        earlier=pair.earlier.name, later=later.name, method=method, scope=scope, in_sample=in_sample,
        gb_wrong=int((winners[gb] != actual[gb]).sum()), ni_wrong=int((winners[~gb] != actual[~gb]).sum()),
        seat_error=error, total_seat_error=int(sum(abs(v) for v in error.values())),
        share_mae=float(np.abs(projection.shares - later.shares)[later.stood].mean()),
        margin_sd=float(np.sqrt(np.mean(margin_errors(later, projection.shares * projection.lead) ** 2))),
        simulation=simulation,
    )  # fmt: skip


def seat_errors(later: Election, projection: Projection) -> tuple[np.ndarray, dict[str, int]]:
    """The projected winner of each seat, and projected minus actual seats per party (parties with either)."""
    winners = projection.winners
    projected_seats = np.bincount(winners, minlength=len(PARTIES))
    actual_seats = np.bincount(later.winners, minlength=len(PARTIES))
    error = {
        PARTIES[p]: int(projected_seats[p] - actual_seats[p])
        for p in range(len(PARTIES))
        if projected_seats[p] or actual_seats[p]
    }
    return winners, error


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


def backtest_all(pairs: list[Pair], *, draws: int = 0, seed: int = 1, in_sample: bool = False) -> list[Score]:
    """Every pair (see :func:`load_pairs`), method and scope (the fitted models at region scope only).

    With ``in_sample``, the fitted models are also fitted on each pair itself (extra rows).
    """
    out = []
    for pair in pairs:
        others = [q for q in pairs if q is not pair]
        for method in METHODS:
            for scope in SCOPES if method not in FITTED else ("region",):
                try:
                    out.append(score(pair, method, scope, others, draws=draws, seed=seed))
                except ScenarioError as exc:
                    if method == DEFAULT_METHOD and scope == "region":
                        raise  # the default model must always reach the true regional shares
                    out.append(
                        Score(pair.earlier.name, pair.later.name, method, scope, None, None, unreachable=str(exc))
                    )
        if in_sample:
            for method in FITTED:
                out.append(score(pair, method, "region", draws=draws, seed=seed, in_sample=True, held_out=others))
    return out


@dataclass(frozen=True)
class BacktestRun:
    """The pairs a backtest loaded, their scores, and for one pair the scenario it projected."""

    pairs: list[Pair]
    scores: list[Score]
    scenario: Scenario | None = None

    def to_frame(self) -> pd.DataFrame:
        """The scores as a table (:func:`score_frame`)."""
        return score_frame(self.scores)

    def to_json(self) -> str:
        """The scores as a JSON list (what ``backtest --json`` writes)."""
        return json.dumps([s.to_dict() for s in self.scores], indent=1) + "\n"

    def add_to(self, out: Outputs, *, json: Path | None = None, scenario: Path | None = None, note: str = "") -> None:
        """Queue ``--json`` (:meth:`to_json`) and ``--write-scenario`` (the scenario as TOML, ``note`` atop)."""
        if json is not None:
            out.add(json, self.to_json())
        if scenario is not None:
            if self.scenario is None:
                raise SwingometerError("only a one-pair backtest has a scenario to write; give --from and --to")
            out.add(scenario, to_toml(self.scenario, note))

    def write(
        self, *, json: str | Path | None = None, scenario: str | Path | None = None, note: str = "",
        provenance: dict[str, Any] | None = None, force: bool = False,
    ) -> list[Path]:  # fmt: skip
        """Write the files ``backtest --json`` and ``--write-scenario`` write, all or none; the paths written."""
        paths = [Path(p) if p is not None else None for p in (json, scenario)]
        out = Outputs(force, paths, provenance=provenance)
        self.add_to(out, json=paths[0], scenario=paths[1], note=note)
        return out.commit()


def run_backtest(
    pair: tuple[str | None, str | None] | None, method: str = DEFAULT_METHOD, scope: str = "region", *,
    draws: int = 0, seed: int = 1, in_sample: bool = False, data_dir: DataDir = None,
) -> BacktestRun:  # fmt: skip
    """Backtest one pair (``(earlier, later)``) with a method and scope, or every pair and method (``None``).

    A fitted model of one pair is fitted on the other pairs (leave-one-election-out) unless
    ``in_sample``. For one pair the run keeps the scenario it projected (``--write-scenario``).
    """
    if pair is None:
        pairs = load_pairs(data_dir)
        return BacktestRun(pairs, backtest_all(pairs, draws=draws, seed=seed, in_sample=in_sample))
    earlier, later = pair
    if earlier is None or later is None:
        raise SwingometerError("give the earlier and the later election of a pair, or ask for every pair", field="pair")
    key = (check_election_name(earlier), check_election_name(later))
    if key not in PAIRS:
        raise SwingometerError(f"backtest pairs are {', '.join(f'{a} -> {b}' for a, b in PAIRS)}", field="pair")
    others = [load_pair(a, b, data_dir) for a, b in PAIRS if (a, b) != key] if method in FITTED or draws else []
    loaded = load_pair(*key, data_dir)
    scenario = backtest_scenario(loaded, method, scope, others, in_sample=in_sample)
    projection = project(scenario, loaded.earlier, data_dir)
    result = score_projection(loaded, projection, method, scope, in_sample=in_sample, draws=draws, seed=seed,
                              calibration=others)  # fmt: skip
    return BacktestRun([loaded], [result], scenario)


def score_frame(scores: list[Score]) -> pd.DataFrame:
    """The scores as a table: one row per pair, method and scope (simulation columns when simulated)."""
    import pandas as pd

    rows = []
    for s in scores:
        row: dict[str, object] = {
            "pair": f"{s.earlier} -> {s.later}", "method": s.method + (" (in-sample)" if s.in_sample else ""),
            "scope": s.scope, "gb_wrong": s.gb_wrong if s.unreachable is None else "unreachable",
            "ni_wrong": s.ni_wrong, "seat_error_sum": s.total_seat_error, "share_mae": round(s.share_mae, 4),
            "margin_sd": round(s.margin_sd, 4),
        }  # fmt: skip
        if s.unreachable is not None:
            row.update(ni_wrong="", seat_error_sum="", share_mae="", margin_sd="")
        if s.simulation is not None:
            sim = s.simulation
            row.update(brier=round(sim.brier, 3), log_score=round(sim.log_score, 3))
            row.update({f"cover{level}": "{}/{}".format(*sim.covered(level)) for level in ("50", "90")})
        rows.append(row)
    return pd.DataFrame(rows)
