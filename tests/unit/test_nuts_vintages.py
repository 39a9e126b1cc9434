"""NUTS 2010/2013/2016/2021 correspondences, checked against known reforms."""

from __future__ import annotations

import pandas as pd
import pytest

from clusteratlas.data.nuts_vintages import (
    CHANGE_TYPES,
    detect_version,
    match_region,
    nuts_codes,
    nuts_correspondence,
    recode_regions,
    suggest_code,
)
from clusteratlas.errors import ParameterError, UnknownCodeError


def links_of(table, code):
    rows = table[table["from_code"] == code]
    return sorted(zip(rows["to_code"], rows["change"], strict=True))


def test_france_2016_recodes_the_former_regions_and_keeps_ile_de_france():
    links = nuts_correspondence(2013, 2016)
    assert links_of(links, "FR71") == [("FRK2", "recoded")]  # Rhône-Alpes
    assert links_of(links, "FR10") == [("FR10", "unchanged")]  # Île-de-France
    assert links_of(links, "FR30") == [("FRE1", "recoded")]  # Nord-Pas-de-Calais
    assert links_of(links, "FRA5") == [("FRY5", "recoded")]  # Mayotte
    france = links[links["from_code"].str.startswith("FR")]
    # The 21 other metropolitan régions and the 5 overseas régions keep their territory.
    assert (france["change"] == "recoded").sum() == 26


def test_known_splits_and_mergers():
    links = nuts_correspondence(2013, 2016)
    assert links_of(links, "IE01") == [("IE04", "split"), ("IE06", "split")]
    assert links_of(links, "IE02") == [("IE05", "split"), ("IE06", "split")]
    assert links_of(links, "LT00") == [("LT01", "split"), ("LT02", "split")]
    assert links_of(links, "HU10") == [("HU11", "split"), ("HU12", "split")]
    later = nuts_correspondence(2016, 2021)
    # Croatia 2021: Kontinentalna Hrvatska divided into three regions.
    assert links_of(later, "HR04") == [("HR02", "split"), ("HR05", "split"), ("HR06", "split")]
    # Vijfheerenlanden moved from Zuid-Holland (NL33) to Utrecht (NL31): a boundary shift.
    assert links_of(later, "NL33") == [("NL31", "boundary_changed"), ("NL33", "boundary_changed")]
    # Oslo and Akershus (NO01) went whole into the new Viken region with other parts.
    assert links_of(later, "NO01") == [("NO08", "merged")]
    # Greece 2013: the former codes EL11-EL25 renumbered with their territory.
    assert links_of(nuts_correspondence(2010, 2013), "EL14") == [("EL61", "recoded")]


def test_shares_of_a_split_add_up_to_the_whole_region():
    links = nuts_correspondence(2013, 2016)
    for code in ("IE01", "IE02", "LT00", "HU10", "PL12"):
        assert links.loc[links["from_code"] == code, "from_share"].sum() == pytest.approx(
            1.0, abs=1e-3
        )
    # IE06 (Eastern and Midland) receives from both IE01 and IE02.
    assert links.loc[links["to_code"] == "IE06", "to_share"].sum() == pytest.approx(1, abs=1e-3)


def test_chains_compose_and_reverse():
    assert links_of(nuts_correspondence(2010, 2021), "FR71") == [("FRK2", "recoded")]
    assert links_of(nuts_correspondence(2010, 2021), "DE11") == [("DE11", "unchanged")]
    assert links_of(nuts_correspondence(2010, 2021), "EL14") == [("EL61", "recoded")]
    back = nuts_correspondence(2021, 2013)
    assert links_of(back, "FRK2") == [("FR71", "recoded")]
    # Going back, a region created by a split lies within the old one: a merger seen
    # from the new code's side.
    assert links_of(back, "HR05") == [("HR04", "merged")]
    assert set(back["change"]) <= set(CHANGE_TYPES)


def test_versions_are_checked():
    with pytest.raises(ParameterError, match="'from_version' parameter must be one of"):
        nuts_correspondence(2006, 2013)


def test_recode_replaces_only_regions_that_kept_their_territory():
    frame = pd.DataFrame(
        {"region": ["FR71", "IE01", "DE11", "DEZZ"], "employment": [10.0, 20.0, 30.0, 1.0]}
    )
    out = recode_regions(frame, from_version=2013, to_version=2021)
    assert out["region"].tolist() == ["FRK2", "IE01", "DE11", "DEZZ"]
    assert out["region_change"].tolist() == ["recoded", "split", "unchanged", "not_in_table"]
    assert out["region_original"].tolist() == ["FR71", "IE01", "DE11", "DEZZ"]
    assert out["employment"].tolist() == [10.0, 20.0, 30.0, 1.0]  # nothing merged or summed
    assert frame["region"].tolist() == ["FR71", "IE01", "DE11", "DEZZ"]  # input untouched


def test_a_code_of_another_version_is_explained():
    nuts2013 = nuts_codes(2013)
    assert detect_version(nuts2013) == 2013
    assert (
        suggest_code("FRK2", nuts2013, names={"FR71": "Rhône-Alpes"})
        == "FRK2 is NUTS 2016 Rhône-Alpes; these data use NUTS 2013: FR71."
    )
    assert (
        suggest_code("FR71", nuts_codes(2021))
        == "FR71 is NUTS 2013; these data use NUTS 2021: FRK2."
    )
    assert suggest_code("IE06", nuts2013) == (
        "IE06 is NUTS 2016; these data use NUTS 2013, where its territory lies within IE01, IE02."
    )
    assert suggest_code("DED2", nuts2013) == ""
    assert suggest_code("DEX9", nuts2013).startswith("Did you mean")


def test_match_region_understands_case_and_vintages():
    nuts2013 = sorted(nuts_codes(2013))
    assert match_region("ded2", nuts2013) == "DED2"
    assert match_region("FRK2", nuts2013) == "FR71"
    with pytest.raises(UnknownCodeError, match=r"^--region IE06: not a region of these data\."):
        match_region("IE06", nuts2013)


@pytest.mark.slow
def test_most_nuts_2013_codes_of_the_sbs_file_map_one_to_one(data_dir):
    from clusteratlas.data.eurostat import read_eurostat_sbs

    codes = sorted(set(read_eurostat_sbs(nuts_level=2, nace_level="section")["region"]))
    frame = pd.DataFrame({"region": codes})
    to_2016 = recode_regions(frame, from_version=2013, to_version=2016)
    to_2021 = recode_regions(frame, from_version=2013, to_version=2021)
    in_table = to_2016["region_change"] != "not_in_table"
    # The file also holds NUTS 2006/2010 codes (EL11-EL25, ITD/ITE, FR91-94) and
    # extra-regio codes, which are not NUTS 2013 codes: they are reported, not recoded.
    assert {"EL14", "ITD1", "FR91", "ELZZ"} <= set(to_2016.loc[~in_table, "region"])
    one_to_one_2016 = to_2016.loc[in_table, "region_change"].isin(["unchanged", "recoded"])
    one_to_one_2021 = to_2021.loc[in_table, "region_change"].isin(["unchanged", "recoded"])
    assert one_to_one_2016.mean() > 0.95
    assert one_to_one_2021.mean() > 0.9
    germany = to_2021[to_2021["region"].str.startswith("DE") & in_table]
    assert set(germany["region_change"]) == {"unchanged"}
    assert set(to_2016.loc[to_2016["region_original"] == "FR10", "region"]) == {"FR10"}
