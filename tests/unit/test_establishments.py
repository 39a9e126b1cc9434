"""Tests of the canonical establishments table, the INSEE bands and the readers."""

from __future__ import annotations

import gzip
import math

import numpy as np
import pandas as pd
import pytest

from clusteratlas.data.establishments import (
    ESTABLISHMENT_COLUMNS,
    INSEE_BAND_MIDPOINTS,
    band_weights,
    naf_class,
    naf_codes,
    naf_division,
    validate_establishments,
)
from clusteratlas.data.establishments_io import read_points, read_sirene, read_strasbourg_extract
from clusteratlas.errors import ParameterError, SchemaError, UnknownCodeError

pyproj = pytest.importorskip("pyproj")

# Closed INSEE bands and their ranges, as published (the midpoint is (low + high) / 2).
BAND_RANGES = {
    "01": (1, 2), "02": (3, 5), "03": (6, 9), "11": (10, 19), "12": (20, 49),
    "21": (50, 99), "22": (100, 199), "31": (200, 249), "32": (250, 499),
    "41": (500, 999), "42": (1000, 1999), "51": (2000, 4999), "52": (5000, 9999),
}  # fmt: skip


def to_l93(lon: float, lat: float) -> tuple[float, float]:
    transformer = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:2154", always_xy=True)
    return transformer.transform(lon, lat)


def test_band_midpoints_are_the_middle_of_each_band() -> None:
    for band, (low, high) in BAND_RANGES.items():
        assert INSEE_BAND_MIDPOINTS[band] == (low + high) / 2
    assert INSEE_BAND_MIDPOINTS["00"] == 0.0
    assert math.isnan(INSEE_BAND_MIDPOINTS["NN"])
    assert INSEE_BAND_MIDPOINTS["53"] == 10_000.0


def test_band_weights_pad_override_and_name_bad_rows() -> None:
    bands = pd.Series(["00", "1", "12", "NN", "", "53"])
    weights = band_weights(bands, midpoints={"53": 12_000.0})
    assert weights.tolist()[:3] == [0.0, 1.5, 34.5]
    assert np.isnan(weights[3]) and np.isnan(weights[4])
    assert weights[5] == 12_000.0
    assert INSEE_BAND_MIDPOINTS["53"] == 10_000.0  # the override does not leak
    with pytest.raises(SchemaError, match=r"'99'.*row\(s\) 7"):
        band_weights(pd.Series(["00", "99"], index=[6, 7]))


def test_naf_helpers() -> None:
    assert naf_division("6420Z") == "64"
    assert naf_class("6420Z") == "64.20"
    assert naf_class("62.01Z") == "62.01"
    codes = pd.Series(["6420Z", "2712Z"])
    assert naf_codes(codes, "division").tolist() == ["64", "27"]
    assert naf_codes(codes, "group").tolist() == ["64.2", "27.1"]
    assert naf_codes(codes, "naf").tolist() == ["6420Z", "2712Z"]
    with pytest.raises(UnknownCodeError, match="'thomas'"):
        naf_codes(pd.Series(["6420Z", "thomas"]), "class")
    with pytest.raises(ParameterError, match="industry_level"):
        naf_codes(codes, "section")


def frame(**changes: object) -> pd.DataFrame:
    data = {
        "id": ["a", "b", "c"],
        "industry": ["6201Z", "6201Z", "1011Z"],
        "weight": [1.0, 0.0, 14.5],
        "x": [1_000_000.0, 1_000_100.0, np.nan],
        "y": [6_800_000.0, 6_800_100.0, np.nan],
        "commune": ["67482", "67482", None],
    }
    data.update(changes)  # type: ignore[arg-type]
    return pd.DataFrame(data, index=[2, 3, 4])


def test_validate_coerces_and_keeps_regions() -> None:
    raw = frame()
    before = raw.copy()
    out = validate_establishments(raw, crs="EPSG:2154")
    pd.testing.assert_frame_equal(raw, before)
    assert list(out.columns) == [*ESTABLISHMENT_COLUMNS, "commune"]
    assert out["size_band"].tolist() == ["", "", ""]
    assert out["commune"].iloc[0] == "67482" and pd.isna(out["commune"].iloc[2])
    assert out.attrs["crs"] == "EPSG:2154"


@pytest.mark.parametrize(
    ("changes", "pattern"),
    [
        ({"weight": [1.0, -2.0, 3.0]}, r"'weight' must be non-negative; negative at row\(s\) 3"),
        ({"weight": [1.0, "many", 3.0]}, r"'weight' must hold finite numbers.*row\(s\) 3"),
        ({"id": ["a", "a", "c"]}, r"'id' must be unique; repeated at row\(s\) 2, 3"),
        (
            {"industry": ["6201Z", " ", "1011Z"]},
            r"'industry' must not be empty; empty at row\(s\) 3",
        ),
        ({"y": [6_800_000.0, np.nan, np.nan]}, r"both given or both missing.*row\(s\) 3"),
    ],
)
def test_validate_names_bad_rows(changes: dict[str, object], pattern: str) -> None:
    with pytest.raises(SchemaError, match=pattern):
        validate_establishments(frame(**changes))


