"""Edges of skill-need matching: every message of the needs reader and the pair builder, word
for word, the typed columns they return, the needed-skills table column by column and the
great-circle distance on object columns. Written for the survivors of the mutation run over
``skills/matching.py`` (``benchmarks/mutation_report.md``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from clusteratlas.errors import ParameterError, SchemaError, UnknownCodeError
from clusteratlas.skills.matching import (
    haversine_km,
    match_programmes,
    needed_skills,
    read_needs,
    skill_gaps,
)

HEADER = "need_id,cluster,region,text,skills,people,horizon"


def _needs(tmp_path: Path, body: str, header: str = HEADER) -> Path:
    path = tmp_path / "needs.csv"
    path.write_text(f"{header}\n{body}", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (",K,R,weld,,1,2027\n", "row 2, column 'need_id': expected a non-empty id, got ''."),
        (
            "n1,K,R,weld,,1,2027\nn2,K,R,cut,,1,2027\nn1,K,R,bend,,1,2027\n",
            "row 4, column 'need_id': expected an id that appears once, got 'n1'.",
        ),
        (
            "n1,K,R,weld,,1,2027\nn2,K,R,,,1,2027\n",
            "row 3, column 'skills': expected ESCO skill URIs or a text, got ''.",
        ),
        ("n1,K,R,weld,,1.5,2027\n", "row 2, column 'people': expected a whole number of at "
         "least 1, got '1.5'."),
    ],
)  # fmt: skip
def test_every_message_names_row_column_and_value(tmp_path: Path, body: str, message: str) -> None:
    path = _needs(tmp_path, body)
    with pytest.raises(SchemaError) as info:
        read_needs(path)
    assert str(info.value) == f"{path}, {message}"


def test_a_missing_column_names_the_file(tmp_path: Path) -> None:
    path = _needs(tmp_path, "n1,K,R,weld,,1\n", header=HEADER.removesuffix(",horizon"))
    with pytest.raises(SchemaError) as info:
        read_needs(path)
    assert str(info.value).startswith(f"The needs file {path} is missing column(s) 'horizon';")


def test_format_and_coordinates_are_checked_and_typed(tmp_path: Path) -> None:
    header = f"{HEADER},format,lat,lon"
    good = _needs(tmp_path, "n1,K,R,weld,,3,2027,online,48.58,7.75\nn2,K,R,cut,,,,,,\n", header)
    needs = read_needs(good)
    assert needs["people"].tolist() == [3, 1] and needs["people"].dtype == "int64"
    assert needs["lat"].iloc[0] == 48.58 and needs["lat"].dtype == "float64"
    assert needs["lat"].isna().iloc[1] and needs["lon"].isna().iloc[1]
    bad_format = _needs(tmp_path, "n1,K,R,weld,,3,2027,evening,48.58,7.75\n", header)
    with pytest.raises(SchemaError) as info:
        read_needs(bad_format)
    assert str(info.value) == (
        f"{bad_format}, row 2, column 'format': expected one of in-person, online, blended, "
        "got 'evening'."
    )
    bad_lon = _needs(tmp_path, "n1,K,R,weld,,3,2027,online,48.58,180.5\n", header)
    with pytest.raises(SchemaError) as info:
        read_needs(bad_lon)
    assert str(info.value) == (
        f"{bad_lon}, row 2, column 'lon': expected a number in [-180, 180] or empty, got '180.5'."
    )


S = "http://data.europa.eu/esco/skill/"
WORDS = ["weld", "solder", "braze", "rivet", "glue", "bolt", "bake"]


def _index():
    from clusteratlas.skills.search import ConceptIndex

    concepts = pd.DataFrame(
        {"id": [f"{S}{w}" for w in WORDS], "kind": "skill", "label": WORDS,
         "text": [f"{w} metal parts" if w != "bake" else "bake bread" for w in WORDS]}
    )  # fmt: skip
    concepts.attrs["attribution"] = ["ESCO, (c) European Union"]
    return ConceptIndex.build(concepts, ngram_range=(1, 1))


def _frame(rows: list[tuple[str, object, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["need_id", "text", "skills"])


def test_needed_skills_table_columns_scores_and_attribution() -> None:
    index = _index()
    # n1 states "weld" and its text finds weld first (all three words shared), then four of
    # the five other metal skills (two words shared, tied): weld is one row, kept as
    # stated. n2 has no text (missing, not empty) and states "bake".
    needs = _frame([("n1", "weld metal parts", f"{S}weld"), ("n2", np.nan, f"{S}bake")])
    needed = needed_skills(needs, index=index)  # default: 5 text skills per need
    assert list(needed.columns) == ["need_id", "skill_id", "label", "source", "score"]
    assert needed.index.equals(pd.RangeIndex(len(needed)))
    n1 = needed[needed["need_id"] == "n1"]
    assert n1["skill_id"].iloc[0] == f"{S}weld" and n1["source"].iloc[0] == "stated"
    assert np.isnan(n1["score"].iloc[0])
    assert (n1["skill_id"] == f"{S}weld").sum() == 1  # the text's weld is the same skill
    text_rows = n1[n1["source"] == "text"]
    assert len(text_rows) == 4  # the default top 5, less weld already stated
    assert (text_rows["score"] > 0).all()
    assert set(text_rows["label"]) <= set(WORDS[:6])
    assert needed[needed["need_id"] == "n2"][["label", "source"]].values.tolist() == [
        ["bake", "stated"]
    ]
    assert needed.attrs["attribution"] == ["ESCO, (c) European Union"]
    assert len(needed_skills(needs, index=index, top=1).query("source == 'text'")) <= 1


def test_needed_skills_keep_only_positive_scores_and_skip_empty_texts() -> None:
    index = _index()
    # "bake" matches one concept; with top=3 the two next have score 0: left out (> 0).
    found = needed_skills(_frame([("n1", "bake", "")]), index=index, top=3)
    assert found["label"].tolist() == ["bake"]
    # A text matching nothing gives an empty table that still has its columns.
    nothing = needed_skills(_frame([("n1", "zzz", "")]), index=index)
    assert nothing.empty
    assert list(nothing.columns) == ["need_id", "skill_id", "label", "source", "score"]
    # An empty text is not searched, even when any score would be kept (min_score -1).
    empty = needed_skills(_frame([("n1", "", f"{S}glue")]), index=index, min_score=-1.0)
    assert empty["source"].tolist() == ["stated"]


def test_needed_skills_messages() -> None:
    index = _index()
    with pytest.raises(SchemaError) as info:
        needed_skills(_frame([("n1", "x", "")]).drop(columns="skills"), index=index)
    assert str(info.value).startswith("The needs table is missing column(s) 'skills';")
    occupation = "http://data.europa.eu/esco/occupation/x"
    with pytest.raises(UnknownCodeError) as info:
        needed_skills(_frame([("n1", "", occupation)]), index=index)
    assert str(info.value) == (
        f"Need 'n1': {occupation!r} is an ESCO occupation; needs take skills, and the ESCO "
        "mirror in the catalog has no occupation–skill relations to expand it. List the "
        "occupation's skills instead."
    )


def test_haversine_takes_object_columns_and_subtracts_longitudes() -> None:
    # One degree of longitude on the equator: 2 pi R / 360 = 111.195 km, from 10 to 11 E.
    assert round(float(haversine_km(0.0, 10.0, 0.0, 11.0)), 3) == 111.195
    # Columns of object dtype (as pandas gives coordinates read with None) are converted.
    lat = pd.Series([0.0, None], dtype=object)
    lon = pd.Series([10.0, None], dtype=object)
    for args in ((lat, lon, lat, lon + 0), (lat, lon, 0.0, 11.0), (0.0, 10.0, lat, lon)):
        distance = haversine_km(*args)
        assert np.isfinite(distance[0]) and np.isnan(distance[1])
    assert haversine_km(lat, lon, lat, lon)[0] == 0.0


def test_the_pair_builder_names_the_table_at_fault() -> None:
    needs = pd.DataFrame({"need_id": ["n1"], "region": ["R"], "people": [1]})
    needed = pd.DataFrame({"need_id": ["n1"], "skill_id": ["a"], "label": ["A"]})
    programmes = pd.DataFrame({"programme_id": ["p"], "title": ["P"], "format": [""],
                               "region": ["R"]})  # fmt: skip
    tags = pd.DataFrame({"programme_id": ["p"], "skill_id": ["a"]})
    cases = [
        (needed.drop(columns="skill_id"), tags, programmes, "The needed skills is missing"),
        (needed, tags.drop(columns="skill_id"), programmes, "The programme tags is missing"),
        (needed, tags, programmes.drop(columns="title"), "The programmes is missing"),
    ]
    for needed_, tags_, programmes_, start in cases:
        with pytest.raises(SchemaError) as info:
            match_programmes(needs, needed_, programmes_, tags_)
        assert str(info.value).startswith(start), str(info.value)


def _offer(formats: list[str], regions: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Programmes P0, P1, ... of providers q0, q1, ... all tagged with the one skill 'a'."""
    ids = [f"P{i}" for i in range(len(formats))]
    programmes = pd.DataFrame({"programme_id": ids, "provider_id": [f"q{i}" for i in
                               range(len(ids))], "title": ids, "format": formats,
                               "region": regions})  # fmt: skip
    return programmes, pd.DataFrame({"programme_id": ids, "skill_id": "a"})


