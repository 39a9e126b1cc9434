from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from clusteratlas.errors import OutputError, ParameterError
from clusteratlas.export import atomic_write, write_table
from clusteratlas.store import Store

FRAME = pd.DataFrame({"region": ["A", "B"], "category": ["x", "y"], "lq": [1.5, float("nan")]})


def test_store_round_trip_with_metadata(tmp_path: Path) -> None:
    store = Store(tmp_path / "db" / "atlas.duckdb")
    store.write("results", FRAME, metadata={"year": 2014})
    assert store.tables() == ["results"]
    back = store.read("results")
    pd.testing.assert_frame_equal(back, FRAME, check_dtype=False)
    assert store.metadata("results") == {"year": 2014}
    store.write("results", FRAME.head(1))
    assert len(store.read("results")) == 1


def test_store_rejects_bad_names_and_unknown_tables(tmp_path: Path) -> None:
    store = Store(tmp_path / "atlas.duckdb")
    with pytest.raises(ParameterError, match="letters, digits"):
        store.write("drop table; --", FRAME)
    with pytest.raises(ParameterError, match="no table 'nope'"):
        store.read("nope")


def test_default_store_lives_in_the_user_data_directory() -> None:
    store = Store()
    assert store.path.parent == Path(os.environ["CLUSTERATLAS_HOME"])


def test_csv_and_parquet_carry_attribution(tmp_path: Path) -> None:
    write_table(FRAME, tmp_path / "out.csv", attribution=["Source: Eurostat", "GISCO"])
    csv = pd.read_csv(tmp_path / "out.csv")
    assert set(csv["attribution"]) == {"Source: Eurostat; GISCO"}
    assert csv["lq"].isna().iloc[1]
    write_table(FRAME, tmp_path / "out.parquet", attribution=["Source: Eurostat"])
    table = pq.read_table(tmp_path / "out.parquet")
    assert table.schema.metadata[b"attribution"] == b"Source: Eurostat"


def test_unknown_format_and_unwritable_paths(tmp_path: Path) -> None:
    with pytest.raises(ParameterError, match=r"\.csv, \.parquet or \.geojson"):
        write_table(FRAME, tmp_path / "out.xlsx", attribution=[])
    with pytest.raises(OutputError, match="does not exist"):
        write_table(FRAME, tmp_path / "missing" / "out.csv", attribution=[])


def test_failed_write_leaves_nothing_behind(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"

    def explode(path: Path) -> None:
        path.write_text("half")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        atomic_write(target, explode)
    assert list(tmp_path.iterdir()) == []
