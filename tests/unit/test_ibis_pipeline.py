"""The Ibis register pipeline on DuckDB, against hand-computed aggregates and build_map."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

pytest.importorskip("ibis")

# ibis 12.0 calls DuckDB 2.0's deprecated fetch_* methods (its issue, not ours).
pytestmark = pytest.mark.filterwarnings(
    r"ignore:fetch_\w+\(\) is deprecated:DeprecationWarning:ibis"
)

from clusteratlas.errors import ParameterError, SchemaError  # noqa: E402
from clusteratlas.mapping.pipeline import build_map  # noqa: E402
from clusteratlas.mapping.registers import (  # noqa: E402
    compact_industry,
    expand_definitions,
    map_register,
)

# (siret, NAF, band, commune, created, state, since)
ROWS = [
    ("00000000000001", "62.01Z", "12", "67482", "2010-05-01", "A", "2010-05-01"),  # 34.5
    ("00000000000002", "62.01Z", "01", "67482", "2019-03-01", "A", "2019-03-01"),  # 1.5
    ("00000000000003", "26.11Z", "21", "67482", "2005-01-01", "A", "2005-01-01"),  # 74.5
    ("00000000000004", "26.11Z", "NN", "67001", "2001-01-01", "A", "2001-01-01"),  # unknown
    ("00000000000005", "10.11Z", "03", "67001", "2015-06-01", "A", "2015-06-01"),  # 7.5
    ("00000000000006", "10.11Z", "02", "67001", "2012-01-01", "F", "2018-07-01"),  # 4, closed
    ("00000000000007", "62.02A", "11", "2A004", "2000-01-01", "A", "2000-01-01"),  # 14.5
    ("00000000000008", "26.11Z", "00", "2A004", "2021-01-02", "A", "2021-01-02"),  # not yet
    ("00000000000009", "62.01Z", "02", "97411", "2011-01-01", "A", "2011-01-01"),  # 4
    ("00000000000010", "52.4Z", "01", "97411", "2011-01-01", "A", "2011-01-01"),  # NAF rev. 1
]
COLUMNS = [
    "siret",
    "activitePrincipaleEtablissement",
    "trancheEffectifsEtablissement",
    "codeCommuneEtablissement",
    "dateCreationEtablissement",
    "etatAdministratifEtablissement",
    "dateDebut",
]


def write_register(folder: Path, rows: list[tuple[str, ...]] = ROWS, parts: int = 2) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    frame = pd.DataFrame(rows, columns=COLUMNS)
    for i, chunk in enumerate(np.array_split(np.arange(len(frame)), parts)):
        pq.write_table(
            pa.Table.from_pandas(frame.iloc[chunk], preserve_index=False),
            folder / f"part-{i}.parquet",
        )
    return folder


@pytest.fixture
def register(tmp_path: Path) -> Path:
    return write_register(tmp_path / "register")


@pytest.fixture
def definitions_csv(tmp_path: Path) -> str:
    path = tmp_path / "defs.csv"
    pd.DataFrame(
        {
            "industry": ["C26", "62", "C10", "J620"],
            "category": ["electronics", "software", "food", "digital"],
            "category_type": ["", "", "", ""],
        }
    ).to_csv(path, index=False)
    return str(path)


def test_compact_industry() -> None:
    assert compact_industry("62.01Z") == "J6201Z"
    assert compact_industry("26") == "C26"
    assert compact_industry("C26.1") == "C261"


def test_expand_definitions_puts_coarse_codes_on_observed_ones() -> None:
    defs = pd.DataFrame({"industry": ["C26", "D3511"], "category": ["a", "a"]})
    out = expand_definitions(defs, ["C2611", "C2612", "D3511", "J6201"])
    assert sorted(out["industry"]) == ["C2611", "C2612", "D3511"]


def test_aggregates_by_hand(register: Path, definitions_csv: str) -> None:
    result = map_register(
        register, categories=definitions_csv, year=2020, region_level="departement"
    )
    agg = result.aggregates.set_index(["region", "industry"])
    # Département 67: J6201 (34.5 + 1.5) and C2611 (74.5 + unknown); closed food left out
    # of 2020 (closed 2018-07-01) but the 2015 one stays.
    assert agg.loc[("67", "J620"), "employment"] == 36.0
    assert agg.loc[("67", "J620"), "establishments"] == 2
    assert agg.loc[("67", "C261"), "employment"] == 74.5
    assert agg.loc[("67", "C261"), "establishments"] == 2
    assert agg.loc[("67", "C261"), "n_unknown_band"] == 1
    assert agg.loc[("67", "C101"), "employment"] == 7.5
    # Corsica keeps 2A; the 2021 creation is not active at 1 January 2020; overseas 974.
    assert agg.loc[("2A", "J620"), "employment"] == 14.5
    assert ("2A", "C261") not in agg.index
    assert agg.loc[("974", "J620"), "employment"] == 4.0
    assert any("without a NAF" in note for note in result.notes)
    frame = result.frame.set_index(["region", "category"])
    # LQ of software in 67: (36 / 118) / (54.5 / 136.5)
    expected = (36 / 118) / (54.5 / 136.5)
    assert frame.loc[("67", "software"), "lq"] == pytest.approx(expected)
    assert frame.loc[("67", "digital"), "employment"] == 36.0


def test_map_equals_build_map_on_pandas_aggregates(register: Path, definitions_csv: str) -> None:
    result = map_register(
        register, categories=definitions_csv, year=2020, growth_start=2016, rules="eco2007"
    )
    raw = pd.concat([pd.read_parquet(p) for p in sorted(register.glob("*.parquet"))])
    midpoints = {"NN": np.nan, "00": 0.0, "01": 1.5, "02": 4.0, "03": 7.5, "11": 14.5}
    midpoints |= {"12": 34.5, "21": 74.5}
    parts = []
    for year in (2016, 2020):
        day = f"{year}-01-01"
        closed = (raw["etatAdministratifEtablissement"] == "F") & (raw["dateDebut"] <= day)
        active = raw[(raw["dateCreationEtablissement"] <= day) & ~closed]
        naf = active["activitePrincipaleEtablissement"].str.replace(".", "", regex=False)
        active = active[naf.str.fullmatch(r"\d{4}[A-Z]")]
        parts.append(
            pd.DataFrame(
                {
                    "region": active["codeCommuneEtablissement"],
                    "industry": [
                        compact_industry(c)[:4] for c in active["activitePrincipaleEtablissement"]
                    ],
                    "year": year,
                    "employment": active["trancheEffectifsEtablissement"].map(midpoints),
                }
            )
        )
    rows = pd.concat(parts)
    observations = (
        rows.groupby(["region", "industry", "year"])
        .agg(
            employment=("employment", lambda s: s.sum(min_count=1)),
            establishments=("employment", "size"),
        )
        .reset_index()
        .assign(wages=np.nan)
    )
    from clusteratlas.mapping.registers import load_register_definitions
    from clusteratlas.mapping.rulesets import load_ruleset

    definitions, level = load_register_definitions(definitions_csv)
    assert level == "group"
    usable = expand_definitions(definitions, observations["industry"].unique())
    expected = build_map(
        observations,
        usable,
        year=2020,
        growth_start=2016,
        ruleset=load_ruleset("eco2007"),
        absent_is_zero=True,
    )
    pd.testing.assert_frame_equal(result.frame, expected)


def test_year_none_takes_the_stock_as_it_stands(register: Path, definitions_csv: str) -> None:
    result = map_register(register, categories=definitions_csv)
    assert result.year == 2021
    assert result.aggregates["establishments"].sum() == 9  # the closed one left out


def test_missing_column_names_the_file(tmp_path: Path, definitions_csv: str) -> None:
    folder = write_register(tmp_path / "r")
    frame = pd.read_parquet(folder / "part-1.parquet").drop(columns="trancheEffectifsEtablissement")
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), folder / "part-1.parquet")
    with pytest.raises(
        SchemaError, match=r"part-1\.parquet: column 'trancheEffectifsEtablissement' is missing"
    ):
        map_register(folder, categories=definitions_csv)


def test_mistyped_column_names_expected_and_found(tmp_path: Path, definitions_csv: str) -> None:
    folder = write_register(tmp_path / "r")
    frame = pd.read_parquet(folder / "part-0.parquet")
    frame["codeCommuneEtablissement"] = (
        frame["codeCommuneEtablissement"].str.slice(0, 2).replace("2A", "20").astype("int64")
    )
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), folder / "part-0.parquet")
    with pytest.raises(
        SchemaError,
        match=r"part-0\.parquet: column 'codeCommuneEtablissement' must be string; found int64",
    ):
        map_register(folder, categories=definitions_csv)


def test_unknown_engine_suggests(register: Path, definitions_csv: str) -> None:
    with pytest.raises(ParameterError, match="Did you mean 'duckdb'"):
        map_register(register, engine="duckbd", categories=definitions_csv)


def test_no_files(tmp_path: Path, definitions_csv: str) -> None:
    with pytest.raises(FileNotFoundError, match=r"(?i)no Parquet file"):
        map_register(tmp_path / "nothing-*.parquet", categories=definitions_csv)


def test_departement_is_read_from_the_raw_prefix_after_aggregation() -> None:
    import ibis
    import pyarrow as pa

    from clusteratlas.engine.ibis_pipeline import region_code, region_key

    codes = ["67482", " 67482", "97411", "2A004", "", " 97411"]
    raw = ibis.memtable(pa.table({"c": codes}))  # through Arrow: ibis' pandas path warns
    expr = raw.select(
        dep=region_code(region_key(raw.c, "departement"), "departement"),
        commune=region_code(region_key(raw.c, "commune"), "commune"),
    )
    out = ibis.duckdb.connect().to_pyarrow(expr).to_pydict()
    # A padded overseas code loses its third character in the 3-character key: unlocated.
    assert out["dep"] == ["67", "67", "974", "2A", None, None]
    assert out["commune"] == ["67482", "67482", "97411", "2A004", None, "97411"]


def test_departements_are_named_from_the_boundaries(
    register: Path, definitions_csv: str, data_dir: Path
) -> None:
    import json

    from clusteratlas.mapping.registers import map_register

    names = {
        f["properties"]["code"]: f["properties"]["nom"]
        for f in json.loads((data_dir / "fr" / "departements.geojson").read_text())["features"]
    }
    result = map_register(
        register, region_level="departement", year=2020, categories=definitions_csv
    )
    named = dict(zip(result.frame["region"], result.frame["region_name"], strict=False))
    assert named["67"] == names["67"] and named["2A"] == names["2A"]
    assert any("IGN" in text for text in result.attribution)
