"""``generate_register`` on hand-made inputs: a 3-line extract and two square départements.

Squares on the equator, in degrees: AA is 1 × 1 (area 1); BB is two 1 × 1 squares, one with a
0.8 × 0.8 hole (area 1 + 1 − 0.64 = 1.36). Départements are drawn in proportion to area, so
P(AA) = 1 / 2.36 (0.42; ignoring the hole would give 1/3). The extract has 2 establishments in 62.01Z band 01 and 1 in
10.71C band 00: pairs are drawn with probabilities 2/3 and 1/3.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest

from clusteratlas.data.register import generate_register
from clusteratlas.errors import DataNotFoundError, ParameterError

pq = pytest.importorskip("pyarrow.parquet")

N = 4_000


def _square(x0: float, y0: float, side: float) -> list[list[float]]:
    return [[x0, y0], [x0 + side, y0], [x0 + side, y0 + side], [x0, y0 + side], [x0, y0]]


@pytest.fixture
def inputs(tmp_path: Path) -> tuple[Path, Path]:
    extract = tmp_path / "extract.csv"
    extract.write_text(
        "CODE_IRIS,APET700,TEFET,LIBTEFET\n"
        "674820101,6201Z,01,1 ou 2 salariés\n"
        "674820101,6201Z,01,1 ou 2 salariés\n"
        "674820102,1071C,00,0 salarié\n",
        encoding="utf-8",
    )
    features = [
        {
            "type": "Feature",
            "properties": {"code": "AA", "nom": "square"},
            "geometry": {"type": "Polygon", "coordinates": [_square(0, -0.5, 1)]},
        },
        {
            "type": "Feature",
            "properties": {"code": "BB", "nom": "two squares, one with a hole"},
            "geometry": {
                "type": "MultiPolygon",
                "coordinates": [
                    [_square(2, -0.5, 1), _square(2.1, -0.4, 0.8)],
                    [_square(4, -0.5, 1)],
                ],
            },
        },
    ]
    departements = tmp_path / "departements.geojson"
    departements.write_text(
        json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8"
    )
    return extract, departements


def _read(files: list[Path]) -> pd.DataFrame:
    return pd.concat([pq.read_table(f).to_pandas() for f in files], ignore_index=True)


def test_draws_follow_the_area_and_the_extract(tmp_path: Path, inputs: tuple[Path, Path]) -> None:
    extract, departements = inputs
    files = generate_register(
        tmp_path / "out", n=N, rng=3, chunk_size=1_500, departements=departements, extract=extract
    )
    assert [f.name for f in files] == [
        "part-00000.parquet",
        "part-00001.parquet",
        "part-00002.parquet",
    ]
    frame = _read(files)
    assert len(frame) == N
    dep = frame["codeCommuneEtablissement"].str[:2]
    p_aa = 1 / 2.36
    assert abs((dep == "AA").mean() - p_aa) < 5 * math.sqrt(p_aa * (1 - p_aa) / N)
    pairs = set(
        zip(
            frame["activitePrincipaleEtablissement"],
            frame["trancheEffectifsEtablissement"],
            strict=True,
        )
    )
    assert pairs == {("62.01Z", "01"), ("10.71C", "00")}
    share = (frame["activitePrincipaleEtablissement"] == "62.01Z").mean()
    assert abs(share - 2 / 3) < 5 * math.sqrt(2 / 9 / N)
    # coordinates in the bounding box of the département: BB spans both of its squares
    aa, bb = frame[dep == "AA"], frame[dep == "BB"]
    assert aa["longitude"].between(0, 1).all() and aa["latitude"].between(-0.5, 0.5).all()
    assert bb["longitude"].between(2, 5).all() and bb["longitude"].gt(3).any()
    assert bb["latitude"].between(-0.5, 0.5).all()


def test_an_unseeded_register_says_no_seed(tmp_path: Path, inputs: tuple[Path, Path]) -> None:
    extract, departements = inputs
    (file,) = generate_register(tmp_path / "out", n=5, departements=departements, extract=extract)
    attribution = pq.read_schema(file).metadata[b"attribution"].decode("utf-8")
    assert attribution.startswith("Synthetic register") and "seed" not in attribution


def test_missing_departements_write_nothing(tmp_path: Path, inputs: tuple[Path, Path]) -> None:
    extract, _ = inputs
    missing = tmp_path / "nowhere.geojson"
    with pytest.raises(
        DataNotFoundError, match=r"nowhere\.geojson do not exist; pass departements="
    ):
        generate_register(tmp_path / "out", n=5, departements=missing, extract=extract)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(("n", "chunk_size", "name"), [(0, 10, "'n'"), (5, 0, "'chunk_size'")])
def test_sizes_below_one_are_refused(
    tmp_path: Path, inputs: tuple[Path, Path], n: int, chunk_size: int, name: str
) -> None:
    extract, departements = inputs
    with pytest.raises(
        ParameterError, match=f"The {name} parameter must be a number in \\[1, inf\\]"
    ):
        generate_register(
            tmp_path / "out", n=n, chunk_size=chunk_size, departements=departements, extract=extract
        )
    assert not (tmp_path / "out").exists()
