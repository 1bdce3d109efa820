"""`swingometer serve`: the page's state, its scenario files, its endpoints and its limits (Starlette's TestClient)."""

from __future__ import annotations

import json
import re
import threading
import warnings
from html import unescape
from pathlib import Path
from urllib.parse import parse_qsl

import numpy as np
import pytest
from typer.testing import CliRunner

from cli.main import app as cli
from sim.serve.app import create_app
from sim.serve.engine import Engine
from sim.serve.state import PageError, PageState, parse_query, rebalance, scenario_from_text

REPO = Path(__file__).resolve().parent.parent
runner = CliRunner()

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's note that httpx is deprecated for its TestClient
    from starlette.testclient import TestClient

GB = {"LAB": 30.0, "CON": 24.3, "REF": 14.7, "LD": 12.6, "GRN": 6.9}
"""Slider values in percent; :func:`fit` scales them to what the parties without a slider leave."""
TOTALS = {"s": 93.247, "sc": 98.5126, "wa": 98.0263}
"""2024's slider totals: 100 less the share of the parties without a slider (the Speaker's seat left out)."""


def fit(values: dict[str, float], prefix: str = "s") -> dict[str, float]:
    """``values`` scaled to add up to the 2024 panel's total (a consistent panel, as the page sends)."""
    scale = TOTALS[prefix] / sum(values.values())
    return {p: round(v * scale, 6) for p, v in values.items()}


@pytest.fixture(scope="module")
def engine(data_dir: Path | None) -> Engine:
    return Engine(data_dir, max_draws=20_000, default_draws=1_000)


@pytest.fixture(scope="module")
def client(engine: Engine) -> TestClient:
    return TestClient(create_app(engine))


def query(text: str) -> str:
    """The page's canonical query (its ``data-query``)."""
    found = re.search(r'id="state" data-query="([^"]*)"', text)
    assert found, text[:500]
    return unescape(found.group(1))


def means(text: str) -> dict[str, float]:
    """Each party's mean seats in the page's table."""
    rows = re.findall(r'<tr data-party="(\w+)">.*?class="mean">([\d.]+)<', text)
    return {party: float(mean) for party, mean in rows}


def favourites(text: str) -> list[str]:
    return re.findall(r'data-favourite="(\w+)"', text)


def sliders(values: dict[str, float], prefix: str = "s") -> str:
    return "&".join(f"{prefix}.{p}={v}" for p, v in values.items())


def test_rebalance_keeps_the_total_and_the_proportions() -> None:
    values = {"LAB": 0.40, "CON": 0.20, "REF": 0.15, "LD": 0.10, "GRN": 0.05}
    out = rebalance({**values, "LAB": 0.30}, "LAB", total=0.90)
    assert out["LAB"] == 0.30
    assert sum(out.values()) == pytest.approx(0.90, abs=1e-9)
    # the others keep their proportions (to the 0.01-point rounding)
    assert out["CON"] / out["REF"] == pytest.approx(0.20 / 0.15, rel=2e-3)
    assert out["LD"] == pytest.approx(0.10 * 0.60 / 0.50, abs=2e-4)
    with pytest.raises(PageError, match="no slider for SNP"):
        rebalance(values, "SNP", total=0.9)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"colour": "red"}, "unknown parameter 'colour'"),
        ({"s.LAB": "lots"}, "s.LAB: 'lots' is not a number"),
        ({"s.LAB": "140"}, "outside 0-100"),
        ({"draws": "1000000000"}, "draws: '1000000000' is not a whole number from 1,000 to 20,000"),
        ({"draws": "2.5"}, "not a whole number"),
        ({"method": "magic"}, "method: 'magic' is not one of multiparty"),
        ({"base": "1997"}, "base: '1997' is not one of 2024"),
        ({"pact": "grand"}, "pact: 'grand' is not one of none, progressive, right"),
        ({"tr": "80"}, "tr: 80 is outside 0-50"),
        ({"seed": "-1"}, "seed: '-1' is not a whole number"),
        ({"seed": "\u00b2"}, "is not a whole number"),  # a superscript two: a digit to str.isdigit, not to int
        ({"draws": "\u0663000"}, "is not a whole number"),
        ({"nations": "yes"}, "nations: 'yes' is not 1"),
        ({"sc.SNP": "30"}, "Scotland's shares need nations=1"),
        ({"t.zz": "1"}, "unknown parameter 't.zz'"),
        ({"moved": "zz"}, "moved: 'zz' names no slider"),
        ({"s.LAB": "30", "s.lab": "31"}, "LAB's gb share is given twice"),
        ({"s.LAB": "30", "moved": "s.CON"}, "moved: 's.CON' names no slider"),
    ],
)
def test_bad_query_parameters_say_what_is_wrong(params: dict[str, str], message: str) -> None:
    with pytest.raises(PageError, match=re.escape(message)):
        parse_query(params, max_draws=20_000)


