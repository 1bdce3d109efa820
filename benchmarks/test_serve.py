"""The swingometer page's speed (issue: a slider change redraws within 1 s at 10,000 draws; start within 3 s).

* ``serve_redraw``: one slider change at 10,000 draws through the app (Starlette's TestClient, no
  network): the state parsed, the scenario built and checked, projected, simulated and the page
  rendered. Each round moves Labour's slider to a new value, so nothing is served from the cache.
* ``serve_start``: ``swingometer serve`` as a fresh process until its first page is served on
  a warm cache (data parsed, kernels compiled): what a user waits for.

Each records ``serve`` in ``extra_info``; ``benchmarks/check_ratio.py`` prints both against their
targets, and the redraw against the simulation alone of the same draws (measured in the same run).
"""

from __future__ import annotations

import itertools
import socket
import subprocess
import sys
import time
import urllib.request
import warnings
from pathlib import Path

import pytest

from sim.serve.app import create_app
from sim.serve.engine import Engine

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

DRAWS = 10_000
GB = "s.CON=24.39&s.REF=14.71&s.LD=12.57&s.GRN=6.9&t.s=93.247&moved=s.LAB"
"""The other 2024 sliders as the page sends them when Labour's moves (t.s: their total, kept)."""


@pytest.mark.parametrize("pact", ["none", "progressive"])
def test_serve_redraw(benchmark: pytest.FixtureRequest, pact: str) -> None:
    client = TestClient(create_app(Engine(max_draws=DRAWS, default_draws=DRAWS)))
    assert client.get(f"/update?draws={DRAWS}&pact={pact}").status_code == 200  # data loaded, kernels compiled
    values = itertools.count()

    def redraw() -> None:
        lab = 30.0 - 0.1 * next(values)
        r = client.get(f"/update?base=2024&draws={DRAWS}&pact={pact}&s.LAB={lab:.1f}&{GB}")
        assert r.status_code == 200, r.text

    benchmark.extra_info["serve"] = "redraw" if pact == "none" else f"redraw with a {pact} pact"
    benchmark.pedantic(redraw, rounds=5, warmup_rounds=1)  # type: ignore[attr-defined]


def test_serve_simulation_alone(benchmark: pytest.FixtureRequest) -> None:
    """The redraw's reference: the same scenario's simulation only (projection done), same draws."""
    from sim.run import simulate_projection

    engine = Engine(max_draws=DRAWS, default_draws=DRAWS)
    from sim.serve.state import parse_query

    state = parse_query(dict(x.split("=") for x in f"base=2024&draws={DRAWS}&s.LAB=29&{GB}".split("&")), DRAWS)
    state = engine.resolve(state)
    scenario = engine.scenario(state)
    projection = engine.project(scenario)
    benchmark.extra_info["serve"] = "simulation"
    benchmark.pedantic(simulate_projection, args=(scenario, projection, DRAWS, 1), rounds=5, warmup_rounds=1)  # type: ignore[attr-defined]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start_and_serve() -> None:
    port = _free_port()
    command = [str(Path(sys.executable).parent / "swingometer"), "serve", "--port", str(port)]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as r:
                    assert r.status == 200
                    return
            except OSError:
                if proc.poll() is not None:
                    raise RuntimeError("swingometer serve exited before serving") from None
                time.sleep(0.05)
    finally:
        proc.terminate()
        proc.wait(30)


def test_serve_start(benchmark: pytest.FixtureRequest) -> None:
    benchmark.extra_info["serve"] = "start"
    benchmark.pedantic(_start_and_serve, rounds=3, warmup_rounds=1)  # type: ignore[attr-defined]