NEEDED = pd.DataFrame({"need_id": ["n1"], "skill_id": ["a"], "label": ["A"]})


def test_match_keeps_cluster_and_provider_and_a_float_distance() -> None:
    needs = pd.DataFrame({"need_id": ["n1"], "cluster": ["K"], "region": ["R"], "people": [2]})
    programmes, tags = _offer(["in-person"], ["R"])
    result = match_programmes(needs, NEEDED, programmes, tags)
    assert result[["cluster", "provider_id"]].values.tolist() == [["K", "q0"]]
    assert result["distance_km"].dtype == "float64" and result["distance_km"].isna().all()


def test_an_empty_region_is_no_region() -> None:
    # A need without a region reaches an in-person programme without a region no more than
    # any other: only online programmes are reachable from it.
    needs = pd.DataFrame({"need_id": ["n1"], "cluster": ["K"], "region": [""], "people": [1]})
    programmes, tags = _offer(["in-person", "online"], ["", ""])
    result = match_programmes(needs, NEEDED, programmes, tags)
    assert result[["programme_id", "reachable"]].values.tolist() == [["P1", True], ["P0", False]]


def test_no_stated_format_prefers_none() -> None:
    # Two in-region programmes, equal otherwise: with no format stated ("") neither is
    # preferred, so they are ranked by id (P0 blended before P1 of unknown format).
    needs = pd.DataFrame({"need_id": ["n1"], "cluster": ["K"], "region": ["R"], "people": [1],
                          "format": [""]})  # fmt: skip
    programmes, tags = _offer(["blended", ""], ["R", "R"])
    assert match_programmes(needs, NEEDED, programmes, tags)["programme_id"].tolist() == [
        "P0",
        "P1",
    ]


