"""The swingometer page's state: its controls, read from a query string, and the scenario it opened.

The page never simulates anything a scenario file could not say. Its state (:class:`PageState`) is

* an **opened scenario** (none, the one ``swingometer serve FILE`` was given, or one loaded in the
  page): its base, steps and error model, carried in the URL as a compressed token;
* the **controls** on top of it: GB vote shares (one slider per GB-wide party), optionally
  Scotland's and Wales's own shares, the swing method, a ready-made pact, a tactical-voting
  strength, the draws and the seed.

:mod:`sim.serve.scenario` turns a state into a scenario and back. Moving one slider spreads the
difference over the other sliders of its panel in proportion to their shares, so the panel's
total is kept (:func:`rebalance`): the ``others = "proportional"`` rule of a shares step, applied
to the sliders. Parties without a slider keep their shares.
"""

from __future__ import annotations

import base64
import binascii
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from sim.core.errors import ScenarioError
from sim.core.parties import NI_PARTIES, PARTIES
from sim.polls.sources import NAMES as POLL_SOURCES
from sim.scenario import schema as s
from sim.scenario.load import loads_scenario
from sim.scenario.write import to_toml

BASES: tuple[str, ...] = ("2024", "2019-notional", "2019", "2017", "2015", "2010")
"""Base elections the page offers."""

METHODS: tuple[str, ...] = ("multiparty", "linked", "stm", "proportional", "uniform")
"""Swing methods, the best backtested first (docs/accuracy.md): the page's default."""

PACTS: tuple[str, ...] = ("none", "progressive", "right")
BLOCS: tuple[str, ...] = ("progressive", "right")
PROGRESSIVE: tuple[str, ...] = ("LAB", "LD", "GRN")
INSURGENTS: tuple[str, ...] = ("REF", "BRX", "UKIP")
"""The right bloc is CON and the first of these standing in 100 seats or more of the base."""

PACT_RATES: dict[str, tuple[float, float]] = {
    "LAB": (0.6, 0.2), "LD": (0.45, 0.35), "GRN": (0.6, 0.2), "CON": (0.5, 0.25), "REF": (0.55, 0.15),
}  # fmt: skip
"""(transfer, to_others) per pact member: scenarios/2024/progressive-pact.toml and right-pact.toml (BRX and
UKIP as REF)."""
PACT_SPREAD = 0.2
"""Half-width of each transfer rate's triangular distribution, as in those files."""

TACTICAL_MAX = 0.5
MIN_SLIDER_SHARE = 0.01
"""A party gets a slider where it has at least this share (GB, or the nation's)."""
NO_SLIDER = frozenset({"IND", "OTH", "SPK", *NI_PARTIES})
NATION_PANELS: tuple[str, ...] = ("Scotland", "Wales")
PANEL_KEYS = {"gb": "s", "Scotland": "sc", "Wales": "wa"}
"""Query-string prefix of each panel's sliders: ``s.LAB=33.7`` is Labour's GB share in percent."""

DRAWS_CHOICES: tuple[int, ...] = (1_000, 10_000, 100_000)
MAX_TOKEN = 16_384
"""Longest opened-scenario token accepted (characters; the URL carries it)."""
MAX_SCENARIO_TEXT = 65_536
"""Largest scenario text accepted from the page (bytes)."""
MAX_STEPS = 10
MAX_PARAMETERS = 5
"""The most steps and uncertain parameters of a scenario opened in the page (the shipped ones have 5 and 3):
each redraw projects every step, twice more per uncertain parameter."""


class PageError(ScenarioError):
    """A page request the controls cannot take: what is wrong and how to fix it."""


@dataclass(frozen=True, eq=False)
class PageState:
    """The page's controls (shares as fractions, 0-1) and the opened scenario's token.

    A panel's shares are ``None`` until a slider of it is moved: the opened scenario (or the base)
    is then simulated as it is.
    """

    base: str = "2024"
    method: str = "multiparty"
    gb: dict[str, float] | None = None
    nations: bool = False
    scotland: dict[str, float] | None = None
    wales: dict[str, float] | None = None
    pact: str = "none"
    tactical_bloc: str = "progressive"
    tactical_rate: float = 0.0
    draws: int = 10_000
    seed: int = 1
    token: str = ""
    name: str = field(default="")

    def panel(self, name: str) -> dict[str, float] | None:
        """A panel's slider values (``gb``, ``Scotland`` or ``Wales``), ``None`` when untouched."""
        return {"gb": self.gb, "Scotland": self.scotland, "Wales": self.wales}[name]

    def query(self) -> str:
        """The canonical query string of this state (what the page's URL carries)."""
        from urllib.parse import urlencode

        items: list[tuple[str, str]] = [("base", self.base), ("method", self.method)]
        for panel in ("gb", *NATION_PANELS):
            values = self.panel(panel)
            if values is not None and (panel == "gb" or self.nations):
                items += [(f"{PANEL_KEYS[panel]}.{p}", percent(v)) for p, v in values.items()]
        if self.nations:
            items.append(("nations", "1"))
        items += [("pact", self.pact), ("tv", self.tactical_bloc), ("tr", percent(self.tactical_rate))]
        items += [("draws", str(self.draws)), ("seed", str(self.seed))]
        if self.token:
            items += [("scenario", self.token), ("name", self.name)]
        return urlencode(items)


