"""Matching needs to programmes on hand-made skill sets, the ranking worked out by hand.

Need n1 (cluster K, region R1) needs skills a, b, c, d. Programmes:
  X covers a, b       in R1          → coverage 2/4, reachable
  Y covers a, b, c    in R1          → 3/4, reachable
  W covers a, b, c    in R2          → 3/4, not reachable (another region, in person)
  Z covers a          online         → 1/4, reachable
Ranking: Y (3/4, reachable), W (3/4), X (2/4), Z (1/4). Skill d is covered by none: a gap.
Need n2 (cluster K, region R2) needs c only: W (in R2) covers it, Y does too but is in R1.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from clusteratlas.errors import SchemaError, UnknownCodeError
from clusteratlas.skills.matching import (
    haversine_km,
    match_programmes,
    needed_skills,
    read_needs,
    skill_gaps,
)
from clusteratlas.skills.search import ConceptIndex

S = "http://data.europa.eu/esco/skill/"


def _needed(pairs: list[tuple[str, str]]) -> pd.DataFrame:
    frame = pd.DataFrame(pairs, columns=["need_id", "skill_id"])
    frame["label"] = frame["skill_id"].str.upper()
    return frame


@pytest.fixture
def case() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    needs = pd.DataFrame(
        {"need_id": ["n1", "n2"], "cluster": ["K", "K"], "region": ["R1", "R2"], "people": [10, 4]}
    )
    needed = _needed([("n1", "a"), ("n1", "b"), ("n1", "c"), ("n1", "d"), ("n2", "c")])
    programmes = pd.DataFrame(
        {
            "programme_id": ["X", "Y", "W", "Z"],
            "provider_id": ["p", "p", "q", "q"],
            "title": ["x", "y", "w", "z"],
            "format": ["in-person", "blended", "in-person", "online"],
            "region": ["R1", "R1", "R2", ""],
        }
    )
    tags = pd.DataFrame(
        [("X", "a"), ("X", "b"), ("Y", "a"), ("Y", "b"), ("Y", "c"), ("W", "a"), ("W", "b"),
         ("W", "c"), ("Z", "a")],
        columns=["programme_id", "skill_id"],
    )  # fmt: skip
    return needs, needed, programmes, tags


def test_ranking_by_coverage_then_reach(case) -> None:  # type: ignore[no-untyped-def]
    table = match_programmes(*case, top=5)
    n1 = table[table["need_id"] == "n1"]
    assert n1["programme_id"].tolist() == ["Y", "W", "X", "Z"]
    assert n1["coverage"].tolist() == [0.75, 0.75, 0.5, 0.25]
    assert n1["reachable"].tolist() == [True, False, True, True]
    y = n1.iloc[0]
    assert (y["n_shared"], y["n_needed"]) == (3, 4)
    assert y["shared_skills"] == "A; B; C" and y["gap_skills"] == "D"
    assert y["shared_skill_ids"] == "a b c" and y["gap_skill_ids"] == "d"
    n2 = table[table["need_id"] == "n2"]
    assert n2["programme_id"].tolist() == ["W", "Y"]  # same coverage 1: W is in n2's region


def test_top_limits_per_need(case) -> None:  # type: ignore[no-untyped-def]
    table = match_programmes(*case, top=1)
    assert table[["need_id", "programme_id", "rank"]].values.tolist() == [
        ["n1", "Y", 1],
        ["n2", "W", 1],
    ]


def test_distance_breaks_ties_then_preferred_format(case) -> None:  # type: ignore[no-untyped-def]
    needs, needed, programmes, tags = case
    # Both X and Y reachable with coverage 1 for a need of a and b; X is nearer.
    needs = pd.DataFrame({"need_id": ["m"], "cluster": ["K"], "region": ["R1"], "people": [1],
                          "format": ["blended"], "lat": [45.0], "lon": [0.0]})  # fmt: skip
    needed = _needed([("m", "a"), ("m", "b")])
    located = programmes.assign(lat=[45.0, 46.0, np.nan, np.nan], lon=[1.0, 0.0, np.nan, np.nan])
    table = match_programmes(needs, needed, located, tags)
    assert table["programme_id"].tolist()[:2] == ["X", "Y"]
    assert table["distance_km"].iloc[0] == pytest.approx(78.7, abs=0.1)  # 1° of longitude at 45° N
    assert table["distance_km"].iloc[1] == pytest.approx(111.2, abs=0.1)  # 1° of latitude
    # Without coordinates, the need's preferred format (blended: Y) comes first.
    table = match_programmes(needs.drop(columns=["lat", "lon"]), needed, programmes, tags)
    assert table["programme_id"].tolist()[:2] == ["Y", "X"]


def test_haversine_against_hand_values() -> None:
    # R = 6371.0088 km: a degree of a great circle is 2πR/360 = 111.195 km; at latitude 45°
    # a degree of longitude is 2R·asin(cos 45° · sin 0.5°) = 78.626 km.
    assert float(haversine_km(0, 0, 0, 1)) == pytest.approx(2 * math.pi * 6371.0088 / 360, rel=1e-9)
    assert float(haversine_km(45, 0, 45, 1)) == pytest.approx(78.626, abs=1e-3)
    assert math.isnan(float(haversine_km(np.nan, 0, 0, 0)))


def test_gaps_per_cluster_and_region(case) -> None:  # type: ignore[no-untyped-def]
    by_cluster = skill_gaps(*case, by="cluster")
    rows = by_cluster.set_index("skill_id")
    assert rows.loc["d", "gap"] and rows.loc["d", "n_programmes"] == 0
    assert rows.loc["d", "people"] == 10
    # c is needed by n1 (10 people, reachable: Y) and n2 (4 people, reachable: W).
    assert rows.loc["c", "people"] == 14 and rows.loc["c", "n_needs"] == 2
    assert rows.loc["c", "programme_ids"] == "W Y"
    assert rows.loc["a", "programme_ids"] == "X Y Z"  # W is not reachable from R1
    assert by_cluster["skill_id"].iloc[0] == "d"  # gaps first
    by_region = skill_gaps(*case, by="region").set_index(["region", "skill_id"])
    assert by_region.loc[("R2", "c"), "programme_ids"] == "W"
    assert by_region.loc[("R1", "c"), "programme_ids"] == "Y"


def _needs_file(tmp_path: Path, body: str) -> Path:
    file = tmp_path / "needs.csv"
    file.write_text("need_id,cluster,region,text,skills,people,horizon\n" + body)
    return file


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ("n1,K,R,weld,,0,2027\n", r"row 2, column 'people'.*'0'"),
        ("n1,K,R,weld,,1,2027\nn1,K,R,cut,,1,2027\n", r"row 3, column 'need_id'"),
        ("n1,K,R,,,1,2027\n", r"row 2, column 'skills': expected ESCO skill URIs or a text"),
    ],
)
def test_read_needs_errors(tmp_path: Path, body: str, needle: str) -> None:
    with pytest.raises(SchemaError, match=needle):
        read_needs(_needs_file(tmp_path, body))


def test_needed_skills_stated_and_from_text(tmp_path: Path) -> None:
    concepts = pd.DataFrame({"id": [f"{S}a", f"{S}b"], "kind": "skill",
                             "label": ["weld metal", "bake bread"],
                             "text": ["weld metal", "bake bread"]})  # fmt: skip
    index = ConceptIndex.build(concepts, ngram_range=(1, 1))
    needs = read_needs(_needs_file(tmp_path, f"n1,K,R,welding of metal,{S}b;{S}b,,2027\n"))
    assert needs["people"].tolist() == [1]  # empty: one person
    needed = needed_skills(needs, index=index, top=2)
    assert needed[["skill_id", "source"]].values.tolist() == [
        [f"{S}b", "stated"],
        [f"{S}a", "text"],
    ]
    bad = needs.assign(skills="http://data.europa.eu/esco/occupation/x")
    with pytest.raises(UnknownCodeError, match="no occupation–skill relations"):
        needed_skills(bad, index=index)
    with pytest.raises(UnknownCodeError, match="not an ESCO skill"):
        needed_skills(needs.assign(skills=f"{S}zz"), index=index)
