"""Scoring against hand-worked assessments: missing answers, the 80 % boundary, levels, pre-fill."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from clusteratlas.errors import AssessmentError
from clusteratlas.labels import (
    Answer,
    load_scheme,
    make_answer,
    new_assessment,
    organisation_facts,
    parse_scheme,
    prefill_answers,
    regional_facts,
    score_assessment,
    submit,
    with_answers,
)

TOY = """
id = "toy"
version = "1"
title = "Toy"
body = "Us"
description = "Hand-worked."
status = "UNCONFIRMED"
provenance = [{ title = "Our own" }]

[[groups]]
id = "g1"
name = "Strategy"
[[groups.indicators]]
id = "I1"
question = "Members?"
kind = "number"
unit = "members"
points = 2
threshold = { op = ">=", value = 15 }
[[groups.indicators]]
id = "I2"
question = "Strategy?"
kind = "scale"
scale = ["none", "informal", "written", "reviewed"]
threshold = { op = ">=", value = 2 }
[[groups.indicators]]
id = "I3"
question = "Board?"
kind = "boolean"
threshold = { op = "==", value = 1 }

[[groups]]
id = "g2"
name = "Finance"
[[groups.indicators]]
id = "I4"
question = "Public share?"
kind = "number"
unit = "%"
points = 3
threshold = { op = "<=", value = 75 }
[[groups.indicators]]
id = "I5"
question = "Budget?"
kind = "number"
unit = "EUR"

[[levels]]
name = "Bronze"
all_answered = true
[[levels]]
name = "Gold"
min_score_share = 0.8
"""


@pytest.fixture
def toy():
    return parse_scheme(TOY)


def test_missed_indicators_of_equal_points_are_listed_by_id(toy) -> None:
    # I3 (no board, 1 point) and I2 (informal strategy, 1 point) both miss: equal points,
    # so by id, I2 before I3, whatever order they were answered in.
    answers = (make_answer(toy, "I3", "no"), make_answer(toy, "I2", "informal"))
    result = score_assessment(toy, new_assessment(toy, organisation_id="o1", answers=answers))
    assert result.missed()["indicator"].tolist() == ["I2", "I3"]


def test_the_indicator_table_row_by_row(toy) -> None:
    # Every column of every row, written from the TOY scheme and the answers below: what
    # the readiness report and the result page print.
    sha = "ab" * 32
    answers = (
        make_answer(toy, "I1", "20", evidence_url="https://example.org/members.pdf",
                    evidence_sha256=sha),
        make_answer(toy, "I2", "informal"),
        make_answer(toy, "I3", "yes"),
        make_answer(toy, "I4", 80),
    )  # fmt: skip
    result = score_assessment(toy, new_assessment(toy, organisation_id="o1", answers=answers))
    table = result.indicators
    assert table["question"].tolist() == [
        "Members?", "Strategy?", "Board?", "Public share?", "Budget?",
    ]  # fmt: skip
    assert table["value"].tolist()[:4] == [20.0, 1.0, 1.0, 80.0]
    assert math.isnan(table["value"].iloc[4])
    assert table["answer_text"].tolist() == [
        "20 members", "1: informal", "yes", "80 %", "(no answer)",
    ]  # fmt: skip
    assert table["threshold"].tolist() == [
        ">= 15 members", ">= 2 (written)", "yes", "<= 75 %", "(none: answered is enough)",
    ]  # fmt: skip
    # Only an answered indicator that misses has a shortfall (I2 by 1 level, I4 by 5 %).
    assert table["shortfall"].isna().tolist() == [True, False, True, False, True]
    # Without an answer (or without evidence) the cell is missing.
    assert table["evidence_url"].iloc[0] == "https://example.org/members.pdf"
    assert table["evidence_sha256"].iloc[0] == sha
    assert table[["evidence_url", "evidence_sha256"]].iloc[1:].isna().all().all()
    assert table["origin"].iloc[:4].tolist() == ["answer"] * 4
    assert pd.isna(table["origin"].iloc[4])
    assert table["status"].tolist() == [i.status for i in toy.indicators]
    # The other boolean answer reads "no".
    no_board = (make_answer(toy, "I3", "no"),)
    other = score_assessment(toy, new_assessment(toy, organisation_id="o2", answers=no_board))
    assert other.indicators.set_index("indicator").loc["I3", "answer_text"] == "no"


def test_hand_worked_assessment_with_a_missing_answer(toy) -> None:
    # I1 = 20 >= 15 passes (2 points); I2 = level 1 < 2 misses by 1 level; I3 = yes passes
    # (1); I4 = 80 % > 75 % misses by 5 points of %; I5 is not answered: 0 of its 1 point.
    # Earned 2 + 0 + 1 + 0 + 0 = 3 of 2 + 1 + 1 + 3 + 1 = 8 -> 37.5 %; g1 3/4, g2 0/4.
    answers = (
        make_answer(toy, "I1", "20"),
        make_answer(toy, "I2", "informal"),
        make_answer(toy, "I3", "yes"),
        make_answer(toy, "I4", 80),
    )
    result = score_assessment(toy, new_assessment(toy, organisation_id="o1", answers=answers))
    assert (result.earned, result.max_points, result.share) == (3.0, 8.0, 0.375)
    assert result.groups["share"].tolist() == [0.75, 0.0]
    assert result.groups["answered"].tolist() == [3, 1]
    assert result.missing == ("I5",)
    rows = result.indicators.set_index("indicator")
    assert rows.loc["I5", "earned"] == 0 and not rows.loc["I5", "answered"]  # listed, scored 0
    assert math.isnan(rows.loc["I5", "shortfall"])
    missed = result.missed()
    assert missed["indicator"].tolist() == ["I4", "I2"]  # most points first
    assert missed["shortfall"].tolist() == [5.0, 1.0]
    # Bronze needs every answer; Gold needs 0.8 x 8 = 6.4 points: 3.4 more, and the open
    # indicators are worth 3 (I4), 1 (I2), 1 (I5): 3 + 1 = 4 >= 3.4, so 2 indicators.
    assert result.level is None
    bronze, gold = result.levels
    assert bronze.unmet == ("1 indicator(s) not answered",)
    assert gold.points_needed == pytest.approx(3.4)
    assert gold.indicators_needed == 2
    assert result.next_level is bronze


def test_indicator_without_threshold_scores_when_answered(toy) -> None:
    answers = tuple(
        make_answer(toy, i, v)
        for i, v in [("I1", 15), ("I2", 2), ("I3", "no"), ("I4", 75), ("I5", 0)]
    )
    result = score_assessment(toy, new_assessment(toy, organisation_id="o1", answers=answers))
    # I1 = 15 meets >= 15, I2 = 2 meets >= 2, I3 = no misses, I4 = 75 meets <= 75, I5 answered.
    assert result.earned == 7.0 and result.missing == ()
    assert result.level == "Gold"  # 7 / 8 = 87.5 % >= 80 % and every answer given
    assert result.next_level is None


def _two_indicator_scheme(first: float, second: float):
    return parse_scheme(
        TOY.split("[[groups]]")[0]
        + f"""
