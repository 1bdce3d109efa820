"""Registry of every public data file the engine reads.

Each entry gives the path relative to the data folder (the same layout as the project's
shared data folder), the sha256 of the original file, and its origin URL: the raw file of
the origin repository at a pinned commit. Generated from the data folder's MANIFEST.csv;
only original files are listed, never derived ones, because a user can only download originals.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DataFile:
    """One file of the public data: where it lives locally, its hash and its origin."""

    path: str
    sha256: str
    url: str


FILES: tuple[DataFile, ...] = (
    DataFile(
        "bes_constituency_results/BES-2019-General-Election-results-file-v1.1.xlsx",
        "9676ff285dac2ea7768eeac862606444a99408d94a36dd7a3da10dbeba379a4a",
        "https://raw.githubusercontent.com/chrishanretty/pairwise_mps/382acb27e23c838233d14a2df098821663b80570/data/BES-2019-General-Election-results-file-v1.1.xlsx",
    ),
    DataFile(
        "polls/PollBase-Q4-2020.xlsx",
        "a80f9a86f3236da8c409cfeaba6bcb4562f5027c82cf7ee087892aa2b69c8524",
        "https://raw.githubusercontent.com/jackobailey/britpol/51a82a3a74a62e0d23b582c30085ba5e533f47af/inst/extdata/PollBase-Q4-2020.xlsx",
    ),
    DataFile(
        "polls/jwhandley_pollbase_2020_2023.csv",
        "c44f02426bcb0b0c56607d7b34f4e3b0f46f82db0e503ae4796a330714d1fdbb",
        "https://raw.githubusercontent.com/jwhandley/UK-Polling-Average/0b6ef60ce0a7d7afce2be12019748856de0e3a67/pollbase.csv",
    ),
    DataFile(
        "by_elections/byelections_2010_2015_candidacies.csv",
        "7527353e2579b6dcc61082cb5da341e1ddb7ee5e063ab3d098c1bc884ac851ab",
        "https://raw.githubusercontent.com/ukparliament/psephology/774c93e64c4d69a5094d0518aef68060c4d74df0/db/data/results-by-parliament/55/by-elections/candidacies.csv",
    ),
    DataFile(
        "by_elections/byelections_2010_2015_constituencies.csv",
        "8a530809859464105f9325cadd7668acf6a3a66f5e9f5f4087ae375fe30abbfb",
        "https://raw.githubusercontent.com/ukparliament/psephology/774c93e64c4d69a5094d0518aef68060c4d74df0/db/data/results-by-parliament/55/by-elections/constituencies.csv",
    ),
    DataFile(
        "by_elections/byelections_2015_2017_candidacies.csv",
        "3bc03325040ee4238fe2a6076cf9bf0b19782e987df67b83b094d667599d4823",
        "https://raw.githubusercontent.com/ukparliament/psephology/774c93e64c4d69a5094d0518aef68060c4d74df0/db/data/results-by-parliament/56/by-elections/candidacies.csv",
    ),
    DataFile(
        "by_elections/byelections_2015_2017_constituencies.csv",
        "30257ac71bd471a8a183c647dd5287ab222d4a81d39317f268d91ab94112cb4a",
        "https://raw.githubusercontent.com/ukparliament/psephology/774c93e64c4d69a5094d0518aef68060c4d74df0/db/data/results-by-parliament/56/by-elections/constituencies.csv",
    ),
    DataFile(
        "by_elections/byelections_2017_2019_candidacies.csv",
        "c2b805fca7471d920c610d01a3aab51893d3dec250fc91c70d55a12486b1127d",
        "https://raw.githubusercontent.com/ukparliament/psephology/774c93e64c4d69a5094d0518aef68060c4d74df0/db/data/results-by-parliament/57/by-elections/candidacies.csv",
    ),
    DataFile(
        "by_elections/byelections_2017_2019_constituencies.csv",
        "2b603b8b98f35f94bf3607de8cb963722fb5a819d9a9e1849a913bde5a246379",
        "https://raw.githubusercontent.com/ukparliament/psephology/774c93e64c4d69a5094d0518aef68060c4d74df0/db/data/results-by-parliament/57/by-elections/constituencies.csv",
    ),
    DataFile(
        "by_elections/byelections_2019_2024_candidacies.csv",
        "a524e6fb785251174d059e9659da263dd955625c73036c2498826b18593f3b1d",
        "https://raw.githubusercontent.com/ukparliament/psephology/774c93e64c4d69a5094d0518aef68060c4d74df0/db/data/results-by-parliament/58/by-elections/candidacies.csv",
    ),
    DataFile(
        "by_elections/byelections_2019_2024_constituencies.csv",
        "da80a836fc3f4d8aca3ecc431b3274aa6e0a998f435bc3e4554a7b027ac5e599",
        "https://raw.githubusercontent.com/ukparliament/psephology/774c93e64c4d69a5094d0518aef68060c4d74df0/db/data/results-by-parliament/58/by-elections/constituencies.csv",
    ),
    DataFile(
        "by_elections/byelections_2024_on_candidacies.csv",
        "f3211799906fee9efabe3cfcbd979f4cd49d44fc8157df3d054b193a3385bc8b",
        "https://raw.githubusercontent.com/ukparliament/psephology/774c93e64c4d69a5094d0518aef68060c4d74df0/db/data/results-by-parliament/59/by-elections/candidacies.csv",
    ),
    DataFile(
        "by_elections/byelections_2024_on_constituencies.csv",
        "df1ebc46eae442f97092a43bbd5c94f97404d3aad5fbf006fdde44cfcf846992",
        "https://raw.githubusercontent.com/ukparliament/psephology/774c93e64c4d69a5094d0518aef68060c4d74df0/db/data/results-by-parliament/59/by-elections/constituencies.csv",
    ),
    DataFile(
        "census_2024_boundaries/2024-UK-General-Election-Census-Constituency-Summaries-File-v1.1.csv",
        "981cd8b104683c95ffe9b7af5a1dd1a8a2b3e6d728c506212b6b7915a327fe8c",
        "https://raw.githubusercontent.com/ralphascott/UKGE24_wpc_census_summaries/d37264281d7ffa9eff6a86a01008c15e331022cc/2024-UK-General-Election-Census-Constituency-Summaries-File-v1.1.csv",
    ),
    DataFile(
        "eu_referendum_2016/Hanretty_Brexit_estimates_2024_boundaries.csv",
        "beca168de9c99e0338a88299215b70e14ca9dcf153d8413688f4a9f54cf108c7",
        "https://raw.githubusercontent.com/ralphascott/UKGE24_wpc_census_summaries/d37264281d7ffa9eff6a86a01008c15e331022cc/data/Hanretty_Brexit_estimates_2024_boundaries.csv",
    ),
    DataFile(
        "eu_referendum_2016/brexit-ni-constituencies.xlsx",
        "0238b9fd7eea52b4d48ba20120d85aa6d9d5105d6e8df13925501981205165f3",
        "https://raw.githubusercontent.com/evanodell/parlitools/004b4ee1a5679ffdf36de7da9b772b1878551284/data-raw/brexit-ni-constituencies.xlsx",
    ),
    DataFile(
        "eu_referendum_2016/hanretty_final_estimates_leave_share_2010_boundaries.xlsx",
        "a81d0881ff1829572608cd221848d462d207daa3ab00dc01b4a5c03aac89b632",
        "https://raw.githubusercontent.com/evanodell/parlitools/004b4ee1a5679ffdf36de7da9b772b1878551284/data-raw/Final%20estimates%20of%20the%20Leave%20vote%20share%20in%20the%20EU%20referendum.xlsx",
    ),
    DataFile(
        "hexmaps/constituencies.hexjson",
        "11c73aee6daec55de06a5dc18e3baabc7c85e9f45333300140f6c55e32e7820e",
        "https://raw.githubusercontent.com/odileeds/hexmaps/1262943ae8f12451f4fb3615c636f051c6221029/maps/constituencies.hexjson",
    ),
    DataFile(
        "hexmaps/uk-constituencies-2023.hexjson",
        "c751a1b4d5709e2f2dfdefa18f1df342dcda14eb275e2b564431747814d16e87",
        "https://raw.githubusercontent.com/odileeds/hexmaps/5383e24a0fbfb1a53e0dcafdf902bf6213e22b75/maps/uk-constituencies-2023.hexjson",
    ),
    DataFile(
        "hoc_general_election_results/HoC-GE2024-results-by-candidate.csv",
        "2fe33932f57423c3b486341c6acefb7307ef0e97f4c40c2bd6a36ec545a7c951",
        "https://raw.githubusercontent.com/ukparliament/psephology/774c93e64c4d69a5094d0518aef68060c4d74df0/db/data/results-by-parliament/59/general-election/candidacies.csv",
    ),
    DataFile(
        "hoc_general_election_results/HoC-GE2024-results-by-constituency.csv",
        "bdc0eff07722a21c80b2ecaaf37b7b220cdd778499f1a30637bce249d77d006d",
        "https://raw.githubusercontent.com/ukparliament/psephology/774c93e64c4d69a5094d0518aef68060c4d74df0/db/data/results-by-parliament/59/general-election/constituencies.csv",
    ),
    DataFile(
        "notional_2019_on_2024_boundaries/parliament_notional_ge2019_candidacies.noheader.csv",
        "625e1c53f295eeb6c164e13434334c29a866b196b0eec0beac27850874f5acd5",
        "https://raw.githubusercontent.com/ukparliament/psephology/774c93e64c4d69a5094d0518aef68060c4d74df0/db/data/results-by-parliament/58/notional-general-election/results.csv",
    ),
    DataFile(
        "parliament_psephology/constituency_area_overlaps_2010_to_2024.noheader.csv",
        "37f0cfa7b9e11c28e16b4334292b85cd90bcc08aff3061c1899569421b807b7b",
        "https://raw.githubusercontent.com/ukparliament/psephology/774c93e64c4d69a5094d0518aef68060c4d74df0/db/data/constituency-area-overlaps.csv",
    ),
    DataFile(
        "parliament_psephology/ge2010_candidacies.noheader.csv",
        "5f7368cd66e8fbfb467c08071f096d4e3bd40a578dd7ff6296252c822fe3daaa",
        "https://raw.githubusercontent.com/ukparliament/psephology/774c93e64c4d69a5094d0518aef68060c4d74df0/db/data/results-by-parliament/55/general-election/candidacies.csv",
    ),
    DataFile(
        "parliament_psephology/notional_ge2005_on_2010_boundaries.csv",
        "832356abd7bf29a8c21a951da15a38aaeaa83048e941831acbe2ea9d42701ee9",
        "https://raw.githubusercontent.com/ukparliament/psephology/774c93e64c4d69a5094d0518aef68060c4d74df0/db/data/results-by-parliament/54/notional-general-election/results.csv",
    ),
    DataFile(
        "parliament_psephology/ge2010_constituencies.noheader.csv",
        "de837ef608e86f888f0c4ac0ec59316173d1a7b55df5f80b9b2939129eab94e1",
        "https://raw.githubusercontent.com/ukparliament/psephology/774c93e64c4d69a5094d0518aef68060c4d74df0/db/data/results-by-parliament/55/general-election/constituencies.csv",
    ),
    DataFile(
        "parliament_psephology/ge2015_candidacies.noheader.csv",
        "dec2d4dd40050e122504e5cbce5653fcaa4d524e5d4630234c0f99917d83b9f4",
        "https://raw.githubusercontent.com/ukparliament/psephology/774c93e64c4d69a5094d0518aef68060c4d74df0/db/data/results-by-parliament/56/general-election/candidacies.csv",
    ),
    DataFile(
        "parliament_psephology/ge2015_constituencies.noheader.csv",
        "8ef13047dff0d89e9f8dc55187b28530e6daa1836fc64325efcdceef8ed0c099",
        "https://raw.githubusercontent.com/ukparliament/psephology/774c93e64c4d69a5094d0518aef68060c4d74df0/db/data/results-by-parliament/56/general-election/constituencies.csv",
    ),
    DataFile(
        "parliament_psephology/ge2017_candidacies.noheader.csv",
        "1720a20e4ae0cc786dd4185c0ee11b8b85612f85f8f2d882149d73c5fa8bc584",
        "https://raw.githubusercontent.com/ukparliament/psephology/774c93e64c4d69a5094d0518aef68060c4d74df0/db/data/results-by-parliament/57/general-election/candidacies.csv",
    ),
    DataFile(
        "parliament_psephology/ge2017_constituencies.noheader.csv",
        "0fe0447065df37f52343f73c85cde93eea79fc6d89e2fe4609dda1c364b5c614",
        "https://raw.githubusercontent.com/ukparliament/psephology/774c93e64c4d69a5094d0518aef68060c4d74df0/db/data/results-by-parliament/57/general-election/constituencies.csv",
    ),
    DataFile(
        "parliament_psephology/ge2019_candidacies.noheader.csv",
        "5a057ae4a33423af406f9da8d980759dad4036bca836bbde2c7a3d5774bfaae3",
        "https://raw.githubusercontent.com/ukparliament/psephology/774c93e64c4d69a5094d0518aef68060c4d74df0/db/data/results-by-parliament/58/general-election/candidacies.csv",
    ),
    DataFile(
        "parliament_psephology/ge2019_constituencies.noheader.csv",
        "447288168ce9850a3e41b79aeb2c637e059fcb3c23d64d6566535e5d5d7fb394",
        "https://raw.githubusercontent.com/ukparliament/psephology/774c93e64c4d69a5094d0518aef68060c4d74df0/db/data/results-by-parliament/58/general-election/constituencies.csv",
    ),
    DataFile(
        "parliament_psephology/revised_constituency_ids_scotland_2024.noheader.csv",
        "b40a8dd596288913981f05ebd14153442b2a1037157b4edf468db65cf9a9f564",
        "https://raw.githubusercontent.com/ukparliament/psephology/774c93e64c4d69a5094d0518aef68060c4d74df0/db/data/revised_constituency_ids.csv",
    ),
    DataFile(
        "settlement_classification/pcon-classification-csv.csv",
        "d53f241273be34b77fe9e2ade960bab55d069fc43fe1b279e4b0f9a910080ac3",
        "https://raw.githubusercontent.com/markrt/culturalrecoveryfund/46b1fff78095df116a867b49651d54c4c3f2545b/pcon-classification-csv.csv",
    ),
    DataFile(
        "settlement_classification/pcon_2025_ruc.csv",
        "82068bf689931651738f5b78f661e9458a006f64d60ecdcadde7a9f98c62c785",
        "https://raw.githubusercontent.com/mysociety/uk_ruc/2011efc97c78da0f2cce82060f109665abe360ab/data/packages/uk_ruc/pcon_2025_ruc.csv",
    ),
    DataFile(
        "settlement_classification/pcon_ruc.csv",
        "0ab0fd62e46443a0db20e1c86ebfeedfd1d7beae6140060faeda034f955a1b1f",
        "https://raw.githubusercontent.com/mysociety/uk_ruc/2011efc97c78da0f2cce82060f109665abe360ab/data/packages/uk_ruc/pcon_ruc.csv",
    ),
    DataFile(
        "vote_transitions/YouGovPivot.xlsx",
        "663d629f98c32c591bbddaecdc662c0f47ea61315c1943546d8eefd402ac5320",
        "https://raw.githubusercontent.com/adamraczkowski/ukgenelec2024/348c3ec4921fd53db08f6cd8b83e7da7a7d3c9fb/YouGovPivot.xlsx",
    ),
    DataFile(
        "vote_transitions/voteswitchR_data_guide.rda",
        "e35ef6dfdfbbcc40d4cdf4a4e1bdf100361a6c9d32e3d001694713a020cc60f3",
        "https://raw.githubusercontent.com/denis-cohen/voteswitchR/52b41fe17c15d16761a27301529ee6b6d1d1df1b/data/data_guide.rda",
    ),
    DataFile(
        "vote_transitions/voteswitchR_mappings.rda",
        "ca4b0e9b467fdd61326d23457a709b0da537abb22506531188e7423dc7b3d60a",
        "https://raw.githubusercontent.com/denis-cohen/voteswitchR/52b41fe17c15d16761a27301529ee6b6d1d1df1b/data/mappings.rda",
    ),
    DataFile(
        "vote_transitions/voteswitchR_switches.rda",
        "1159675dc01bc3def96895745a14dd371584eb807ce5eb0f07304fcb1e0c0700",
        "https://raw.githubusercontent.com/denis-cohen/voteswitchR/52b41fe17c15d16761a27301529ee6b6d1d1df1b/data/switches.rda",
    ),
)

BY_PATH: dict[str, DataFile] = {f.path: f for f in FILES}
