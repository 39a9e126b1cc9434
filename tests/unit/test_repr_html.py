"""Notebook display of result objects: escaped HTML with the statistic, p-value and a table."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from clusteratlas._html import html_summary
from clusteratlas.mapping.calibrate import CalibrationResult
from clusteratlas.mapping.service import MapResult
from clusteratlas.mapping.sources import get_source
from clusteratlas.measures.pointpattern.envelopes import EnvelopeResult
from clusteratlas.measures.pointpattern.kd import KdResult


def _envelope(industry: str = "C26") -> EnvelopeResult:
    r = np.array([0.0, 100.0, 200.0, 300.0])
    return EnvelopeResult(
        function="kd", r=r, statistic=np.array([1.0, 5.0, 2.0, 0.1]),
        lower=np.array([0.5, 0.5, 0.5, 0.5]), upper=np.array([2.0, 2.0, 2.0, 2.0]),
        simulations=np.ones((19, 4)), pvalue=0.05, envelope="rank", null="location",
        alpha=0.05, localised=np.array([100.0]), dispersed=np.array([300.0]), gamma=1.25,
        psi=0.0, industry=industry, band="global rank envelope, 95 %", n_inside=18,
    )  # fmt: skip


def test_html_summary_escapes_and_truncates() -> None:
    table = pd.DataFrame({"name": ["<script>", *[f"r{i}" for i in range(14)]], "x": range(15)})
    page = html_summary("A <b> & B", [("p", 0.123456), ("who", "<i>")], table, notes=["a<b"])
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "A &lt;b&gt; &amp; B" in page and "&lt;i&gt;" in page and "a&lt;b" in page
    assert "0.1235" in page  # four significant digits
    assert page.split("<tbody>")[1].count("<tr>") == 10  # the first 10 of 15 rows
    assert "5 more rows" in page


def test_envelope_result_shows_pvalue_band_and_rows_outside() -> None:
    page = _envelope("<x>")._repr_html_()
    assert "EnvelopeResult: kd of industry &lt;x&gt;" in page
    assert "<dd>0.05</dd>" in page and "18 of 19" in page and "1.25" in page
    # Kd leaves the band [0.5, 2] at r = 100 (5.0 above) and r = 300 (0.1 below) only.
    body = page.split("<tbody>")[1]
    assert body.count("<tr>") == 2
    assert "<td>100</td>" in body and "<td>300</td>" in body and "<td>200</td>" not in body


def test_kd_result_lists_points_and_bandwidth() -> None:
    result = KdResult(
        r=np.linspace(0, 1000, 50), kd=np.zeros(50), kd_weighted=None, bandwidth=123.5,
        rmax=1000.0, n_points=7, n_pairs=21, industry="A",
    )  # fmt: skip
    page = result._repr_html_()
    assert "<dd>7</dd>" in page and "<dd>21</dd>" in page and "<dd>123.5</dd>" in page
    assert page.split("<tbody>")[1].count("<tr>") == 10  # every 5th of 50 distances
    assert "<dd>exact</dd>" in page
    gridded = replace(result, approximate=True, cell=12.5, error_bound=3e-6, error_measured=2e-9)
    assert (
        "<dd>approximate (12.5 m cells; error measured on a sample 2e-09 per metre, at most "
        "3e-06)</dd>" in gridded._repr_html_()
    )
    tested = replace(_envelope("A"), approximate=True, cell=12.5, error_bound=3e-6,
                     error_measured=2e-9)  # fmt: skip
    assert "at most 3e-06 on any curve)</dd>" in tested._repr_html_()
    assert "<dd>exact</dd>" in _envelope("A")._repr_html_()


def test_calibration_result_shows_counts_against_targets() -> None:
    table = pd.DataFrame(
        {"threshold": [1.9], "count": [1500], "regions": [200], "employment_share": [0.25]}
    )
    result = CalibrationResult(
        threshold=1.9, next_lower=1.8, count=1500, regions=200, target_count=1501,
        target_regions=201, employment_share=0.25, min_employment=0.0, table=table,
    )  # fmt: skip
    page = result._repr_html_()
    assert "1,500 (target 1,501)" in page and "200 (target 201)" in page and "25.0%" in page
    assert "<td>1.9</td>" in page


def test_map_result_shows_highest_lq_first_with_warnings() -> None:
    frame = pd.DataFrame(
        {"region": ["R1", "R2", "R3"], "category": ["C26"] * 3, "employment": [10.0, 30.0, 60.0],
         "lq": [0.5, 3.0, 1.0]}
    )  # fmt: skip
    result = MapResult(
        frame=frame, source=get_source("eu-sbs"), ruleset=None, categories="divisions", year=2014,
        attribution=["Source: Eurostat"], warnings=["partial <coverage>"],
    )  # fmt: skip
    page = result._repr_html_()
    assert "rules none" in page and "partial &lt;coverage&gt;" in page
    rows = page.split("<tbody>")[1]
    assert rows.index("R2") < rows.index("R3") < rows.index("R1")


def test_metacluster_result_shows_every_selected_region() -> None:
    # 12 regions chosen, more than the 10 rows a summary shows by default: all are listed,
    # in the order of selection, under the chain, the solver status and the objective.
    from clusteratlas.valuechains.metacluster import MetaclusterResult

    regions = [f"R{i:02d}" for i in range(12)]
    frame = pd.DataFrame(
        {"region": regions, "stage": ["design"] * 12, "stage_order": range(12),
         "score": [float(i) for i in range(12)], "reason": [f"LQ {i}" for i in range(12)]}
    )  # fmt: skip
    result = MetaclusterResult(
        frame=frame, selected=tuple(reversed(regions)), objective=66.123456, status="optimal",
        chain="Semiconductors <EU>", size=12, scores=frame, notes=["size & rating terms"],
    )  # fmt: skip
    page = result._repr_html_()
    assert "<strong>MetaclusterResult: Semiconductors &lt;EU&gt;, 12 regions</strong>" in page
    assert "<dt>status</dt><dd>optimal</dd>" in page
    assert "<dt>objective</dt><dd>66.12</dd>" in page
    assert f"<dt>selected</dt><dd>{', '.join(reversed(regions))}</dd>" in page
    assert "<li>size &amp; rating terms</li>" in page
    rows = page.split("<tbody>")[1]
    assert [rows.index(r) for r in reversed(regions)] == sorted(rows.index(r) for r in regions)
    assert "more rows" not in page
