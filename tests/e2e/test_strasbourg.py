"""End-to-end: agglomeration indices on the real SIRENE 2010 extract of the Strasbourg area.

Counts and indices are recomputed independently from the raw file with csv and gzip.
"""

from __future__ import annotations

import csv
import gzip
from collections import Counter, defaultdict
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

# INSEE bands → employees (midpoints of the published ranges; NN is unknown, left out).
BANDS = {
    "00": 0.0, "01": 1.5, "02": 4.0, "03": 7.5, "11": 14.5, "12": 34.5, "21": 74.5,
    "22": 149.5, "31": 224.5, "32": 374.5, "41": 749.5, "42": 1499.5, "51": 3499.5,
    "52": 7499.5, "53": 10000.0,
}  # fmt: skip


@pytest.fixture(scope="module")
def path(data_dir: Path) -> Path:
    return data_dir / "fr" / "sirene_2010_basrhin_iris.csv.gz"


@pytest.fixture(scope="module")
def raw(path: Path) -> list[dict[str, str]]:
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def establishments(path: Path):
    from clusteratlas.data.establishments import read_strasbourg_extract

    return read_strasbourg_extract(path)


@pytest.fixture(scope="module")
def table(establishments):
    from clusteratlas.detect import agglomeration_table

    return agglomeration_table(establishments, levels=("iris", "commune"), missing="drop")


def test_counts_match_the_raw_file(raw, establishments) -> None:
    assert len(raw) == len(establishments) == 81_921
    assert len({row["CODE_IRIS"] for row in raw}) == establishments["iris"].nunique() == 253
    assert len({row["CODE_IRIS"][:5] for row in raw}) == establishments["commune"].nunique() == 86
    assert len({row["APET700"] for row in raw}) == establishments["industry"].nunique() == 623
    unknown = sum(row["TEFET"] == "NN" for row in raw)
    assert establishments["weight"].isna().sum() == unknown
    employees = sum(BANDS[row["TEFET"]] for row in raw if row["TEFET"] != "NN")
    assert establishments["weight"].sum() == pytest.approx(employees)


def by_hand(raw: list[dict[str, str]], level: int, code: str) -> dict[str, float]:
    """EG γ and MS γ of ``code`` with areas = the first ``level`` characters of CODE_IRIS."""
    area_total: dict[str, float] = defaultdict(float)
    own: dict[str, float] = defaultdict(float)
    plants: list[float] = []
    for row in raw:
        if row["TEFET"] == "NN":
            continue
        weight, area = BANDS[row["TEFET"]], row["CODE_IRIS"][:level]
        area_total[area] += weight
        if row["APET700"] == code:
            own[area] += weight
            plants.append(weight)
    total, employment = sum(area_total.values()), sum(plants)
    x = {area: value / total for area, value in area_total.items()}
    s = {area: own.get(area, 0.0) / employment for area in x}
    sum_x2 = sum(v * v for v in x.values())
    g = sum((s[a] - x[a]) ** 2 for a in x)
    h = sum((w / employment) ** 2 for w in plants)
    g_ms = (sum(v * v for v in s.values()) - sum_x2) / (1 - sum_x2)
    return {
        "n_plants": len(plants),
        "H": h,
        "G": g,
        "gamma": (g / (1 - sum_x2) - h) / (1 - h),
        "gamma_ms": (g_ms - h) / (1 - h),
    }


@pytest.mark.parametrize("code", ["6420Z", "4711F", "5610A", "8690F"])
def test_gamma_recomputed_by_hand(raw, table, code: str) -> None:
    for level, digits in (("iris", 9), ("commune", 5)):
        row = table[(table["level"] == level) & (table["industry"] == code)].iloc[0]
        expected = by_hand(raw, digits, code)
        assert row["n_plants"] == expected["n_plants"]
        for name in ("H", "G", "gamma", "gamma_ms"):
            assert row[name] == pytest.approx(expected[name], rel=1e-9, abs=1e-12), (level, name)


def test_every_industry_at_every_level(raw, table) -> None:
    known = {row["APET700"] for row in raw if row["TEFET"] != "NN"}
    for level in ("iris", "commune"):
        rows = table[table["level"] == level]
        assert set(rows["industry"]) == known
        assert rows["n_plants"].sum() == sum(row["TEFET"] != "NN" for row in raw)
        assert rows["gini"].dropna().between(0, 1).all()
    # γ is defined wherever H < 1, i.e. for industries with two or more employing plants.
    defined = table.dropna(subset=["gamma"])
    assert (defined["H"] < 1).all() and len(defined) > 800


def test_coagglomeration_of_a_pair_by_hand(raw, establishments) -> None:
    from clusteratlas.detect import coagglomeration_table

    pair = ("6420Z", "7010Z")
    result = coagglomeration_table(
        establishments, levels=("commune",), pairs=[pair], missing="drop"
    )
    area_total: dict[str, float] = defaultdict(float)
    own: dict[str, Counter[str]] = {code: Counter() for code in pair}
    for row in raw:
        if row["TEFET"] == "NN":
            continue
        area_total[row["CODE_IRIS"][:5]] += BANDS[row["TEFET"]]
        if row["APET700"] in own:
            own[row["APET700"]][row["CODE_IRIS"][:5]] += BANDS[row["TEFET"]]
    total = sum(area_total.values())
    x = {a: v / total for a, v in area_total.items()}
    s = {code: {a: own[code][a] / sum(own[code].values()) for a in x} for code in pair}
    expected = sum((s[pair[0]][a] - x[a]) * (s[pair[1]][a] - x[a]) for a in x) / (
        1 - sum(v * v for v in x.values())
    )
    assert result["gamma_c"].iloc[0] == pytest.approx(expected, rel=1e-9)
