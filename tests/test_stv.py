"""STV and the Senedd's 2026 lists: the count by party piles, the districts, and the command."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from cli.main import app
from kernels.preferential import irv_winner, stv_count, stv_district
from sim.core.parties import PARTIES, PARTY_INDEX
from sim.data.election import load_election
from sim.data.hexmap import load_hexmap
from sim.systems.districts import (
    MAX_MEMBERS,
    MIN_MEMBERS,
    SENEDD_2026,
    _components,
    neighbours,
    senedd_districts,
    shared_ground,
    stv_districts,
)
from sim.systems.preferences import projection_outcomes
from sim.systems.rules import NO_LIST, SYSTEMS

runner = CliRunner()
N = len(PARTIES)
LISTED = np.array([p not in NO_LIST for p in PARTIES])


def count(votes: dict[str, float], members: int, rows: dict[str, dict[str, float]]) -> dict[str, int]:
    """One district's STV seats from party votes and preference rows (the parties' columns)."""
    v = np.zeros(N)
    for party, n in votes.items():
        v[PARTY_INDEX[party]] = n
    prefs = np.zeros((N, N))
    for origin, row in rows.items():
        for dest, share in row.items():
            prefs[PARTY_INDEX[origin], PARTY_INDEX[dest]] = share
    seats = np.zeros(N, dtype=np.int64)
    stv_district(v, np.zeros(N), LISTED, members, prefs, seats)
    return {PARTIES[p]: int(s) for p, s in enumerate(seats) if s}


def test_a_count_worked_by_hand() -> None:
    """Three seats, 10,000 votes, quota 2,500.

    LAB 4,000 is elected and keeps 1,500 for its running mates; CON 2,600 is elected and keeps 100.
    No pile then holds a quota: CON's 100 is the smallest and is excluded (LD +50, REF +40, LAB +10),
    then REF's 640 (CON no longer running: LD +320, LAB +320), then GRN's 900 (LAB +600, LD +300),
    which takes LD to 2,570 against LAB's 2,430: LD wins the last seat.
    """
    rows = {
        "GRN": {"LAB": 0.6, "LD": 0.3, "CON": 0.1},
        "REF": {"CON": 0.8, "LD": 0.1, "LAB": 0.1},
        "LD": {"LAB": 0.5, "CON": 0.3, "GRN": 0.2},
        "LAB": {"LD": 0.6, "GRN": 0.3, "CON": 0.1},
        "CON": {"LD": 0.5, "REF": 0.4, "LAB": 0.1},
    }
    votes = {"LAB": 4000, "CON": 2600, "LD": 1900, "GRN": 900, "REF": 600}
    assert count(votes, 3, rows) == {"LAB": 1, "CON": 1, "LD": 1}
    # without the Greens' lean to Labour over the Lib Dems, Labour's 2,430 would still trail; with it reversed
    # (GRN all to LAB) Labour passes the quota first: 1,830 + 900 = 2,730 against LD's 2,270
    assert count(votes, 3, {**rows, "GRN": {"LAB": 1.0}}) == {"LAB": 2, "CON": 1}
    # a party with two quotas elects two members; its surplus then passes on
    assert count({"LAB": 5200, "CON": 3000, "LD": 1800}, 3, rows) == {"LAB": 2, "CON": 1}


def _largest_remainder_droop(votes: np.ndarray, members: int) -> np.ndarray:
    """An independent allocation: whole Droop quotas (the exact quota), then the largest remainders."""
    quota = votes.sum() / (members + 1)
    seats = np.where(votes > 0, np.ceil(votes / quota) - 1, 0).astype(int)
    rest = votes - seats * quota
    for p in np.argsort(-rest, kind="stable")[: members - seats.sum()]:
        seats[p] += 1
    return seats


def test_without_transfers_stv_is_the_largest_remainder_with_the_droop_quota() -> None:
    rng = np.random.default_rng(3)
    for _ in range(300):
        k = int(rng.integers(2, 8))
        members = int(rng.integers(1, 7))
        votes = np.zeros(N)
        votes[rng.choice(np.flatnonzero(LISTED), k, replace=False)] = rng.gamma(1.0, 1000.0, k)
        seats = np.zeros(N, dtype=np.int64)
        stv_district(votes, np.zeros(N), LISTED, members, np.zeros((N, N)), seats)
        np.testing.assert_array_equal(seats, _largest_remainder_droop(votes, members), err_msg=str(votes))


def test_one_member_stv_is_the_alternative_vote() -> None:
    """With every preference positive no pile exhausts, so the fixed quota is a majority of the continuing votes."""
    rng = np.random.default_rng(4)
    for _ in range(300):
        k = int(rng.integers(2, 8))
        first = np.sort(rng.gamma(1.0, 1000.0, k))[::-1].copy()
        parties = rng.choice(N, k, replace=False).astype(np.int64)
        prefs = rng.uniform(0.01, 1.0, (N, N))
        won = np.zeros(k, dtype=np.int64)
        stv_count(first, parties, np.ones(k, dtype=np.int64), 1, first.sum(), prefs, np.empty(k),
                  np.empty(k, dtype=np.bool_), won)  # fmt: skip
        assert won.sum() == 1
        winner = irv_winner(first, parties, prefs, np.empty(k), np.empty(k, dtype=np.bool_))
        assert won[winner] == 1


def test_a_single_candidate_elects_one_member_and_fills_no_more() -> None:
    """An independent with two quotas is one person: one seat, the surplus exhausts (no row), lists fill the rest."""
    votes = np.zeros(N)
    top = np.zeros(N)
    votes[PARTY_INDEX["IND"]] = top[PARTY_INDEX["IND"]] = 6000
    votes[PARTY_INDEX["LAB"]] = 2500
    votes[PARTY_INDEX["CON"]] = 1500
    seats = np.zeros(N, dtype=np.int64)
    stv_district(votes, top, LISTED, 4, np.zeros((N, N)), seats)
    assert seats[PARTY_INDEX["IND"]] == 1 and seats.sum() == 4
    assert seats[PARTY_INDEX["LAB"]] == 2 and seats[PARTY_INDEX["CON"]] == 1


@pytest.mark.parametrize("year", ["2024", "2019"])
def test_stv_districts_are_connected_groups_of_three_to_five_within_a_region(year: str, data_dir: Path | None) -> None:
    e = load_election(year, data_dir)
    hexmap = load_hexmap(e, data_dir)
    ground = shared_ground(e, data_dir)
    d = stv_districts(e, hexmap, ground)
    regions = e.regions.astype(str)
    links = [a | b for a, b in zip(neighbours(hexmap, regions), ground, strict=True)]
    assert (d.of_seat >= 0).all() and d.members.sum() == e.n_seats == 650
    assert set(np.unique(d.of_seat)) == set(range(d.n))
    for k in range(d.n):
        seats = np.flatnonzero(d.of_seat == k)
        assert MIN_MEMBERS <= len(seats) == d.members[k] <= MAX_MEMBERS
        assert set(regions[seats]) == {d.regions[k]}
        assert len(_components(seats, links)) == 1, d.names[k]  # one piece
    # each region gets about n / 5 districts: mostly of five
    assert (d.members == 5).mean() > 0.7
    again = stv_districts(e, hexmap, ground)
    np.testing.assert_array_equal(again.of_seat, d.of_seat)


def test_islands_join_their_region() -> None:
    e = load_election("2024")
    links = neighbours(load_hexmap(e), e.regions.astype(str))
    names = list(e.seat_names)
    for island in ("Orkney and Shetland", "Na h-Eileanan an Iar", "Ynys Môn", "Isle of Wight East"):
        assert links[names.index(island)], island


def test_the_senedd_pairs_every_welsh_constituency_once() -> None:
    e = load_election("2024")
    d = senedd_districts(e)
    wales = e.nations == "Wales"
    assert d.n == 16 and d.members.sum() == 96
    assert (d.of_seat[wales] >= 0).all() and (d.of_seat[~wales] == -1).all()
    assert np.bincount(d.of_seat[wales]).tolist() == [2] * 16
    assert len(SENEDD_2026) == 16


def test_the_senedd_lists_on_the_2024_votes() -> None:
    """D'Hondt in each pair on the Welsh votes of 2024: checked against an allocation district by district."""
    from sim.systems.divisor import allocate

    e = load_election("2024")
    d = senedd_districts(e)
    expected = np.zeros(N, dtype=np.int64)
    for k in range(d.n):
        expected += allocate(e.votes[d.of_seat == k].sum(axis=0) * LISTED, 6, "dhondt")
    (found,) = projection_outcomes(_projection("2024"), [SYSTEMS["senedd-2026"]])
    np.testing.assert_array_equal(found.seats, expected)
    assert found.house == 96 and found.votes.sum() == e.votes[e.nations == "Wales"].sum()
    assert found.seats[PARTY_INDEX["LAB"]] < 49 < found.seats[PARTY_INDEX["LAB"]] * 2  # largest, no majority


