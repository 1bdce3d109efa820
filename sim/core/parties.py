"""Canonical party codes and the mapping from each source file's labels onto them.

Every election uses the same party axis, :data:`PARTIES`, so arrays from different elections
line up column for column. A party that did not exist or did not stand has zero votes and a
``False`` entry in the stood mask.
"""

from __future__ import annotations

import re

from sim.core.errors import LookupFailed, did_you_mean

PARTIES: tuple[str, ...] = (
    "CON", "LAB", "LD", "GRN", "SNP", "PC", "UKIP", "BRX", "REF", "SPK",
    "DUP", "SF", "SDLP", "UUP", "APNI", "IND", "OTH",
)  # fmt: skip
"""Canonical party codes, in the column order of every votes matrix."""

PARTY_INDEX: dict[str, int] = {p: i for i, p in enumerate(PARTIES)}

PARTY_NAMES: dict[str, str] = {
    "CON": "Conservative",
    "LAB": "Labour (incl. Labour Co-operative)",
    "LD": "Liberal Democrat",
    "GRN": "Green",
    "SNP": "Scottish National Party",
    "PC": "Plaid Cymru",
    "UKIP": "UK Independence Party",
    "BRX": "Brexit Party",
    "REF": "Reform UK",
    "SPK": "The Speaker",
    "DUP": "Democratic Unionist Party",
    "SF": "Sinn Fein",
    "SDLP": "Social Democratic and Labour Party",
    "UUP": "Ulster Unionist Party",
    "APNI": "Alliance Party of Northern Ireland",
    "IND": "Independents",
    "OTH": "All other parties",
}

NI_PARTIES: frozenset[str] = frozenset({"DUP", "SF", "SDLP", "UUP", "APNI"})

# Labels used by the Commons Library / Parliament files (party abbreviation) and by the
# Rallings & Thrasher notional file (party code). Anything not listed is OTH.
_ABBREVIATIONS: dict[str, str] = {
    "con": "CON", "lab": "LAB", "lab co-op": "LAB", "ld": "LD", "green": "GRN", "grn": "GRN",
    "snp": "SNP", "pc": "PC", "ukip": "UKIP", "brx": "BRX", "brexit": "BRX",
    "brexit party": "BRX", "ruk": "REF", "ref": "REF", "reform uk": "REF", "spk": "SPK",
    "spkr": "SPK", "speaker": "SPK", "commons speaker": "SPK", "dup": "DUP", "sf": "SF",
    "sdlp": "SDLP", "uup": "UUP", "apni": "APNI", "alliance": "APNI", "ind": "IND",
    "independent": "IND", "independent 2 etc.": "IND",
}  # fmt: skip

_HINTS: dict[str, str] = {
    "lib": "LD", "libdem": "LD", "libdems": "LD", "lib dem": "LD", "lib dems": "LD", "liberal democrat": "LD",
    "liberal democrats": "LD", "lab co-op": "LAB", "labour": "LAB", "conservative": "CON", "conservatives": "CON",
    "tory": "CON", "tories": "CON", "cons": "CON", "reform": "REF", "reform uk": "REF", "plaid": "PC",
    "plaid cymru": "PC", "greens": "GRN", "gre": "GRN", "green party": "GRN", "brexit": "BRX",
}  # fmt: skip
"""Names users type for a party code, for did-you-mean hints only (never for reading results files)."""

_NOTIONAL_CODES: dict[str, str] = {
    "CONV": "CON", "LABV": "LAB", "LDV": "LD", "GRNV": "GRN", "SNPV": "SNP", "PCV": "PC",
    "UKIPV": "UKIP", "BRXV": "BRX", "DUPV": "DUP", "SFV": "SF", "SDLPV": "SDLP",
    "UUPV": "UUP", "APNIV": "APNI", "COMMONS SPEAKER": "SPK",
}  # fmt: skip

_NOTIONAL_INDEPENDENT = re.compile(r"^IND\d+V$")


def canonical_party(label: str) -> str:
    """Map a party abbreviation from a results file onto a canonical code (default ``OTH``)."""
    return _ABBREVIATIONS.get(str(label).strip().lower(), "OTH")


def canonical_notional_party(code: str) -> str:
    """Map a Rallings & Thrasher column code (``CONV``, ``IND2V``, ...) onto a canonical code."""
    key = str(code).strip().upper()
    if _NOTIONAL_INDEPENDENT.match(key):
        return "IND"
    return _NOTIONAL_CODES.get(key, "OTH")


def party_index(code: str, *, where: str = "party") -> int:
    """Return the column of a canonical party code, or raise with a did-you-mean hint."""
    key = code.strip().upper()
    if key in PARTY_INDEX:
        return PARTY_INDEX[key]
    guess = _ABBREVIATIONS.get(code.strip().lower()) or _HINTS.get(code.strip().lower())
    hint = f"; did you mean '{guess}'?" if guess else did_you_mean(code, PARTIES)
    raise LookupFailed(f"unknown party '{code}' in {where}{hint} (known parties: {', '.join(PARTIES)})")