def percent(value: float) -> str:
    """A share as percent to 0.0001 points, trailing zeros and a negative zero dropped (as URLs carry it)."""
    return f"{100 * value + 0.0:.4f}".rstrip("0").rstrip(".")


def canonical(state: PageState, max_draws: int) -> PageState:
    """The state as its own query string reads back: what a link or a downloaded file reproduces exactly.

    Shares travel as percent to 0.0001 points; the page is always computed from this read-back
    state, so the page, its URL and its scenario file agree to the last digit.
    """
    from urllib.parse import parse_qsl

    return parse_query(dict(parse_qsl(state.query())), max_draws, state.draws)


# ---------------------------------------------------------------------------------------------
# Query strings


def _number(params: Mapping[str, str], key: str, low: float, high: float, default: float) -> float:
    text = params.get(key)
    if text is None or text == "":
        return default
    try:
        if not text.isascii():
            raise ValueError(text)
        value = float(text.replace("_", "x"))  # float() would take "1_0" as 10
    except ValueError:
        raise PageError(f"{key}: '{text[:40]}' is not a number; give a number from {low:g} to {high:g}") from None
    if not (low <= value <= high):
        raise PageError(f"{key}: {value:g} is outside {low:g}-{high:g}")
    return value


def _whole(params: Mapping[str, str], key: str, low: int, high: int, default: int) -> int:
    text = params.get(key, "").replace(",", "").replace("_", "").strip()
    if not text:
        return default
    if not (text.isascii() and text.isdigit()) or not (low <= int(text) <= high):
        raise PageError(f"{key}: '{text[:40]}' is not a whole number from {low:,} to {high:,}")
    return int(text)


def _choice(params: Mapping[str, str], key: str, choices: tuple[str, ...], default: str) -> str:
    value = params.get(key, default) or default
    if value not in choices:
        raise PageError(f"{key}: '{value[:40]}' is not one of {', '.join(choices)}")
    return value


KNOWN_KEYS = frozenset({"base", "method", "nations", "pact", "tv", "tr", "draws", "seed", "scenario", "name", "moved"})
TOTAL_KEYS = frozenset(f"t.{key}" for key in PANEL_KEYS.values())
PARTY_ORDER = {p: k for k, p in enumerate(PARTIES)}


def parse_query(params: Mapping[str, str], max_draws: int, default_draws: int = 10_000) -> PageState:
    """A state from a query string's parameters (the page's form or a shared link); shares in percent.

    ``moved`` names the slider the user has just moved (``s.LAB``): the other sliders of its panel
    are rebalanced around it (:func:`rebalance`), and only then does that panel count as set.

    Raises
    ------
    PageError
        On an unknown parameter or a value out of range, saying which and what is accepted.

    """
    for key in params:
        prefix = key.split(".", 1)[0]
        if key in KNOWN_KEYS or (prefix in PANEL_KEYS.values() and "." in key) or key in TOTAL_KEYS:
            continue
        known = ", ".join(sorted(KNOWN_KEYS))
        raise PageError(f"unknown parameter '{key[:40]}'; the page's parameters are {known}, s.PARTY, sc.PARTY, "
                        "wa.PARTY (shares in percent) and t.s, t.sc, t.wa (a panel's total)")  # fmt: skip
    token = params.get("scenario", "")
    if len(token) > MAX_TOKEN:
        raise PageError(f"scenario: the opened scenario is {len(token):,} characters, more than {MAX_TOKEN:,}")
    base = _choice(params, "base", BASES, "2024") if not token else params.get("base", "")
    draws = _whole(params, "draws", 1_000, max_draws, min(default_draws, max_draws))
    nations_text = params.get("nations", "")
    if nations_text not in ("", "0", "1", "on", "true"):
        raise PageError(f"nations: '{nations_text[:20]}' is not 1 (Scotland and Wales set separately) or 0")
    nations = nations_text in ("1", "on", "true")
    panels: dict[str, dict[str, float] | None] = {}
    moved = params.get("moved", "")
    if moved and (moved.split(".", 1)[0] not in PANEL_KEYS.values() or moved not in params):
        raise PageError(f"moved: '{moved[:40]}' names no slider sent with it (e.g. moved=s.LAB with s.LAB=30)")
    for panel, key in PANEL_KEYS.items():
        sent = [k for k in params if k.startswith(f"{key}.")]
        if sent and panel != "gb" and not nations:
            raise PageError(f"{sent[0][:40]}: {panel}'s shares need nations=1 (Scotland and Wales set separately)")
        values: dict[str, float] = {}
        for k in sent:
            party = k.split(".", 1)[1].upper()
            if party in values:
                raise PageError(f"{k[:40]}: {party}'s {panel} share is given twice")
            values[party] = _number(params, k, 0.0, 100.0, 0.0) / 100.0
        values = {p: values[p] for p in sorted(values, key=lambda p: (PARTY_ORDER.get(p, len(PARTY_ORDER)), p))}
        panels[panel] = values or None
        if values and moved.startswith(f"{key}."):
            total = _number(params, f"t.{key}", 0.0, 100.0, np.nan) / 100.0
            panels[panel] = rebalance(values, moved.split(".", 1)[1].upper(), None if np.isnan(total) else total)
    return PageState(
        base=base,
        method=_choice(params, "method", METHODS, "multiparty"),
        gb=panels["gb"],
        nations=nations,
        scotland=panels["Scotland"] if nations else None,
        wales=panels["Wales"] if nations else None,
        pact=_choice(params, "pact", PACTS, "none"),
        tactical_bloc=_choice(params, "tv", BLOCS, "progressive"),
        tactical_rate=_number(params, "tr", 0.0, 100 * TACTICAL_MAX, 0.0) / 100.0,
        draws=draws,
        seed=_whole(params, "seed", 0, 2**64 - 1, 1),
        token=token,
        name=params.get("name", "")[:200],
    )