def _projection(base: str):
    from sim.projection.project import project
    from sim.scenario.load import parse_scenario

    return project(parse_scenario({"schema": 1, "base": base}), load_election(base))


def test_stv_is_more_proportional_than_fptp_and_less_than_lists() -> None:
    found = {o.system.key: o for o in projection_outcomes(_projection("2024"), [SYSTEMS[k] for k in
             ("fptp", "stv", "list-dhondt")])}  # fmt: skip
    g = {k: o.indices()["gallagher"] for k, o in found.items()}
    assert g["list-dhondt"] < g["stv"] < g["fptp"] / 2
    assert found["stv"].house == 650
    assert found["stv"].seats[PARTY_INDEX["REF"]] > 10 * found["fptp"].seats[PARTY_INDEX["REF"]]


def test_the_command_shows_stv_and_the_senedd_and_refuses_the_senedd_on_old_boundaries() -> None:
    result = runner.invoke(app, ["systems", "--election", "2024"])
    assert result.exit_code == 0, result.output
    assert "stv" in result.output and "senedd-2026" in result.output
    old = runner.invoke(app, ["systems", "--election", "2019"])
    assert old.exit_code == 0 and "stv" in old.output and "senedd-2026" not in old.output  # left out, not an error
    refused = runner.invoke(app, ["systems", "--election", "2019", "--systems", "senedd-2026"])
    assert refused.exit_code == 1 and "Traceback" not in refused.output
    assert "2024 Welsh constituencies" in refused.output and "--election 2024" in refused.output


