"""Tests of the offline HTML atlas report on 3 square regions × 2 categories."""

from __future__ import annotations

import json
import math
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

gpd = pytest.importorskip("geopandas")
shapely_geometry = pytest.importorskip("shapely.geometry")

from clusteratlas.errors import (  # noqa: E402
    OutputError,
    ParameterError,
    SchemaError,
    UnknownCodeError,
)
from clusteratlas.report.atlas import build_atlas_data, write_atlas  # noqa: E402
from clusteratlas.report.geometry import svg_paths  # noqa: E402

ATTRIBUTION = ["Source: Eurostat, sbs_r_nuts06_r2", "© EuroGeographics for the boundaries"]


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
    # Employment by region (rows) and category (columns): A, B.
    emp = {"R1": (100.0, 300.0), "R2": (50.0, 50.0), "R3": (np.nan, 200.0)}
    rows = []
    total = {"A": 150.0, "B": 550.0}
    grand = 700.0
    for region, (a, b) in emp.items():
        region_total = np.nansum([a, b])
        for category, value in (("A", a), ("B", b)):
            share = value / region_total
            rows.append(
                {
                    "region": region,
                    "region_name": {"R1": "Alpha", "R2": "Beta", "R3": "Gamma"}[region],
                    "category": category,
                    "category_label": f"Category {category}",
                    "year": 2015,
                    "employment": value,
                    "establishments": np.nan if math.isnan(value) else 3.0,
                    "lq": share / (total[category] / grand),
                    "share_of_region": share,
                    "growth": np.nan,
                    "strong": bool(share / (total[category] / grand) >= 1.5),
                    "ruleset": "eco2007@1.0",
                    "unconfirmed": "size threshold: top 10 % (UNCONFIRMED)"
                    if category == "A"
                    else "",
                }
            )
    return pd.DataFrame(rows)


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.stack: list[str] = []
        self.scripts: dict[str, str] = {}
        self._script: str | None = None
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag == "script":
            self._script = attributes.get("id") or attributes.get("type") or "inline"
            self.scripts[self._script] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script = None

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self.scripts[self._script] += data
        else:
            self.text.append(data)


def _parse(path: Path) -> _Collector:
    parser = _Collector()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser


def _write(
    tmp_path: Path, results: pd.DataFrame, boundaries: gpd.GeoDataFrame, **kw: object
) -> Path:
    return write_atlas(
        tmp_path / "atlas.html",
        results=results,
        boundaries=boundaries,
        title="Test atlas",
        attribution=ATTRIBUTION,
        **kw,
    )


def test_writes_parsable_self_contained_html(tmp_path, results, boundaries):
    path = _write(tmp_path, results, boundaries)
    assert path.exists() and path.stat().st_size > 0
    parsed = _parse(path)
    tags = [tag for tag, _ in parsed.tags]
    for tag in ("html", "head", "title", "main", "footer", "svg", "table", "select", "label"):
        assert tag in tags, tag
    assert "link" not in tags
    for tag, attrs in parsed.tags:
        assert "src" not in attrs, (tag, attrs)
        href = attrs.get("href")
        assert href is None or href.startswith("#"), (tag, href)
        assert tag != "script" or attrs.get("type") in (None, "application/json")
    # every select box has a label
    labelled = {attrs.get("for") for tag, attrs in parsed.tags if tag == "label"}
    selects = {attrs.get("id") for tag, attrs in parsed.tags if tag == "select"}
    assert selects and selects <= labelled
    html = path.read_text(encoding="utf-8")
    assert "http://" not in html and "https://" not in html
    assert not list(tmp_path.glob(".*.tmp"))


def test_embeds_the_data_with_missing_as_null(tmp_path, results, boundaries):
    parsed = _parse(_write(tmp_path, results, boundaries))
    data = json.loads(parsed.scripts["atlas-data"])
    codes = [region["id"] for region in data["regions"]]
    assert codes == ["R1", "R2", "R3"]
    assert all(region["d"].startswith("M") for region in data["regions"])
    (view,) = data["views"]
    assert [c["code"] for c in view["categories"]] == ["A", "B"]
    assert view["categories"][0]["label"] == "Category A"
    n = len(codes)
    for measure in ("lq", "employment", "share_of_region", "establishments"):
        values = data["arrays"][view["columns"][measure]]
        for row in results.itertuples():
            c = ["A", "B"].index(row.category)
            got = values[c * n + codes.index(row.region)]
            expected = getattr(row, measure)
            if math.isnan(expected):
                assert got is None, (measure, row.region, row.category)
            else:
                assert got == pytest.approx(expected, rel=1e-3)
    # growth is all missing: not embedded, and the portfolio uses the share instead
    assert "growth" not in view["columns"]
    assert view["y"] == "share_of_region"
    assert view["rating"]["kind"] == "flag"
    rating = data["arrays"][view["rating"]["data"]]
    assert rating[0 * n + 0] == int(results.iloc[0]["strong"])
    # R3 / A is suppressed: null, never 0
    assert data["arrays"][view["columns"]["employment"]][0 * n + 2] is None
    assert data["initial"]["region"] == "R1"


