"""``detect all``'s inputs and its Spark path, without Spark.

* :func:`load_located_points` reads a register folder of SIRENE-layout Parquet parts (a
  small generated register), groups NAF sub-classes at a coarser level (the division is
  the first two digits, checked against the parts' own codes) and refuses an empty folder
  or a missing path, naming it.
* :func:`scan_industries` with a Spark session hands chunks of industries to
  ``spark_envelopes`` with one seed per industry. A stand-in that runs ``kd_test`` locally
  for each industry with its seed (what every Spark task does; the Spark suite checks that
  Spark gives the local numbers) shows the orchestration: chunks of ``SPARK_CHUNK``,
  exact and gridded industries in separate calls, each industry saved to the checkpoint,
  and the local run's numbers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from clusteratlas.data.register import generate_register
from clusteratlas.detect import scan
from clusteratlas.detect.scan import load_located_points, scan_industries
from clusteratlas.errors import ParameterError
from clusteratlas.measures.pointpattern import kd_test


def test_a_register_folder_is_read_and_grouped_by_division(tmp_path: Path) -> None:
    folder = tmp_path / "register"
    generate_register(folder, n=3_000, rng=4)
    parts = sorted(folder.glob("*.parquet"))
    assert parts
    raw = pd.concat([pd.read_parquet(p) for p in parts], ignore_index=True)
    naf, unlocated = load_located_points(folder, to_crs="EPSG:2154")
    divisions, again = load_located_points(folder, level="division", to_crs="EPSG:2154")
    assert unlocated == again and len(naf) + unlocated <= len(raw)
    # A sub-class "25.62B" belongs to division "25": the first two digits of the code.
    expected = naf["industry"].astype(str).str[:2]
    assert (divisions["industry"].astype(str).to_numpy() == expected.to_numpy()).all()
    assert divisions["x"].notna().all() and divisions["y"].notna().all()


def test_an_empty_folder_or_a_missing_path_is_named(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(ParameterError, match=r"register folder .*empty' holds no \.parquet"):
        load_located_points(tmp_path / "empty")
    with pytest.raises(ParameterError, match=r"points file .*nowhere\.csv' does not exist"):
        load_located_points(tmp_path / "nowhere.csv")


def test_the_spark_path_sends_chunks_with_one_seed_per_industry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = np.random.default_rng(8)
    codes = ["a"] * 120 + ["b"] * 40 + ["c"] * 30 + ["d"] * 20
    points = pd.DataFrame(
        {"x": rng.uniform(0, 5_000, len(codes)), "y": rng.uniform(0, 5_000, len(codes)),
         "industry": codes}
    )  # fmt: skip
    calls: list[tuple[list[str], bool]] = []

    def local_envelopes(
        session: Any, frame: pd.DataFrame, *, industries: list[str], function: str,
        simulations: int, seeds: list[np.random.SeedSequence], **options: Any,
    ) -> dict[str, Any]:  # fmt: skip
        assert session == "session" and function == "kd"
        calls.append((list(industries), bool(options.get("approx"))))
        return {
            code: kd_test(frame, industry=code, simulations=simulations, rng=seed, **options)
            for code, seed in zip(industries, seeds, strict=True)
        }

    import clusteratlas.engine.spark_simulations as spark_simulations

    monkeypatch.setattr(spark_simulations, "spark_envelopes", local_envelopes)
    monkeypatch.setattr(scan, "SPARK_CHUNK", 3)
    options: dict[str, Any] = {
        "min_plants": 10, "simulations": 5, "seed": 9, "window": (0, 0, 5_000, 5_000),
        "approx_from": 100, "cell": 25.0,
    }  # fmt: skip
    checkpoint = tmp_path / "run.partial"
    distributed = scan_industries(points, spark="session", checkpoint=checkpoint, **options)
    local = scan_industries(points, **options)
    pd.testing.assert_frame_equal(distributed.summary, local.summary)
    pd.testing.assert_frame_equal(distributed.curves, local.curves)
    # Chunks of 3 industries in sorted order (a, b, c | d); "a" (120 plants) is gridded and
    # goes in its own call.
    assert calls == [(["a"], True), (["b", "c"], False), (["d"], False)]
    assert len(list(checkpoint.glob("summary-*.json"))) == 4
    # Without a checkpoint the same chunks go to Spark and the numbers are the same.
    calls.clear()
    unsaved = scan_industries(points, spark="session", **options)
    pd.testing.assert_frame_equal(unsaved.summary, local.summary)
    assert calls == [(["a"], True), (["b", "c"], False), (["d"], False)]
    # Run again: every industry is read back, nothing goes to Spark.
    calls.clear()
    again = scan_industries(points, spark="session", checkpoint=checkpoint, **options)
    assert calls == [] and again.resumed == 4


def test_footprints_refuse_bad_options_and_coordinates() -> None:
    from clusteratlas.detect.footprints import footprints
    from clusteratlas.errors import SchemaError

    pytest.importorskip("geopandas")
    points = pd.DataFrame({"x": [0.0, 10.0, 20.0], "y": [0.0, 5.0, 9.0], "industry": "A"})
    with pytest.raises(ParameterError, match="at least one industry code"):
        footprints(points, industry=[], weight=None)
    for name, bad in (("simulations", 9.5), ("min_cluster_size", True)):
        with pytest.raises(TypeError, match=f"'{name}' parameter must be an int. Got"):
            footprints(points, industry="A", weight=None, **{name: bad})
    words = points.assign(x=["west", "east", "north"])
    with pytest.raises(SchemaError, match="'x' and 'y' must be numeric coordinates"):
        footprints(words, industry="A", weight=None)
