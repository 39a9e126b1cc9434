"""Tests of the static PNG maps and portfolio charts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

gpd = pytest.importorskip("geopandas")
pytest.importorskip("matplotlib")
shapely_geometry = pytest.importorskip("shapely.geometry")

from clusteratlas.errors import OutputError, UnknownCodeError  # noqa: E402
from clusteratlas.report.plots import plot_choropleth_png, plot_portfolio_png  # noqa: E402

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def boundaries() -> gpd.GeoDataFrame:
    squares = [shapely_geometry.box(x, 48.0, x + 1.0, 49.0) for x in (8.0, 9.0, 10.0)]
    return gpd.GeoDataFrame(
        {"region": ["R1", "R2", "R3"], "name": ["Alpha", "Beta", "Gamma"]},
        geometry=squares,
        crs="EPSG:4326",
    )


@pytest.fixture
def results() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "region": ["R1", "R1", "R2", "R2", "R3", "R3"],
            "region_name": ["Alpha", "Alpha", "Beta", "Beta", "Gamma", "Gamma"],
            "category": ["A", "B"] * 3,
            "category_label": ["Category A", "Category B"] * 3,
            "year": 2015,
            "employment": [100.0, 300.0, 50.0, 50.0, np.nan, 200.0],
            "lq": [1.17, 0.95, 2.33, 0.64, np.nan, 1.27],
            "share_of_region": [0.25, 0.75, 0.5, 0.5, np.nan, 1.0],
            "growth": [0.01, -0.02, 0.03, np.nan, np.nan, 0.0],
            "stars": [1, 0, 2, 0, 0, 1],
        }
    )


def _is_png(path: Path) -> bool:
    return path.stat().st_size > 0 and path.read_bytes()[:8] == PNG_SIGNATURE


@pytest.mark.parametrize("measure", ["lq", "employment", "share_of_region"])
def test_choropleth_png(tmp_path, results, boundaries, measure):
    path = plot_choropleth_png(
        tmp_path / f"map_{measure}.png",
        results=results,
        boundaries=boundaries,
        category="A",
        measure=measure,
        attribution="Source: Eurostat",
        dpi=60,
    )
    assert _is_png(path)
    assert [p.name for p in tmp_path.iterdir()] == [f"map_{measure}.png"]


def test_portfolio_png_with_and_without_growth(tmp_path, results):
    path = plot_portfolio_png(
        tmp_path / "growth.png", results=results, region="R1", attribution="x", dpi=60
    )
    assert _is_png(path)
    path = plot_portfolio_png(
        tmp_path / "share.png",
        results=results.assign(growth=np.nan, stars=np.nan),
        region="R2",
        attribution=["a", "b"],
        rating=None,
        dpi=60,
    )
    assert _is_png(path)


def test_unknown_codes_and_unwritable_paths(tmp_path, results, boundaries):
    with pytest.raises(UnknownCodeError, match="'Z'"):
        plot_choropleth_png(
            tmp_path / "m.png",
            results=results,
            boundaries=boundaries,
            category="Z",
            attribution="x",
        )
    with pytest.raises(UnknownCodeError, match="R9"):
        plot_portfolio_png(tmp_path / "p.png", results=results, region="R9", attribution="x")
    with pytest.raises(OutputError, match="nowhere"):
        plot_portfolio_png(
            tmp_path / "nowhere" / "p.png", results=results, region="R1", attribution="x", dpi=60
        )
    assert list(tmp_path.iterdir()) == []