def test_the_districts_are_written_seat_by_seat(tmp_path: Path) -> None:
    import csv

    out = tmp_path / "districts.csv"
    result = runner.invoke(
        app, ["systems", "--election", "2024", "--systems", "stv,senedd-2026", "--districts", str(out)]
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.read_text(encoding="utf-8").splitlines()))
    assert len([r for r in rows if r["districting"] == "stv"]) == 650
    senedd = {r["constituency"]: r["district"] for r in rows if r["districting"] == "senedd-2026"}
    assert len(senedd) == 32 and senedd["Ynys Môn"] == senedd["Bangor Aberconwy"] == "Bangor Conwy Môn"
    other = tmp_path / "other.csv"
    refused = runner.invoke(app, ["systems", "--election", "2024", "--systems", "fptp", "--districts", str(other)])
    assert refused.exit_code == 1 and "choose one in --systems" in refused.output and not other.exists()


def test_the_vote_column_is_the_uks_whichever_system_comes_first(tmp_path: Path) -> None:
    import csv

    out = tmp_path / "s.json"  # a table under a .json name: written as given, its provenance beside it
    result = runner.invoke(app, ["systems", "--election", "2024", "--systems", "senedd-2026,fptp", "--csv", str(out)])
    assert result.exit_code == 0, result.output
    rows = {r["party"]: r for r in csv.DictReader(out.read_text(encoding="utf-8").splitlines())}
    assert round(float(rows["LAB"]["vote %"]), 1) == 33.7 and float(rows["SNP"]["vote %"]) > 2  # UK, not Wales
    assert (tmp_path / "s.json.provenance.json").exists()


def test_options_that_would_change_nothing_are_refused() -> None:
    stv_threshold = runner.invoke(app, ["systems", "--election", "2024", "--systems", "stv", "--threshold", "0.1"])
    assert stv_threshold.exit_code == 1 and "--threshold applies to list and top-up seats" in stv_threshold.output
    lists_prefs = runner.invoke(app, ["systems", "--election", "2024", "--systems", "senedd-2026", "--preferences",
                                      "bes-2019"])  # fmt: skip
    assert lists_prefs.exit_code == 1 and "--preferences applies to av, av-plus and stv" in lists_prefs.output


def test_the_senedd_has_no_threshold() -> None:
    (plain,) = projection_outcomes(_projection("2024"), [SYSTEMS["senedd-2026"]])
    (barred,) = projection_outcomes(_projection("2024"), [SYSTEMS["senedd-2026"]], threshold=0.2)
    np.testing.assert_array_equal(plain.seats, barred.seats)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("LD = { CON = 1.0 }\nld = { LAB = 1.0 }", "preferences: party 'LD' is given twice"),
        ("LD = { CON = 1.0, con = 0.5 }", "preferences.LD: party 'CON' is given twice"),
        ("REF = { LAB = 1.0 }", "REF stands in no seat of the 2015 base (the insurgent right there is UKIP)"),
        ("LAB = { BRX = 1.0 }", "preferences.LAB.BRX: BRX stands in no seat"),
    ],
)
def test_preference_rows_that_would_be_lost_are_refused(tmp_path: Path, table: str, message: str) -> None:
    path = tmp_path / "p.toml"
    path.write_text(f'schema = 1\nbase = "2015"\n\n[preferences]\n{table}\n', encoding="utf-8")
    result = runner.invoke(app, ["systems", str(path), "--systems", "stv"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert message in " ".join(result.output.split()), result.output


def test_neighbours_on_the_ground_come_from_the_boundary_overlaps() -> None:
    """Llanelli and Caerfyrddin share a border (both took parts of one 2010 seat), though far apart on the hex map;
    a seat whose boundaries did not change (Ynys Môn) has no such neighbour."""
    e = load_election("2024")
    ground = shared_ground(e)
    names = list(e.seat_names)
    assert names.index("Caerfyrddin") in ground[names.index("Llanelli")]
    assert not ground[names.index("Ynys Môn")]
    regions = e.regions.astype(str)
    assert all(regions[j] == regions[i] for i, near in enumerate(ground) for j in near)
    d = stv_districts(e, load_hexmap(e), ground)
    wales = [set(e.seat_names[d.of_seat == k]) for k in range(d.n) if d.regions[k] == "Wales"]
    assert {"Cardiff East", "Cardiff West", "Cardiff South and Penarth"} <= next(
        s for s in wales if "Cardiff West" in s
    )
