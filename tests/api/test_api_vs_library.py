"""The API serves what the library computes: map and portfolio rows compared field by field.

``/api/v1/maps`` and ``/api/v1/regions/{region}/portfolio`` against
:func:`~clusteratlas.mapping.service.make_map` and
:func:`~clusteratlas.mapping.portfolio.portfolio` called directly on the real mirror
(skipped without it). Every column of the library's frame must come back, with the same
value, and no extra field. Floats are compared to the 10 decimal places the JSON encoder
keeps (``DataFrame.to_json``'s ``double_precision=10``): half a unit of the 10th decimal.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from _api_support import database_url
from starlette.testclient import TestClient

from clusteratlas.api import create_app
from clusteratlas.data.definitions import related_clusters
from clusteratlas.mapping.portfolio import portfolio
from clusteratlas.mapping.service import make_map

API = "/api/v1"
EU = {"source": "eu-sbs", "year": 2014, "categories": "divisions", "rules": "eco2007"}
US = {"source": "us-cbp", "year": 2019, "categories": "traded", "rules": "uscmp"}


@pytest.fixture(scope="module")
def real(
    data_dir: Path, tmp_path_factory: pytest.TempPathFactory, store_path: Path
) -> Iterator[TestClient]:
    folder = tmp_path_factory.mktemp("vs_library")
    application = create_app(database_url=database_url(folder), store_path=store_path)
    with TestClient(application) as client:
        yield client
    application.state.engine.dispose()


@pytest.fixture(scope="module")
def eu_map(data_dir: Path) -> pd.DataFrame:
    params = {k: v for k, v in EU.items() if k != "source"}
    return make_map("eu-sbs", **params).frame  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def us_map(data_dir: Path) -> pd.DataFrame:
    params = {k: v for k, v in US.items() if k != "source"}
    return make_map("us-cbp", **params).frame  # type: ignore[arg-type]


def _same(api_value: Any, value: Any) -> bool:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return api_value is None
    if isinstance(value, bool) or (hasattr(value, "dtype") and value.dtype == bool):
        return api_value is bool(value)
    if isinstance(value, int | float) or hasattr(value, "dtype"):
        return isinstance(api_value, int | float) and math.isclose(
            api_value, float(value), rel_tol=1e-9, abs_tol=5.01e-11
        )
    return bool(api_value == value)


def _compare(api_rows: list[dict[str, Any]], frame: pd.DataFrame) -> None:
    assert len(api_rows) == len(frame) > 0
    for api_row, (_, row) in zip(api_rows, frame.iterrows(), strict=True):
        assert set(api_row) == set(frame.columns)
        for column in frame.columns:
            assert _same(api_row[column], row[column]), (row["region"], row["category"], column)


def test_map_rows_equal_make_map(real: TestClient, eu_map: pd.DataFrame) -> None:
    expected = eu_map[eu_map["category"] == "C26"].reset_index(drop=True)
    body = real.get(f"{API}/maps", params={**EU, "category": "C26", "limit": 5000}).json()
    assert body["total"] == len(expected)
    _compare(body["rows"], expected)
    # A page further on is the same slice of the library's frame.
    page = real.get(f"{API}/maps", params={**EU, "limit": 50, "offset": 1000}).json()
    assert page["total"] == len(eu_map)
    _compare(page["rows"], eu_map.iloc[1000:1050])


def test_us_map_rows_equal_make_map(real: TestClient, us_map: pd.DataFrame) -> None:
    expected = us_map[us_map["region"] == "31080"].reset_index(drop=True)
    body = real.get(f"{API}/maps", params={**US, "region": "31080", "limit": 1000}).json()
    assert body["total"] == len(expected) == 51  # one row per traded cluster
    _compare(body["rows"], expected)


def test_portfolios_equal_the_library(
    real: TestClient, eu_map: pd.DataFrame, us_map: pd.DataFrame
) -> None:
    eu = real.get(f"{API}/regions/DED2/portfolio", params=EU).json()
    _compare(eu["rows"], portfolio(eu_map, "DED2"))
    us = real.get(f"{API}/regions/31080/portfolio", params=US).json()
    expected = portfolio(us_map, "31080", related=related_clusters())
    _compare(us["rows"], expected)
    assert (expected["strongly_related"] != "").any()  # the related columns were compared


def test_map_warnings_are_the_librarys(real: TestClient) -> None:
    # 2015 covers only part of the EU (12 countries report no data that year), so the
    # library warns that the LQs use a smaller reference area; the API says the same.
    params = {**EU, "year": 2015}
    library = make_map("eu-sbs", year=2015, categories="divisions", rules="eco2007")
    assert any("2015 covers" in text for text in library.warnings)
    body = real.get(f"{API}/maps", params={**params, "limit": 1}).json()
    assert body["warnings"] == library.warnings
    geojson = real.get(f"{API}/maps", params={**params, "limit": 1, "format": "geojson"}).json()
    assert geojson["warnings"] == library.warnings
    quiet = real.get(f"{API}/maps", params={**EU, "limit": 1}).json()
    assert quiet["warnings"] == []
