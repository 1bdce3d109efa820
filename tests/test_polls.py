"""Polls: the poll-table format and its errors, the registry's and shipped polls, and the Kalman average.

The filter is checked against an independent implementation (statsmodels' state-space models) and
on synthetic polls with known house effects; the average against the data's own final-week polls.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from typer.testing import CliRunner

from cli.main import app
from sim.core.errors import DataError
from sim.data.election import DataDir
from sim.data.polls import registry_polls
from sim.polls.average import Settings, alr, alr_inverse, isotropic, poll_average
from sim.polls.kalman import design, filter_smooth, initial
from sim.polls.sources import load_polls, shipped_path
from sim.polls.table import read_poll_csv, standard

runner = CliRunner()
HEADER = "pollster,fieldwork_start,fieldwork_end,sample_size,scope,CON,LAB,LD,REF,GRN,OTH\n"


def refusal(call: object, *args: object) -> str:
    """The message of the DataError ``call(*args)`` raises."""
    with pytest.raises(DataError) as info:
        call(*args)  # type: ignore[operator]
    return str(info.value)


def write(tmp_path: Path, text: str, name: str = "polls.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


# --- the poll files -------------------------------------------------------------------------------


def test_the_registry_polls_cover_2005_to_2023_under_one_name_per_firm(data_dir: DataDir) -> None:
    polls = registry_polls(data_dir)
    years = polls["fieldwork_end"].dt.year.value_counts()
    assert all(years.get(y, 0) >= 30 for y in range(2006, 2023)), years.sort_index().to_dict()
    assert polls["fieldwork_end"].notna().all() and (polls["fieldwork_end"] >= polls["fieldwork_start"]).all()
    names = set(standard(polls)["pollster"])
    assert {"Ipsos", "Verian", "Savanta", "YouGov"} <= names and not {"Ipsos MORI", "MORI", "ComRes"} & names
    final_2019 = polls[(polls["fieldwork_end"] >= "2019-12-05") & (polls["fieldwork_end"] <= "2019-12-11")]
    assert len(final_2019) >= 15 and final_2019[["CON", "LAB", "LD", "BRX"]].notna().all().all()


def test_the_shipped_tables_pass_the_format_and_cite_every_row() -> None:
    for name in ("2024-final", "nations-final"):
        table = read_poll_csv(shipped_path(name))
        assert table["source"].str.startswith("http").all(), name
    final = read_poll_csv(shipped_path("2024-final"))
    gb = final[final["scope"] == "GB"]
    assert len(gb) >= 25 and gb["fieldwork_end"].between("2024-06-26", "2024-07-03").all()
    assert (final["scope"] == "Scotland").sum() >= 5 and (final["scope"] == "Wales").sum() >= 3
    # The figures from the PA Media round-ups of 2-3 July 2024 (LAB, CON, REF, LD, GRN).
    expected = {
        ("Redfield & Wilton", "2024-07-02"): (41, 22, 16, 10, 6), ("Techne", "2024-07-02"): (40, 21, 16, 11, 6),
        ("Verian", "2024-07-01"): (36, 21, 16, 13, 7), ("BMG", "2024-07-02"): (39, 22, 16, 11, 7),
        ("Deltapoll", "2024-07-03"): (39, 22, 17, 10, 7), ("Opinium", "2024-07-03"): (41, 21, 17, 11, 7),
        ("Ipsos", "2024-07-03"): (37, 19, 15, 11, 9),
    }  # fmt: skip
    for (pollster, end), shares in expected.items():
        row = gb[(gb["pollster"] == pollster) & (gb["fieldwork_end"] == end)]
        assert len(row) == 1, (pollster, end)
        assert tuple(row[["LAB", "CON", "REF", "LD", "GRN"]].iloc[0]) == shares, pollster


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("pollster,fieldwork_start,sample_size,scope,CON,LAB\n", "missing required column(s) fieldwork_end"),
        (HEADER.replace("GRN", "GREN"), "unknown column 'GREN'; did you mean 'GRN'"),
        (HEADER.replace("pollster", "polster"), "unknown column 'polster'; did you mean 'pollster'"),
        ("pollster,fieldwork_start,fieldwork_end,sample_size,scope\nA,2024-01-01,2024-01-02,1000,GB\n",
         "no party columns"),
        (HEADER + "YouGov,2024-07-1,2024-07-02,1000,GB,22,40,11,16,6,5\n",
         "line 2, column fieldwork_start: '2024-07-1' is not a date; write YYYY-MM-DD"),
        (HEADER + "YouGov,2024-07-03,2024-07-02,1000,GB,22,40,11,16,6,5\n",
         "line 2, columns fieldwork_start/fieldwork_end: the fieldwork ends (2024-07-02) before it starts"),
        (HEADER + 'YouGov,2024-07-01,2024-07-02,"1,744",GB,22,40,11,16,6,5\n',
         "line 2, column sample_size: '1,744' is not a whole number of respondents; write it without separators"),
        (HEADER + "YouGov,2024-07-01,2024-07-02,1000,UK,22,40,11,16,6,5\n",
         "line 2, column scope: 'UK' is not one of GB, Scotland, Wales, London; a UK-wide poll is read as a GB poll"),
        (HEADER + "YouGov,2024-07-01,2024-07-02,1000,GB,0.22,0.40,0.11,0.16,0.06,0.05\n", "look like fractions"),
        (HEADER + "YouGov,2024-07-01,2024-07-02,1000,GB,32,40,11,16,6,5\n", "add up to 110, more than 100"),
        (HEADER + "YouGov,2024-07-01,2024-07-02,1000,GB,22,40%,11,16,6,5\n",
         "line 2, column LAB: '40%' is not a number (a percentage, or empty if not reported); write 40, without %"),
        (HEADER + "YouGov,2024-07-01,2024-07-02,1000,GB,22,140,11,16,6,5\n", "140 is not a percentage"),
        ("pollster,fieldwork_start,fieldwork_end,sample_size,scope,LAB,SNP\n"
         "YouGov,2024-07-01,2024-07-02,1000,Wales,45,3\n", "line 2, column SNP: SNP stands in no seat of Wales"),
        (HEADER + "YouGov,2024-07-01,2024-07-02,1000,GB,22,40,11,16,6,5\n"
         "YouGov,2024-07-01,2024-07-02,1200,GB,21,41,11,16,6,5\n", "line 3: the same poll as line 2"),
        (HEADER + "YouGov,2024-07-01,2024-07-02,1000,GB,22,40\n", "line 2: 7 cells for 11 columns"),
        (HEADER + ",2024-07-01,2024-07-02,1000,GB,22,40,11,16,6,5\n", "line 2, column pollster: empty"),
        (HEADER + "YouGov,2024-01-01,2024-07-02,1000,GB,22,40,11,16,6,5\n", "183 days of fieldwork"),
        ("", "the file is empty"),
        (HEADER, "the file has a header but no polls"),
    ],
)  # fmt: skip
def test_a_bad_poll_file_is_refused_naming_the_line_and_column(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(DataError) as info:
        read_poll_csv(write(tmp_path, text))
    assert expected in str(info.value)


def test_every_problem_of_a_file_is_listed_at_once(tmp_path: Path) -> None:
    text = (
        HEADER
        + "YouGov,2024-07-01,2024-07-02,abc,GB,22,40,11,16,6,5\nBMG,2024-07-01,2024-07-0x,900,Wales,1,2,3,4,5,6\n"
    )
    message = refusal(read_poll_csv, write(tmp_path, text))
    assert "3 problem(s)" in message and "line 2, column sample_size" in message
    assert (
        "line 3, column fieldwork_end" in message
        and "line 3: with OTH given the shares should add up to 100" in message
    )


def test_a_poll_file_that_is_not_text_or_not_there_is_refused(tmp_path: Path) -> None:
    binary = tmp_path / "polls.csv"
    binary.write_bytes(b"\xff\xfe\x00\x00garbage")
    assert "not a UTF-8 text file" in refusal(read_poll_csv, binary)
    assert "does not exist" in refusal(read_poll_csv, tmp_path / "none.csv")


def test_the_same_poll_in_two_sources_is_refused(tmp_path: Path) -> None:
    one = write(tmp_path, HEADER + "YouGov,2024-07-01,2024-07-02,1000,GB,22,40,11,16,6,5\n", "a.csv")
    two = write(tmp_path, HEADER + "YouGov,2024-07-01,2024-07-02,1000,GB,22,40,11,16,6,5\n", "b.csv")
    message = refusal(load_polls, [str(one), str(two)])
    assert "the same poll is in two sources: a.csv line 2 and b.csv line 2" in message


def test_an_unknown_sample_size_is_said_so_and_counts_a_nominal_sample(tmp_path: Path) -> None:
    table = read_poll_csv(write(tmp_path, HEADER + "YouGov,2024-07-01,2024-07-02,unknown,GB,22,40,11,16,6,5\n"))
    assert np.isnan(table["sample_size"].iloc[0])


# --- the filter and smoother ------------------------------------------------------------------------


def test_one_series_matches_statsmodels_local_level_model() -> None:
    rng = np.random.default_rng(1)
    n, drift, noise = 150, 0.05, 0.2
    y = np.cumsum(rng.normal(0, drift, n)) + rng.normal(0, noise, n)
    y[rng.random(n) < 0.3] = np.nan  # days without a poll
    model = sm.tsa.UnobservedComponents(y, level="llevel")
    model.ssm.initialize_known(np.array([0.0]), np.array([[10.0]]))
    expected = model.smooth([noise**2, drift**2])
    seen = ~np.isnan(y)
    times = np.arange(n, dtype=float)[seen]
    x0, p0 = initial(1, 1, np.zeros(1), np.array([[10.0 + times[0] * drift**2]]), np.eye(1))
    got = filter_smooth(times, y[seen, None], np.zeros(seen.sum(), dtype=int), 1,
                        lambda k, pred: np.array([[noise**2]]), np.array([[drift**2]]), x0, p0)  # fmt: skip
    np.testing.assert_allclose(got.filtered_mean[:, 0], expected.filtered_state[0, seen], atol=1e-10)
    np.testing.assert_allclose(got.smoothed_mean[:, 0], expected.smoothed_state[0, seen], atol=1e-10)
    np.testing.assert_allclose(got.smoothed_cov[:, 0, 0], expected.smoothed_state_cov[0, 0, seen], atol=1e-10)
    np.testing.assert_allclose(got.loglik, expected.llf_obs[seen].sum(), atol=1e-8)


class _HouseModel(sm.tsa.statespace.MLEModel):  # type: ignore[misc]
    """The same model written directly in statsmodels: one observation a time step, time-varying everything."""

    def __init__(self, y: np.ndarray, designs: np.ndarray, obs_cov: np.ndarray, state_cov: np.ndarray,
                 x0: np.ndarray, p0: np.ndarray) -> None:  # fmt: skip
        size = x0.size
        super().__init__(y, k_states=size, k_posdef=size, initialization="known", initial_state=x0,
                         initial_state_cov=p0)  # fmt: skip
        self.ssm["design"] = designs
        self.ssm["obs_cov"] = obs_cov
        self.ssm["transition"] = np.eye(size)
        self.ssm["selection"] = np.eye(size)
        self.ssm["state_cov"] = state_cov


def test_house_effects_and_missing_parties_match_a_statsmodels_state_space_model() -> None:
    rng = np.random.default_rng(5)
    d, houses, n = 3, 4, 60
    times = np.sort(rng.integers(0, 90, n)).astype(float)
    house = rng.integers(0, houses, n)
    truth = np.cumsum(rng.normal(0, 0.02, (n, d)), axis=0) + np.array([0.3, -0.5, -1.5])
    y = truth + rng.normal(0, 0.05, (n, d)) + np.array([[0.05], [-0.02], [0.0], [-0.03]])[house]
    y[rng.random((n, d)) < 0.15] = np.nan  # parties a poll did not report
    drift = 0.01**2 * isotropic(d)
    x0, p0 = initial(d, houses, y[0].copy().clip(-3, 3), 0.25 * isotropic(d), 0.05**2 * isotropic(d))
    x0 = np.nan_to_num(x0)
    got = filter_smooth(times, y, house, houses, lambda k, pred: (0.04**2 + 0.01 * k / n) * isotropic(d), drift,
                        x0, p0)  # fmt: skip
    designs = np.stack([design(d, houses, int(h)) for h in house], axis=2)
    gaps = np.r_[np.diff(times), 0.0]
    state_cov = np.zeros((x0.size, x0.size, n))
    state_cov[:d, :d, :] = drift[:, :, None] * gaps[None, None, :]
    obs_cov = np.moveaxis(got.obs_cov, 0, 2)
    expected = _HouseModel(y, designs, np.nan_to_num(obs_cov), state_cov, x0, p0).smooth([])
    np.testing.assert_allclose(got.filtered_mean, expected.filtered_state.T, atol=1e-9)
    np.testing.assert_allclose(got.smoothed_mean, expected.smoothed_state.T, atol=1e-9)
    np.testing.assert_allclose(got.loglik, expected.llf, atol=1e-7)
    effects = got.house_effects(got.filtered_mean[-1])
    np.testing.assert_allclose(effects.sum(axis=0), 0.0, atol=1e-12)  # they sum to zero over pollsters


def synthetic(rng: np.random.Generator, house: dict[str, float], polls: dict[str, int], days: int = 60) -> pd.DataFrame:
    """Polls of a steady CON 40, LAB 35, OTH 25 (percent), each pollster ``house`` points off on CON (from LAB)."""
    rows = []
    for pollster, count in polls.items():
        for day in np.sort(rng.integers(0, days, count)):
            con, lab = 40 + house[pollster], 35 - house[pollster]
            share = rng.multinomial(2000, [con / 100, lab / 100, 1 - (con + lab) / 100]) / 20
            start = pd.Timestamp("2024-01-01") + pd.Timedelta(days=int(day))
            rows.append({"pollster": pollster, "fieldwork_start": start, "fieldwork_end": start, "sample_size": 2000,
                         "scope": "GB", "CON": round(share[0]), "LAB": round(share[1])})  # fmt: skip
    return standard(pd.DataFrame(rows))


def test_known_house_effects_are_recovered_and_the_average_is_of_pollsters_not_polls() -> None:
    """A firm polling ten times as often, 3 points high on CON, moves the average by a third of that, not ~3."""
    rng = np.random.default_rng(11)
    house = {"A": 3.0, "B": -1.0, "C": -2.0}
    steady = Settings(drift=0.002)  # the synthetic truth does not move
    avg = poll_average(synthetic(rng, house, {"A": 200, "B": 20, "C": 20}), "GB", "2024-03-01", steady)
    con = avg.parties.index("CON")
    assert abs(100 * avg.share[con] - 40.0) < 0.6, avg.shares()
    for pollster, effect in house.items():
        assert abs(avg.house.loc[pollster, "CON"] - effect) < 0.8, avg.house
    np.testing.assert_allclose(avg.house[list(avg.parties)].sum(axis=0), 0.0, atol=0.15)  # in points, to first order
    assert avg.low[con] < avg.share[con] < avg.high[con]


def test_a_bigger_sample_moves_the_average_more() -> None:
    base = synthetic(np.random.default_rng(3), {"A": 0.0}, {"A": 30})
    last = base["fieldwork_end"].max() + pd.Timedelta(days=1)
    moved = {}
    for size in (500, 5000):
        extra = base.iloc[[-1]].assign(fieldwork_start=last, fieldwork_end=last, sample_size=size, CON=46.0, LAB=29.0)
        moved[size] = poll_average(pd.concat([base, extra]), "GB", str(last.date())).shares()["CON"]
    assert moved[5000] > moved[500] + 0.003


def test_log_ratios_round_trip() -> None:
    shares = np.array([0.4, 0.35, 0.1, 0.15])
    np.testing.assert_allclose(alr_inverse(alr(shares)), shares)


# --- the average on the real polls ------------------------------------------------------------------


def test_the_2019_eve_average_is_within_1_5_points_of_the_final_weeks_polls(data_dir: DataDir, tmp_path: Path) -> None:
    out, plot = tmp_path / "avg.json", tmp_path / "trend.png"
    args = ["polls", "--as-of", "2019-12-11", "--source", "pollbase", "--json", str(out), "--plot", str(plot)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    gb = json.loads(out.read_text())["scopes"]["GB"]["parties"]
    polls = registry_polls(data_dir)
    week = polls[(polls["fieldwork_end"] >= "2019-12-05") & (polls["fieldwork_end"] <= "2019-12-11")]
    for party in ("CON", "LAB"):
        assert abs(100 * gb[party]["mean"] - week[party].mean()) <= 1.5, (party, gb[party], week[party].mean())
        assert gb[party]["low"] < gb[party]["mean"] < gb[party]["high"]
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and plot.stat().st_size > 20_000
    assert "house effects" in result.output


def test_the_2024_final_polls_give_gb_scotland_and_wales_averages(tmp_path: Path) -> None:
    out = tmp_path / "avg.json"
    result = runner.invoke(app, ["polls", "--source", "2024-final", "--as-of", "2024-07-03", "--json", str(out)])
    assert result.exit_code == 0, result.output
    scopes = json.loads(out.read_text())["scopes"]
    assert set(scopes) == {"GB", "Scotland", "Wales"}
    assert 0.37 < scopes["GB"]["parties"]["LAB"]["mean"] < 0.41 and 0.19 < scopes["GB"]["parties"]["CON"]["mean"] < 0.23
    assert scopes["Scotland"]["parties"]["SNP"]["mean"] > 0.28


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--as-of", "2019-13-45"], "--as-of '2019-13-45' is not a date"),
        (["--as-of", "1990-01-01"], "no polls in pollbase ended in the 365 days to 1990-01-01"),
        (["--source", "no-such-polls.csv"], "poll file 'no-such-polls.csv' does not exist"),
        (["--plot", "trend.pdf"], "charts are written as .png or .svg"),
    ],
)
def test_polls_refuses_bad_options_clearly(args: list[str], expected: str, tmp_path: Path) -> None:
    result = runner.invoke(app, ["polls", *args])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert expected in result.output.replace("\n", " "), result.output


def test_settings_default_to_the_maximum_likelihood_fit(data_dir: DataDir) -> None:
    """The shipped drift, noise and house sds are where PollBase's final years' likelihood peaks (docs/model.md)."""
    polls = standard(registry_polls(data_dir))
    dates = ["2010-05-05", "2015-05-06", "2017-06-07", "2019-12-11"]

    def loglik(settings: Settings) -> float:
        return sum(poll_average(polls, "GB", d, settings).loglik for d in dates)

    best = loglik(Settings())
    for change in ({"drift": 0.02}, {"drift": 0.04}, {"noise": 0.025}, {"noise": 0.045}, {"house": 0.1},
                   {"house": 0.2}):  # fmt: skip
        assert loglik(Settings(**change)) < best, change  # type: ignore[arg-type]
