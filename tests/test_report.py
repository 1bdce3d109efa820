"""HTML reports and hex maps: geometry, the join to the seats, page contents, CLI, reproducibility."""

from __future__ import annotations

import dataclasses
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from cli.main import app
from sim.core.errors import DataError
from sim.core.parties import PARTY_INDEX
from sim.data.election import Election
from sim.data.hexmap import LAYOUTS, hex_centres, load_hexmap, read_hexjson
from sim.report import DEFAULT_BLOCS, report_html
from sim.report.words import describe_step
from sim.run import run_file
from sim.scenario.load import load_scenario
from sim.scenario.schema import STEP_MODELS

REPO = Path(__file__).resolve().parent.parent
BASELINE_2019 = REPO / "scenarios" / "baseline-2019.toml"
REPORT_2024 = REPO / "scenarios" / "examples" / "report-2024.toml"
runner = CliRunner()


class Page(HTMLParser):
    """Collects what the tests look at: seat polygons with their tooltips, every URL-bearing attribute, tags."""

    def __init__(self) -> None:
        super().__init__()
        self.seats: list[dict[str, str]] = []
        self.links: list[str] = []
        self.tags: set[str] = set()
        self._in_seat_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        a = {k: v or "" for k, v in attrs}
        for key in ("src", "href", "xlink:href", "data", "action", "srcset", "poster"):
            if key in a:
                self.links.append(a[key])
        if tag == "polygon" and "seat" in a.get("class", "").split():
            self.seats.append({**a, "title": ""})
        if tag == "title" and self.seats and "title_done" not in self.seats[-1]:
            self._in_seat_title = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "title" and self._in_seat_title:
            self._in_seat_title = False
            self.seats[-1]["title_done"] = "1"

    def handle_data(self, data: str) -> None:
        if self._in_seat_title:
            self.seats[-1]["title"] += data


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    return page


# --- geometry ---------------------------------------------------------------------------------


@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_layout_tiles_the_plane(layout: str) -> None:
    q, r = np.meshgrid(np.arange(-3, 5), np.arange(-4, 4))
    c = hex_centres(q.ravel(), r.ravel(), layout)
    d = np.sqrt(((c[:, None, :] - c[None, :, :]) ** 2).sum(-1))
    np.fill_diagonal(d, np.inf)
    assert d.min() == pytest.approx(1.0)  # no overlaps
    neighbours = (np.abs(d - 1.0) < 1e-9).sum(axis=1)
    interior = (np.abs(q.ravel() - 0.5) < 3) & (np.abs(r.ravel() + 0.5) < 3)
    assert (neighbours[interior] == 6).all()  # a hex grid, not a square one


def test_offset_rows_and_columns_shift_the_documented_way() -> None:
    assert hex_centres(np.array([0]), np.array([1]), "odd-r")[0, 0] == pytest.approx(0.5)
    assert hex_centres(np.array([0]), np.array([1]), "even-r")[0, 0] == pytest.approx(0.0)
    assert hex_centres(np.array([1]), np.array([0]), "odd-q")[0, 1] == pytest.approx(0.5)
    assert hex_centres(np.array([0]), np.array([0]), "even-q")[0, 1] == pytest.approx(0.5)


def test_bad_hexjson_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.hexjson"
    path.write_text(json.dumps({"layout": "spiral", "hexes": {"E1": {"q": 0, "r": 0}}}))
    with pytest.raises(DataError, match="unknown HexJSON layout 'spiral'"):
        read_hexjson(path)
    path.write_text("{not json")
    with pytest.raises(DataError, match="not a HexJSON file"):
        read_hexjson(path)


# --- the join to the seats ------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["2010", "2019", "2024", "2019-notional"])
def test_hexmap_joins_all_650_seats(elections: dict[str, Election], data_dir: Path | None, name: str) -> None:
    e = elections[name]
    hexmap = load_hexmap(e, data_dir)
    assert list(hexmap.codes) == list(e.seat_ids)
    assert len({(q, r) for q, r in zip(hexmap.q, hexmap.r, strict=True)}) == 650  # one hex per seat
    scotland = hexmap.centres()[e.nations == "Scotland", 1]
    england = hexmap.centres()[e.nations == "England", 1]
    assert np.median(scotland) > np.median(england)  # north is up


