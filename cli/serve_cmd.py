"""``swingometer serve``: the interactive swingometer page on a local web server (docs/serve.md)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from cli.common import DataDirOption, SeedOption, ThreadsOption, check_threads, console, err_console
from sim.core.errors import SwingometerError

LOOPBACK = ("127.0.0.1", "localhost", "::1")
SERVE_MAX_DRAWS = 1_000_000


def check_port(host: str, port: int) -> None:
    """Refuse a port this machine cannot listen on, saying which to try (before anything is loaded)."""
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            raise SwingometerError(
                f"cannot listen on {host}:{port} ({exc.strerror or exc}); pick another port with --port, "
                "or stop what is using it"
            ) from None


def serve(
    scenario: Annotated[
        Path | None, typer.Argument(help="Scenario file to open the page on (default: the 2024 result).")
    ] = None,
    port: Annotated[int, typer.Option("--port", "-p", min=1, max=65535, help="Port to listen on.")] = 8000,
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on; anything but 127.0.0.1 lets other machines in.")
    ] = "127.0.0.1",
    draws: Annotated[
        int, typer.Option("--draws", "-n", min=1_000, max=SERVE_MAX_DRAWS, help="Draws of each redraw (page default).")
    ] = 10_000,
    max_draws: Annotated[
        int,
        typer.Option("--max-draws", min=1_000, max=SERVE_MAX_DRAWS, help="The most draws the page may ask for."),
    ] = 100_000,
    seed: SeedOption = 1,
    threads: ThreadsOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Serve the interactive swingometer: move the shares, watch the map, the seats and the odds."""
    started = time.perf_counter()
    check_threads(threads)
    if draws > max_draws:
        raise SwingometerError(f"--draws {draws:,} is more than --max-draws {max_draws:,}; raise --max-draws")
    if host not in LOOPBACK:
        err_console.print(
            f"[yellow]Warning:[/] listening on {host}: anyone who can reach this machine can open the page and run "
            "simulations on it. Use the default --host 127.0.0.1 to keep it to this machine."
        )
    check_port(host, port)

    import uvicorn

    from sim.run import load
    from sim.serve.app import create_app
    from sim.serve.engine import Engine
    from sim.serve.state import PageState

    engine = Engine(data_dir, max_draws=max_draws, default_draws=draws, threads=threads)
    initial = engine.open(load(scenario), draws, seed) if scenario is not None else PageState(draws=draws, seed=seed)
    engine.evaluate(initial)  # data, kernel and the first page ready before the first visitor
    shown = f"[{host}]" if ":" in host else host
    console.print(
        f"Swingometer page: http://{shown}:{port}/ (ready in {time.perf_counter() - started:.1f} s; Ctrl-C stops it)"
    )
    uvicorn.run(create_app(engine, initial), host=host, port=port, log_level="warning")
