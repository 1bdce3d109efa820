"""The data layer on the real results: seat counts, official totals, votes, stood masks, covariates."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.core.errors import LookupFailed
from sim.core.parties import PARTY_INDEX, canonical_party
from sim.data import readers
from sim.data.election import Election, load_election

# Official seat totals (House of Commons Library; Rallings & Thrasher for the notional 2019).
OFFICIAL = {
    "2010": {"CON": 306, "LAB": 258, "LD": 57, "DUP": 8, "SNP": 6, "SF": 5, "PC": 3, "SDLP": 3,
             "APNI": 1, "GRN": 1, "SPK": 1, "IND": 1},
    "2015": {"CON": 330, "LAB": 232, "SNP": 56, "DUP": 8, "LD": 8, "SF": 4, "PC": 3, "SDLP": 3,
             "UUP": 2, "UKIP": 1, "GRN": 1, "SPK": 1, "IND": 1},
    "2017": {"CON": 317, "LAB": 262, "SNP": 35, "LD": 12, "DUP": 10, "SF": 7, "PC": 4, "GRN": 1,
             "SPK": 1, "IND": 1},
    "2019": {"CON": 365, "LAB": 202, "SNP": 48, "LD": 11, "DUP": 8, "SF": 7, "PC": 4, "SDLP": 2,
             "APNI": 1, "GRN": 1, "SPK": 1},
    "2024": {"LAB": 411, "CON": 121, "LD": 72, "SNP": 9, "SF": 7, "IND": 6, "REF": 5, "DUP": 5,
             "GRN": 4, "PC": 4, "SDLP": 2, "SPK": 1, "APNI": 1, "OTH": 1, "UUP": 1},
    "2019-notional": {"CON": 372, "LAB": 200, "SNP": 48, "LD": 8, "DUP": 8, "SF": 7, "SDLP": 2,
                      "PC": 2, "GRN": 1, "APNI": 1, "SPK": 1},
}  # fmt: skip

NAMES = list(OFFICIAL)


@pytest.mark.parametrize("name", NAMES)
def test_650_seats_632_gb_18_ni(elections: dict[str, Election], name: str) -> None:
    e = elections[name]
    assert e.n_seats == 650
    assert len(set(e.seat_ids)) == 650
    assert int(e.gb.sum()) == 632
    assert int((e.nations == "Northern Ireland").sum()) == 18
    nations = pd.Series(e.nations).value_counts().to_dict()
    expected = (
        {"England": 533, "Scotland": 59, "Wales": 40}
        if e.boundaries == "2010"
        else {"England": 543, "Scotland": 57, "Wales": 32}
    )
    assert {k: nations[k] for k in expected} == expected


@pytest.mark.parametrize("name", NAMES)
def test_official_seat_totals(elections: dict[str, Election], name: str) -> None:
    assert elections[name].seat_totals() == {
        p: OFFICIAL[name][p] for p in elections[name].parties if p in OFFICIAL[name]
    }


@pytest.mark.parametrize("name", NAMES)
def test_party_votes_sum_to_valid_votes(elections: dict[str, Election], name: str) -> None:
    e = elections[name]
    assert e.votes.dtype == np.int64
    np.testing.assert_array_equal(e.votes.sum(axis=1), e.valid_votes)
    assert (e.votes >= 0).all()
    assert (e.votes[~e.stood] == 0).all(), "a party that did not stand has votes"


@pytest.mark.parametrize("name", NAMES)
def test_leading_candidate_decides_winner(elections: dict[str, Election], name: str) -> None:
    e = elections[name]
    np.testing.assert_array_equal(np.argmax(e.shares * e.lead_fraction, axis=1), e.winners)


@pytest.mark.parametrize("year", [2010, 2015, 2017, 2019])
def test_stood_mask_matches_candidacy_file(elections: dict[str, Election], data_dir: object, year: int) -> None:
    """Rebuild the stood mask straight from the raw candidacy file and compare."""
    e = elections[str(year)]
    raw = readers.ge_candidacies(year, data_dir)  # type: ignore[arg-type]
    row = {s: i for i, s in enumerate(e.seat_ids)}
    ucunf: dict[str, int] = {}
    if year == 2010:  # UCUNF candidates are coded Ind in the 2010 candidacy file (caveat C3)
        seats = readers.ge_constituencies(2010, data_dir)  # type: ignore[arg-type]
        ucunf = {s: v for s, v in zip(seats["ONS ID"], seats["UUP (as UCUNF)"], strict=True) if v > 0}
        assert len(ucunf) == 17
    expected = np.zeros_like(e.stood)
    for seat, abbrev, votes in zip(raw["ONS ID"], raw["Party abbreviation"], raw["Votes"], strict=True):
        party = canonical_party(abbrev)
        if party == "IND" and ucunf.get(seat) == votes:
            party = "UUP"
        expected[row[seat], PARTY_INDEX[party]] = True
    np.testing.assert_array_equal(e.stood, expected)


def test_brexit_party_stood_down_in_all_317_conservative_2017_seats(elections: dict[str, Election]) -> None:
    con_2017 = elections["2017"].winners == PARTY_INDEX["CON"]
    brx = elections["2019"].stood[:, PARTY_INDEX["BRX"]]
    assert int(con_2017.sum()) == 317
    assert not brx[con_2017].any()
    assert int(brx.sum()) == 275


def test_croydon_central_2015(elections: dict[str, Election]) -> None:
    e = elections["2015"]
    i = e.seat_index("croydon central")
    assert e.votes[i, PARTY_INDEX["CON"]] == 22753
    assert e.votes[i, PARTY_INDEX["LAB"]] == 22588


def test_uk_vote_totals_match_commons_library(elections: dict[str, Election]) -> None:
    assert elections["2019"].vote_totals()[PARTY_INDEX["CON"]] == 13_966_454
    assert elections["2015"].vote_totals()[PARTY_INDEX["UKIP"]] == 3_881_099
    assert elections["2024"].valid_votes.sum() == 28_809_340


def test_renamed_scottish_seats_use_new_codes(elections: dict[str, Election]) -> None:
    for name in ("2024", "2019-notional"):
        ids = set(elections[name].seat_ids)
        assert {"S14000107", "S14000108", "S14000109", "S14000110", "S14000111"} <= ids
        assert "S14000006" not in ids


def test_seat_lookup_and_did_you_mean(elections: dict[str, Election]) -> None:
    e = elections["2015"]
    assert e.seat_index("E14000654") == e.seat_index("Croydon Central")
    with pytest.raises(LookupFailed, match="did you mean 'Croydon Central'"):
        e.seat_index("Croydon Centrel")


@pytest.mark.parametrize("name", NAMES)
def test_covariates(elections: dict[str, Election], name: str) -> None:
    cov = elections[name].covariates
    gb = elections[name].gb
    assert cov["leave"].notna().all(), "Leave share known for every seat, NI included"
    assert cov["leave"].between(0.15, 0.8).all()
    for col in ("city_share", "town_share", "village_share", "settlement", "age65"):
        assert cov.loc[gb, col].notna().all(), col
    shares = cov.loc[gb, ["city_share", "town_share", "village_share"]].sum(axis=1)
    np.testing.assert_allclose(shares, 1.0, atol=1e-6)
    assert cov["urban"].notna().all()
    assert cov["degree"].notna().sum() >= 570  # most Scottish seats lack census education data
    assert cov.loc[gb, "age65"].between(0.03, 0.45).all()


def test_gb_leave_share_is_52_percent(elections: dict[str, Election]) -> None:
    e = elections["2024"]
    leave = e.covariates["leave"].to_numpy()
    # Hanretty's 2024-boundary estimates sum to a GB Leave share of 52.1%; seat-average differs.
    assert 0.5 < leave[e.gb].mean() < 0.53
    assert int((leave[e.gb] > 0.5).sum()) == 394


def test_by_elections_hartlepool(data_dir: object) -> None:
    cands = readers.by_election_candidacies(data_dir)  # type: ignore[arg-type]
    hartlepool = cands[(cands["Constituency name"] == "Hartlepool") & (cands["date"] == "2021-05-06")]
    votes = dict(zip(hartlepool["Party abbreviation"].map(canonical_party), hartlepool["Votes"], strict=True))
    assert votes["CON"] == 15529
    assert votes["LAB"] == 8589


def test_parsed_cache_round_trip(tmp_path: object, monkeypatch: pytest.MonkeyPatch, data_dir: object) -> None:
    monkeypatch.setenv("SWINGOMETER_CACHE_DIR", str(tmp_path))
    from sim.data import election as module

    module._LOADED.clear()
    first = load_election("2017", data_dir)  # type: ignore[arg-type]
    module._LOADED.clear()
    second = load_election("2017", data_dir)  # type: ignore[arg-type]
    np.testing.assert_array_equal(first.votes, second.votes)
    assert list((tmp_path / "parsed").iterdir())  # type: ignore[operator]


@pytest.mark.parametrize("name", ["2010", "2015", "2017", "2019", "2024", "2019-notional"])
def test_each_election_reads_exactly_its_declared_files(name: str, data_dir: Path | None) -> None:
    """The parsed cache is keyed by the declared files: a build reads those and no others."""
    from sim.data.build import files_read
    from sim.data.sources import ELECTION_FILES

    assert files_read(name, data_dir) == set(ELECTION_FILES[name])


def test_no_import_circle_in_the_data_layer() -> None:
    """The model knows nothing of building or loading; the builder nothing of loading."""
    import ast

    root = Path(__file__).resolve().parent.parent / "sim" / "data"

    def imports(module: str) -> set[str]:
        tree = ast.parse((root / f"{module}.py").read_text())
        found = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
        found |= {f"{n.module}.{a.name}" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module
                  for a in n.names}  # fmt: skip
        return found

    assert not any(m.startswith(("sim.data.build", "sim.data.election")) for m in imports("model"))
    assert not any(m.startswith("sim.data.election") for m in imports("build"))
