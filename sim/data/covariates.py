"""Seat covariates: EU-referendum Leave share, settlement class, urban/rural class, census.

One table per boundary set, indexed by ONS seat code, with these columns (fractions are 0-1):

``leave``
    Estimated Leave share in the 2016 EU referendum (Hanretty 2017; NI seats counted directly).
``city_share``, ``town_share``, ``village_share``
    Population shares by Commons Library city/town class (CBP-8322; GB only). On the 2024
    boundaries they are carried over from the 2010-set seats, weighted by population overlap.
``settlement``
    The class holding most of the seat's population (Core City (London), Core City (outside
    London), Other City, Large Town, Medium Town, Small Town, Village or smaller).
``settlement_group``
    ``city``, ``town`` or ``village``: the coarse group of ``settlement``.
``urban``
    Population share in urban areas (mySociety composite urban/rural classification).
``ruc``
    mySociety label: Urban, Urban with rural areas, Rural, Sparse and rural.
``degree``, ``age65``, ``density``
    Census (2011 on the 2010 boundaries via the BES results file; 2021/22 on the 2024 boundaries
    via the census summaries file): share with a degree (level 4+), share aged 65+, persons per
    hectare. Missing for most Scottish seats (the sources lack them) and for NI.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.data.names import COVARIATES
from sim.data.readers import DataDir, overlaps, read_csv, read_excel, scottish_code_fixes

if TYPE_CHECKING:
    import pandas as pd

SETTLEMENT_CLASSES = (
    "Core City (London)", "Core City (outside London)", "Other City", "Large Town",
    "Medium Town", "Small Town", "Village or smaller",
)  # fmt: skip
_GROUP = {
    "Core City (London)": "city", "Core City (outside London)": "city", "Other City": "city",
    "Large Town": "town", "Medium Town": "town", "Small Town": "town",
    "Village or smaller": "village",
}  # fmt: skip


def _settlement_shares_2010(data_dir: DataDir) -> pd.DataFrame:
    frame = read_csv("settlement_classification/pcon-classification-csv.csv", data_dir)
    canon = {c.lower(): c for c in SETTLEMENT_CLASSES}
    frame["classification"] = frame["classification"].str.lower().map(canon)
    shares = frame.pivot_table(
        index="constituency_code", columns="classification",
        values="percent_of_constituency", aggfunc="sum", fill_value=0.0,
    )  # fmt: skip
    return shares.reindex(columns=list(SETTLEMENT_CLASSES), fill_value=0.0)


def _settlement_columns(shares: pd.DataFrame) -> pd.DataFrame:
    import pandas as pd

    out = pd.DataFrame(index=shares.index)
    for group in ("city", "town", "village"):
        cols = [c for c in SETTLEMENT_CLASSES if _GROUP[c] == group]
        out[f"{group}_share"] = shares[cols].sum(axis=1)
    out["settlement"] = shares.idxmax(axis=1)
    out["settlement_group"] = out["settlement"].map(_GROUP)
    return out


def _leave_2010(data_dir: DataDir) -> pd.Series:
    import pandas as pd

    gb = read_excel("eu_referendum_2016/hanretty_final_estimates_leave_share_2010_boundaries.xlsx", data_dir)
    ni = read_excel("eu_referendum_2016/brexit-ni-constituencies.xlsx", data_dir)
    return pd.concat([
        gb.dropna(subset=["PCON11CD"]).set_index("PCON11CD")["Figure to use"].astype(float),
        ni.dropna(subset=["gss_code"]).set_index("gss_code")["figure_to_use"].astype(float) / 100.0,
    ])  # fmt: skip


def _age65(frame: pd.DataFrame, columns: list[str]) -> pd.Series:
    return frame[columns].sum(axis=1, min_count=len(columns)) / 100.0


def covariates_2010(seat_ids: list[str], data_dir: DataDir) -> pd.DataFrame:
    """Covariates for the 2010-2024 boundary set (GE 2010, 2015, 2017, 2019)."""
    import pandas as pd

    out = pd.DataFrame(index=pd.Index(seat_ids, name="seat_id"))
    out["leave"] = _leave_2010(data_dir).reindex(out.index)
    out = out.join(_settlement_columns(_settlement_shares_2010(data_dir)))
    ruc = read_csv("settlement_classification/pcon_ruc.csv", data_dir).set_index("gss-code")
    out["urban"] = ruc["urban"].reindex(out.index)
    out["ruc"] = ruc["ruc-cluster-label"].reindex(out.index)
    bes = read_excel("bes_constituency_results/BES-2019-General-Election-results-file-v1.1.xlsx", data_dir, "Data")
    bes = bes.set_index("ONSConstID")
    out["degree"] = (bes["c11Degree"] / 100.0).reindex(out.index)
    out["age65"] = _age65(bes, ["c11Age65to74", "c11Age75to84", "c11Age85to89", "c11Age90plus"]).reindex(out.index)
    out["density"] = bes["c11PopulationDensity"].reindex(out.index)
    return out[list(COVARIATES)]


def covariates_2024(seat_ids: list[str], seat_names: list[str], data_dir: DataDir) -> pd.DataFrame:
    """Covariates for the 2024 boundary set (GE 2024 and the notional 2019 result)."""
    import pandas as pd

    out = pd.DataFrame(index=pd.Index(seat_ids, name="seat_id"))
    pieces = overlaps(data_dir)
    weight = pieces["To population overlap"].to_numpy(dtype=float)

    hanretty = read_csv("eu_referendum_2016/Hanretty_Brexit_estimates_2024_boundaries.csv", data_dir)
    hanretty["gss_code"] = hanretty["gss_code"].replace(scottish_code_fixes(data_dir))
    leave = hanretty.set_index("gss_code")["LeavePct"].astype(float).reindex(out.index)
    out["leave"] = leave.fillna(
        carry_over(_leave_2010(data_dir), pieces, weight).reindex(out.index)
    )  # NI seats: carried over by population overlap
    old_shares = _settlement_shares_2010(data_dir)
    shares = pd.DataFrame({c: carry_over(old_shares[c], pieces, weight).reindex(out.index) for c in SETTLEMENT_CLASSES})
    gb = shares.notna().all(axis=1)
    settled = _settlement_columns(shares[gb])
    out = out.join(settled)
    ruc = read_csv("settlement_classification/pcon_2025_ruc.csv", data_dir).set_index("constituency-name")
    by_name = pd.Series(seat_names, index=out.index)
    out["urban"] = ruc["urban"].reindex(by_name).to_numpy()
    out["ruc"] = ruc["label"].reindex(by_name).to_numpy()
    census = read_csv(
        "census_2024_boundaries/2024-UK-General-Election-Census-Constituency-Summaries-File-v1.1.csv", data_dir
    )
    census = census.set_index("ONSConstID")
    out["degree"] = (census["c21QualLevel4"] / 100.0).reindex(out.index)
    ages = ["c21Age65to69", "c21Age70to74", "c21Age75to79", "c21Age80to84", "c21Age85plus"]
    out["age65"] = _age65(census, ages).reindex(out.index)
    out["density"] = census["c21PopulationDensity"].reindex(out.index)
    return out[list(COVARIATES)]


def carry_over(values: pd.Series, pieces: pd.DataFrame, weight: np.ndarray) -> pd.Series:
    """Population-weighted mean of an old-seat value over the pieces of each new seat.

    ``values`` are indexed by 2010-set seat codes, ``pieces`` is :func:`sim.data.readers.overlaps`
    and ``weight`` its overlap weights; pieces with no value (NaN) are left out, and a new seat
    with none is NaN.
    """
    import pandas as pd

    v = values.reindex(pieces["From ONS ID"]).to_numpy(dtype=float)
    ok = ~np.isnan(v)
    frame = pd.DataFrame(
        {"to": pieces["To ONS ID"], "wx": np.where(ok, weight * v, 0.0), "w": np.where(ok, weight, 0.0)}
    )
    sums = frame.groupby("to")[["wx", "w"]].sum()
    return sums["wx"] / sums["w"].where(sums["w"] > 0)
