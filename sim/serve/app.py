"""The swingometer page as a Starlette app: routes, limits and error pages.

Routes (every one reads the page's state from its query string, :func:`sim.serve.state.parse_query`):

* ``GET /``: the whole page;
* ``GET /update``: the page's controls and views only (the page's script swaps them in);
* ``GET /scenario.toml``: the state as a scenario file (``swingometer run`` reproduces the page);
* ``POST /open``: a scenario file's text; its controls and views;
* ``GET /static/serve.js``: the page's script (a few lines of plain JavaScript, no library).

Limits: draws (``max_draws``), the query string (:data:`MAX_QUERY`), an opened file
(:data:`sim.serve.state.MAX_SCENARIO_TEXT`) and the simulations waiting their turn
(``max_waiting``; one runs at a time). A request over a limit, or a bad one, gets a message saying
what is wrong, and the server goes on.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from sim.core.errors import SwingometerError
from sim.report.page import environment
from sim.serve.engine import Engine, Evaluated
from sim.serve.scenario import page_toml
from sim.serve.state import MAX_SCENARIO_TEXT, PageState, canonical, parse_query, scenario_from_text
from sim.serve.views import page_values

MAX_QUERY = 24_576
"""Longest query string accepted (characters)."""
STATIC = Path(__file__).parent / "static"
T = TypeVar("T")


class Busy(SwingometerError):
    """Too many simulations are waiting."""


def create_app(engine: Engine, initial: PageState | None = None, max_waiting: int = 4) -> Any:
    """The Starlette app of the page.

    Parameters
    ----------
    engine : Engine
        Projects and simulates the page's states.
    initial : PageState, optional
        The state of ``/`` without a query (``swingometer serve FILE``'s scenario); default the base.
    max_waiting : int
        Simulations that may wait for the one running; more are refused with 503 (try again).

    """
    from anyio import to_thread
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import HTMLResponse, PlainTextResponse, Response
    from starlette.routing import Mount, Route
    from starlette.staticfiles import StaticFiles

    env = environment()
    waiting = 0

    async def gated(fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn`` in a worker thread, unless too many are waiting already (then :class:`Busy`)."""
        nonlocal waiting
        if waiting >= max_waiting + 1:
            raise Busy(f"the server is busy with {waiting} simulations; try again in a moment")
        waiting += 1
        try:
            return await to_thread.run_sync(fn, *args)
        finally:
            waiting -= 1

    def state_of(request: Request) -> PageState:
        if len(request.url.query) > MAX_QUERY:
            raise SwingometerError(
                f"the address is {len(request.url.query):,} characters long, more than {MAX_QUERY:,}"
            )
        if not request.url.query and initial is not None:
            return initial
        keys = [key for key, _ in request.query_params.multi_items()]
        twice = next((key for key in keys if keys.count(key) > 1), None)
        if twice is not None:
            raise SwingometerError(f"{twice[:40]}: given more than once; give each parameter once")
        state = parse_query(request.query_params, engine.max_draws, engine.default_draws)
        return canonical(engine.resolve(state), engine.max_draws)

    def render(template: str, page: Evaluated, status: int = 200, error: str = "") -> HTMLResponse:
        values = page_values(page, engine.hexmap(page.result.projection), engine.max_draws)
        html = env.get_template(template).render(error=error, title="Swingometer: " + values["scenario_name"], **values)
        return HTMLResponse(html, status_code=status)

    def problem(exc: SwingometerError) -> PlainTextResponse:
        return PlainTextResponse(str(exc), status_code=503 if isinstance(exc, Busy) else 400)

    async def page(request: Request) -> Response:
        try:
            return render("serve.html.j2", await gated(engine.evaluate, state_of(request)))
        except Busy as exc:
            return problem(exc)
        except SwingometerError as exc:  # a bad link: the page as it opens, with the message
            start = initial or PageState(draws=engine.default_draws)
            try:
                return render("serve.html.j2", await gated(engine.evaluate, start), 400, f"{exc} (the page was reset)")
            except SwingometerError as again:
                return problem(again)

    async def update(request: Request) -> Response:
        try:
            return render("serve_app.html.j2", await gated(engine.evaluate, state_of(request)))
        except SwingometerError as exc:
            return problem(exc)

    async def scenario_file(request: Request) -> Response:
        try:
            state = state_of(request)
            text = await gated(lambda: page_toml(state, engine.scenario(state)))
        except SwingometerError as exc:
            return problem(exc)
        headers = {"Content-Disposition": 'attachment; filename="swingometer-page.toml"'}
        return Response(text, media_type="application/toml", headers=headers)

    async def open_scenario(request: Request) -> Response:
        try:
            size = int(request.headers.get("content-length") or 0)
            if size > MAX_SCENARIO_TEXT:
                raise SwingometerError(
                    f"the file is {size:,} bytes, more than {MAX_SCENARIO_TEXT:,}; is it a scenario file?"
                )
            body = b""
            async for chunk in request.stream():
                body += chunk
                if len(body) > MAX_SCENARIO_TEXT:
                    raise SwingometerError(f"the file is more than {MAX_SCENARIO_TEXT:,} bytes; is it a scenario file?")
            keys = [key for key, _ in request.query_params.multi_items()]
            if len(set(keys)) < len(keys) or set(keys) - {"draws", "seed"}:
                raise SwingometerError("open takes draws and seed, each at most once (the file sets everything else)")
            params = parse_query(request.query_params, engine.max_draws, engine.default_draws)
            scenario = scenario_from_text(body, "the opened file")
            state = await gated(engine.open, scenario, params.draws, params.seed)
            return render("serve_app.html.j2", await gated(engine.evaluate, state))
        except SwingometerError as exc:
            return problem(exc)

    routes = [
        Route("/", page),
        Route("/update", update),
        Route("/scenario.toml", scenario_file),
        Route("/open", open_scenario, methods=["POST"]),
        Mount("/static", app=StaticFiles(directory=STATIC), name="static"),
    ]
    return Starlette(routes=routes)
