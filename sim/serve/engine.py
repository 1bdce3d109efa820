"""The page's engine: page states projected and simulated, one simulation at a time, recent ones cached.

Every state goes through :func:`sim.serve.state.scenario_of` (the scenario schema and its checks)
and then exactly what ``swingometer run`` does (:func:`sim.run.project_checked` and
:func:`sim.run.simulate_projection` with the same draws and seed), so a downloaded scenario file
run from the command line gives the page's figures.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TypeVar

from sim.core.parties import PARTIES
from sim.data.election import DataDir
from sim.data.hexmap import HexMap, load_hexmap
from sim.montecarlo.results import SimulationResult
from sim.projection.project import Projection
from sim.run import project_checked, simulate_projection
from sim.scenario import schema as s
from sim.scenario.write import to_toml
from sim.serve.scenario import PAGE_NAME, PAGE_WORDS, Context, context_of, scenario_of, state_of_scenario
from sim.serve.state import PROGRESSIVE, PageError, PageState, canonical, decode_token, encode_token

K = TypeVar("K")
V = TypeVar("V")


class _Recent(OrderedDict[K, V]):
    """A small least-recently-used cache."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def get_or(self, key: K, make: Callable[[], V]) -> V:
        if key in self:
            self.move_to_end(key)
            return self[key]
        value = make()
        self[key] = value
        if len(self) > self.size:
            self.popitem(last=False)
        return value


@dataclass(frozen=True, eq=False)
class Evaluated:
    """A page state with its context, its scenario and its simulation."""

    state: PageState
    ctx: Context
    scenario: s.Scenario
    result: SimulationResult
    blocs: tuple[tuple[str, ...], ...]


def same_model(a: s.Scenario, b: s.Scenario, tol: float = 1e-6) -> bool:
    """Whether two scenarios have the same steps and error model (numbers to ``tol``; names and words aside)."""

    def close(x: object, y: object) -> bool:
        if isinstance(x, dict) and isinstance(y, dict):
            return x.keys() == y.keys() and all(close(x[k], y[k]) for k in x)
        if isinstance(x, list | tuple) and isinstance(y, list | tuple):
            return len(x) == len(y) and all(close(i, j) for i, j in zip(x, y, strict=True))
        if isinstance(x, float | int) and isinstance(y, float | int) and not isinstance(x, bool):
            return abs(float(x) - float(y)) <= tol
        return x == y

    def dump(m: s.Scenario) -> dict[str, object]:
        return {"steps": [st.model_dump() for st in m.steps], "uncertainty": m.uncertainty.model_dump(),
                "preferences": m.preferences, "base": m.base}  # fmt: skip

    return close(dump(a), dump(b))


class Engine:
    """Projects and simulates page states for the server.

    Parameters
    ----------
    data_dir : path, optional
        Where the data are read from.
    max_draws : int
        The most draws a request may ask for.
    default_draws : int
        Draws of a page opened without a ``draws`` parameter.
    threads : int, optional
        Threads of each simulation (output is the same on any number).

    """

    def __init__(self, data_dir: DataDir = None, max_draws: int = 100_000, default_draws: int = 10_000,
                 threads: int | None = None) -> None:  # fmt: skip
        self.data_dir = data_dir
        self.max_draws = max_draws
        self.default_draws = min(default_draws, max_draws)
        self.threads = threads
        self._lock = threading.Lock()  # one projection or simulation at a time: numba's pool is not re-entrant
        self._projections: _Recent[str, Projection] = _Recent(16)
        self._results: _Recent[str, Evaluated] = _Recent(8)
        self._hexmaps: dict[str, HexMap] = {}

    def project(self, scenario: s.Scenario) -> Projection:
        """A scenario projected (recent projections are reused; the scenario's TOML is the key)."""
        return self._projections.get_or(to_toml(scenario), lambda: project_checked(scenario, self.data_dir))

    def prelude(self, state: PageState) -> s.Scenario:
        """The opened scenario of a state (its token), or the bare base."""
        if state.token:
            return decode_token(state.token)
        return s.Scenario.model_validate({"schema": 1, "base": state.base})

    def context(self, state: PageState) -> Context:
        """The controls' starting point for a state."""
        prelude = self.prelude(state)
        return context_of(prelude, self.project(prelude))

    def open(self, scenario: s.Scenario, draws: int | None = None, seed: int = 1) -> PageState:
        """The page state of an opened scenario (its page steps become controls).

        The controls are taken only if they write back the very steps and uncertain parameters they
        were read from (a narrower ``where``, another distribution or an extra option would be lost
        otherwise); else the whole scenario is kept as the opened one, with the controls untouched.
        """
        with self._lock:
            state, ctx = state_of_scenario(scenario, self.project, draws or self.default_draws, seed)
            state = canonical(state, self.max_draws)
            rebuilt = self._scenario(state, ctx)[0] if state.token or state.query() else scenario
            if not same_model(rebuilt, scenario):
                whole = scenario.model_copy(update={"description": scenario.description.split(PAGE_WORDS, 1)[0]})
                name = (scenario.name.removesuffix(PAGE_NAME) or "the opened scenario")[:200]
                state = PageState(
                    base=scenario.base, draws=state.draws, seed=seed, token=encode_token(whole), name=name
                )
        return canonical(state, self.max_draws)

    def resolve(self, state: PageState) -> PageState:
        """The state with its opened scenario's base and name (a link's ``base`` must agree with the scenario's)."""
        if not state.token:
            return state
        prelude = decode_token(state.token)
        if state.base and state.base != prelude.base:
            raise PageError(f"base: the opened scenario is on the {prelude.base} base, not {state.base[:20]}")
        return replace(state, base=prelude.base, name=state.name or prelude.name or "the opened scenario")

    def _scenario(self, state: PageState, ctx: Context) -> tuple[s.Scenario, Projection]:
        """The state's scenario and its projection; a pact member that stands down nowhere has no uncertain rate."""
        plain = scenario_of(state, ctx, uncertain=())
        projection = self.project(plain)
        if state.pact == "none":
            return plain, projection
        shares = {**ctx.shares["gb"], **(state.gb or {})}
        down = [p for p in ctx.bloc(state.pact) if projection.stood_down[:, PARTIES.index(p)].any() and shares[p] > 0]
        scenario = scenario_of(state, ctx, uncertain=down)
        return scenario, self.project(scenario)

    def scenario(self, state: PageState) -> s.Scenario:
        """The scenario a state stands for (what the page downloads)."""
        with self._lock:
            return self._scenario(state, self.context(state))[0]

    def evaluate(self, state: PageState) -> Evaluated:
        """Project and simulate a state, as ``swingometer run`` would its scenario file."""
        with self._lock:
            return self._results.get_or(state.query(), lambda: self._simulate(state))

    def _simulate(self, state: PageState) -> Evaluated:
        ctx = self.context(state)
        scenario, projection = self._scenario(state, ctx)
        blocs = (PROGRESSIVE, ctx.right)
        result = simulate_projection(scenario, projection, state.draws, state.seed, threads=self.threads,
                                     blocs=[list(b) for b in blocs])  # fmt: skip
        return Evaluated(state, ctx, scenario, result, blocs)

    def hexmap(self, projection: Projection) -> HexMap:
        """The hex map of a projection's boundaries (loaded once)."""
        e = projection.election
        if e.boundaries not in self._hexmaps:
            self._hexmaps[e.boundaries] = load_hexmap(e, self.data_dir)
        return self._hexmaps[e.boundaries]
