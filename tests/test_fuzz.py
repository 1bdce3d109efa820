"""Fuzzing: mutated scenario files and argument lists through the CLI, in process.

Every example either runs and satisfies the invariants (votes conserved, shares in [0, 1], 650
seats) or fails with a clean message: a non-zero exit and no traceback. Bounded so the suite adds
well under a minute: 150 examples each, small draws, no deadline (the first calls compile kernels).
Marked slow (CI runs it; `-m "not slow"` leaves it out locally).
"""

from __future__ import annotations

import copy
import tempfile
import tomllib
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.data.election import Election, load_election
from sim.run import project_file, run_file
from tests.hostile import ROOT, SCENARIO, clean, invoke, write_scenario

pytestmark = pytest.mark.slow

BASES = [*sorted((ROOT / "scenarios" / "examples").glob("*.toml")), ROOT / "scenarios" / "uniform-2019-polls.toml"]
SEEDS = {path.stem: tomllib.loads(path.read_text()) for path in BASES}

HOSTILE = st.one_of(
    st.sampled_from([float("nan"), float("inf"), -float("inf"), 1e308, -1e308, 0.0, 1.0, -1.0, 2.0, 0.5, 1e-12]),
    st.floats(min_value=-3, max_value=3, allow_nan=False),
    st.integers(min_value=-5, max_value=5),
    st.booleans(),
    st.sampled_from(["", "0.5", "CON", "con", "Labor", "ABSTAIN", "Bath", "leave", "town", "2021-13-45", "nan"]),
    st.lists(st.sampled_from(["CON", "LAB", "LD", "lab", "REF", "GRN", "XX"]), max_size=4),
    st.dictionaries(st.sampled_from(["CON", "con", "LAB", "LD", "BRX", "ABSTAIN"]), st.floats(-1, 2), max_size=3),
)