def test_validate_lists_every_problem_at_once() -> None:
    with pytest.raises(SchemaError, match=r"negative.*; column 'id'|unique.*negative"):
        validate_establishments(frame(weight=[1.0, -1.0, 0.0], id=["a", "a", "c"]))


def test_missing_weight_is_allowed_in_the_table() -> None:
    out = validate_establishments(frame(weight=[1.0, None, 2.0]))
    assert np.isnan(out["weight"][1])


def test_lonlat_declared_as_metres_is_refused_with_the_fix() -> None:
    lonlat = frame(x=[7.75, 7.76, np.nan], y=[48.58, 48.57, np.nan])
    with pytest.raises(ParameterError, match=r"longitude/latitude.*estimate_utm_crs.*EPSG:2154"):
        validate_establishments(lonlat)
    with pytest.raises(ParameterError, match="geographic CRS"):
        validate_establishments(frame(), crs="EPSG:4326")
    assert len(validate_establishments(lonlat, check_lonlat=False)) == 3


SIRENE = (
    "siret;activitePrincipaleEtablissement;trancheEffectifsEtablissement;"
    "codeCommuneEtablissement;etatAdministratifEtablissement;longitude;latitude\n"
    "11111111100011;62.01Z;12;67482;A;7.7521;48.5734\n"
    "22222222200022;10.11Z;NN;67218;A;7.4500;48.5000\n"
    "33333333300033;62.01Z;03;67482;F;7.7000;48.6000\n"
    "44444444400044;47.11F;00;67482;A;;\n"
    "55555555500055;47.11F;00;67482;A;[ND];[ND]\n"
)


def test_read_sirene_reprojects_lonlat_to_lambert93(tmp_path) -> None:
    path = tmp_path / "StockEtablissement.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write(SIRENE)
    out = read_sirene(path)
    assert out["id"].tolist()[:3] == ["11111111100011", "22222222200022", "44444444400044"]
    assert out["industry"].tolist() == ["6201Z", "1011Z", "4711F", "4711F"]
    assert out["weight"][0] == 34.5 and np.isnan(out["weight"][1]) and out["weight"][2] == 0.0
    assert out["size_band"].tolist() == ["12", "NN", "00", "00"]
    assert out["commune"].tolist() == ["67482", "67218", "67482", "67482"]
    x, y = to_l93(7.7521, 48.5734)
    assert out["x"][0] == pytest.approx(x, abs=1e-6) and out["y"][0] == pytest.approx(y, abs=1e-6)
    assert 1_040_000 < x < 1_060_000 and 6_830_000 < y < 6_850_000  # Strasbourg in Lambert-93
    assert out[["x", "y"]].iloc[2:].isna().all().all()  # empty and "[ND]" (non diffusible)
    assert out.attrs["crs"] == "EPSG:2154"
    assert len(read_sirene(path, active_only=False)) == 5
    with pytest.raises(ParameterError, match="to_crs"):
        read_sirene(path, to_crs=None)


def test_read_sirene_lambert_columns_and_per_row_epsg(tmp_path) -> None:
    path = tmp_path / "geo.csv"
    path.write_text(
        "siret,activitePrincipaleEtablissement,trancheEffectifsEtablissement,"
        "codeCommuneEtablissement,x,y,epsg,plg_iris\n"
        "1,62.01Z,01,67482,1048000.5,6841000.25,2154,674820101\n"
        "2,62.01Z,02,67482,7.7521,48.5734,4326,674820102\n",
        encoding="utf-8",
    )
    out = read_sirene(path, regions={"iris": "plg_iris"})
    assert out["x"][0] == 1048000.5 and out["y"][0] == 6841000.25
    assert (out["x"][1], out["y"][1]) == pytest.approx(to_l93(7.7521, 48.5734))
    assert out["iris"].tolist() == ["674820101", "674820102"]
    lambert = tmp_path / "lambert.csv"
    lambert.write_text(
        "siret,activitePrincipaleEtablissement,trancheEffectifsEtablissement,"
        "codeCommuneEtablissement,coordonneeLambertAbscisseEtablissement,"
        "coordonneeLambertOrdonneeEtablissement\n1,62.01Z,01,67482,1048000,6841000\n",
        encoding="utf-8",
    )
    assert read_sirene(lambert)[["x", "y"]].iloc[0].tolist() == [1048000.0, 6841000.0]