def test_the_totals_are_2024s(engine: Engine) -> None:
    from sim.serve.scenario import slider_total

    ctx = engine.context(PageState())
    for panel, key in (("gb", "s"), ("Scotland", "sc"), ("Wales", "wa")):
        assert 100 * slider_total(ctx, panel) == pytest.approx(TOTALS[key], abs=1e-3)


def test_page_opens_on_the_2024_result(client: TestClient) -> None:
    r = client.get("/")
    assert r.status_code == 200
    assert len(set(re.findall(r'data-code="([A-Z0-9]+)"', r.text))) == 650
    names = re.findall(r'data-name="s\.(\w+)"', r.text)
    assert sorted(names) == ["CON", "GRN", "LAB", "LD", "REF"]
    # untouched: the sliders carry no name, so the form does not send them until one is moved
    assert ' name="s.LAB"' not in r.text
    m = means(r.text)
    assert m["LAB"] > 326 and m["CON"] < 200
    assert "steps" not in query(r.text) and "No steps: the base result is simulated as it is." in r.text


def test_moving_a_slider_rebalances_and_redraws(client: TestClient) -> None:
    before = client.get("/update?base=2024")
    values = {"LAB": 25.0, "CON": 24.39, "REF": 14.71, "LD": 12.57, "GRN": 6.9}  # LAB moved from 34.68
    r = client.get(f"/update?base=2024&{sliders(values)}&t.s=93.247&moved=s.LAB")
    assert r.status_code == 200, r.text
    state = dict(parse_qsl(query(r.text)))
    shares = {k[2:]: float(v) for k, v in state.items() if k.startswith("s.")}
    assert shares["LAB"] == 25.0
    assert sum(shares.values()) == pytest.approx(93.247, abs=1e-6)
    assert shares["CON"] / shares["REF"] == pytest.approx(24.39 / 14.71, rel=1e-3)
    assert means(r.text)["LAB"] < means(before.text)["LAB"] - 50
    assert favourites(r.text) != favourites(before.text)
    assert ' name="s.LAB"' in r.text  # set: the panel's sliders are sent from now on


def test_downloaded_scenario_reproduces_the_page(client: TestClient, tmp_path: Path, data_dir: Path | None) -> None:
    q = f"base=2024&method=multiparty&{sliders(fit(GB))}&pact=progressive&tv=right&tr=10&draws=2000&seed=7"
    page = client.get(f"/update?{q}")
    assert page.status_code == 200, page.text
    toml = client.get(f"/scenario.toml?{q}")
    assert toml.status_code == 200 and "attachment" in toml.headers["content-disposition"]
    assert "swingometer run THIS-FILE --draws 2000 --seed 7" in toml.text
    file = tmp_path / "page.toml"
    file.write_text(toml.text)
    out = tmp_path / "run.json"
    args = ["run", str(file), "--draws", "2000", "--seed", "7", "--json", str(out)]
    if data_dir is not None:
        args += ["--data-dir", str(data_dir)]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    run = json.loads(out.read_text())["parties"]
    shown = means(page.text)
    assert shown and {p: round(v["mean"], 1) for p, v in run.items() if p in shown} == shown

    # opening the file again fills the controls: the same state, the same figures
    opened = client.post("/open?draws=2000&seed=7", content=toml.text.encode())
    assert opened.status_code == 200, opened.text
    assert dict(parse_qsl(query(opened.text))) == dict(parse_qsl(query(page.text)))
    assert means(opened.text) == shown


