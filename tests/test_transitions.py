"""Vote transitions: the engine's reader of the original voteswitchR files against the derived CSV extract."""

from __future__ import annotations

import pandas as pd
import pytest

from sim.core.errors import DataError
from sim.data.election import DataDir
from sim.data.fetch import data_path
from sim.data.transitions import measured, voteswitchr_switches, wilson, yougov_2019_2024

ELEC_IDS = {"2015": "GB-2015-05", "2017": "GB-2017-06", "2019": "GB-2019-12"}


def _csv(data_dir: DataDir) -> pd.DataFrame:
    # The CSV is an independent extract, next to the registered originals in the data folder.
    folder = data_path("vote_transitions/voteswitchR_switches.rda", data_dir).parent
    return pd.read_csv(folder / "voteswitchR_GB_switches.csv")


@pytest.mark.parametrize("election", list(ELEC_IDS))
def test_reader_matches_the_derived_csv(election: str, data_dir: DataDir) -> None:
    ours = voteswitchr_switches(election, data_dir)
    csv = _csv(data_dir)
    csv = csv[csv["elec_id"] == ELEC_IDS[election]].reset_index(drop=True)
    assert len(ours) == len(csv) > 0
    assert ours["weights"].to_numpy() == pytest.approx(csv["weights"].to_numpy(), nan_ok=True)
    assert (ours["n"].to_numpy() == csv["n"].to_numpy()).all()
    # Party codes map one-to-one onto the CSV's party names.
    pairs = set(zip(ours["from_party"], csv["from_party"], strict=True))
    assert len(pairs) == len({p for p, _ in pairs}) == len({n for _, n in pairs})
    assert ("UKIP", "United Kingdom Independence Party") in pairs
    assert ("ABSTAIN", "Did not vote (code 99)") in pairs


def test_measured_rate_is_the_row_share_of_the_weighted_counts(data_dir: DataDir) -> None:
    t = measured("UKIP", "CON", "2017", data_dir)
    csv = _csv(data_dir)
    row = csv[(csv["elec_id"] == "GB-2017-06") & (csv["from_party"] == "United Kingdom Independence Party")]
    expected = row.loc[row["to_party"] == "Conservative Party", "weights"].sum() / row["weights"].sum()
    assert t.rate == pytest.approx(expected)
    assert t.n == pytest.approx(row["weights"].sum())
    assert t.low < t.rate < t.high
    assert t.survey_n == 2194
    assert "British Election Study" in t.source


def test_wilson_interval() -> None:
    low, high = wilson(5, 10)
    assert (low, high) == pytest.approx((0.2366, 0.7634), abs=1e-4)
    assert wilson(0, 20)[0] == 0.0
    with pytest.raises(DataError):
        wilson(0, 0)


def test_yougov_cell_and_sample(data_dir: DataDir) -> None:
    t = yougov_2019_2024("GRN", "LAB", data_dir)
    assert t.rate == pytest.approx(0.28)
    assert t.n == 1271
    assert yougov_2019_2024("BRX", "REF", data_dir).rate == pytest.approx(0.69)


def test_unknown_transition_is_a_clear_error(data_dir: DataDir) -> None:
    with pytest.raises(DataError, match="choose one of"):
        measured("UKIP", "CON", "2024", data_dir)
    with pytest.raises(DataError, match="no respondents"):
        measured("REF", "CON", "2017", data_dir)