def test_read_sirene_errors_name_lines(tmp_path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        "siret,activitePrincipaleEtablissement,trancheEffectifsEtablissement,"
        "codeCommuneEtablissement\n1,62.01Z,01,67482\n2,6201,01,67482\n",
        encoding="utf-8",
    )
    with pytest.raises(SchemaError, match=r"NAF.*line\(s\) 3"):
        read_sirene(path)
    missing = tmp_path / "missing.csv"
    missing.write_text("siret,trancheEffectifsEtablissement\n1,01\n", encoding="utf-8")
    with pytest.raises(SchemaError, match="activitePrincipaleEtablissement"):
        read_sirene(missing)


def test_read_points_csv_with_mapping_and_bands(tmp_path) -> None:
    path = tmp_path / "points.csv"
    path.write_text(
        "naf,band,X,Y,depcom\n6201Z,11,1048000,6841000,67482\n1011Z,NN,1049000,6842000,67218\n",
        encoding="utf-8",
    )
    columns = {"industry": "naf", "size_band": "band", "x": "X", "y": "Y", "commune": "depcom"}
    out = read_points(path, columns=columns, crs="EPSG:2154")
    assert out["id"].tolist() == ["2", "3"]  # file lines
    assert out["weight"][0] == 14.5 and np.isnan(out["weight"][1])
    assert out["commune"].tolist() == ["67482", "67218"]
    with pytest.raises(ParameterError, match="longitude/latitude"):
        read_points(pd.DataFrame({"industry": ["a"], "x": [7.75], "y": [48.57]}))


def test_read_points_reprojects_a_frame_given_its_crs() -> None:
    data = pd.DataFrame({"id": ["p"], "industry": ["a"], "weight": [2], "x": [7.75], "y": [48.57]})
    with pytest.raises(ParameterError, match="geographic CRS"):
        read_points(data, crs="EPSG:4326")
    out = read_points(data, crs="EPSG:4326", to_crs="EPSG:2154")
    assert (out["x"][0], out["y"][0]) == pytest.approx(to_l93(7.75, 48.57))
    with pytest.raises(ParameterError, match="needs the 'crs'"):
        read_points(data, to_crs="EPSG:2154")


def test_read_points_geoparquet(tmp_path) -> None:
    gpd = pytest.importorskip("geopandas")
    shapely = pytest.importorskip("shapely")
    gdf = gpd.GeoDataFrame(
        {"industry": ["6201Z", "1011Z"], "weight": [3.0, 0.0], "iris": ["674820101", "x"]},
        geometry=[shapely.Point(7.75, 48.57), shapely.Point(7.45, 48.50)],
        crs="EPSG:4326",
    )
    path = tmp_path / "points.parquet"
    gdf.to_parquet(path)
    with pytest.raises(ParameterError, match="longitude/latitude"):
        read_points(path)
    out = read_points(path, to_crs="EPSG:2154")
    assert (out["x"][1], out["y"][1]) == pytest.approx(to_l93(7.45, 48.50))
    assert out["iris"].tolist() == ["674820101", "x"]
    assert out.attrs["crs"] == "EPSG:2154"


def test_read_strasbourg_extract_on_a_tiny_file(tmp_path) -> None:
    path = tmp_path / "extract.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write(
            "CODE_IRIS,APET700,TEFET,LIBTEFET\n"
            "674820701,6420Z,00,0 salarié\n"
            "674820701,8110Z,01,1 ou 2 salariés\n"
            '670430102,8110Z,NN,"Effectif inconnu, non renseigné"\n'
        )
    out = read_strasbourg_extract(path)
    assert out["id"].tolist() == ["2", "3", "4"]
    assert out["industry"].tolist() == ["6420Z", "8110Z", "8110Z"]
    assert out["iris"].tolist() == ["674820701", "674820701", "670430102"]
    assert out["commune"].tolist() == ["67482", "67482", "67043"]
    assert out["weight"].tolist()[:2] == [0.0, 1.5] and np.isnan(out["weight"][2])
    assert out["x"].isna().all() and out["y"].isna().all()
    bad = tmp_path / "bad.csv"
    bad.write_text("CODE_IRIS,APET700,TEFET\n6748207,6420Z,00\n", encoding="utf-8")
    with pytest.raises(SchemaError, match=r"CODE_IRIS.*line\(s\) 2"):
        read_strasbourg_extract(bad)


def test_readers_are_also_given_by_the_establishments_module() -> None:
    from clusteratlas.data import establishments

    assert establishments.read_sirene is read_sirene
    with pytest.raises(AttributeError):
        establishments.read_nothing  # noqa: B018