def test_renamed_scottish_seats_are_joined_by_their_new_codes(
    elections: dict[str, Election], data_dir: Path | None
) -> None:
    # caveat C1: the 2024 map carries S14000006/8/10/40/58; the elections use S14000107-111
    e = elections["2024"]
    hexmap = load_hexmap(e, data_dir)
    new = [f"S14000{n}" for n in range(107, 112)]
    assert set(new) <= set(hexmap.codes)
    assert not {"S14000006", "S14000008", "S14000010", "S14000040", "S14000058"} & set(hexmap.codes)


def test_a_seat_missing_from_the_map_is_an_error(elections: dict[str, Election], data_dir: Path | None) -> None:
    e = elections["2019"]
    ids = e.seat_ids.copy()
    ids[0] = "E99999999"
    with pytest.raises(DataError, match="1 seats without a hex \\(E99999999\\)"):
        load_hexmap(dataclasses.replace(e, seat_ids=ids), data_dir)


# --- page contents ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Reports of the 2019 baseline and the 2024-base example, written by the CLI."""
    out = tmp_path_factory.mktemp("reports")
    paths = {}
    for key, scenario in (("2019", BASELINE_2019), ("2024", REPORT_2024)):
        html, png = out / f"{key}.html", out / f"{key}.png"
        args = ["report", str(scenario), "--html", str(html), "--map-png", str(png), "--draws", "2000", "--seed", "3"]
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
        paths[key], paths[f"{key}-png"] = html, png
    return paths


@pytest.mark.parametrize("key", ["2019", "2024"])
def test_report_names_all_650_seats_and_loads_nothing(
    reports: dict[str, Path], elections: dict[str, Election], key: str
) -> None:
    html = reports[key].read_text(encoding="utf-8")
    page = parse(html)
    e = elections[key]
    assert len(page.seats) == 650
    assert sorted(s["data-code"] for s in page.seats) == sorted(e.seat_ids)
    titles = {s["title"].split("\n")[0] for s in page.seats}
    assert titles == {f"{name} ({code})" for name, code in zip(e.seat_names, e.seat_ids, strict=True)}
    assert all(link.startswith("#") for link in page.links)  # only links inside the page: nothing to fetch
    assert not {"script", "link", "img", "iframe", "object", "embed"} & page.tags
    refs = re.findall(r"url\(([^)]*)\)", html)  # SVG clip paths
    assert refs and all(ref.startswith("#") for ref in refs)
    # the only URLs are XML namespace names (identifiers, never fetched)
    urls = re.findall(r"([\w:-]+)=\s*[\"']?(?:https?:)?//", html)
    assert urls and set(urls) <= {"xmlns", "xmlns:xlink"}
    assert "@import" not in html


def test_tooltip_gives_the_base_result_projection_and_probabilities(
    elections: dict[str, Election], data_dir: Path | None
) -> None:
    result = run_file(BASELINE_2019, 2000, 3, data_dir=data_dir, blocs=DEFAULT_BLOCS)
    hexmap = load_hexmap(result.projection.election, data_dir)
    page = parse(report_html(result, load_scenario(BASELINE_2019), "baseline-2019.toml", hexmap))
    e = elections["2019"]
    i = e.seat_index("Kensington")
    seat = next(s for s in page.seats if s["data-code"] == e.seat_ids[i])
    _, base, projected, odds = seat["title"].split("\n")
    con, lab = e.parties.index("CON"), e.parties.index("LAB")
    lead = e.shares[i, con] - e.shares[i, lab]
    assert base.startswith(f"2019 result: CON won by {100 * lead:.1f} points; CON {100 * e.shares[i, con]:.1f}%")
    assert f"LAB {100 * result.projection.shares[i, lab]:.1f}%" in projected
    p_con = result.wins[i, con] / result.draws
    assert f"CON {100 * p_con:.1f}%" in odds
    # the hex's colour is the favourite's, its shade the favourite's label
    assert seat["data-favourite"] == result.parties[int(result.wins[i].argmax())]