def test_scotland_and_wales_set_separately_keep_the_gb_totals(engine: Engine) -> None:
    scot = fit({"SNP": 36, "LAB": 30, "CON": 12, "LD": 9, "REF": 7, "GRN": 3.5}, "sc")
    wales = fit({"LAB": 33, "REF": 16, "PC": 15, "CON": 18, "LD": 6, "GRN": 4.5}, "wa")
    q = {"base": "2024", "nations": "1", **{f"s.{p}": str(v) for p, v in fit(GB).items()},
         **{f"sc.{p}": str(v) for p, v in scot.items()}, **{f"wa.{p}": str(v) for p, v in wales.items()}}  # fmt: skip
    state = parse_query(q, max_draws=20_000)
    ctx = engine.context(state)
    assert set(ctx.sliders["Scotland"]) == {"LAB", "CON", "REF", "LD", "GRN", "SNP"}
    scenario = engine.scenario(state)
    projection = engine.project(scenario)
    e = projection.election
    votes = projection.votes
    counted = ~projection.stood[:, e.parties.index("SPK")]  # the Speaker's seat is out, as in a shares step
    gb = counted & (e.nations != "Northern Ireland")
    for p, v in fit(GB).items():
        k = e.parties.index(p)
        assert votes[gb, k].sum() / votes[gb].sum() == pytest.approx(v / 100, abs=1e-6), p
    scot = counted & (e.nations == "Scotland")
    snp = e.parties.index("SNP")
    assert votes[scot, snp].sum() / votes[scot].sum() == pytest.approx(state.scotland["SNP"], abs=1e-6)


def test_impossible_nation_shares_are_refused(client: TestClient) -> None:
    # Labour at 90% in Scotland and Wales cannot leave a non-negative England for a GB 10%
    gb = fit({**GB, "LAB": 10.0})
    gb = {**gb, "LAB": 10.0, "CON": gb["CON"] + gb["LAB"] - 10.0}
    scot = {"LAB": 90.0, "SNP": 1.0, "CON": 1.0, "LD": 1.0, "REF": 1.0, "GRN": TOTALS["sc"] - 94.0}
    wales = {"LAB": 90.0, "REF": 1.0, "PC": 1.0, "CON": 1.0, "LD": 1.0, "GRN": TOTALS["wa"] - 94.0}
    q = f"base=2024&nations=1&{sliders(gb)}&{sliders(scot, 'sc')}&{sliders(wales, 'wa')}"
    r = client.get(f"/update?{q}")
    assert r.status_code == 400
    assert "LAB at 10.0% of GB needs a negative share in England" in r.text


def test_a_scenario_file_opens_with_its_own_steps_kept(engine: Engine, client: TestClient) -> None:
    from sim.run import load

    scenario = load(REPO / "scenarios" / "2024" / "progressive-pact.toml")
    state = engine.open(scenario, 1_000, 1)
    assert state.pact == "progressive" and state.token  # its last step is the page's progressive pact
    # its shares step sets the parties without a slider too, so it stays the scenario's own: sliders untouched
    assert state.gb is None and not state.nations
    assert [step.kind for step in engine.prelude(state).steps] == ["override", "override", "shares"]
    page = client.get(f"/update?{state.query()}")
    assert page.status_code == 200, page.text
    assert "A progressive pact (LAB, LD, GRN) in a Reform-led field" in page.text


def test_a_round_trip_keeps_the_state_and_the_name(engine: Engine, client: TestClient) -> None:
    scot = fit({"SNP": 36, "LAB": 30, "CON": 12, "LD": 9, "REF": 7, "GRN": 3.5}, "sc")
    q = f"base=2024&nations=1&{sliders(fit(GB))}&{sliders(scot, 'sc')}&pact=right&tv=progressive&tr=5&draws=1000"
    first = client.get(f"/update?{q}")
    assert first.status_code == 200, first.text
    state = query(first.text)
    for _ in range(2):
        toml = client.get(f"/scenario.toml?{state}")
        opened = client.post("/open?draws=1000", content=toml.text.encode())
        assert opened.status_code == 200, opened.text
        assert dict(parse_qsl(query(opened.text))) == dict(parse_qsl(state))
        assert means(opened.text) == means(first.text)
        assert toml.text.count("Made on the swingometer page") == 1
        assert toml.text.count(", on the swingometer page") == 1