def test_top_defaults_to_five_and_must_be_a_positive_int() -> None:
    needs = pd.DataFrame({"need_id": ["n1"], "cluster": ["K"], "region": ["R"], "people": [1]})
    programmes, tags = _offer(["in-person"] * 7, ["R"] * 7)
    result = match_programmes(needs, NEEDED, programmes, tags)
    assert result["rank"].tolist() == [1, 2, 3, 4, 5]
    for bad in (0, True, 2.0):
        with pytest.raises(ParameterError) as info:
            match_programmes(needs, NEEDED, programmes, tags, top=bad)  # type: ignore[arg-type]
        assert str(info.value) == (
            f"The 'top' parameter must be an int in [1, inf). Got {bad!r} instead."
        )


def test_match_table_column_by_column() -> None:
    # n1 needs a, b, c; P0 (in R, in person) covers a only, P1 (online) covers a too: both
    # 1/3, both reachable, no distance, so by id. The gaps are b and c, in the need's order.
    needs = pd.DataFrame({"need_id": ["n1"], "cluster": ["K"], "region": ["R"], "people": [3]})
    needed = pd.DataFrame(
        {"need_id": "n1", "skill_id": ["a", "b", "c"], "label": ["Alpha", "Beta", "Gamma"]}
    )
    needed.attrs["attribution"] = ["ESCO, (c) European Union"]
    programmes, tags = _offer(["in-person", "online"], ["R", "Elsewhere"])
    result = match_programmes(needs, needed, programmes, tags)
    assert list(result.columns) == [
        "need_id", "cluster", "region", "rank", "programme_id", "provider_id", "title",
        "coverage", "n_shared", "n_needed", "reachable", "distance_km", "format",
        "shared_skills", "gap_skills", "shared_skill_ids", "gap_skill_ids",
    ]  # fmt: skip
    assert result.index.equals(pd.RangeIndex(2))
    assert result["programme_id"].tolist() == ["P0", "P1"]
    row = result.iloc[1]
    assert (row["cluster"], row["region"], row["provider_id"], row["title"]) == (
        "K", "R", "q1", "P1",
    )  # fmt: skip
    assert (row["format"], row["coverage"], row["n_shared"], row["n_needed"]) == (
        "online", 1 / 3, 1, 3,
    )  # fmt: skip
    assert (row["shared_skills"], row["gap_skills"]) == ("Alpha", "Beta; Gamma")
    assert (row["shared_skill_ids"], row["gap_skill_ids"]) == ("a", "b c")
    assert result.attrs["attribution"] == ["ESCO, (c) European Union"]
    # Without a cluster column in the needs nor providers in the programmes: empty strings.
    bare = match_programmes(
        needs.drop(columns="cluster"), needed, programmes.drop(columns="provider_id"), tags
    )
    assert bare["cluster"].tolist() == ["", ""] and bare["provider_id"].tolist() == ["", ""]