def test_report_tables_match_the_result(data_dir: Path | None) -> None:
    result = run_file(REPORT_2024, 2000, 3, data_dir=data_dir, blocs=[["LAB", "LD", "GRN"]])
    hexmap = load_hexmap(result.projection.election, data_dir)
    html = report_html(result, load_scenario(REPORT_2024), "report-2024.toml", hexmap, [["LAB", "LD", "GRN"]])
    frame = result.to_frame()
    for party in ("LAB", "REF", "CON"):
        assert f"<td>{frame.loc[party, 'mean']:.1f}</td>" in html
        assert f"<td>{frame.loc[party, 'p_largest']:.3f}</td>" in html
    bloc = result.bloc(["LAB", "LD", "GRN"])
    assert f"<td>LAB+LD+GRN</td><td>{bloc['mean']:.1f}</td>" in html
    closest = result.seat_frame().sort_values("p_favourite", kind="stable").iloc[0]
    assert f"<td>{closest['seat']}</td>" in html
    assert (
        "Set vote shares in Great Britain to LAB 26.0%, REF 26.0%, CON 20.0%, LD 12.0%, GRN 8.0% by uniform swing."
        in html
    )
    assert "majority" in html and "<svg" in html


def test_the_systems_section_shows_the_projection_under_each_system(data_dir: Path | None) -> None:
    from sim.systems.preferences import projection_outcomes
    from sim.systems.rules import systems_for

    result = run_file(BASELINE_2019, 200, 1, data_dir=data_dir, blocs=DEFAULT_BLOCS)
    hexmap = load_hexmap(result.projection.election, data_dir)
    plain = report_html(result, load_scenario(BASELINE_2019), "b", hexmap)
    html = report_html(result, load_scenario(BASELINE_2019), "b", hexmap, systems=True)
    assert "other voting systems" not in plain and "The same votes under other voting systems" in html
    chosen = systems_for("2010")
    assert "stv" in {s.key for s in chosen} and "senedd-2026" not in {s.key for s in chosen}  # pairs of 2024 seats
    found = {o.system.key: o for o in projection_outcomes(result.projection, chosen, data_dir=data_dir)}
    con = PARTY_INDEX["CON"]
    cells = "".join(f"<td>{found[s.key].seats[con]:,}</td>" for s in chosen)
    assert cells in html  # the CON row: every system's seats in order
    assert f"<td>{found['fptp'].indices()['gallagher']:.1f}</td>" in html


def test_same_seed_gives_identical_pages(data_dir: Path | None) -> None:
    scenario = load_scenario(BASELINE_2019)
    pages = []
    for threads in (1, 2):
        result = run_file(BASELINE_2019, 1000, 5, threads=threads, data_dir=data_dir, blocs=DEFAULT_BLOCS)
        pages.append(report_html(result, scenario, "b", load_hexmap(result.projection.election, data_dir)))
    assert pages[0] == pages[1]


def test_names_are_escaped(data_dir: Path | None) -> None:
    result = run_file(BASELINE_2019, 200, 1, data_dir=data_dir, blocs=DEFAULT_BLOCS)
    scenario = load_scenario(BASELINE_2019).model_copy(update={"name": "<b>A & B</b>"})
    html = report_html(result, scenario, "x", load_hexmap(result.projection.election, data_dir))
    assert "&lt;b&gt;A &amp; B&lt;/b&gt;" in html and "<b>A & B</b>" not in html


def test_map_png_is_a_picture(reports: dict[str, Path]) -> None:
    from matplotlib.image import imread

    for key in ("2019-png", "2024-png"):
        pixels = imread(reports[key])
        colours = np.unique((pixels[..., :3] * 255).astype(np.uint8).reshape(-1, 3), axis=0)
        assert pixels.shape[0] > 800 and len(colours) > 50


def test_every_scenario_step_reads_as_words() -> None:
    kinds = set()
    for path in sorted((REPO / "scenarios").rglob("*.toml")):
        for step in load_scenario(path).steps:
            text = describe_step(step)
            assert text.endswith(".") and len(text) > 20, (path, text)
            kinds.add(step.kind)
    assert kinds == set(STEP_MODELS)  # every kind of step is in a shipped scenario, and reads as words
    pact = load_scenario(REPO / "scenarios" / "examples" / "pact-progressive.toml").steps[0]
    assert describe_step(pact).startswith("Pact of LAB, GRN, PC, LD in Great Britain: the best-placed member stands")
    assert "PC 60.0% to the pact candidate, 20.0% elsewhere" in describe_step(pact)


