"""`swingometer serve` in a real browser: Debian's headless Chromium driven by Playwright for Python.

The server runs as a whole process (`swingometer serve --port P`). Chromium is the system package
(`apt-get install -y chromium`), never a downloaded browser: Playwright is given its path. Outside
CI a missing Chromium skips with that message; in CI (``CI`` set, as `.ci/run` does) it fails.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app as cli
from tests.test_report_browser import chromium

runner = CliRunner()
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run"]  # fmt: skip


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server(data_dir: Path | None, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    port = free_port()
    args = [str(Path(sys.executable).parent / "swingometer"), "serve", "--port", str(port), "--draws", "1000"]
    if data_dir is not None:
        args += ["--data-dir", str(data_dir)]
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    with log.open("w") as out:
        proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(600):
            try:
                with urllib.request.urlopen(url, timeout=5) as r:
                    if r.status == 200:
                        break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail(f"swingometer serve exited: {log.read_text()}")
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        proc.wait(30)


def test_a_slider_moves_the_seats_and_the_download_reproduces_the_page(
    server: str, tmp_path: Path, data_dir: Path | None
) -> None:
    executable = chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 1400}, accept_downloads=True)
        page.goto(server)
        assert page.locator("polygon.seat").count() == 650

        def table() -> dict[str, float]:
            rows = page.locator("#seats tbody tr")
            return {rows.nth(i).get_attribute("data-party") or "": float(rows.nth(i).locator("td.mean").inner_text())
                    for i in range(rows.count())}  # fmt: skip

        def favourites() -> list[str]:
            return page.eval_on_selector_all("polygon.seat", "els => els.map(e => e.dataset.favourite)")

        before, map_before = table(), favourites()
        page.locator('input[data-name="s.LAB"]').fill("24")  # sets the value and fires input and change
        page.wait_for_function("location.search.includes('s.LAB=24')", timeout=60_000)
        after, map_after = table(), favourites()
        assert after["LAB"] < before["LAB"] - 50
        assert sum(a != b for a, b in zip(map_before, map_after, strict=True)) > 50
        assert "s.LAB=24" in page.url
        shares = [float(x) for x in page.eval_on_selector_all('input[name^="s."]', "els => els.map(e => e.value)")]
        assert sum(shares) == pytest.approx(sum(shares), abs=0.02) and min(shares) > 0

        # the pact control redraws too
        page.select_option('select[name="pact"]', "progressive")
        page.wait_for_function("location.search.includes('pact=progressive')", timeout=60_000)
        pact = table()
        assert pact != after

        # a bad value typed into the seed shows a message and leaves the page as it was
        page.fill('input[name="seed"]', "-5")
        page.dispatch_event('input[name="seed"]', "change")
        page.wait_for_function("document.getElementById('error').textContent.length > 0", timeout=60_000)
        assert "seed" in page.inner_text("#error")
        assert table() == pact
        page.fill('input[name="seed"]', "1")
        page.dispatch_event('input[name="seed"]', "change")
        page.wait_for_function("document.getElementById('error').textContent.length == 0", timeout=60_000)

        with page.expect_download() as download:
            page.click("#download")
        file = tmp_path / "page.toml"
        download.value.save_as(file)
        shown = table()
        draws = page.input_value('select[name="draws"]')
        browser.close()

    out = tmp_path / "run.json"
    args = ["run", str(file), "--draws", draws, "--seed", "1", "--json", str(out)]
    if data_dir is not None:
        args += ["--data-dir", str(data_dir)]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    run = json.loads(out.read_text())["parties"]
    assert {p: round(v["mean"], 1) for p, v in run.items() if p in shown} == shown


def test_base_nations_and_opening_a_file(server: str) -> None:
    executable = chromium()
    from playwright.sync_api import sync_playwright

    repo = Path(__file__).resolve().parent.parent
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 1400})
        page.goto(server)

        def names() -> list[str]:
            return page.eval_on_selector_all("input[data-name]", "els => els.map(e => e.dataset.name)")

        # another base: its own sliders (UKIP in 2015), the old sliders dropped
        page.locator('input[data-name="s.LAB"]').fill("28")
        page.wait_for_function("location.search.includes('s.LAB=28')", timeout=60_000)
        page.select_option('select[name="base"]', "2015")
        page.wait_for_function("location.search.includes('base=2015')", timeout=60_000)
        assert "s.UKIP" in names() and "s.REF" not in names() and "s.LAB=" not in page.url

        # Scotland and Wales on request: their panels appear, and a move there is in the URL
        page.check('input[name="nations"]')
        page.wait_for_function("location.search.includes('nations=1')", timeout=60_000)
        assert "sc.SNP" in names() and "wa.PC" in names()
        page.locator('input[data-name="sc.SNP"]').fill("40")
        page.wait_for_function("location.search.includes('sc.SNP=40')", timeout=60_000)
        page.uncheck('input[name="nations"]')  # and back: the nations' sliders leave the state
        page.wait_for_function("!location.search.includes('nations=1')", timeout=60_000)
        assert "sc.SNP" not in page.url and page.inner_text("#error") == ""
        page.check('input[name="nations"]')
        page.wait_for_function("location.search.includes('nations=1')", timeout=60_000)

        # opening a shipped scenario fills the controls; a file that is not a scenario says why
        page.set_input_files("#open-file", str(repo / "scenarios" / "2024" / "right-pact.toml"))
        page.wait_for_function("location.search.includes('pact=right')", timeout=60_000)
        assert page.input_value('select[name="pact"]') == "right"
        assert "A right pact (CON, REF)" in page.inner_text("#controls")
        page.set_input_files("#open-file", str(repo / "README.md"))
        page.wait_for_function("document.getElementById('error').textContent.length > 0", timeout=60_000)
        assert "not valid TOML" in page.inner_text("#error")
        assert "pact=right" in page.url  # the page keeps its last good state
        browser.close()