def test_bad_requests_get_messages_and_the_server_goes_on(client: TestClient) -> None:
    assert client.get("/update?colour=red").status_code == 400
    r = client.get("/?s.LAB=lots")
    assert r.status_code == 400 and "is not a number" in r.text and "(the page was reset)" in r.text
    assert len(set(re.findall(r'data-code="([A-Z0-9]+)"', r.text))) == 650
    bad_toml = client.post("/open", content=b"schema = 1\nbase = ")
    assert bad_toml.status_code == 400 and "not valid TOML" in bad_toml.text
    unknown = client.post("/open", content=b'schema = 1\nbase = "2024"\n[[steps]]\nkind = "teleport"\n')
    assert unknown.status_code == 400 and "every step needs kind = one of shares" in unknown.text
    too_big = client.post("/open", content=b"#" * 70_000)
    assert too_big.status_code == 400 and "more than 65,536" in too_big.text
    damaged = client.get("/update?scenario=AAAA")
    assert damaged.status_code == 400 and "damaged" in damaged.text
    long = client.get("/update?name=" + "x" * 30_000)
    assert long.status_code == 400 and "characters long" in long.text
    assert client.get("/update?base=2024&draws=1000").status_code == 200


def test_more_bad_links(client: TestClient, engine: Engine) -> None:
    def message(q: str) -> str:
        r = client.get(f"/update?{q}")
        assert r.status_code == 400, (q, r.text[:300])
        return r.text

    assert "given more than once" in message("seed=1&seed=2")
    # the sliders of another panel, a partial panel, and a panel that does not leave the others their shares
    assert "Wales sliders: got SNP" in message(f"{sliders(fit(GB))}&nations=1&wa.SNP=5")
    assert "Scotland sliders: got SNP" in message(f"{sliders(fit(GB))}&nations=1&sc.SNP=30")
    assert "must add up to 93.25%" in message(
        "s.LAB=30&s.CON=24.39&s.LD=12.57&s.GRN=6.9&s.REF=14.71&t.s=100&moved=s.LAB"
    )
    assert "damaged" in message("scenario=!!!$$$***")
    from sim.run import load
    from sim.serve.state import encode_token

    token = encode_token(load(REPO / "scenarios" / "claims" / "croydon.toml"))
    assert "on the 2015 base, not 2024" in message(f"scenario={token}&base=2024")
    named = client.get(f"/update?scenario={token}")  # no name: the scenario's own, and the page keeps the token
    assert named.status_code == 200 and f'name="scenario" value="{token}"' in named.text
    assert "base=2015" in query(named.text)
    many = 'schema = 1\nbase = "2024"\n' + '[[steps]]\nkind = "turnout"\nparties = { LAB = -0.01 }\n' * 11
    r = client.post("/open", content=many.encode())
    assert r.status_code == 400 and "at most 10" in r.text


@pytest.mark.parametrize("base", ["2010", "2017"])
def test_the_right_pact_runs_where_one_member_never_stands_down(client: TestClient, base: str) -> None:
    r = client.get(f"/update?base={base}&pact=right")
    assert r.status_code == 200, r.text
    toml = client.get(f"/scenario.toml?base={base}&pact=right")
    assert 'kind = "pact"' in toml.text and "transfer.CON" not in toml.text  # CON stands down nowhere