def test_gaps_default_to_clusters_and_name_their_parameter() -> None:
    needs = pd.DataFrame({"need_id": ["n1"], "cluster": ["K"], "region": ["R"], "people": [3]})
    programmes, tags = _offer(["in-person"], ["R"])
    gaps = skill_gaps(needs, NEEDED, programmes, tags)
    assert gaps.columns[0] == "cluster" and gaps["cluster"].tolist() == ["K"]
    with pytest.raises(ParameterError) as info:
        skill_gaps(needs, NEEDED, programmes, tags, by="country")
    assert str(info.value) == (
        "The 'by' parameter must be one of 'cluster', 'region'. Got 'country' instead."
    )
    with pytest.raises(SchemaError) as missing:
        skill_gaps(needs.drop(columns="people"), NEEDED, programmes, tags)
    assert str(missing.value).startswith("The needs table is missing column(s) 'people';")


@pytest.mark.parametrize(
    ("lat", "accepted"), [("90", True), ("-90", True), ("90.5", False), ("north", False)]
)
def test_latitudes_up_to_the_poles_are_accepted(tmp_path: Path, lat: str, accepted: bool) -> None:
    path = _needs(tmp_path, f"n1,K,R,weld,,1,2027,{lat},7.75\n", header=f"{HEADER},lat,lon")
    if accepted:
        assert read_needs(path)["lat"].tolist() == [float(lat)]
        return
    with pytest.raises(SchemaError) as info:
        read_needs(path)
    assert str(info.value) == (
        f"{path}, row 2, column 'lat': expected a number in [-90, 90] or empty, got {lat!r}."
    )


def test_a_missing_text_is_not_searched() -> None:
    # An index whose concepts hold the words a missing text could turn into ("nan", or a
    # filler): a need with no text still gets only its stated skill.
    from clusteratlas.skills.search import ConceptIndex

    concepts = pd.DataFrame({"id": [f"{S}naan", f"{S}weld"], "kind": "skill",
                             "label": ["nan xxxx", "weld"], "text": ["nan xxxx", "weld"]})  # fmt: skip
    index = ConceptIndex.build(concepts, ngram_range=(1, 1))
    needed = needed_skills(_frame([("n1", np.nan, f"{S}weld")]), index=index)
    assert needed[["label", "source"]].values.tolist() == [["weld", "stated"]]


def test_gaps_are_ordered_typed_and_attributed() -> None:
    # Cluster K2's need is listed first in the input, yet K1 comes first. In K1: d (5 + 2
    # people, needs n and x), b (5) and c (5) are gaps (no programme covers them), a is
    # covered; gaps first, then more people first, then by label (Beta before Gamma).
    needs = pd.DataFrame(
        {"need_id": ["m", "n"], "cluster": ["K2", "K1"], "region": ["R", "R"], "people": [1, 5]}
    )
    needed = pd.DataFrame(
        {"need_id": ["m", "n", "n", "n", "n"], "skill_id": ["a", "a", "c", "b", "d"],
         "label": ["Alpha", "Alpha", "Gamma", "Beta", "Delta"]}
    )  # fmt: skip
    extra = pd.DataFrame({"need_id": ["x"], "cluster": ["K1"], "region": ["R"], "people": [2]})
    needs = pd.concat([needs, extra], ignore_index=True)
    needed = pd.concat(
        [needed, pd.DataFrame({"need_id": ["x"], "skill_id": ["d"], "label": ["Delta"]})],
        ignore_index=True,
    )
    needed.attrs["attribution"] = ["ESCO, (c) European Union"]
    programmes, tags = _offer(["in-person"], ["R"])
    gaps = skill_gaps(needs, needed, programmes, tags)
    assert gaps[["cluster", "label", "people", "gap"]].values.tolist() == [
        ["K1", "Delta", 7, True], ["K1", "Beta", 5, True], ["K1", "Gamma", 5, True],
        ["K1", "Alpha", 5, False], ["K2", "Alpha", 1, False],
    ]  # fmt: skip
    assert gaps["n_programmes"].dtype == "int64"
    assert gaps.attrs["attribution"] == ["ESCO, (c) European Union"]
