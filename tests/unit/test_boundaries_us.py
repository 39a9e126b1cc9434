"""CBSA boundaries built by dissolving counties with the county → CBSA crosswalk.

The fixture is three unit squares (counties) and a crosswalk whose county codes are not
zero-padded, as in the NBER file: the CBSA areas can be written on paper.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("geopandas")

from clusteratlas.data.boundaries_us import (
    build_cbsa_boundaries,
    read_cbsa_crosswalk,
)
from clusteratlas.errors import SchemaError


def _square(x: float, y: float) -> dict[str, object]:
    ring = [[x, y], [x + 1, y], [x + 1, y + 1], [x, y + 1], [x, y]]
    return {"type": "Polygon", "coordinates": [ring]}


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    counties = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"id": fips, "name": name}, "geometry": geom}
            for fips, name, geom in [
                ("06037", "Los Angeles", _square(0, 0)),
                ("06059", "Orange", _square(1, 0)),
                ("01001", "Autauga", _square(5, 5)),
            ]
        ],
    }
    counties_path = tmp_path / "counties.geojson"
    counties_path.write_text(json.dumps(counties), encoding="utf-8")
    crosswalk_path = tmp_path / "cbsa2fipsxw.csv"
    crosswalk_path.write_text(
        "cbsacode,cbsatitle,metropolitanmicropolitanstatis,countycountyequivalent,"
        "fipsstatecode,fipscountycode\n"
        '31080,"Los Angeles-Long Beach-Anaheim, CA",Metropolitan Statistical Area,'
        "Los Angeles County,6,37\n"
        '31080,"Los Angeles-Long Beach-Anaheim, CA",Metropolitan Statistical Area,'
        "Orange County,6,59\n"
        '33860,"Montgomery, AL",Metropolitan Statistical Area,Autauga County,1,1\n'
        '33860,"Montgomery, AL",Metropolitan Statistical Area,Gone County,1,999\n',
        encoding="utf-8",
    )
    return counties_path, crosswalk_path


def test_crosswalk_pads_county_codes(files: tuple[Path, Path]) -> None:
    crosswalk = read_cbsa_crosswalk(files[1])
    assert list(crosswalk["county"]) == ["06037", "06059", "01001", "01999"]
    assert crosswalk["name"].iloc[0] == (
        "Los Angeles-Long Beach-Anaheim, CA (Metropolitan Statistical Area)"
    )


def test_dissolve_gives_union_of_counties(files: tuple[Path, Path]) -> None:
    cbsa = build_cbsa_boundaries(*files).set_index("region")
    assert sorted(cbsa.index) == ["31080", "33860"]
    la = cbsa.loc["31080"]
    # two adjacent unit squares: one polygon of area 2 (in degrees², planar)
    assert la.geometry.geom_type == "Polygon"
    assert la.geometry.area == pytest.approx(2.0)
    assert la.geometry.bounds == pytest.approx((0.0, 0.0, 2.0, 1.0))
    assert la["n_counties"] == 2
    # a county of the crosswalk without a polygon is reported, not silently dropped
    assert cbsa.loc["33860", "missing_counties"] == "01999"
    assert cbsa.loc["33860"].geometry.area == pytest.approx(1.0)


def test_county_in_two_cbsas_is_refused(files: tuple[Path, Path], tmp_path: Path) -> None:
    text = files[1].read_text(encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text(text + '99999,"Elsewhere, CA",Micropolitan Statistical Area,X,6,37\n')
    with pytest.raises(SchemaError, match="06037"):
        read_cbsa_crosswalk(bad)
