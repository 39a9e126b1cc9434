"""Command-line tests of the maps: honest GeoJSON, clear errors before anything is written.

Every error must come back as ONE line on stderr naming the option typed, with exit status 1
and no output file (see ``_cli.assert_one_line_error``). Real-data runs use the mirror
(``CLUSTERATLAS_DATA``) and one store per module.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _cli import run_cli

LOS_ANGELES = "31080"


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One store for the real-data runs of this module, so the real files are parsed once."""
    return tmp_path_factory.mktemp("store") / "atlas.duckdb"


def test_geojson_export_writes_a_feature_per_row(tmp_path: Path, data_dir: Path, db: Path) -> None:
    out = tmp_path / "us.geojson"
    proc = run_cli(
        "map", "--source", "us-cbp", "--year", "2019", "--rules", "uscmp", "--output", out,
        "--db", db, data=data_dir,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    features = json.loads(out.read_text(encoding="utf-8"))["features"]
    rows = int(proc.stdout.split("Wrote ")[1].split(" features")[0].replace(",", ""))
    assert len(features) == rows
    # the 16 micropolitan areas created in 2018 are not in the 2017 crosswalk
    assert "16 CBSAs without a shape" in " ".join(proc.stdout.split())
    nulls = {f["properties"]["region"] for f in features if f["geometry"] is None}
    assert len(nulls) == 16 and LOS_ANGELES not in nulls
    la = next(f for f in features if f["properties"]["region"] == LOS_ANGELES)
    assert la["properties"]["region_name"].startswith("Los Angeles")
