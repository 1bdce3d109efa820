"""The HTML report rendered by a real browser: headless Chromium, offline.

Chromium is a system package (`apt-get install -y chromium` on Debian). Where it is missing the
tests skip with that message, except in CI (the environment variable ``CI`` set, as `.ci/run`
does), where they fail: CI installs it, so a missing browser there is a broken setup.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from cli.main import app

REPO = Path(__file__).resolve().parent.parent
SCENARIOS = {
    "2019": REPO / "scenarios" / "baseline-2019.toml",
    "2024": REPO / "scenarios" / "examples" / "report-2024.toml",
}
BROWSERS = ("chromium", "chromium-browser", "google-chrome")
runner = CliRunner()


def chromium() -> str:
    """Path of a Chromium binary; without one, skip saying how to get it (fail in CI)."""
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    message = (
        "headless Chromium is needed to test the HTML report in a real browser and none was found on PATH "
        f"({', '.join(BROWSERS)}); install it, e.g. `apt-get install -y chromium` on Debian"
    )
    if os.environ.get("CI", "").lower() in ("", "0", "false"):
        pytest.skip(message)
    pytest.fail(message + " (CI is set: CI installs it, so its absence is an error)")


def headless(browser: str, *args: str, timeout: int = 120) -> subprocess.CompletedProcess[str]:
    """Run headless Chromium with no network: a proxy that does not exist catches any request."""
    command = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
               "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>", *args]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)


@pytest.mark.parametrize("key", ["2019", "2024"])
def test_report_renders_in_headless_chromium(tmp_path: Path, key: str) -> None:
    browser = chromium()
    html = tmp_path / "report.html"
    args = ["report", str(SCENARIOS[key]), "--html", str(html), "--draws", "1000", "--seed", "4"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output

    dom = headless(browser, "--dump-dom", html.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    seats = re.findall(r'<polygon class="seat(?: moved)?" data-code="([A-Z0-9]+)"', dom.stdout)
    assert len(seats) == 650 and len(set(seats)) == 650
    assert "Seats per party" in dom.stdout

    shot = tmp_path / "shot.png"
    run = headless(browser, f"--screenshot={shot}", "--window-size=1280,1600", html.as_uri())
    assert run.returncode == 0 and shot.is_file(), run.stderr[-2000:]
    from matplotlib.image import imread

    pixels = (imread(shot)[..., :3] * 255).astype(np.uint8)
    assert pixels.shape[:2] == (1600, 1280)
    colours = np.unique(pixels.reshape(-1, 3), axis=0)
    white = (pixels == 255).all(axis=-1).mean()
    assert len(colours) > 200, "the screenshot is nearly blank"
    assert white < 0.9, f"the screenshot is {100 * white:.0f}% white"
    # the map's party colours are on screen: Conservative blue in 2019, Labour red in both
    for colour in ("#E4003B",) + (("#0087DC",) if key == "2019" else ()):
        rgb = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)], dtype=np.uint8)
        assert (pixels == rgb).all(axis=-1).sum() > 1000, f"{colour} barely appears in the screenshot"
