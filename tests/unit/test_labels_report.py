"""The readiness report: self-contained, escaped, and its radar drawn where the shares say."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest

from clusteratlas.labels import Answer, load_scheme, new_assessment, score_assessment, submit
from clusteratlas.labels.benchmark import BenchmarkResult
from clusteratlas.labels.report import radar_svg, readiness_report


def _points(svg: str, cls: str) -> list[tuple[float, float]]:
    match = re.search(rf'class="{cls}" points="([^"]+)"', svg)
    assert match, svg
    return [tuple(map(float, p.split(","))) for p in match.group(1).split()]


def test_radar_vertices_sit_at_the_shares() -> None:
    # size 440: width 600, centre (300, 220), radius 440 / 2 - 60 = 160; axis 0 points up,
    # then clockwise every 90 degrees for 4 groups.
    groups = pd.DataFrame({"name": ["a", "b", "c", "d"], "share": [1.0, 0.5, 0.0, 0.25]})
    svg = radar_svg(groups, peers=pd.Series([0.5, 0.5, 0.5, 0.5]))
    assert _points(svg, "scores") == [(300.0, 60.0), (380.0, 220.0), (300.0, 220.0), (260.0, 220.0)]
    assert _points(svg, "peers") == [(300.0, 140.0), (380.0, 220.0), (300.0, 300.0), (220.0, 220.0)]
    assert "<title>Score share per indicator group: a 100%; b 50%; c 0%; d 25%</title>" in svg


def test_two_groups_get_bars() -> None:
    svg = radar_svg(pd.DataFrame({"name": ["x", "y"], "share": [0.5, 1.0]}))
    assert "<rect" in svg and "polygon" not in svg
    assert 'width="100.0"' in svg and 'width="200.0"' in svg  # 200 px = 100 %


@pytest.fixture
def scored():
    gold = load_scheme("esca-gold")
    answers = tuple(Answer(i.id, i.threshold.value) for i in gold.indicators[:20])
    answers += (Answer("G21", 2.0),)  # misses >= 5 projects by 3
    assessment = new_assessment(gold, organisation_id="42", answers=answers)
    return gold, assessment, score_assessment(gold, assessment)


def test_report_is_self_contained_and_escaped(scored) -> None:
    gold, assessment, result = scored
    html = readiness_report(
        gold, result, assessment, organisation_name="<script>alert(1)</script>",
        generated=dt.date(2026, 12, 2),
    )  # fmt: skip
    assert "<script" not in html.replace("&lt;script&gt;", "")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert not re.search(r'(src|href)=["\']?(https?:)?//', html)  # nothing fetched
    assert "<link" not in html and "@import" not in html
    assert "<svg" in html and "DRAFT" in html
    assert "20 of 31 points" in html and "64.5 %" in html  # 20 / 31
    assert "Thresholds missed (1)" in html and "Not answered (10, each scored 0)" in html
    assert re.search(r"<td>G21</td>.*?<td class=\"num fail\">3</td>", html, re.S)
    assert "PARTLY_CONFIRMED" in html  # the UNCONFIRMED notice


def test_report_shows_a_benchmark_only_when_shown(scored) -> None:
    gold, assessment, result = scored
    done = submit(assessment, on=dt.date(2026, 11, 30))
    pct = pd.DataFrame({"group": list(result.groups["group"]), "p50": [0.5, 0.5, 0.5, 0.5]})
    shown = BenchmarkResult({"country": "FR"}, True, 7, pct, None, "7 peers.")
    html = readiness_report(gold, result, done, benchmark=shown)
    assert "submitted 2026-11-30" in html and "DRAFT" not in html
    assert 'class="peers"' in html and "Peers p50" in html
    hidden = BenchmarkResult({"country": "FR"}, False, None, None, None, "Not shown: too few.")
    html = readiness_report(gold, result, done, benchmark=hidden)
    assert "Not shown: too few." in html and 'class="peers"' not in html