[[groups]]
id = "g"
name = "All"
[[groups.indicators]]
id = "A"
question = "A?"
kind = "boolean"
points = {first}
threshold = {{ op = "==", value = 1 }}
[[groups.indicators]]
id = "B"
question = "B?"
kind = "boolean"
points = {second}
threshold = {{ op = "==", value = 1 }}

[[levels]]
name = "Gold"
min_score_share = 0.8
"""
    )


@pytest.mark.parametrize(
    ("first", "second", "gold"),
    [
        (7999, 2001, False),
        (8000, 2000, True),
        (4, 1, True),
        (0.8, 0.2, True),
        (79.99, 20.01, False),
    ],
)
def test_the_80_percent_rule_at_its_boundary(first: float, second: float, gold: bool) -> None:
    # A passes, B does not: the share is first / (first + second), 79.99 % or exactly 80 %.
    scheme = _two_indicator_scheme(first, second)
    answers = (Answer("A", 1.0), Answer("B", 0.0))
    result = score_assessment(scheme, new_assessment(scheme, organisation_id="o", answers=answers))
    assert (result.level == "Gold") is gold
    if not gold:
        assert result.next_level.points_needed == pytest.approx(0.8 * (first + second) - first)


def test_gold_needs_25_of_its_31_indicators() -> None:
    # 0.8 x 31 = 24.8 points, so 25 passing indicators reach Gold and 24 (77.4 %) do not.
    gold = load_scheme("esca-gold")
    meet = [Answer(i.id, i.threshold.value) for i in gold.indicators]
    for passing, level in ((25, "Gold"), (24, None)):
        result = score_assessment(
            gold, new_assessment(gold, organisation_id="x", answers=tuple(meet[:passing]))
        )
        assert result.level == level
        assert len(result.missing) == 31 - passing
    assert result.next_level.indicators_needed == 1


def test_silver_needs_three_improved_groups() -> None:
    bronze = load_scheme("esca-bronze")
    indicators = bronze.indicators

    def fail(i):  # an answer that misses the threshold
        value = i.threshold.value
        return Answer(
            i.id,
            value + 1 if i.threshold.op == "<=" else (0.0 if i.kind != "number" else value - 1),
        )

    before = new_assessment(bronze, organisation_id="o", answers=tuple(fail(i) for i in indicators))
    assert score_assessment(bronze, before).earned == 0  # all answered, none passing
    first_of = {g.id: g.indicators[0].id for g in bronze.groups}

    def improved(n):
        ids = set(list(first_of.values())[:n])
        return new_assessment(
            bronze,
            organisation_id="o",
            answers=tuple(
                Answer(i.id, i.threshold.value) if i.id in ids else fail(i) for i in indicators
            ),
        )

    first = submit(before, on=dt.date(2024, 3, 15))
    three = score_assessment(bronze, submit(improved(3), on=dt.date(2025, 9, 15)), previous=first)
    assert three.groups["improved"].tolist() == [True, True, True, False, False, False]
    assert three.level == "Silver"
    two = score_assessment(bronze, submit(improved(2), on=dt.date(2025, 9, 15)), previous=first)
    assert two.level == "Bronze"
    assert two.next_level.unmet == ("2 group(s) improved, 3 needed",)
    alone = score_assessment(bronze, improved(3))
    assert alone.level == "Bronze" and "without a previous assessment" in alone.next_level.unmet[0]
    undated = score_assessment(bronze, improved(3), previous=first)
    assert "without both assessment dates" in undated.next_level.unmet[0]


@pytest.mark.parametrize(
    ("on", "silver"),
    [
        (dt.date(2025, 9, 14), False),  # 18 months after 15 Mar 2024 is 15 Sep 2025
        (dt.date(2025, 9, 15), True),
        (dt.date(2026, 3, 15), True),  # 24 months
        (dt.date(2026, 3, 16), False),
    ],
)
def test_silver_comes_18_to_24_months_after_the_first(on: dt.date, silver: bool) -> None:
    bronze = load_scheme("esca-bronze")
    answers = tuple(Answer(i.id, i.threshold.value) for i in bronze.indicators)
    none = tuple(Answer(i.id, 0.0 if i.threshold.op != "<=" else 100.0) for i in bronze.indicators)
    first = submit(
        new_assessment(bronze, organisation_id="o", answers=none), on=dt.date(2024, 3, 15)
    )
    second = submit(new_assessment(bronze, organisation_id="o", answers=answers), on=on)
    result = score_assessment(bronze, second, previous=first)
    assert (result.level == "Silver") is silver
    if not silver:
        assert result.next_level.unmet == (
            f"assessed {on.isoformat()}, not 18 to 24 months after the previous assessment "
            "(2024-03-15)",
        )


def test_answers_are_checked(toy) -> None:
    with pytest.raises(
        AssessmentError, match=r"row 3: the answer to indicator 'I2' must be a level index 0\.\.3"
    ):
        make_answer(toy, "I2", "5", where="answers.csv, row 3")
    with pytest.raises(AssessmentError, match="'I1' must be a number in members; got 'many'"):
        make_answer(toy, "I1", "many")
    with pytest.raises(AssessmentError, match="'I3' must be yes/no"):
        make_answer(toy, "I3", "maybe")
    with pytest.raises(AssessmentError, match="has no indicator 'I9'"):
        make_answer(toy, "I9", 1)
    with pytest.raises(AssessmentError, match="evidence_url of 'I1' must be an http"):
        make_answer(toy, "I1", 1, evidence_url="file:///etc/passwd")
    with pytest.raises(AssessmentError, match="64 hexadecimal digits"):
        make_answer(toy, "I1", 1, evidence_sha256="abc")
    ok = make_answer(
        toy, "I1", "1,200", evidence_sha256="A" * 64, evidence_url="https://x.org/a.pdf"
    )
    assert (ok.value, ok.evidence_sha256) == (1200.0, "a" * 64)


def test_draft_then_submit(toy) -> None:
    draft = new_assessment(toy, organisation_id="o", answers=(make_answer(toy, "I1", 3),))
    later = with_answers(draft, (make_answer(toy, "I1", 30), make_answer(toy, "I3", "yes")))
    assert [a.value for a in later.answers] == [30.0, 1.0] and draft.answer("I1").value == 3.0
    sent = submit(later)
    assert sent.status == "submitted" and sent.assessed_on is not None
    with pytest.raises(AssessmentError, match="only a draft can change"):
        with_answers(sent, ())
    with pytest.raises(AssessmentError, match=r"answers scheme esca-gold@1\.0, not toy@1"):
        score_assessment(toy, new_assessment(load_scheme("esca-gold"), organisation_id="o"))


RECORD = {
    "founding_year": 2010,
    "management_fte": 3.5,
    "members": {"sme": 40, "large": 6, "startup": 5, "research": 4, "public": 0, "other": 1},
    "field_sources": {
        "founding_year": {"source": "https://example.org/about", "status": "CONFIRMED"}
    },
}


def test_facts_from_an_organisation_record() -> None:
    facts = organisation_facts(RECORD, year=2026)
    assert facts["years_active"][0] == 16  # 2026 - 2010
    assert facts["members_total"][0] == 56  # 40 + 6 + 5 + 4 + 0 + 1
    assert facts["member_types"][0] == 5  # public has none
    assert facts["share_sme"][0] == pytest.approx(100 * 40 / 56)
    assert (
        facts["founding_year"][1]
        == "registry: founding_year; https://example.org/about (CONFIRMED)"
    )
    assert facts["management_fte"][1] == "registry: management_fte; no source recorded"
    # a member type not known: no total, no share, never a zero
    partial = organisation_facts({"members_sme": 10, "members_large": None}, year=2026)
    assert "members_total" not in partial and partial["members_sme"][0] == 10


def test_prefill_shows_its_source_and_answers_win() -> None:
    gold = load_scheme("esca-gold")
    pre = prefill_answers(gold, RECORD, year=2026)
    assert {a.indicator: a.value for a in pre} == {
        "G09": 56.0,
        "G10": 5.0,
        "G11": pytest.approx(100 * 40 / 56),
        "G12": 3.5,
        "G13": 16.0,
    }
    assert {a.origin for a in pre} == {"prefilled"}
    mine = (make_answer(gold, "G09", 70),)
    assessment = new_assessment(gold, organisation_id="o", answers=mine, prefilled=pre)
    assert assessment.answer("G09").value == 70 and assessment.answer("G09").origin == "answer"
    rows = score_assessment(gold, assessment).indicators.set_index("indicator")
    assert (
        rows.loc["G13", "origin"] == "prefilled"
        and "https://example.org/about" in rows.loc["G13", "source"]
    )
    assert rows.loc["G12", "passed"]  # 3.5 FTE >= 3


def test_regional_facts_take_the_highest_known_location_quotient() -> None:
    # C27's employment is suppressed (NaN): left out, never read as 0 or as the maximum.
    facts = regional_facts(
        {"C26": 3.25, "C27": math.nan, "C28": 1.4}, region="DED2", source="map eu-sbs 2014"
    )
    value, source = facts["region_lq"]
    assert value == 3.25
    assert source.startswith("statistics: location quotient of DED2 in C26, the highest")
    assert "of its 2 categories" in source and "map eu-sbs 2014" in source
    single = regional_facts({"C28": 0.5}, region="DED2", source="m")["region_lq"]
    assert single[0] == 0.5 and "highest" not in single[1]
    assert regional_facts({"C27": math.nan}, region="DED2", source="m") == {}
    assert regional_facts({}, region="DED2", source="m") == {}
    # A tie goes to the first category code, so the source text does not depend on order.
    tie = regional_facts({"C28": 2.0, "C26": 2.0}, region="X", source="m")
    assert " in C26," in tie["region_lq"][1]


def test_the_poles_scheme_prefills_and_scores_the_regional_quotient() -> None:
    """P13 (LQ >= 1) is pre-filled from the statistics; LQ 1.0 passes, 0.99 misses by 0.01."""
    poles = load_scheme("poles-phase5")
    assert len(poles.indicators) == 13
    for lq, passed in ((1.0, True), (0.99, False)):
        regional = regional_facts({"C26": lq}, region="FRK2", source="m")
        pre = prefill_answers(poles, {}, year=2026, regional=regional)
        assert [(a.indicator, a.value) for a in pre] == [("P13", lq)]
        assessment = new_assessment(poles, organisation_id="o", prefilled=pre)
        row = score_assessment(poles, assessment).indicators.set_index("indicator").loc["P13"]
        assert bool(row["passed"]) is passed and row["origin"] == "prefilled"
