"""Self-contained HTML reports of a simulated scenario, or of several side by side.

The page is rendered with jinja2 from ``sim/report/templates``; the map is inline SVG built from
the hex geometry (one ``<polygon class="seat">`` per seat with a ``<title>`` tooltip) and the
charts are inline SVG made by matplotlib. No script, no style sheet or image is loaded from
anywhere: the file works offline.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.analysis.comparison import comparison_tables
from sim.analysis.plots import poll_trend
from sim.backtest.forecast import forecast_all
from sim.core.parties import PARTY_NAMES
from sim.data.election import DataDir
from sim.data.hexmap import HexMap
from sim.montecarlo.results import SimulationResult
from sim.report.charts import inline_svg, main_parties, seat_distributions
from sim.report.mapdata import (
    HATCHED,
    SHADE_NAMES,
    SHADES,
    MapSeat,
    Region,
    legend,
    map_seats,
    party_colour,
    region_outlines,
)
from sim.report.words import describe_step, describe_uncertainty
from sim.scenario.schema import PollsStep, Scenario
from sim.systems.indices import INDEX_NAMES
from sim.systems.preferences import projection_outcomes
from sim.systems.rules import SYSTEMS, systems_for, systems_frame

DEFAULT_BLOCS: tuple[tuple[str, ...], ...] = (("CON", "DUP", "UUP"), ("LAB", "LD", "SNP", "GRN", "PC"))
"""Blocs shown when none are given."""

CLOSEST = 25


@dataclass(frozen=True)
class MapView:
    """One map of a page: its caption, hexes, size and legend."""

    caption: str
    seats: list[MapSeat]
    width: float
    height: float
    legend: list[tuple[str, str, int]]
    borders: str = ""
    regions: tuple[Region, ...] = ()
    hatches: tuple[tuple[str, str], ...] = ()


def environment() -> Any:
    """The jinja2 environment of the report's and the page's templates (``sim/report/templates``)."""
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    return Environment(
        loader=PackageLoader("sim.report", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def map_view(caption: str, result: SimulationResult, hexmap: HexMap, highlight: np.ndarray | None = None) -> MapView:
    """A map of the favourites, with the region borders and labels and the hatch patterns it uses."""
    seats, width, height = map_seats(result, hexmap, highlight)
    borders, regions = region_outlines(hexmap, result.projection.election.regions)
    hatches = tuple((p, party_colour(p)) for p in HATCHED)
    return MapView(caption, seats, width, height, legend(result), borders, tuple(regions), hatches)


def party_rows(result: SimulationResult) -> list[dict[str, Any]]:
    """The per-party table: projected seats, mean, 90% interval and the probabilities."""
    rows = []
    for party, row in result.to_frame().sort_values("mean", ascending=False).iterrows():
        code = str(party)
        rows.append(
            {
                "party": code, "name": PARTY_NAMES.get(code, code), "colour": party_colour(code),
                "projected": int(row["projected"]), "mean": f"{row['mean']:.1f}",
                "interval": f"{row['p5']:.0f}-{row['p95']:.0f}", "p_majority": f"{row['p_majority']:.3f}",
                "p_effective": f"{row['p_effective_majority']:.3f}", "p_largest": f"{row['p_largest']:.3f}",
            }
        )  # fmt: skip
    return rows


def bloc_rows(result: SimulationResult, blocs: Sequence[Sequence[str]]) -> list[dict[str, str]]:
    """One row per bloc: mean seats, 90% interval, P(majority), P(effective majority)."""
    rows = []
    for members in blocs:
        b = result.bloc(members)
        rows.append({"bloc": "+".join(members), "mean": f"{b['mean']:.1f}",
                     "interval": f"{b['p5']:.0f}-{b['p95']:.0f}", "p_majority": f"{b['p_majority']:.3f}",
                     "p_effective": f"{b['p_effective_majority']:.3f}"})  # fmt: skip
    return rows


def closest_rows(result: SimulationResult, n: int = CLOSEST) -> list[dict[str, str]]:
    """The ``n`` seats whose favourite is least sure to win, with the runner-up."""
    e = result.projection.election
    prob = result.wins / result.draws
    order = np.argsort(-prob, axis=1, kind="stable")
    fav, second = order[:, 0], order[:, 1]
    p_fav = prob[np.arange(e.n_seats), fav]
    rows = []
    for i in np.argsort(p_fav, kind="stable")[:n]:
        rows.append({"seat": str(e.seat_names[i]), "base": result.parties[e.winners[i]],
                     "favourite": result.parties[fav[i]], "p_favourite": f"{100 * p_fav[i]:.0f}%",
                     "second": result.parties[second[i]], "p_second": f"{100 * prob[i, second[i]]:.0f}%"})  # fmt: skip
    return rows


def polls_section(result: SimulationResult, scenario: Scenario, data_dir: DataDir = None) -> dict[str, Any] | None:
    """For a scenario whose targets come from polls: the averages, their trend, and how such forecasts have done.

    The forecast table is measured when the report is made (:func:`sim.backtest.forecast.forecast_all`, the
    polls step's method, no simulation): the same numbers ``swingometer backtest --forecast`` prints.
    """
    used = result.projection.polls
    if not used:
        return None
    method = next(step.method for step in scenario.steps if isinstance(step, PollsStep))
    averages = [avg for _, avg in used]
    tables = [
        {
            "scope": avg.scope, "as_of": str(avg.as_of.date()), "polls": len(avg.polls),
            "last": str(avg.polls["fieldwork_end"].max().date()),
            "rows": [{"party": p, "share": f"{100 * m:.1f}%", "interval": f"{100 * lo:.1f}-{100 * hi:.1f}%"}
                     for p, m, lo, hi in zip(avg.parties, avg.share, avg.low, avg.high, strict=True)],
        }
        for avg in averages
    ]  # fmt: skip
    forecasts = [
        {"election": sc.election, "wrong": sc.gb_wrong, "errors": sc.seat_error, "mae": f"{sc.mae:.1f}"}
        for sc in forecast_all(method, data_dir=data_dir)
    ]
    return {"tables": tables, "chart": inline_svg(poll_trend(averages)), "forecasts": forecasts, "method": method}


def scenario_words(scenario: Scenario) -> dict[str, Any]:
    """The scenario in words: name, description, base, steps and the error model."""
    return {
        "name": scenario.name,
        "description": " ".join(scenario.description.split()),
        "base": scenario.base,
        "steps": [describe_step(step) for step in scenario.steps],
        "uncertainty": describe_uncertainty(scenario.uncertainty),
    }


def report_html(
    result: SimulationResult,
    scenario: Scenario,
    source: str,
    hexmap: HexMap,
    blocs: Sequence[Sequence[str]] = DEFAULT_BLOCS,
    data_dir: DataDir = None,
    systems: bool = False,
) -> str:
    """The HTML report of one simulated scenario.

    Parameters
    ----------
    result : SimulationResult
        The Monte Carlo run.
    scenario : Scenario
        The scenario that was run (its steps and assumptions are written out in words).
    source : str
        What to call the scenario file (shown in the title).
    hexmap : HexMap
        The hex map of the result's boundaries (:func:`sim.data.hexmap.load_hexmap`).
    blocs : sequence of party-code sequences
        Blocs whose odds are shown.
    data_dir : path, optional
        Where the data are read from (a scenario from polls shows how forecasts from the polls have done).
    systems : bool
        Add the projection's seats under other voting systems (:func:`systems_section`).

    """
    e = result.projection.election
    chart = seat_distributions([(source, result)], main_parties(result))
    p_change = 1.0 - (result.wins[np.arange(e.n_seats), e.winners] / result.draws)
    return (
        environment()
        .get_template("report.html.j2")
        .render(
            title=scenario.name or source,
            source=source,
            base=e.name,
            draws=f"{result.draws:,}",
            seed=result.seed,
            view=map_view(f"Favourite in each seat ({e.n_seats} seats, {e.name} base)", result, hexmap),
            shades=[(SHADE_NAMES[k], v) for k, v in SHADES.items()],
            parties=party_rows(result),
            blocs=bloc_rows(result, blocs),
            closest=closest_rows(result),
            expected_changes=f"{p_change.sum():.1f}",
            headline=result.headline(),
            favourite_differs=int(((result.wins / result.draws).argmax(axis=1) != result.projection.winners).sum()),
            chart=inline_svg(chart),
            scenario=scenario_words(scenario),
            polls=polls_section(result, scenario, data_dir),
            systems=systems_section(result, scenario.preferences, data_dir) if systems else None,
        )
    )


def systems_section(
    result: SimulationResult, preferences: dict[str, dict[str, float]] | None = None, data_dir: DataDir = None
) -> dict[str, Any]:
    """The projection's votes under every system of :mod:`sim.systems.rules`: seats per party, house, indices.

    AV and AV+ count with the default preference matrix, ``preferences`` (a scenario's rows) in place.
    """
    e = result.projection.election
    found = projection_outcomes(result.projection, systems_for(e.boundaries), preferences, data_dir)
    frame = systems_frame(found, e.parties, result.projection.votes.sum(axis=0))
    rows = []
    for name, row in frame.iterrows():
        whole = name not in INDEX_NAMES.values()
        rows.append({
            "name": str(name), "colour": party_colour(str(name)) if name in PARTY_NAMES else "",
            "share": "" if row["vote %"] != row["vote %"] else f"{row['vote %']:.1f}",
            "cells": [f"{v:,.0f}" if whole else f"{v:.1f}" for v in row.iloc[1:]],
        })  # fmt: skip
    return {"columns": [SYSTEMS[k].label for k in frame.columns[1:]], "rows": rows}


def comparison_html(runs: Sequence[tuple[str, Scenario, SimulationResult]], hexmap: HexMap) -> str:
    """The HTML page comparing scenarios: their maps side by side, seats whose favourite changes outlined.

    ``runs`` are ``(name, scenario, result)`` simulated on common random numbers and the same
    boundaries; a seat is highlighted on every map when its favourite differs between any two runs.
    """
    results = [(name, result) for name, _, result in runs]
    favourites = np.array([(r.wins / r.draws).argmax(axis=1) for _, r in results])
    moved = (favourites != favourites[0]).any(axis=0)
    summary, moves = comparison_tables(results)
    views = [map_view(f"{name} ({r.projection.election.name} base)", r, hexmap, moved) for name, r in results]
    chart = seat_distributions(results, main_parties(results[0][1], n=4))
    first = results[0][1]
    return environment().get_template("compare.html.j2").render(
        title=" vs ".join(name for name, _ in results),
        draws=f"{first.draws:,}",
        seed=first.seed,
        views=views,
        shades=[(SHADE_NAMES[k], v) for k, v in SHADES.items()],
        n_moved=int(moved.sum()),
        summary_columns=[str(c) for c in summary.columns],
        summary_rows=[(str(index), [str(v) for v in row]) for index, row in summary.iterrows()],
        moves_columns=[str(c) for c in moves.columns],
        moves_rows=[[f"{100 * v:.0f}%" if isinstance(v, float) else str(v) for v in row]
                    for row in moves.itertuples(index=False)],
        chart=inline_svg(chart),
        scenarios=[(name, scenario_words(scenario)) for name, scenario, _ in runs],
    )  # fmt: skip
