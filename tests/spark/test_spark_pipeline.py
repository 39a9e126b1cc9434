"""The register pipeline on Spark local mode: identical to DuckDB; Spark envelopes = local."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("pyspark")
pytest.importorskip("ibis")
sys.path.insert(0, str(Path(__file__).parents[1] / "unit"))

from test_ibis_pipeline import ROWS, write_register

from clusteratlas.engine import backends
from clusteratlas.engine import ibis_pipeline as pipe
from clusteratlas.errors import ParameterError
from clusteratlas.mapping.registers import map_register

pytestmark = [
    pytest.mark.spark,
    # ibis 12.0 calls DuckDB 2.0's deprecated fetch_* methods (its issue, not ours).
    pytest.mark.filterwarnings(r"ignore:fetch_\w+\(\) is deprecated:DeprecationWarning:ibis"),
    # PySpark 4.0 itself: toPandas/createDataFrame of pandas 3 frames (pandas 4 deprecations
    # raised inside pyspark.sql.pandas) and py4j's socket left to the GC at shutdown.
    pytest.mark.filterwarnings("ignore::DeprecationWarning:pyspark"),
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
]


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    session = backends.spark_session(driver_memory="1g")
    yield session
    warehouse = session.conf.get("spark.sql.warehouse.dir")
    session.stop()
    shutil.rmtree(str(warehouse).removeprefix("file:"), ignore_errors=True)


@pytest.fixture(scope="module")
def register(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    folder = tmp_path_factory.mktemp("spark")
    rng = np.random.default_rng(3)
    codes = ["62.01Z", "26.11Z", "10.11Z", "62.02A", "35.11Z", "30.30Z", "47.11F", "52.4Z"]
    bands = ["NN", "00", "01", "02", "03", "11", "12", "21", "53"]
    communes = ["67482", "67001", "2A004", "2B033", "97411", "75056", "", "13055"]
    n = 3000
    rows = [
        (
            f"{i:014d}",
            codes[rng.integers(len(codes))],
            bands[rng.integers(len(bands))],
            communes[rng.integers(len(communes))],
            f"{rng.integers(1990, 2024)}-{rng.integers(1, 13):02d}-01",
            "F" if rng.random() < 0.2 else "A",
            f"{rng.integers(2000, 2025)}-01-01",
        )
        for i in range(n)
    ]
    write_register(folder / "reg", rows + ROWS, parts=3)
    defs = folder / "defs.csv"
    pd.DataFrame(
        {"industry": ["C26", "J62", "C10", "D3511", "C303", "G47"], "category": list("abcdef")}
    ).to_csv(defs, index=False)
    return folder / "reg", str(defs)


@pytest.mark.parametrize("region_level", ["commune", "departement"])
def test_duckdb_and_spark_give_identical_maps(
    spark: Any, register: tuple[Path, str], region_level: str
) -> None:
    path, defs = register
    common = dict(
        categories=defs, year=2020, growth_start=2015, region_level=region_level, rules="eco2007"
    )
    local = map_register(path, engine="duckdb", **common)
    distributed = map_register(path, engine="spark", session=spark, **common)
    keys = ["region", "category"]
    pd.testing.assert_frame_equal(
        local.frame.sort_values(keys, ignore_index=True),
        distributed.frame.sort_values(keys, ignore_index=True),
    )
    pd.testing.assert_frame_equal(local.aggregates, distributed.aggregates)
    assert local.notes == distributed.notes


def test_category_aggregates_identical(spark: Any, register: tuple[Path, str]) -> None:
    path, _ = register
    files = pipe.parquet_files(path)
    kinds = pipe.check_parquet_schema(files, {})
    dated = {k: v for k, v in kinds.items() if k in (pipe.CREATED, pipe.SINCE, pipe.STATE)}
    members = pd.DataFrame({"industry": ["C26", "J62", "C10"], "category": ["x", "y", "y"]})
    frames = []
    for engine in ("duckdb", "spark"):
        with backends.connect(engine, session=spark) as backend:
            rows = pipe.register_rows(
                backend.read_parquet(files), kinds=dated, years=[2019],
                region_column="codeCommuneEtablissement",
                industry_column="activitePrincipaleEtablissement",
                band_column="trancheEffectifsEtablissement", region_level="departement",
            )  # fmt: skip
            aggregates = pipe.industry_aggregates(rows)
            result = pipe.category_aggregates(aggregates, backend.memtable(members))
            frame = backend.to_pandas(result)
            frames.append(frame.sort_values(["region", "category"], ignore_index=True))
    pd.testing.assert_frame_equal(frames[0], frames[1], check_dtype=False)
    assert frames[0]["establishments"].sum() > 0


def test_unreachable_master_names_the_url(register: tuple[Path, str]) -> None:
    path, defs = register
    with pytest.raises(ParameterError, match=r"spark://127\.0\.0\.1:9 cannot be reached"):
        map_register(path, engine="spark", spark_master="spark://127.0.0.1:9", categories=defs)


@pytest.mark.parametrize("function", ["kd", "m"])
def test_spark_envelopes_identical_to_local(spark: Any, function: str) -> None:
    from clusteratlas.engine.spark_simulations import spark_envelopes
    from clusteratlas.measures.pointpattern import kd_test, m_test

    rng = np.random.default_rng(0)
    n = 160
    points = pd.DataFrame(
        {
            "x": rng.uniform(0, 10_000, n),
            "y": rng.uniform(0, 10_000, n),
            "industry": rng.choice(["a", "b", "c"], n),
            "weight": rng.integers(1, 50, n).astype(float),
        }
    )
    options: dict[str, Any] = {"weight": "weight"} if function == "kd" else {}
    if function == "kd":
        options["n_r"] = 64
    out = spark_envelopes(
        spark, points, industries=["a", "b"], function=function, simulations=9,
        batch_size=4, rng=42, **options,
    )  # fmt: skip
    test = kd_test if function == "kd" else m_test
    for industry in ("a", "b"):
        local = test(points, industry=industry, simulations=9, rng=42, **options)
        got = out[industry]
        assert got.function == local.function
        assert got.industry == local.industry
        for name in ("r", "statistic", "simulations", "lower", "upper", "localised"):
            np.testing.assert_array_equal(getattr(got, name), getattr(local, name))
        assert got.pvalue == local.pvalue
        assert (got.gamma, got.psi) == (local.gamma, local.psi)


def test_scan_industries_on_spark_equals_the_local_run(
    spark: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every industry on Spark gives the local run's numbers (same seed, each industry from
    its own child), gridded industries included with their error columns; chunks of two
    industries per job, each saved to the checkpoint."""
    from clusteratlas.detect import scan
    from clusteratlas.detect.scan import scan_industries

    rng = np.random.default_rng(3)
    n = 240
    points = pd.DataFrame(
        {
            "x": rng.uniform(0, 10_000, n),
            "y": rng.uniform(0, 10_000, n),
            "industry": rng.choice(["a", "b", "c"], n, p=[0.5, 0.3, 0.2]),
        }
    )
    options: dict[str, Any] = {
        "min_plants": 10, "simulations": 7, "seed": 5, "window": (0, 0, 10_000, 10_000),
        "approx_from": 100, "cell": 50.0,
    }  # fmt: skip
    local = scan_industries(points, **options)
    monkeypatch.setattr(scan, "SPARK_CHUNK", 2)
    checkpoint = tmp_path / "run.partial"
    distributed = scan_industries(points, spark=spark, checkpoint=checkpoint, **options)
    pd.testing.assert_frame_equal(distributed.summary, local.summary)
    pd.testing.assert_frame_equal(distributed.curves, local.curves)
    # "a" (about 120 plants) was gridded, the others exact.
    bounds = distributed.summary.set_index("industry")["error_bound"]
    assert bounds["a"] > 0 and bounds[["b", "c"]].isna().all()
    assert len(list(checkpoint.glob("summary-*.json"))) == 3
