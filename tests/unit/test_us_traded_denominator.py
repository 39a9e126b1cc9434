"""The US location quotient divides by traded (or local) employment, not by all industries.

A tiny US-like mirror written here (CBP tidy extract, benchmark definitions, CBSA TopoJSON,
county crosswalk),
so the test runs without the real data. Employment in 2019:

    CBSA    336411 (Aero, traded)  325411 (Bio, traded)  722511 (Hospitality, local)
    10180   30                     10                    160
    31080   20                     40                    40
    all     50                     50                    200

Traded totals: 10180 = 40, 31080 = 60, all = 100; all-industry totals 200, 100, 300.
LQ(10180, Aero) = (30/40) / (50/100) = 1.5 with the traded denominator (the US Cluster
Mapping Project, Delgado, Porter & Stern 2016); with all-industry employment it would be
(30/200) / (50/300) = 0.9. LQ(31080, Aero) = (20/60) / (50/100) = 2/3 (1.2 over all
industries). Local clusters divide by local employment: one local industry gives LQ 1.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from clusteratlas.mapping.service import make_map

AERO = "Aerospace Vehicles and Defense"
BIO = "Biopharmaceuticals"
HOSPITALITY = "Local Hospitality Establishments"
CBP_ROWS = [
    ("10180", "00", 2, 200, 20),
    ("10180", "336411", 6, 30, 3),
    ("10180", "325411", 6, 10, 2),
    ("10180", "722511", 6, 160, 15),
    ("31080", "00", 2, 100, 10),
    ("31080", "336411", 6, 20, 2),
    ("31080", "325411", 6, 40, 4),
    ("31080", "722511", 6, 40, 4),
]
DEFINITIONS = [
    ("336411", "Traded", AERO, "Aircraft", "FALSE", "Aircraft Manufacturing"),
    ("325411", "Traded", BIO, "Biological Products", "FALSE", "Medicinal and Botanical"),
    ("722511", "Local", HOSPITALITY, "Restaurants", "FALSE", "Full-Service Restaurants"),
]


@pytest.fixture
def tiny_us_mirror(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    mirror = tmp_path / "mirror"
    (mirror / "us").mkdir(parents=True)
    (mirror / "clusters").mkdir()
    lines = ["cbsa_code,naics_code,naics_level,EMP,ESTAB"]
    lines += [",".join(str(v) for v in row) for row in CBP_ROWS]
    with gzip.open(mirror / "us" / "cbp2019_cbsa_naics.csv.gz", "wt", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")
    header = "NAICS,TradedLocal,Cluster,SubclusterName,EmsiSpecificNAICS,Description"
    (mirror / "clusters" / "us_benchmark_clusters_naics.csv").write_text(
        "\n".join([header] + [",".join(row) for row in DEFINITIONS]) + "\n", encoding="utf-8"
    )
    topology = {
        "type": "Topology",
        "arcs": [],
        "objects": {
            "msas": {
                "type": "GeometryCollection",
                "geometries": [
                    {"type": None, "id": "10180", "properties": {"name": "Abilene, TX"}},
                    {"type": None, "id": "31080", "properties": {"name": "Los Angeles, CA"}},
                ],
            }
        },
    }
    (mirror / "us" / "us_counties_eas_msas_2013.topojson").write_text(json.dumps(topology))
    # The CBSA titles come from the county crosswalk (one county per CBSA is enough here).
    crosswalk = [
        "cbsacode,cbsatitle,metropolitanmicropolitanstatis,fipsstatecode,fipscountycode",
        '10180,"Abilene, TX",Metropolitan Statistical Area,48,59',
        '31080,"Los Angeles-Long Beach-Anaheim, CA",Metropolitan Statistical Area,6,37',
    ]
    with gzip.open(mirror / "us" / "cbsa2fipsxw_2017.csv.gz", "wt", encoding="utf-8") as fh:
        fh.write("\n".join(crosswalk) + "\n")
    monkeypatch.setenv("CLUSTERATLAS_DATA", str(mirror))
    monkeypatch.setenv("CLUSTERATLAS_HOME", str(tmp_path / "home"))
    return mirror


def _cells(frame, column: str) -> dict[tuple[str, str], float]:
    return {
        (r, c): float(v)
        for r, c, v in zip(frame["region"], frame["category"], frame[column], strict=True)
    }


def test_traded_lq_divides_by_traded_employment(tiny_us_mirror: Path) -> None:
    result = make_map("us-cbp", year=2019, categories="traded")
    lq = _cells(result.frame, "lq")
    assert set(lq) == {(r, c) for r in ("10180", "31080") for c in (AERO, BIO)}
    assert lq[("10180", AERO)] == pytest.approx(1.5, rel=1e-12)
    assert lq[("31080", AERO)] == pytest.approx(2 / 3, rel=1e-12)
    assert lq[("10180", BIO)] == pytest.approx((10 / 40) / (50 / 100), rel=1e-12)
    assert lq[("31080", BIO)] == pytest.approx((40 / 60) / (50 / 100), rel=1e-12)
    totals = _cells(result.frame, "region_total")
    assert totals[("10180", AERO)] == 40 and totals[("31080", BIO)] == 60


def test_local_lq_divides_by_local_employment(tiny_us_mirror: Path) -> None:
    result = make_map("us-cbp", year=2019, categories="local")
    lq = _cells(result.frame, "lq")
    assert set(lq) == {("10180", HOSPITALITY), ("31080", HOSPITALITY)}
    # One local industry: its share of local employment is 1 everywhere, so LQ = 1
    # (over all industries it would be (160/200) / (200/300) = 1.2 and 0.6).
    assert lq[("10180", HOSPITALITY)] == pytest.approx(1.0, rel=1e-12)
    assert lq[("31080", HOSPITALITY)] == pytest.approx(1.0, rel=1e-12)
