"""TF-IDF tagging on a three-skill ESCO fixture whose scores are worked out by hand.

Skills (unigrams, English stop words dropped): A "weld metal", B "cut metal", C "bake bread".
With n = 3 documents scikit-learn's smoothed idf is 1 + ln((1 + n) / (1 + df)):
weld, cut, bake, bread (df 1): w1 = 1 + ln 2; metal (df 2): w2 = 1 + ln(4/3).
The query "weld metal parts" ("parts" is not in the vocabulary) has the vector of A, so
cos(q, A) = 1; cos(q, B) = w2² / (w1² + w2²); cos(q, C) = 0.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import pandas as pd
import pytest

from clusteratlas.errors import ParameterError, SchemaError, UnknownCodeError
from clusteratlas.skills.search import ConceptIndex
from clusteratlas.skills.tagging import apply_corrections, read_corrections, tag_programmes

S = "http://data.europa.eu/esco/skill/"
W1 = 1 + math.log(2)
W2 = 1 + math.log(4 / 3)
COS_B = W2**2 / (W1**2 + W2**2)


@pytest.fixture
def index() -> ConceptIndex:
    concepts = pd.DataFrame(
        {
            "id": [f"{S}a", f"{S}b", f"{S}c"],
            "kind": "skill",
            "label": ["weld metal", "cut metal", "bake bread"],
            "text": ["weld metal", "cut metal", "bake bread"],
        }
    )
    concepts.attrs["attribution"] = ["ESCO test"]
    return ConceptIndex.build(concepts, ngram_range=(1, 1))


def test_search_scores_are_the_hand_worked_cosines(index: ConceptIndex) -> None:
    found = index.search("weld metal parts", top=3)
    assert found["id"].tolist() == [f"{S}a", f"{S}b"]  # C shares no term: dropped
    assert found["rank"].tolist() == [1, 2]
    assert found["score"].tolist() == pytest.approx([1.0, COS_B], abs=1e-6)
    assert pytest.approx(0.3665, abs=1e-4) == COS_B
    assert found.attrs["attribution"] == ["ESCO test"]


def test_ties_are_broken_by_uri(index: ConceptIndex) -> None:
    # "metal" alone: A and B score the same (each w2 / sqrt(w1² + w2²)).
    found = index.search("metal", top=2)
    assert found["id"].tolist() == [f"{S}a", f"{S}b"]
    assert found["score"].iloc[0] == pytest.approx(W2 / math.hypot(W1, W2), abs=1e-6)
    assert found["score"].iloc[0] == pytest.approx(found["score"].iloc[1], abs=1e-7)


def test_tag_programmes_joins_text_columns_and_ranks(index: ConceptIndex) -> None:
    programmes = pd.DataFrame(
        {"code": ["p2", "p1"], "title": ["Bread", "Welding"], "text": ["bake", "weld metal"]}
    )
    tags = tag_programmes(
        programmes, index=index, id_column="code", text_columns=["title", "text"], top=2
    )
    assert tags[["code", "rank", "skill_id"]].values.tolist() == [
        ["p2", 1, f"{S}c"],  # "Bread. bake" is C's text exactly
        ["p1", 1, f"{S}a"],
        ["p1", 2, f"{S}b"],
    ]
    assert tags["score"].iloc[0] == pytest.approx(1.0, abs=1e-6)
    assert tags["score"].iloc[2] == pytest.approx(COS_B, abs=1e-6)
    assert set(tags["source"]) == {"auto"}
    assert tags.attrs["attribution"] == ["ESCO test"]


def test_min_score_drops_weak_tags(index: ConceptIndex) -> None:
    programmes = pd.DataFrame({"id": ["p"], "text": ["weld metal"]})
    tags = tag_programmes(programmes, index=index, top=3, min_score=0.5)
    assert tags["skill_id"].tolist() == [f"{S}a"]


@pytest.mark.parametrize(
    ("kwargs", "error", "needle"),
    [
        ({"top": 0}, ParameterError, "'top' parameter"),
        ({"min_score": 1.0}, ParameterError, "'min_score'"),
        ({"text_columns": "missing"}, SchemaError, "'missing'"),
    ],
)
def test_bad_parameters(index: ConceptIndex, kwargs: dict, error: type, needle: str) -> None:
    with pytest.raises(error, match=needle):
        tag_programmes(pd.DataFrame({"id": ["p"], "text": ["x"]}), index=index, **kwargs)


def test_repeated_id_names_the_row(index: ConceptIndex) -> None:
    frame = pd.DataFrame({"id": ["p", "q", "p"], "text": ["a", "b", "c"]})
    with pytest.raises(SchemaError, match=r"row 4, column 'id': id 'p' appears twice"):
        tag_programmes(frame, index=index, what="programmes.csv")


def test_corrections_add_first_remove_and_renumber(tmp_path: Path, index: ConceptIndex) -> None:
    programmes = pd.DataFrame({"id": ["p1", "p2"], "text": ["weld metal", "bake bread"]})
    tags = tag_programmes(programmes, index=index, top=2)  # p1: A, B; p2: C
    file = tmp_path / "fix.csv"
    file.write_text(
        f"id,skill_id,action\np1,{S}b,remove\np2,{S}a,ADD\np1,{S}c,add\np9,{S}b,remove\n"
    )
    fixed = apply_corrections(tags, read_corrections(file), concepts=index.concepts)
    assert fixed[["id", "rank", "skill_id", "source"]].values.tolist() == [
        ["p1", 1, f"{S}c", "hand"],
        ["p1", 2, f"{S}a", "auto"],
        ["p2", 1, f"{S}a", "hand"],
        ["p2", 2, f"{S}c", "auto"],
    ]
    assert fixed["label"].tolist() == ["bake bread", "weld metal", "weld metal", "bake bread"]
    assert fixed["score"].isna().tolist() == [True, False, True, False]


def test_adding_an_existing_tag_makes_it_a_hand_tag(index: ConceptIndex) -> None:
    tags = tag_programmes(pd.DataFrame({"id": ["p"], "text": ["weld metal"]}), index=index, top=2)
    fixes = pd.DataFrame({"id": ["p"], "skill_id": [f"{S}b"], "action": ["add"]})
    fixed = apply_corrections(tags, fixes, concepts=index.concepts)
    assert fixed[["skill_id", "source"]].values.tolist() == [[f"{S}b", "hand"], [f"{S}a", "auto"]]


def test_an_unknown_added_skill_is_refused(index: ConceptIndex) -> None:
    tags = tag_programmes(pd.DataFrame({"id": ["p"], "text": ["weld"]}), index=index)
    fixes = pd.DataFrame({"id": ["p"], "skill_id": [f"{S}zzz"], "action": ["add"]})
    with pytest.raises(UnknownCodeError, match="zzz"):
        apply_corrections(tags, fixes, concepts=index.concepts)


def test_a_bad_action_names_the_row(tmp_path: Path) -> None:
    file = tmp_path / "fix.csv"
    file.write_text(f"id,skill_id,action\np,{S}a,add\np,{S}b,delete\n")
    with pytest.raises(SchemaError, match=r"row 3, column 'action'.*'delete'"):
        read_corrections(file)


def test_top_rows_matches_a_full_stable_sort() -> None:
    import numpy as np

    from clusteratlas.skills.search import top_rows

    rng = np.random.default_rng(7)
    # Many ties (values on a coarse grid, many zeros) to exercise the k-th place.
    scores = np.round(rng.random((50, 200)) * 4) / 4
    scores[scores < 0.5] = 0
    for k in (1, 5, 37, 200):
        expected = np.argsort(-scores, axis=1, kind="stable")[:, :k]
        assert (top_rows(scores, k) == expected).all()


def test_an_official_file_in_another_language_is_searchable() -> None:
    from clusteratlas.skills.esco import esco_frame

    raw = pd.DataFrame(
        {
            "conceptUri": [f"{S}w", f"{S}b"],
            "preferredLabel": ["souder des métaux", "cuire du pain"],
            "altLabels": ["soudage", "boulangerie"],
            "description": ["Assembler des pièces métalliques.", "Préparer des pains au four."],
        }
    )
    index = ConceptIndex.build(esco_frame(raw, kind="skill"), language="fr")
    # Accents are stripped on both sides: "metalliques" finds "métalliques".
    found = index.search("soudage de pieces metalliques")
    assert found["label"].tolist() == ["souder des métaux"]
    # No English stop-word list for French: "des" is kept as a term, and both texts have it
    # (with English stop words "des" would still be a term; "the" would not).
    assert set(index.search("des")["id"]) == {f"{S}b", f"{S}w"}


def test_the_index_is_cached_on_disk_and_rebuilt_when_damaged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from clusteratlas.skills import service

    esco = tmp_path / "esco.csv"
    esco.write_text(f"id,description\n{S}a,weld metal Join parts.\n", encoding="utf-8")
    service._index.cache_clear()
    first = service.concept_index(esco=esco)
    cached = list(Path(os.environ["CLUSTERATLAS_CACHE"]).glob("skills/esco-index-*.pickle"))
    assert len(cached) == 1
    # A new process (no in-memory cache) loads it without building.
    service._index.cache_clear()
    with monkeypatch.context() as patch:
        patch.setattr(ConceptIndex, "build", classmethod(lambda *a, **k: pytest.fail("built")))
        again = service.concept_index(esco=esco)
    assert again.search("weld")["id"].tolist() == first.search("weld")["id"].tolist()
    # A damaged file is rebuilt; a changed ESCO file gets a key of its own.
    cached[0].write_bytes(b"not a pickle")
    service._index.cache_clear()
    assert service.concept_index(esco=esco).search("weld")["id"].tolist() == [f"{S}a"]
    assert cached[0].read_bytes() != b"not a pickle"  # written anew
    esco.write_text(f"id,description\n{S}b,bake bread Prepare loaves.\n", encoding="utf-8")
    service._index.cache_clear()
    assert service.concept_index(esco=esco).search("bread")["id"].tolist() == [f"{S}b"]
    assert len(list(cached[0].parent.glob("esco-index-*.pickle"))) == 2
    service._index.cache_clear()