SETTINGS = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key path in a parsed TOML document (tables, arrays and leaves)."""
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for k, value in enumerate(node):
            out += _paths(value, (*prefix, k))
    return out


@st.composite
def mutated(draw: st.DrawFn) -> dict[str, Any]:
    """A real scenario with one to three fields replaced, deleted or added."""
    data = copy.deepcopy(SEEDS[draw(st.sampled_from(sorted(SEEDS)))])
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(data)
        path = draw(st.sampled_from(paths))
        parent: Any = data
        for key in path[:-1]:
            parent = parent[key]
        action = draw(st.sampled_from(["replace", "replace", "replace", "delete", "add"]))
        if action == "replace":
            parent[path[-1]] = draw(HOSTILE)
        elif action == "delete":
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[draw(st.sampled_from(["slope", "covariate", "against", "where", "rate", "extra"]))] = draw(HOSTILE)
    return data


def _check_projection(path: str) -> None:
    _, projection = project_file(path)
    election = projection.election
    total = projection.votes.sum(axis=1) + projection.abstain
    base = election.votes.sum(axis=1) + np.maximum(election.electorate - election.valid_votes, 0)
    assert np.allclose(total, base, rtol=1e-9), "electors not conserved"
    assert (projection.abstain >= -1e-6 * election.electorate).all(), "more voters than electors"
    shares = projection.shares
    assert np.isfinite(shares).all() and (shares >= -1e-12).all() and (shares <= 1 + 1e-12).all()
    assert projection.seat_totals().sum() == 650


@SETTINGS
@given(mutated())
def test_mutated_scenarios(elections: dict[str, Election], data: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = write_scenario(Path(folder), data)
        result = invoke(["project", path])
        assert clean(result), f"{data}\n{result.output}\n{result.exception!r}"
        if result.exit_code == 0:
            _check_projection(path)
            run = invoke(["scenario", "check", path])
            assert run.exit_code == 0, f"project ran but check refused:\n{run.output}"
            counts = run_file(path, 50, 1, keep_draws=True).seat_draws()
            assert (counts.sum(axis=1) == 650).all()
        else:
            assert "Error" in result.output or "Usage" in result.output


DRAWS = ["1", "50", "0", "-5", "1000000000000", "1e3", "x"]
SEEDS_ARG = ["0", "7", str(2**64 - 1), str(2**64), "-1", "nan"]
OPTIONS: dict[str, list[list[str]]] = {
    "run": [["--draws", d] for d in DRAWS] + [["--seed", s] for s in SEEDS_ARG]
    + [["--threads", t] for t in ["1", "0", "1000", "-1"]]
    + [["--bloc", b] for b in ["LAB+LD", "LAB+LAB", "lab+ld", "LAB+", "+", "REF", "XX+LAB"]]
    + [["--seats", n] for n in ["3", "-1", "100000"]],
    "project": [["--explain", s] for s in ["Bath", "", " ", "Bth", "E14000547", "::"]],
    "sweep": [["--set", s] for s in ["steps.0.shares.CON=0.3:0.4:2", "steps.0.shares.CON=0:1e308:2", "a:b:c",
                                    "steps.0.shares.CON=nan:1:2", "steps.9.x=0:1:2", "=::", "steps.0.shares.CON=0:1:1"]]
    + [["--find", f] for f in ["P(CON majority)=0.5", "P(CON majority)=nan", "P(CON majority)=1.5", "seats(LAB)=-1",
                               "P(XX majority)=0.5", "=", "P(CON majority)"]],
}  # fmt: skip
DRAW_FOR = {"run": ["--draws", "50"], "sweep": ["--draws", "50"], "project": []}


@SETTINGS
@given(st.sampled_from(sorted(OPTIONS)).flatmap(lambda c: st.tuples(st.just(c), st.lists(st.sampled_from(OPTIONS[c]),
                                                                                     max_size=3))))  # fmt: skip
def test_argument_lists(elections: dict[str, Election], case: tuple[str, list[list[str]]]) -> None:
    command, options = case
    args = [command, SCENARIO, *DRAW_FOR[command]]
    for option in options:
        args += option
    if command == "sweep" and "--set" not in args:
        args += ["--set", "steps.0.shares.CON=0.3:0.4:2"]
    result = invoke(args)
    assert clean(result), f"{args}\n{result.output}\n{result.exception!r}"


def test_fuzz_seeds_are_valid(elections: dict[str, Election]) -> None:
    """The unmutated seeds run, so a refusal in the fuzz tests comes from the mutation."""
    for path in BASES:
        assert invoke(["project", str(path)]).exit_code == 0, path
    assert load_election("2019").n_seats == 650


CASED = st.sampled_from(["LAB", "lab", "Lab", "LD", "ld", "GRN", "grn", "PC", "pc", "CON", "SNP"])
RATE = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)


@st.composite
def composed(draw: st.DrawFn) -> dict[str, Any]:
    """A scenario built from steps that interact: merges and withdrawals, then pacts with mixed-case keys,
    tactical votes, flows and turnout, some rates uncertain."""
    steps: list[dict[str, Any]] = []
    for _ in range(draw(st.integers(0, 2))):
        if draw(st.booleans()):
            steps.append(
                {"kind": "merge", "parties": draw(st.lists(CASED, min_size=2, max_size=2)), "into": draw(CASED)}
            )
        else:
            where = draw(
                st.sampled_from([{"scope": ["gb"]}, {"scope": ["Wales"]}, {"seats": ["Bath", "Brighton, Pavilion"]}])
            )
            steps.append(
                {"kind": "override", "where": where, "withdraw": draw(st.lists(CASED, min_size=1, max_size=2))}
            )
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["pact", "tactical", "flows", "turnout"]))
        if kind == "pact":
            members = draw(st.lists(CASED, min_size=2, max_size=3))
            step: dict[str, Any] = {"kind": "pact", "members": members}
            if draw(st.booleans()):
                step["transfer"] = {draw(st.sampled_from([m, m.lower(), m.upper()])): draw(RATE) for m in members}
                step["to_others"] = {m.swapcase(): draw(st.floats(0.0, 0.3)) for m in members}
        elif kind == "tactical":
            step = {"kind": "tactical", "party": draw(CASED), "prefer": [draw(CASED)], "rate": draw(RATE)}
        elif kind == "flows":
            step = {"kind": "flows", "from": draw(CASED), "to": {draw(CASED): draw(st.floats(0.0, 0.5))}}
            step["if_absent"] = draw(st.sampled_from(["stay", "abstain"]))
        else:
            step = {"kind": "turnout", "parties": {draw(CASED): draw(st.floats(-0.5, 0.5))}}
        steps.append(step)
    data: dict[str, Any] = {"schema": 1, "base": "2019", "steps": steps}
    rated = [k for k, st_ in enumerate(steps) if "rate" in st_]
    if rated and draw(st.booleans()):
        k = draw(st.sampled_from(rated))
        data["uncertainty"] = {
            "parameters": {f"steps.{k}.rate": {"beta": [draw(st.floats(1, 9)), draw(st.floats(1, 9))]}}
        }
    return data


def _upper(node: Any) -> Any:
    """The same document with every party code in capitals (keys and values; seat names kept)."""
    if isinstance(node, dict):
        return {(k.upper() if k.upper() in CODES else k): _upper(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_upper(v) for v in node]
    return node.upper() if isinstance(node, str) and node.upper() in CODES else node


CODES = {"LAB", "LD", "GRN", "PC", "CON", "SNP"}


@SETTINGS
@given(composed())
def test_composed_scenarios_keep_the_invariants_and_ignore_case(
    elections: dict[str, Election], data: dict[str, Any]
) -> None:
    """Each runs with electors conserved and non-voters never negative, or is refused cleanly; codes ignore case."""
    with tempfile.TemporaryDirectory() as folder:
        path = write_scenario(Path(folder), data)
        result = invoke(["project", path])
        assert clean(result), f"{data}\n{result.output}\n{result.exception!r}"
        upper = write_scenario(Path(folder), _upper(data), "upper.toml")
        again = invoke(["project", upper])
        assert (result.exit_code == 0) == (again.exit_code == 0), f"{data}\n{result.output}\n{again.output}"
        if result.exit_code == 0:
            _check_projection(path)
            assert (project_file(path)[1].votes == project_file(upper)[1].votes).all(), data
