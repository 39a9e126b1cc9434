"""Whom to meet, on a five-participant event worked out by hand.

Participants: A (org a, FR), B (org b, DE), C (org c, FR), D (org a, A's colleague, FR),
E (org e, IT). Items:

======  =======  ==============================  ==================================  ==========================
item    kind     text                            industries                          stages
======  =======  ==============================  ==================================  ==========================
A-r1    request  battery cells                   Automotive                          automotive:assembly
A-o1    offer    vehicle assembly                Automotive                          automotive:assembly
B-o1    offer    battery cells supply            Lighting and Electrical Equipment   automotive:batteries_drives
C-o1    offer    battery recycling               Environmental Services              automotive:parts
C-r1    request  assembly tooling                Environmental Services
D-o1    offer    battery cells                   Automotive
E-o1    offer    venture capital                 Financial Services
======  =======  ==============================  ==================================  ==========================

Related clusters (hand-made): Automotive–Lighting strong, Automotive–Environmental weak.
The automotive chain runs materials(0), batteries_drives(1), electronics(2), parts(3),
assembly(4), …: B's stage is 3 steps upstream of A's (1/3), C's 1 step (1).
For A: B scores .45·t_AB + .3·.75 + .15/3, C .45·t_AC + .15·1 (weak relatedness scores 0),
E nothing in common (left out), D a colleague (left out). t_AB = cos("battery cells",
"battery cells supply") shares two words, t_AC = max(cos("battery cells", "battery
recycling"), cos("assembly tooling", "vehicle assembly")) one, so B ranks first.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from clusteratlas.errors import ParameterError, SchemaError
from clusteratlas.meet.marketplace import validate_items
from clusteratlas.meet.recommend import COMPONENTS, recommend_all, recommend_for

pytest.importorskip("sklearn")
from sklearn.feature_extraction.text import TfidfVectorizer


@pytest.fixture
def people() -> pd.DataFrame:
    return pd.DataFrame({
        "participant_id": ["A", "B", "C", "D", "E"],
        "organisation_id": ["a", "b", "c", "a", "e"],
        "type": ["SME", "large company", "SME", "SME", "investor"],
        "country": ["FR", "DE", "FR", "FR", "IT"],
    })  # fmt: skip


ROWS = [
    ("A", "A-r1", "request", "product", "battery cells", "Automotive", "automotive:assembly"),
    ("A", "A-o1", "offer", "service", "vehicle assembly", "Automotive", "automotive:assembly"),
    ("B", "B-o1", "offer", "product", "battery cells supply", "Lighting and Electrical Equipment",
     "automotive:batteries_drives"),
    ("C", "C-o1", "offer", "service", "battery recycling", "Environmental Services",
     "automotive:parts"),
    ("C", "C-r1", "request", "product", "assembly tooling", "Environmental Services", ""),
    ("D", "D-o1", "offer", "product", "battery cells", "Automotive", ""),
    ("E", "E-o1", "offer", "investment", "venture capital", "Financial Services", ""),
]  # fmt: skip


@pytest.fixture
def items() -> pd.DataFrame:
    return pd.DataFrame(
        ROWS,
        columns=["participant_id", "item_id", "kind", "category", "text", "industries", "stages"],
    )


@pytest.fixture
def related() -> pd.DataFrame:
    return pd.DataFrame({
        "category": ["Automotive", "Automotive"],
        "related": ["Lighting and Electrical Equipment", "Environmental Services"],
        "strength": ["strong", "weak"],
    })  # fmt: skip


def _cosines() -> dict[tuple[str, str], float]:
    """The TF-IDF cosines computed independently with scikit-learn."""
    texts = [r[4] for r in ROWS]
    ids = [r[1] for r in ROWS]
    x = TfidfVectorizer(stop_words="english", sublinear_tf=True).fit_transform(texts)
    sims = (x @ x.T).toarray()
    return {(a, b): float(sims[i, j]) for i, a in enumerate(ids) for j, b in enumerate(ids)}


def _people_rows(result: pd.DataFrame) -> pd.DataFrame:
    return result[result["kind"] == "participant"].set_index("candidate")


def test_text_component_is_the_tf_idf_cosine_of_scikit_learn(people, items, related) -> None:
    cos = _cosines()
    rows = _people_rows(recommend_for("A", participants=people, items=items, related=related))
    assert rows.at["B", "text"] == pytest.approx(cos["A-r1", "B-o1"], abs=1e-12)
    assert rows.at["C", "text"] == pytest.approx(
        max(cos["A-r1", "C-o1"], cos["C-r1", "A-o1"]), abs=1e-12
    )
    # a hand check of the scale: no shared word, cosine 0; more shared words, higher
    assert cos["A-r1", "E-o1"] == 0.0
    assert cos["A-r1", "B-o1"] > max(cos["A-r1", "C-o1"], cos["C-r1", "A-o1"]) > 0


def test_components_and_ranking_worked_out_by_hand(people, items, related) -> None:
    cos = _cosines()
    result = recommend_for("A", participants=people, items=items, related=related)
    rows = _people_rows(result)
    assert list(rows.index) == ["B", "C"]  # D a colleague, E nothing in common, A themself
    assert list(rows["rank"]) == [1, 2]
    assert rows.at["B", "related"] == 0.75 and rows.at["C", "related"] == 0.0
    assert rows.at["B", "value_chain"] == pytest.approx(1 / 3)
    assert rows.at["C", "value_chain"] == 1.0
    t_ac = max(cos["A-r1", "C-o1"], cos["C-r1", "A-o1"])
    expected_b = 0.45 * cos["A-r1", "B-o1"] + 0.3 * 0.75 + 0.15 / 3
    assert rows.at["B", "score"] == pytest.approx(expected_b, abs=1e-12)
    assert rows.at["C", "score"] == pytest.approx(0.45 * t_ac + 0.15, abs=1e-12)
    assert "3 steps upstream of your 'assembly'" in rows.at["B", "explanation"]
    assert "(a supplier)" in rows.at["B", "explanation"]
    assert "strongly related to your 'Automotive'" in rows.at["B", "explanation"]


def test_every_component_is_present_and_the_parts_add_up(people, items, related) -> None:
    weights = {"text": 2.0, "related": 1.0, "value_chain": 1.0, "region": 0.5, "cross_border": 0.5}
    result = recommend_all(participants=people, items=items, related=related, weights=weights)
    assert len(result) > 0
    for c in COMPONENTS:
        assert result[c].between(0, 1).all()
        assert result[f"w_{c}"].eq(weights[c] / 5.0).all()
    parts = sum(result[c] * result[f"w_{c}"] for c in COMPONENTS)
    np.testing.assert_allclose(result["score"], parts, atol=1e-12)


def test_items_are_ranked_against_the_other_kind(people, items, related) -> None:
    cos = _cosines()
    result = recommend_for("A", participants=people, items=items, related=related)
    ranked = result[result["kind"] == "item"].set_index("item_id")
    assert "D-o1" not in ranked.index and "E-o1" not in ranked.index
    assert ranked.at["B-o1", "text"] == pytest.approx(cos["A-r1", "B-o1"])  # offer vs my request
    assert ranked.at["C-r1", "text"] == pytest.approx(cos["A-o1", "C-r1"])  # request vs my offer
    assert ranked.at["C-o1", "value_chain"] == 1.0 and ranked.at["C-r1", "value_chain"] == 0.0
    assert list(ranked["rank"]) == sorted(ranked["rank"])
    assert ranked["score"].is_monotonic_decreasing


def test_colleagues_requests_and_cross_border(people, items, related) -> None:
    with_colleague = recommend_for(
        "A", participants=people, items=items, related=related, exclude_colleagues=False
    )
    assert "D" in set(_people_rows(with_colleague).index)
    asked = pd.DataFrame({"from": ["A"], "to": ["B"]})
    without_b = recommend_for("A", participants=people, items=items, related=related,
                              requests=asked)  # fmt: skip
    assert list(_people_rows(without_b).index) == ["C"]
    border = recommend_for("A", participants=people, items=items, related=related,
                           weights={"cross_border": 0.1})  # fmt: skip
    rows = _people_rows(border)
    assert rows.at["B", "cross_border"] == 1.0 and rows.at["C", "cross_border"] == 0.0
    assert rows.at["B", "w_cross_border"] == pytest.approx(0.1 / 1.1)
    assert "From DE, another country than yours (FR)." in rows.at["B", "explanation"]


def test_regional_strength_from_a_map_frame(people, items, related) -> None:
    organisations = pd.DataFrame({
        "organisation_id": ["a", "b", "c", "e"],
        "industries": ["Automotive", "Lighting and Electrical Equipment",
                       "Environmental Services", "Financial Services"],
        "region": ["FR10", "DE11", "FR71", None],
    })  # fmt: skip
    strength = pd.DataFrame({
        "region": ["DE11", "FR71"],
        "category": ["Lighting and Electrical Equipment", "Environmental Services"],
        "lq": [1.5, 3.0], "strong": [False, False],
    })  # fmt: skip
    result = recommend_for("A", participants=people, items=items, related=related,
                           organisations=organisations, map_frame=strength)  # fmt: skip
    rows = _people_rows(result)
    assert rows.at["B", "region"] == 0.75  # min(1, 1.5 / 2)
    assert rows.at["C", "region"] == 1.0  # min(1, 3 / 2)
    assert "DE11 has LQ 1.50 in 'Lighting and Electrical Equipment'." in rows.at["B", "explanation"]
    without = _people_rows(recommend_for("A", participants=people, items=items, related=related))
    assert without["region"].eq(0).all()
    assert "No map was given for regional strength." in without.at["B", "explanation"]


def test_without_related_clusters_only_the_same_cluster_counts(people, items) -> None:
    rows = _people_rows(recommend_for("A", participants=people, items=items))
    assert rows.at["B", "related"] == 0.0


@pytest.mark.parametrize(
    ("options", "needle"),
    [
        ({"weights": {"text": -1.0}}, "'weights' parameter"),
        ({"weights": {"texts": 1.0}}, "'weights' parameter"),
        ({"top": 0}, "'top' parameter"),
        ({"kinds": ("people",)}, "'kinds' parameter"),
        ({"relatedness_scores": {"same": 2.0}}, "'relatedness_scores' parameter"),
    ],
)
def test_bad_options_are_named(people, items, options, needle) -> None:
    with pytest.raises(ParameterError, match=needle):
        recommend_all(participants=people, items=items, **options)


def test_an_unknown_participant_is_named(people, items) -> None:
    with pytest.raises(ParameterError, match="'Z' is not among the participants"):
        recommend_for("Z", participants=people, items=items)


@pytest.mark.parametrize(
    ("column", "value", "needle"),
    [
        ("kind", "gift", "line 3, column 'kind' must be offer or request; got 'gift'"),
        ("category", "love", "line 3, column 'category' must be one of"),
        ("stages", "automotive:wheels", "line 3, column 'stages' takes chain:stage"),
        ("participant_id", "Z", "line 3, column 'participant_id': 'Z' is not among"),
        ("item_id", "A-r1", "line 3, column 'item_id': 'A-r1' is listed twice"),
        ("text", "", "line 3, column 'text' is empty"),
    ],
)
def test_bad_items_name_line_and_column(people, items, column, value, needle) -> None:
    bad = items.copy()
    bad.loc[1, column] = value
    with pytest.raises(SchemaError, match=needle):
        validate_items(bad, participants=people, what="items.csv")


def test_synthetic_items_follow_the_organisations_and_are_labelled() -> None:
    from clusteratlas.data.definitions import related_clusters
    from clusteratlas.meet.marketplace import SYNTHETIC_SOURCE, synthetic_items

    organisations = pd.DataFrame({
        "organisation_id": ["o1", "o2"],
        "industries": [("Automotive",), ("Biopharmaceuticals", "Medical Devices")],
    })  # fmt: skip
    people = pd.DataFrame({
        "participant_id": [f"P{i}" for i in range(40)],
        "organisation_id": ["o1", "o2"] * 20,
        "type": ["SME"] * 40, "country": ["FR"] * 40,
    })  # fmt: skip
    made = synthetic_items(people, organisations=organisations, rng=7)
    again = synthetic_items(people, organisations=organisations, rng=7)
    pd.testing.assert_frame_equal(made, again)
    checked = validate_items(made, participants=people)
    assert checked["source"].eq(SYNTHETIC_SOURCE).all()
    strong = related_clusters().query("strength == 'strong'")
    near = set(zip(strong["category"], strong["related"], strict=True))
    near |= {(b, a) for a, b in near}
    own = dict(zip(organisations["organisation_id"], organisations["industries"], strict=True))
    org_of = dict(zip(people["participant_id"], people["organisation_id"], strict=True))
    for pid, kind, cluster in made[["participant_id", "kind", "industries"]].itertuples(
        index=False
    ):
        mine = own[org_of[pid]]
        if kind == "offer":
            assert cluster in mine
        else:
            assert cluster in mine or any((m, cluster) in near for m in mine)
    counts = made.groupby(["participant_id", "kind"]).size()
    assert counts.between(1, 3).all() and len(counts) == 80  # an offer and a request each


def test_a_map_read_from_csv_matches_labels_and_reads_strong_as_text(
    people, items, related
) -> None:
    organisations = pd.DataFrame({"organisation_id": ["b"], "industries": ["Lighting"],
                                  "region": ["DE11"]})  # fmt: skip

    def region_of_b(label: str, lq: str, strong: str) -> pd.Series:
        strength = pd.DataFrame({"region": ["DE11"], "category": ["c1"],
                                 "category_label": [label], "lq": [lq], "strong": [strong]})  # fmt: skip
        rows = _people_rows(recommend_for("A", participants=people, items=items, related=related,
                                          organisations=organisations, map_frame=strength))  # fmt: skip
        return rows.loc["B"]

    # B's clusters: Lighting (its organisation) and Lighting and Electrical Equipment (its item)
    weak = region_of_b("Lighting", "1.0", "False")
    assert weak["region"] == 0.5  # min(1, 1.0 / 2): the text "False" is not strong
    strong = region_of_b("Lighting and Electrical Equipment", "0.4", "True")
    assert strong["region"] == 0.75  # max(0.4 / 2, 0.75)
    assert "(a strong cluster)" in strong["explanation"]


def test_nothing_to_compare_gives_no_recommendation_and_no_error(people, items) -> None:
    from clusteratlas.meet.recommend import RESULT_COLUMNS

    silent = recommend_for("E", participants=people, items=items[items["participant_id"] != "E"])
    assert silent.empty and list(silent.columns) == list(RESULT_COLUMNS)
    stop_words_only = items.assign(text="the and of")  # an empty vocabulary: no text part
    rows = _people_rows(recommend_for("A", participants=people, items=stop_words_only))
    assert rows["text"].eq(0).all()
    assert list(rows.index) == ["C", "B"]  # adjacent stages only: C 1 step (1), B 3 steps (1/3)
    assert "No text match between offers and requests." in rows.at["C", "explanation"]
