"""The data files each election is built from, declared once.

The parsed-election cache is keyed by the sha256 of exactly these files, and a build that reads a
file not declared here fails (:func:`sim.data.build.build` records every file it reads), so a
reader that starts reading a new file cannot leave a stale cache behind.
"""

from __future__ import annotations

_COMMON = (
    "eu_referendum_2016/hanretty_final_estimates_leave_share_2010_boundaries.xlsx",
    "eu_referendum_2016/brexit-ni-constituencies.xlsx",
    "settlement_classification/pcon-classification-csv.csv",
)
_BOUNDARIES_2024 = (
    *_COMMON,
    "hoc_general_election_results/HoC-GE2024-results-by-constituency.csv",
    "parliament_psephology/constituency_area_overlaps_2010_to_2024.noheader.csv",
    "parliament_psephology/revised_constituency_ids_scotland_2024.noheader.csv",
    "eu_referendum_2016/Hanretty_Brexit_estimates_2024_boundaries.csv",
    "settlement_classification/pcon_2025_ruc.csv",
    "census_2024_boundaries/2024-UK-General-Election-Census-Constituency-Summaries-File-v1.1.csv",
)


def _general(year: str) -> tuple[str, ...]:
    return (
        *_COMMON,
        f"parliament_psephology/ge{year}_constituencies.noheader.csv",
        f"parliament_psephology/ge{year}_candidacies.noheader.csv",
        "settlement_classification/pcon_ruc.csv",
        "bes_constituency_results/BES-2019-General-Election-results-file-v1.1.xlsx",
    )


ELECTION_FILES: dict[str, tuple[str, ...]] = {
    **{year: _general(year) for year in ("2010", "2015", "2017", "2019")},
    "2005-notional": (
        *_COMMON,
        "parliament_psephology/ge2010_constituencies.noheader.csv",
        "parliament_psephology/notional_ge2005_on_2010_boundaries.csv",
        "settlement_classification/pcon_ruc.csv",
        "bes_constituency_results/BES-2019-General-Election-results-file-v1.1.xlsx",
    ),
    "2024": (*_BOUNDARIES_2024, "hoc_general_election_results/HoC-GE2024-results-by-candidate.csv"),
    "2019-notional": (
        *_BOUNDARIES_2024,
        "notional_2019_on_2024_boundaries/parliament_notional_ge2019_candidacies.noheader.csv",
    ),
}
"""Registered data files (paths in the data folder) each election reads, by election name."""

BUILD_VERSION = "4"
"""Bump when a builder changes what it produces: parsed elections cached under an older version are rebuilt."""
