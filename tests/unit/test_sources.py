"""The map sources (``mapping/sources.py``) without the data mirror.

Written for the mutation run of issue 16: each source's data set per year, its
attribution, its category definitions, region names from a tiny boundary file, the notes of
County Business Patterns and the store's reuse of a parsed file (served by the loopback
publisher server in the Census Bureau's own zip format).
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from _publisher_files import LAYOUT_2016, ROWS, sdmx_csv, zipped
from clusteratlas.data.boundaries_us import cbsa_titles
from clusteratlas.data.catalog import attribution
from clusteratlas.data.definitions import (
    ecosystem_definitions,
    nace_division_definitions,
    us_benchmark_definitions,
)
from clusteratlas.errors import ParameterError
from clusteratlas.mapping.sources import (
    get_source,
    load_definitions,
    load_observations,
    region_names,
    source_notes,
)
from clusteratlas.store import Store

US, EU, EU21 = get_source("us-cbp"), get_source("eu-sbs"), get_source("eu-sbs-nuts2021")


def test_sources_by_name() -> None:
    assert (US.name, EU.name, EU21.name) == ("us-cbp", "eu-sbs", "eu-sbs-nuts2021")
    assert (US.is_eu, EU.is_eu, EU21.is_eu) == (False, True, True)
    with pytest.raises(ParameterError, match=r"'source'.*'eu-sbs', 'us-cbp', 'eu-sbs-nuts2021'"):
        get_source("us-qcew")


def test_one_file_per_year_for_county_business_patterns() -> None:
    assert US.dataset_for() == "cbp2019_cbsa"
    assert US.dataset_for(2016) == "cbp2016_cbsa"
    assert EU.dataset_for(2016) == EU.dataset == "sbs_r_nuts06_r2"  # one file for every year
    with pytest.raises(
        ParameterError,
        match=r"^The 'year' option of us-cbp must be one of the years with a file in the "
        r"catalog \(2012–2022\)\. Got 2030 instead\.$",
    ):
        US.dataset_for(2030)


def test_attribution_names_every_file_a_map_is_built_from() -> None:
    assert US.attribution(year=2016) == attribution(
        ("cbp2016_cbsa", "us_cbsa_crosswalk", "us_counties")
    )
    assert "Source: U.S. Census Bureau, County Business Patterns 2016" in US.attribution(year=2016)
    assert EU.attribution(("us_counties",)) == attribution(
        ("sbs_r_nuts06_r2", "nuts2013_level2", "us_counties")
    )


def test_category_definitions_of_each_family() -> None:
    pd.testing.assert_frame_equal(load_definitions(EU), nace_division_definitions())
    pd.testing.assert_frame_equal(load_definitions(EU, "ecosystems"), ecosystem_definitions())
    pd.testing.assert_frame_equal(load_definitions(US), us_benchmark_definitions(kind="traded"))
    pd.testing.assert_frame_equal(
        load_definitions(US, "local"), us_benchmark_definitions(kind="local")
    )
    with pytest.raises(
        ParameterError, match=r"'categories'.*'traded', 'local', 'all'.*Got 'divisions'"
    ):
        load_definitions(US, "divisions")


def test_category_definitions_from_a_csv(tmp_path: Path) -> None:
    path = tmp_path / "mine.CSV"
    path.write_text("industry,category\n3361,Autos\n3362,Autos\n", encoding="utf-8")
    out = load_definitions(US, str(path))
    assert out["category"].tolist() == ["Autos", "Autos"]
    assert out["industry"].tolist() == ["3361", "3362"]


def test_us_region_names_come_from_the_packaged_crosswalk() -> None:
    names = region_names(US)
    assert names == cbsa_titles() and len(names) > 900


@pytest.mark.parametrize("topology", [False, True])
def test_eu_region_names_from_a_boundary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, topology: bool
) -> None:
    # A region's code is NUTS_ID, else id in its properties, else the feature's id; its name
    # Name, else NUTS_NAME, else name, else the code itself.
    features = [
        {"id": "x1", "properties": {"NUTS_ID": "DE21", "NUTS_NAME": "Oberbayern"}},
        {"id": "x2", "properties": {"id": "FR10", "name": "Île-de-France"}},
        {"id": "ITC4", "properties": {"Name": "Lombardia"}},
        {"id": "PL21", "properties": {}},
        {"properties": {"NUTS_NAME": "no code"}},
        {"id": "ES30"},  # no properties at all
    ]
    if topology:
        document = {"type": "Topology", "objects": {"msas": {"geometries": features}}}
    else:
        document = {"type": "FeatureCollection", "features": features}
    folder = tmp_path / "mirror"
    (folder / "eu").mkdir(parents=True)
    (folder / "eu" / "nuts2013_level2.geojson").write_text(json.dumps(document), encoding="utf-8")
    monkeypatch.setenv("CLUSTERATLAS_DATA", str(folder))
    assert region_names(EU) == {
        "DE21": "Oberbayern",
        "FR10": "Île-de-France",
        "ITC4": "Lombardia",
        "PL21": "PL21",
        "ES30": "ES30",
    }


def _cbp(rows: list[tuple[str, float]], year: int = 2016) -> pd.DataFrame:
    return pd.DataFrame(
        [("31080", code, year, value) for code, value in rows],
        columns=["region", "industry", "year", "employment"],
    )


def test_notes_of_county_business_patterns() -> None:
    assert source_notes(EU, year=2016, observations=_cbp([("336411", 5.0)])) == []
    # 2016: NAICS 2012 codes and the 2013 delineation. 999991 and 999992 are in no benchmark
    # cluster: 30 of 100 jobs plus a withheld value, listed largest first.
    data = _cbp([("336411", 70.0), ("999991", 30.0), ("999992", np.nan), ("3364", 500.0)])
    notes = source_notes(US, year=2016, observations=data)
    assert notes[0] == (
        "CBP 2016 codes industries in NAICS 2012; the benchmark cluster definitions use NAICS "
        "2017 codes, so industries recoded between the two vintages are not matched."
    )
    assert notes[1] == (
        "CBP 2016 CBSA codes follow OMB Bulletin 13-01 (February 2013) (UNCONFIRMED); "
        "CBSAs redrawn since differ from the boundary file."
    )
    assert notes[2] == (
        "2 NAICS code(s) of CBP 2016 are in no benchmark cluster and are not mapped "
        "(5.0% of the employment in the file): 999991 (30), 999992 (withheld)"
    )
    # 2019 codes industries in NAICS 2017: no vintage note, and nothing unmatched.
    only = source_notes(US, year=2019, observations=_cbp([("336411", 70.0)], year=2019))
    assert len(only) == 1 and only[0].startswith("CBP 2019 CBSA codes follow")


def test_notes_list_ten_unmatched_codes_at_most() -> None:
    data = _cbp([(f"99999{i}", 10.0 + i) for i in range(10)] + [("999900", 1.0)])
    note = source_notes(US, year=2016, observations=data)[-1]
    assert note.startswith("11 NAICS code(s) of CBP 2016")
    assert note.endswith(" …") and "999900" not in note and "999999 (19)" in note


def test_observations_are_parsed_once_and_kept_in_the_store(
    publisher_server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLUSTERATLAS_DATA", str(tmp_path / "mirror"))
    publisher_server.put(
        "www2.census.gov/programs-surveys/cbp/datasets/2016/cbp16msa.zip",
        zipped("cbp16msa.txt", LAYOUT_2016),
    )
    store = Store(tmp_path / "store.duckdb")
    first = load_observations(US, store=store, year=2016)
    assert set(first["year"]) == {2016} and "336411" in set(first["industry"])
    table = "observations_us_cbp_cbp2016_cbsa"
    assert store.has(table)
    metadata = store.metadata(table)
    assert metadata["dataset"] == "cbp2016_cbsa"
    assert metadata["attribution"] == US.attribution(year=2016)
    fingerprint = metadata["fingerprint"]
    assert set(fingerprint) == {"path", "size", "mtime"}  # the stored format: stores outlive runs
    assert fingerprint["size"] == Path(fingerprint["path"]).stat().st_size > 0
    # The second call reads the store; a file changed since (here its time) is parsed again,
    # for its own year.
    from clusteratlas.mapping import sources

    calls: list[int | None] = []
    real = sources._READERS["us-cbp"]

    def counting(path: Path, year: int | None) -> pd.DataFrame:
        calls.append(year)
        return real(path, year)

    monkeypatch.setitem(sources._READERS, "us-cbp", counting)
    again = load_observations(US, store=store, year=2016)
    pd.testing.assert_frame_equal(again.reset_index(drop=True), first.reset_index(drop=True))
    assert calls == []
    stamp = Path(fingerprint["path"]).stat().st_mtime + 60
    os.utime(fingerprint["path"], (stamp, stamp))
    load_observations(US, store=store, year=2016)
    assert calls == [2016]
    host_path = "www2.census.gov/programs-surveys/cbp/datasets/2016/cbp16msa.zip"
    assert publisher_server.requests[host_path] == 1


EU_TSV = (
    "nace_r2,indic_sb,geo\\time\t2015 \t2014 \n"
    "C,V16110,DE11\t100 \t90 \n"  # a section: not a division
    "C26,V16110,DE11\t24402 \t22869 \n"
    "C26,V16110,DE1\t50000 \t49000 \n"  # NUTS 1
    "C26,V16110,DE\t900000 \t890000 \n"  # a country
    "C26,V16110,DEZZ\t7 \t6 \n"  # extra-regio
    "G451,V16110,DE11\t7000 \t6900 \n"  # a group
    "C26,V16110,FR10\t333 \t12 \n"
)


def test_eu_sources_read_nuts_2_divisions_without_extra_regio(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Both Eurostat files, written in their publisher formats into an otherwise empty mirror.
    folder = tmp_path / "mirror"
    (folder / "eu").mkdir(parents=True)
    (folder / "eu" / "sbs_r_nuts06_r2.tsv.gz").write_bytes(gzip.compress(EU_TSV.encode()))
    (folder / "eu" / "sbs_r_nuts2021.csv.gz").write_bytes(gzip.compress(sdmx_csv(ROWS).encode()))
    monkeypatch.setenv("CLUSTERATLAS_DATA", str(folder))
    for source, regions in ((EU, {"DE11", "FR10"}), (EU21, {"DED2", "FRK2", "NL33"})):
        frame = load_observations(source)
        assert set(frame["region"]) == regions, source.name
        assert set(frame["industry"]) == {"C26"}, source.name
        assert frame.index.equals(pd.RangeIndex(len(frame))) and "index" not in frame.columns
    assert (
        load_observations(EU).set_index(["region", "year"]).loc[("DE11", 2015), "employment"]
        == 24402
    )


def test_county_business_patterns_keep_6_digit_industries(
    publisher_server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLUSTERATLAS_DATA", str(tmp_path / "mirror"))
    publisher_server.put(
        "www2.census.gov/programs-surveys/cbp/datasets/2016/cbp16msa.zip",
        zipped("cbp16msa.txt", LAYOUT_2016),
    )
    frame = load_observations(US, year=2016)
    assert set(frame["industry"]) == {"336411", "541511"}
    assert set(frame["year"]) == {2016}


def test_region_names_are_read_as_utf_8_whatever_the_locale(tmp_path: Path) -> None:
    # A boundary file is UTF-8 (GeoJSON's encoding) even where the locale says ASCII, as on
    # a minimal server, or a Windows code page.
    folder = tmp_path / "mirror"
    (folder / "eu").mkdir(parents=True)
    document = {"type": "FeatureCollection",
                "features": [{"properties": {"NUTS_ID": "FR10", "NUTS_NAME": "Île-de-France"}}]}  # fmt: skip
    (folder / "eu" / "nuts2013_level2.geojson").write_text(json.dumps(document, ensure_ascii=False),
                                                            encoding="utf-8")  # fmt: skip
    code = (
        "from clusteratlas.mapping.sources import get_source, region_names\n"
        "print(region_names(get_source('eu-sbs'))['FR10'].encode('unicode_escape').decode())"
    )
    env = {**os.environ, "CLUSTERATLAS_DATA": str(folder), "LC_ALL": "C",
           "PYTHONCOERCECLOCALE": "0", "PYTHONUTF8": "0"}  # fmt: skip
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          check=False, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "\\xcele-de-France"


def test_notes_with_ten_codes_and_with_tiny_or_empty_totals() -> None:
    ten = source_notes(
        US, year=2019, observations=_cbp([(f"99999{i}", 1.0) for i in range(10)], year=2019)
    )
    assert ten[-1].startswith("10 NAICS code(s)") and not ten[-1].endswith("…")
    # One job in the whole file, unmatched: 100 %; no job at all: the share is unknown.
    one = source_notes(US, year=2019, observations=_cbp([("999991", 1.0)], year=2019))
    assert "(100.0% of the employment in the file)" in one[-1]
    none = source_notes(US, year=2019, observations=_cbp([("999991", 0.0)], year=2019))
    assert "(nan% of the employment in the file): 999991 (0)" in none[-1]
