"""``make demo`` end to end: every report, table and figure it promises is written."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from clusteratlas.demo import run_demo
from clusteratlas.store import Store

pytestmark = pytest.mark.e2e


def test_demo_writes_the_atlases_tables_and_findings(data_dir: Path, tmp_path: Path) -> None:
    steps: list[str] = []
    done = run_demo(tmp_path / "out", store=Store(tmp_path / "demo.duckdb"), say=steps.append)
    reports = [atlas.report for atlas in done.atlases]
    assert [r.name for r in reports] == ["eu_atlas_2014.html", "us_atlas_2019.html"]
    for report in reports:
        text = report.read_text(encoding="utf-8")
        assert "<script src" not in text and "Source:" in text
    assert all(png.read_bytes()[:4] == b"\x89PNG" for atlas in done.atlases for png in atlas.pngs)
    names = {path.name for path in done.tables}
    assert "map_eu_sbs_2014_divisions_eco2007.csv" in names
    assert "map_us_cbp_2019_traded_uscmp.csv" in names
    with (tmp_path / "out" / "map_us_cbp_2019_traded_uscmp.csv").open(newline="") as handle:
        first = next(csv.DictReader(handle))
    assert {"region", "category", "lq", "strong", "attribution"} <= set(first)
    assert (tmp_path / "out" / "strasbourg_agglomeration.csv").is_file()
    assert (tmp_path / "out" / "metacluster_microelectronics.csv").is_file()
    findings = "\n".join(done.lines)
    # The calibration line and its grid agree: the chosen minimum employment's row is the
    # one printed, and no other minimum comes closer to the published 1,501.
    number = r"([\d,]+(?:\.\d+)?)"
    chosen = re.search(
        rf"LQ >= {number} with employment >= {number} gives {number} specialisations "
        rf"\(target 1,501\) in (\d+) regions",
        findings,
    )
    assert chosen is not None, findings
    threshold, minimum, count, regions = (float(g.replace(",", "")) for g in chosen.groups())
    grid = [
        tuple(float(g.replace(",", "")) for g in m.groups())
        for m in re.finditer(
            rf"employment >= +{number}: LQ >= {number}, {number} cells in (\d+) regions", findings
        )
    ]
    assert len(grid) == 5  # the demo's grid: 0, 1,000, 2,000, 3,500, 5,000
    assert (minimum, threshold, count, regions) in grid
    assert all(abs(count - 1501) <= abs(row[2] - 1501) for row in grid)
    assert "Silicon Europe member regions among them" in findings
    assert len(steps) >= 5