def rebalance(values: dict[str, float], moved: str, total: float | None) -> dict[str, float]:
    """Keep ``moved`` at its new value and scale the panel's other sliders so its total stays ``total``.

    The others share ``total - value`` in proportion to their values (equally if all are zero), as
    a shares step's ``others = "proportional"`` rule shares a remainder; each is rounded to 0.01
    points and the rounding is given to the largest, so the total is kept exactly.
    ``total`` is the panel's total before the move (the form sends it); ``None`` keeps the sum sent.
    """
    if moved not in values:
        raise PageError(f"moved: no slider for {moved[:20]} in this panel; its sliders are {', '.join(values)}")
    total = sum(values.values()) if total is None else total
    value = min(max(round(values[moved], 6), 0.0), total)
    others = [p for p in values if p != moved]
    rest = sum(values[p] for p in others)
    scaled = {p: (values[p] * (total - value) / rest if rest > 0 else (total - value) / len(others)) for p in others}
    result = {p: round(v, 4) for p, v in scaled.items()}
    if others:
        largest = max(others, key=lambda p: result[p])
        result[largest] = round(result[largest] + (total - value) - sum(result.values()), 6)
    result[moved] = value
    return {p: max(result[p], 0.0) for p in values}


# ---------------------------------------------------------------------------------------------
# Scenario tokens (the opened scenario in the URL)


def encode_token(scenario: s.Scenario) -> str:
    """The opened scenario as a URL-safe token: its TOML, compressed."""
    return base64.urlsafe_b64encode(zlib.compress(to_toml(scenario).encode(), 9)).decode().rstrip("=")


def decode_token(token: str) -> s.Scenario:
    """The scenario a token carries, validated like a file; polls from a file path are refused."""
    damaged = PageError(
        "scenario: the link's scenario token is damaged (copied only in part?); open the scenario file again"
    )
    if not token.replace("-", "").replace("_", "").isalnum() or not token.isascii():
        raise damaged
    try:
        packed = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        unpacker = zlib.decompressobj()
        text = unpacker.decompress(packed, MAX_SCENARIO_TEXT + 1)
    except (binascii.Error, zlib.error, ValueError):
        raise damaged from None
    if len(text) > MAX_SCENARIO_TEXT:
        raise PageError(f"scenario: the opened scenario is larger than {MAX_SCENARIO_TEXT:,} bytes")
    if not unpacker.eof:
        raise damaged
    try:
        return scenario_from_text(text.decode("utf-8"), "the opened scenario")
    except UnicodeDecodeError:
        raise damaged from None


def scenario_from_text(text: str | bytes, name: str = "the scenario") -> s.Scenario:
    """A scenario from TOML text sent by the page, validated like a file; no file-system paths."""
    if isinstance(text, bytes):
        if len(text) > MAX_SCENARIO_TEXT:
            raise PageError(f"{name} is {len(text):,} bytes, more than {MAX_SCENARIO_TEXT:,}; is it a scenario file?")
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise PageError(f"{name} is not a UTF-8 text file; open a scenario file (.toml)") from None
    scenario = loads_scenario(text, name)
    if len(scenario.steps) > MAX_STEPS or len(scenario.uncertainty.parameters) > MAX_PARAMETERS:
        raise PageError(
            f"{name} has {len(scenario.steps)} steps and {len(scenario.uncertainty.parameters)} uncertain parameters; "
            f"the page takes at most {MAX_STEPS} and {MAX_PARAMETERS} (each redraw projects them all): run it with "
            "`swingometer run`"
        )
    for k, step in enumerate(scenario.steps):
        if isinstance(step, s.PollsStep) and any(x not in POLL_SOURCES for x in step.sources):
            raise PageError(
                f"{name}: steps[{k}] reads polls from a file; the page takes only the shipped poll tables "
                f"({', '.join(POLL_SOURCES)}): run a scenario with your own polls file with `swingometer run`"
            )
    return scenario
