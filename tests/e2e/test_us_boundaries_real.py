"""CBSA boundaries under current codes on the real data (skipped without the mirror).

The expected areas are computed here from the raw us-atlas county file with geopandas
alone, and the county lists are read from the crosswalk with the standard library.
"""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e
gpd = pytest.importorskip("geopandas")

LOS_ANGELES = "31080"


def _counties_of(data_dir: Path, cbsa: str) -> list[str]:
    path = data_dir / "us" / "cbsa2fipsxw_2017.csv.gz"
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [
            row["fipsstatecode"].zfill(2) + row["fipscountycode"].zfill(3)
            for row in csv.DictReader(handle)
            if row["cbsacode"] == cbsa
        ]


@pytest.fixture(scope="module")
def cbsa(data_dir: Path):  # type: ignore[no-untyped-def]
    from clusteratlas.data.boundaries import read_cbsa_boundaries

    return read_cbsa_boundaries().set_index("region")


def test_los_angeles_has_a_name_and_a_polygon(cbsa) -> None:  # type: ignore[no-untyped-def]
    la = cbsa.loc[LOS_ANGELES]
    assert la["name"].startswith("Los Angeles-Long Beach-Anaheim, CA")
    assert la.geometry.geom_type in {"Polygon", "MultiPolygon"}
    assert not la.geometry.is_empty


@pytest.mark.parametrize("code", [LOS_ANGELES, "35620", "16980"])
def test_area_equals_sum_of_counties(cbsa, data_dir: Path, code: str) -> None:  # type: ignore[no-untyped-def]
    counties = _counties_of(data_dir, code)
    assert len(counties) >= 2
    raw = gpd.read_file(data_dir / "us" / "us_atlas_counties_10m.topojson", layer="counties")
    raw = raw.set_crs("EPSG:4326", allow_override=True)
    expected = raw[raw["id"].isin(counties)].to_crs("EPSG:5070").area.sum()
    shape = gpd.GeoSeries([cbsa.loc[code].geometry], crs="EPSG:4326").to_crs("EPSG:5070")
    assert float(shape.area.iloc[0]) == pytest.approx(float(expected), rel=1e-3)


def test_every_covered_cbp_cbsa_has_a_shape(cbsa, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    with gzip.open(data_dir / "us" / "cbp2019_cbsa_naics.csv.gz", "rt") as handle:
        cbp = {row["cbsa_code"].zfill(5) for row in csv.DictReader(handle)}
    with gzip.open(data_dir / "us" / "cbsa2fipsxw_2017.csv.gz", "rt") as handle:
        covered = {row["cbsacode"] for row in csv.DictReader(handle)} & cbp
    assert len(cbp) == 933 and len(covered) == 917  # data/CATALOG.md
    shaped = set(cbsa.index[~(cbsa.geometry.isna() | cbsa.geometry.is_empty)])
    assert covered <= shaped