def test_an_edited_page_step_is_kept_whole(engine: Engine, client: TestClient, tmp_path: Path,
                                           data_dir: Path | None) -> None:  # fmt: skip
    """A pact narrowed by hand is not the page's pact: the file opens as it is, and the page shows what run gives."""
    toml = client.get(f"/scenario.toml?base=2024&{sliders(fit(GB))}&pact=progressive&draws=1000").text
    gb_only = '[steps.where]\nscope = [\n    "gb",\n]\n'
    edited = toml.replace(gb_only + "\n[steps.transfer]", gb_only + 'winner = [\n    "CON",\n]\n\n[steps.transfer]')
    assert edited != toml
    opened = client.post("/open?draws=1000", content=edited.encode())
    assert opened.status_code == 200, opened.text
    state = dict(parse_qsl(query(opened.text)))
    assert state["pact"] == "none" and "s.LAB" not in state  # nothing taken over: the scenario is the opened one
    file = tmp_path / "edited.toml"
    file.write_text(edited)
    out = tmp_path / "run.json"
    args = ["run", str(file), "--draws", "1000", "--seed", "1", "--json", str(out)]
    result = runner.invoke(cli, args + (["--data-dir", str(data_dir)] if data_dir else []))
    assert result.exit_code == 0, result.output
    run = json.loads(out.read_text())["parties"]
    shown = means(opened.text)
    assert {p: round(v["mean"], 1) for p, v in run.items() if p in shown} == shown


def test_a_pact_member_with_no_votes_has_no_uncertain_rate(client: TestClient) -> None:
    values = {"LAB": 34.68, "CON": 24.39, "REF": 14.71, "LD": 12.57, "GRN": 6.9}
    r = client.get(f"/update?base=2024&{sliders({**values, 'CON': 0})}&t.s=93.247&moved=s.CON&pact=right&draws=1000")
    assert r.status_code == 200, r.text
    assert client.post("/open?seed=1&seed=2", content=b'schema = 1\nbase = "2024"\n').status_code == 400


def test_a_polls_file_path_is_refused() -> None:
    text = (
        'schema = 1\nbase = "2019-notional"\n[[steps]]\nkind = "polls"\nas_of = "2024-07-03"\nsource = "/etc/passwd"\n'
    )
    with pytest.raises(PageError, match="reads polls from a file"):
        scenario_from_text(text)


def test_a_burst_beyond_the_queue_is_refused_then_served(data_dir: Path | None) -> None:
    release = threading.Event()

    class Slow(Engine):
        def evaluate(self, state: PageState):  # type: ignore[no-untyped-def]
            release.wait(30)
            return super().evaluate(state)

    slow = TestClient(create_app(Slow(data_dir, max_draws=2_000, default_draws=1_000), max_waiting=1))
    codes: list[int] = []

    def get() -> None:
        codes.append(slow.get("/update?base=2024&draws=1000").status_code)

    threads = [threading.Thread(target=get) for _ in range(5)]
    for t in threads:
        t.start()
    for _ in range(300):  # until the refused ones have answered
        if codes.count(503) >= 3:
            break
        threading.Event().wait(0.05)
    release.set()
    for t in threads:
        t.join(60)
    assert sorted(codes) == [200, 200, 503, 503, 503]
    assert slow.get("/update?base=2024&draws=1000").status_code == 200


def test_map_is_legible(client: TestClient) -> None:
    from sim.report.mapdata import outline_colour

    r = client.get(f"/update?base=2024&{sliders(fit({'LAB': 24, 'CON': 22.2, 'REF': 27, 'LD': 12, 'GRN': 7}))}")
    assert 'fill="url(#hatch-REF)"' in r.text and '<pattern id="hatch-REF"' in r.text  # REF hatched, CON not
    assert 'fill="url(#hatch-CON)"' not in r.text
    assert re.search(r'<path class="borders" d="M[\d. LM]{200,}', r.text)
    assert ">London</text>" in r.text and ">Scotland</text>" in r.text
    assert re.search(r"Favourite \(wins most often in the simulations\) in:", r.text)
    assert re.search(r"REF \d+ seats", r.text)

    def luminance(colour: str) -> float:
        rgb = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)]) / 255
        lin = np.where(rgb <= 0.03928, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
        return float(lin @ [0.2126, 0.7152, 0.0722])

    # the SNP's outline stands out from white (WCAG contrast of at least 2:1 for graphics)
    assert (1.05) / (luminance(outline_colour("SNP")) + 0.05) >= 2.0


def test_serve_refuses_a_port_in_use() -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        result = runner.invoke(cli, ["serve", "--port", str(port)])
    assert result.exit_code != 0
    assert f"cannot listen on 127.0.0.1:{port}" in result.output and "--port" in result.output
