"""What the page shows: its controls and its views, as plain values for the templates."""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.core.parties import PARTY_NAMES
from sim.data.election import ELECTIONS
from sim.report.mapdata import SHADE_NAMES, SHADES, party_colour
from sim.report.page import MapView, map_view, party_rows
from sim.report.words import describe_step
from sim.serve.engine import Evaluated
from sim.serve.scenario import slider_values
from sim.serve.state import (
    BASES,
    BLOCS,
    DRAWS_CHOICES,
    METHODS,
    NATION_PANELS,
    PACTS,
    PANEL_KEYS,
    TACTICAL_MAX,
    percent,
)

CHANGES_LISTED = 40


def controls(page: Evaluated, max_draws: int) -> dict[str, Any]:
    """The form's controls, filled from the page's state."""
    state, ctx = page.state, page.ctx
    panels = []
    for panel in ("gb", *(NATION_PANELS if state.nations else ())):
        values = slider_values(state, ctx, panel)
        key = PANEL_KEYS[panel]
        total = sum(values.values())
        top = 100 * total  # one slider can take the whole panel, no more
        panels.append({
            "key": key, "title": "Great Britain" if panel == "gb" else panel, "set": state.panel(panel) is not None,
            "total": f"{100 * total:.4f}", "max": f"{top:.4f}",
            "others": f"{100 * (1 - total):.1f}",
            "sliders": [{"party": p, "name": f"{key}.{p}", "colour": party_colour(p), "title": PARTY_NAMES.get(p, p),
                         "value": f"{100 * v:.4f}", "text": f"{100 * v:.1f}"} for p, v in values.items()],
        })  # fmt: skip
    blocs = {"progressive": ", ".join(ctx.bloc("progressive")), "right": ", ".join(ctx.bloc("right"))}
    return {
        "bases": [(b, b) for b in BASES if b in ELECTIONS],
        "base": state.base,
        "opened": state.name if state.token else "",
        "token": state.token,
        "methods": METHODS,
        "method": state.method,
        "panels": panels,
        "nations": state.nations,
        "pacts": [(p, "no pact" if p == "none" else f"{p} ({blocs[p]})") for p in PACTS],
        "pact": state.pact,
        "blocs": [(b, f"{b} ({blocs[b]})") for b in BLOCS],
        "tactical_bloc": state.tactical_bloc,
        "tactical_rate": percent(state.tactical_rate),
        "tactical_max": f"{100 * TACTICAL_MAX:.0f}",
        "draws_choices": [d for d in DRAWS_CHOICES if d <= max_draws] or [max_draws],
        "draws": state.draws,
        "seed": state.seed,
    }


def views(page: Evaluated, hexmap: Any) -> dict[str, Any]:
    """The views of a simulated page: map, seats and odds, blocs, seats changing hands."""
    result = page.result
    e = result.projection.election
    prob = result.wins / result.draws
    fav = prob.argmax(axis=1)
    p_fav = prob[np.arange(e.n_seats), fav]
    base_seats = np.bincount(e.winners, minlength=len(result.parties))
    rows = party_rows(result)
    for row in rows:
        k = result.parties.index(row["party"])
        row["base"] = int(base_seats[k])
        row["change"] = f"{float(row['mean']) - base_seats[k]:+.1f}"
    blocs = []
    for members in page.blocs:
        b = result.bloc(list(members))
        base = int(sum(base_seats[result.parties.index(p)] for p in members))
        blocs.append({"bloc": " + ".join(members), "mean": f"{b['mean']:.1f}", "base": base,
                      "interval": f"{b['p5']:.0f}-{b['p95']:.0f}", "p_majority": f"{b['p_majority']:.2f}"})  # fmt: skip
    moved = np.flatnonzero(fav != e.winners)
    flows: dict[tuple[str, str], int] = {}
    for i in moved:
        key = (result.parties[e.winners[i]], result.parties[fav[i]])
        flows[key] = flows.get(key, 0) + 1
    surest = moved[np.argsort(-p_fav[moved], kind="stable")][:CHANGES_LISTED]
    changes = [{"seat": str(e.seat_names[i]), "from": result.parties[e.winners[i]], "to": result.parties[fav[i]],
                "p": f"{100 * p_fav[i]:.0f}%"} for i in surest]  # fmt: skip
    view: MapView = map_view(f"Favourite in each seat ({e.n_seats} seats, {e.name} base)", result, hexmap)
    return {
        "view": view,
        "shades": [(SHADE_NAMES[k], v) for k, v in SHADES.items()],
        "headline": result.headline(),
        "parties": rows,
        "blocs": blocs,
        "expected_changes": f"{(1.0 - prob[np.arange(e.n_seats), e.winners]).sum():.0f}",
        "n_moved": len(moved),
        "flows": sorted(((f, t, n) for (f, t), n in flows.items()), key=lambda x: -x[2]),
        "changes": changes,
        "changes_listed": min(CHANGES_LISTED, len(moved)),
        "base_name": e.name,
        "draws": f"{result.draws:,}",
        "seed": result.seed,
    }


def page_values(page: Evaluated, hexmap: Any, max_draws: int) -> dict[str, Any]:
    """Everything the page's templates need."""
    return {
        "controls": controls(page, max_draws),
        "views": views(page, hexmap),
        "query": page.state.query(),
        "scenario_name": page.scenario.name,
        "steps": _steps(page),
    }


def _steps(page: Evaluated) -> list[str]:
    return [describe_step(step) for step in page.scenario.steps]
