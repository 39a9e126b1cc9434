"""Unit tests of the NUTS helpers and of the NUTS boundary reader on a tiny file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from clusteratlas.data.regions import (
    EU27,
    EU28,
    is_extra_regio,
    nuts_country,
    nuts_level,
    nuts_parent,
)
from clusteratlas.errors import ParameterError, SchemaError, UnknownCodeError


@pytest.mark.parametrize(
    ("code", "level"), [("DE", 0), ("DE1", 1), ("DE11", 2), ("DE111", 3), ("el30", 2)]
)
def test_nuts_level(code: str, level: int) -> None:
    assert nuts_level(code) == level


@pytest.mark.parametrize("code", ["D", "DE1111", "1E11", "DE-1", ""])
def test_bad_code(code: str) -> None:
    with pytest.raises(UnknownCodeError, match="not a NUTS code"):
        nuts_level(code)


def test_bad_type() -> None:
    with pytest.raises(TypeError):
        nuts_level(11)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("DEZ", True),
        ("DEZZ", True),
        ("FRZZ", True),
        ("FRZZZ", True),
        ("CZZ", True),
        ("CZ", False),
        ("CZ01", False),
        ("CZ0", False),
        ("DE11", False),
        ("DEZ1", False),
        ("ITZ", True),
    ],
)
def test_is_extra_regio(code: str, expected: bool) -> None:
    assert is_extra_regio(code) is expected


def test_nuts_country_and_parent() -> None:
    assert nuts_country("EL30") == "EL"
    assert nuts_parent("DE111", 0) == "DE"
    assert nuts_parent("DE111", 2) == "DE11"
    assert nuts_parent("DE11", 2) == "DE11"
    with pytest.raises(ParameterError, match="must not exceed"):
        nuts_parent("DE1", 2)
    with pytest.raises(ParameterError, match="'level'"):
        nuts_parent("DE1", 4)


def test_member_states() -> None:
    assert len(EU27) == 27
    assert len(EU28) == 28
    assert "EL" in EU27
    assert "GR" not in EU27
    assert "UK" not in EU27
    assert EU28.difference(EU27) == {"UK"}


def _square(x: float, y: float) -> dict[str, object]:
    ring = [[x, y], [x + 1, y], [x + 1, y + 1], [x, y + 1], [x, y]]
    return {"type": "Polygon", "coordinates": [ring]}


def _write_geojson(path: Path, features: list[tuple[dict[str, object], float]]) -> Path:
    collection = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": props, "geometry": _square(x, 50.0)}
            for props, x in features
        ],
    }
    path.write_text(json.dumps(collection), encoding="utf-8")
    return path


def test_nuts_boundaries_mirror_layout(tmp_path: Path) -> None:
    pytest.importorskip("geopandas")
    from clusteratlas.data.boundaries import read_nuts_boundaries

    path = _write_geojson(
        tmp_path / "nuts2.geojson",
        [({"NUTS_ID": "DE11", "Name": "Stuttgart"}, 9.0), ({"NUTS_ID": "DE12", "Name": "K"}, 8.0)],
    )
    frame = read_nuts_boundaries(2, path)
    assert list(frame.columns) == ["region", "name", "geometry"]
    assert list(frame["region"]) == ["DE11", "DE12"]
    assert frame.crs.to_epsg() == 4326


def test_nuts_boundaries_gisco_layout_all_levels(tmp_path: Path) -> None:
    pytest.importorskip("geopandas")
    from clusteratlas.data.boundaries import read_nuts_boundaries

    path = _write_geojson(
        tmp_path / "gisco.geojson",
        [
            ({"NUTS_ID": "DE", "NUTS_NAME": "Deutschland", "LEVL_CODE": 0}, 9.0),
            ({"NUTS_ID": "DE1", "NUTS_NAME": "Baden-Württemberg", "LEVL_CODE": 1}, 9.0),
            ({"NUTS_ID": "DE11", "NUTS_NAME": "Stuttgart", "LEVL_CODE": 2}, 9.0),
        ],
    )
    frame = read_nuts_boundaries(1, path)
    assert list(frame["region"]) == ["DE1"]
    assert list(frame["name"]) == ["Baden-Württemberg"]


def test_nuts_boundaries_missing_property(tmp_path: Path) -> None:
    pytest.importorskip("geopandas")
    from clusteratlas.data.boundaries import read_nuts_boundaries

    path = _write_geojson(tmp_path / "bad.geojson", [({"id": "DE11", "Name": "S"}, 9.0)])
    with pytest.raises(SchemaError, match=r"no NUTS code property.*'NUTS_ID'"):
        read_nuts_boundaries(2, path)