def test_a_report_from_polls_shows_the_averages_their_trend_and_the_forecast_record(data_dir: Path | None) -> None:
    path = REPO / "scenarios" / "examples" / "polls-2024.toml"
    scenario = load_scenario(path)
    result = run_file(path, 300, 1, data_dir=data_dir, blocs=DEFAULT_BLOCS)
    election = result.projection.election
    html = report_html(result, scenario, path.name, load_hexmap(election, data_dir), data_dir=data_dir)
    assert "<h2>The polls</h2>" in html and html.count("polls to 2024-0") == 3  # GB, Scotland, Wales
    assert "How forecasts from the polls have done (multiparty" in html
    assert "Quote the simulation: LAB" in html  # which number to quote, in one sentence
    rows = re.findall(r"<tr><td>(20\d\d)</td><td>(\d+)</td>", html)
    assert [year for year, _ in rows] == ["2010", "2015", "2017", "2019", "2024"] and int(rows[-1][1]) <= 85
    assert html.count("<svg") >= 3  # the seat chart, the map, the poll trend
    baseline = run_file(BASELINE_2019, 100, 1, data_dir=data_dir, blocs=DEFAULT_BLOCS)
    hexmap = load_hexmap(baseline.projection.election, data_dir)
    plain = report_html(baseline, load_scenario(BASELINE_2019), "b", hexmap, data_dir=data_dir)
    assert "The polls" not in plain


# --- CLI ------------------------------------------------------------------------------------------


def test_report_needs_an_output_and_the_right_suffix(tmp_path: Path) -> None:
    result = runner.invoke(app, ["report", str(BASELINE_2019)])
    assert result.exit_code == 1 and "report needs an output" in result.output
    result = runner.invoke(app, ["report", str(BASELINE_2019), "--html", str(tmp_path / "r.pdf")])
    assert result.exit_code == 1 and "--html writes an .html file" in result.output
    result = runner.invoke(app, ["report", str(BASELINE_2019), "--map-png", str(tmp_path / "m.jpg")])
    assert result.exit_code == 1 and "--map-png writes a .png file" in result.output
    assert "Traceback" not in result.output


def test_report_never_overwrites_without_force(tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    out.write_text("keep me")
    result = runner.invoke(app, ["report", str(BASELINE_2019), "--html", str(out), "--draws", "100"])
    assert result.exit_code == 1 and "already exists" in result.output
    assert out.read_text() == "keep me"
    result = runner.invoke(app, ["report", str(BASELINE_2019), "--html", str(out), "--draws", "100", "--force"])
    assert result.exit_code == 0, result.output
    assert len(parse(out.read_text(encoding="utf-8")).seats) == 650


def test_compare_html_outlines_the_seats_whose_favourite_changes(tmp_path: Path, data_dir: Path | None) -> None:
    a, b = BASELINE_2019, REPO / "scenarios" / "uniform-2019-polls.toml"
    out = tmp_path / "compare.html"
    result = runner.invoke(app, ["compare", str(a), str(b), "--html", str(out), "--draws", "1000", "--seed", "2"])
    assert result.exit_code == 0, result.output
    page = parse(out.read_text(encoding="utf-8"))
    assert len(page.seats) == 1300  # two maps
    assert all(link.startswith("#") for link in page.links)
    # recompute independently: seats whose favourite differs between the two runs
    ra, rb = (run_file(f, 1000, 2, data_dir=data_dir, blocs=DEFAULT_BLOCS) for f in (a, b))
    codes = ra.projection.election.seat_ids
    moved = {str(c) for c, x, y in zip(codes, ra.wins.argmax(1), rb.wins.argmax(1), strict=True) if x != y}
    assert moved  # the polls scenario moves seats
    outlined = [s["data-code"] for s in page.seats if "moved" in s["class"].split()]
    assert sorted(outlined) == sorted(list(moved) * 2)
    assert f"{len(moved)} seats have a different favourite" in out.read_text(encoding="utf-8")