def test_shows_attribution_ruleset_and_unconfirmed_notice(tmp_path, results, boundaries):
    parsed = _parse(_write(tmp_path, results, boundaries))
    text = " ".join(" ".join(parsed.text).split())
    for line in ATTRIBUTION:
        assert line in text
    assert "eco2007@1.0" in text
    assert "UNCONFIRMED thresholds" in text
    assert "size threshold: top 10 % (UNCONFIRMED)" in text
    assert "clusteratlas" in text


def test_no_unconfirmed_notice_when_everything_is_confirmed(tmp_path, results, boundaries):
    parsed = _parse(_write(tmp_path, results.assign(unconfirmed=""), boundaries))
    assert not any(attrs.get("id") == "unconfirmed" for _, attrs in parsed.tags)


def test_several_views_share_identical_arrays(tmp_path, results, boundaries):
    other = results.drop(columns="strong").assign(
        stars=[2, 0, 0, 1, 0, 3], ruleset="panorama2021@1.0"
    )
    data = build_atlas_data(
        results={"divisions / eco2007": results, "divisions / panorama2021": other},
        boundaries=boundaries,
        title="t",
        attribution="Source: Eurostat",
        min_stars=2,
    )
    first, second = data["views"]
    assert first["label"] == "divisions / eco2007"
    assert first["columns"] == second["columns"]  # the measures are stored once
    assert second["rating"]["kind"] == "stars" and second["rating"]["threshold"] == 2
    assert data["arrays"][second["rating"]["data"]][:3] == [2, 0, 0]


def test_script_end_tag_in_labels_is_escaped(tmp_path, results, boundaries):
    evil = results.assign(category_label="</script><script>alert(1)</script>")
    html = _write(tmp_path, evil, boundaries).read_text(encoding="utf-8")
    assert html.count("</script>") == 2  # the data block and the code block
    data = json.loads(_parse(tmp_path / "atlas.html").scripts["atlas-data"])
    assert data["views"][0]["categories"][0]["label"] == "</script><script>alert(1)</script>"


def test_regions_outside_the_frame_are_left_off_the_map(tmp_path, results, boundaries):
    far = boundaries.copy()
    far.loc[2, "geometry"] = shapely_geometry.box(55.0, -21.5, 56.0, -20.5)  # Réunion
    data = build_atlas_data(results=results, boundaries=far, title="t", attribution="x")
    assert data["regions"][2]["d"] is None
    assert data["_page"]["off_map"] == ["Gamma"]


def test_unwritable_path_raises_output_error_and_leaves_nothing(tmp_path, results, boundaries):
    missing_dir = tmp_path / "no" / "such" / "dir" / "atlas.html"
    with pytest.raises(OutputError, match=r"atlas\.html"):
        write_atlas(missing_dir, results=results, boundaries=boundaries, title="t", attribution="x")
    target = tmp_path / "is_a_dir"
    target.mkdir()
    with pytest.raises(OutputError, match="is_a_dir"):
        write_atlas(target, results=results, boundaries=boundaries, title="t", attribution="x")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["is_a_dir"]
    assert not list(target.iterdir())


def test_bad_inputs_raise_actionable_errors(tmp_path, results, boundaries):
    with pytest.raises(SchemaError, match="'lq'"):
        _write(tmp_path, results.drop(columns="lq"), boundaries)
    with pytest.raises(SchemaError, match="one year"):
        _write(tmp_path, results.assign(year=[2014, 2015] * 3), boundaries)
    with pytest.raises(UnknownCodeError, match="R9"):
        _write(tmp_path, results, boundaries, portfolio_region="R9")
    with pytest.raises(ValueError, match="attribution"):
        write_atlas(
            tmp_path / "a.html", results=results, boundaries=boundaries, title="t", attribution=[]
        )
    assert not (tmp_path / "atlas.html").exists()


def test_svg_path_is_rounded_and_relative(boundaries):
    projected = boundaries.to_crs("EPSG:3035")
    paths, view_box = svg_paths(projected)
    assert set(paths) == {"R1", "R2", "R3"}
    d = paths["R1"]
    assert d.startswith("M") and d.endswith("z") and "l" in d and "." not in d
    assert view_box[2] > 0 and view_box[3] > 0


def test_each_view_outlines_by_its_own_rule(tmp_path, results, boundaries):
    # One view rated by stars where a cluster needs 2, one by a flag; a third view left out
    # of the mappings keeps the defaults ("auto", one star).
    stars = results.drop(columns="strong").assign(stars=[2, 0, 0, 1, 0, 3])
    data = build_atlas_data(
        results={"stars": stars, "flag": results, "default": stars},
        boundaries=boundaries,
        title="t",
        attribution="Source: Eurostat",
        rating={"stars": "stars", "flag": "strong"},
        min_stars={"stars": 2},
    )
    by_label = {view["label"]: view["rating"] for view in data["views"]}
    assert (by_label["stars"]["column"], by_label["stars"]["threshold"]) == ("stars", 2)
    assert (by_label["flag"]["column"], by_label["flag"]["kind"]) == ("strong", "flag")
    assert (by_label["default"]["column"], by_label["default"]["threshold"]) == ("stars", 1)
    with pytest.raises(ParameterError, match=r"'min_stars' parameter names views .*'nope'"):
        build_atlas_data(
            results={"stars": stars},
            boundaries=boundaries,
            title="t",
            attribution="Source: Eurostat",
            min_stars={"nope": 2},
        )
