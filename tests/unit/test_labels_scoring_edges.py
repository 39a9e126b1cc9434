"""Edges of label scoring: the score target's rounding slack, the messages of unmet rules,
and the fields of a result. Written for the survivors of the mutation run over
``labels/scoring.py`` (``benchmarks/mutation_report.md``).

The slack: a level's ``min_score_share`` is met when the score is at least the target less
``1e-9 x max(max_points, 1)`` (floating-point sums of fractional points). The point values
below are chosen so that the sums are exact in binary floating point; each test asserts
the arithmetic it relies on before it asserts the rule.
"""

from __future__ import annotations

import datetime as dt

import pytest

from clusteratlas.errors import AssessmentError
from clusteratlas.labels import Answer, load_scheme, new_assessment, parse_scheme, score_assessment

TOLERANCE = 1e-9


def _scheme(points: list[float], share: float, *, scheme_id: str = "slack") -> object:
    """One group of yes/no indicators I0, I1, ... worth ``points``; level "Pass" at ``share``."""
    indicators = "".join(
        f'[[groups.indicators]]\nid = "I{i}"\nquestion = "Q{i}?"\nkind = "boolean"\n'
        f'points = {p!r}\nthreshold = {{ op = "==", value = 1 }}\n'
        for i, p in enumerate(points)
    )
    text = (
        f'id = "{scheme_id}"\nversion = "1"\ntitle = "Slack"\nbody = "Us"\n'
        'description = "Fractional points."\nstatus = "UNCONFIRMED"\n'
        'provenance = [{ title = "Our own" }]\n\n[[groups]]\nid = "g"\nname = "G"\n'
        f'{indicators}\n[[levels]]\nname = "Pass"\nmin_score_share = {share!r}\n'
    )
    return parse_scheme(text)


def _score(scheme, passing: list[int], *, answered: list[int] | None = None, previous=None):
    ids = [i.id for i in scheme.indicators]
    answers = tuple(
        Answer(ids[i], 1.0 if i in passing else 0.0)
        for i in (answered if answered is not None else range(len(ids)))
    )
    return score_assessment(
        scheme, new_assessment(scheme, organisation_id="o", answers=answers), previous=previous
    )


def test_a_score_exactly_at_the_slack_below_the_target_reaches_the_level() -> None:
    a = 0.5 - TOLERANCE
    scheme = _scheme([a, 1.0 - a], 0.5)
    assert scheme.max_points == 1.0 and a == 0.5 * 1.0 - TOLERANCE * 1.0  # exact
    check = _score(scheme, [0]).levels[0]
    assert check.reached and check.points_needed == 0.0 and check.indicators_needed == 0


def test_a_score_beyond_the_slack_does_not_reach_the_level() -> None:
    # 1.5e-9 below the target of a 1-point scheme: the slack is 1e-9 x max(1, 1) = 1e-9.
    a = 0.5 - 1.5 * TOLERANCE
    scheme = _scheme([a, 1.0 - a], 0.5)
    assert scheme.max_points == 1.0
    assert not _score(scheme, [0]).levels[0].reached


def test_the_slack_grows_with_the_maximum() -> None:
    # 4 points, target 2: 2e-9 short is within 1e-9 x 4 = 4e-9.
    points = [1.0, 1.0 - 2 * TOLERANCE, 1.0, 1.0 + 2 * TOLERANCE]
    scheme = _scheme(points, 0.5)
    earned = points[0] + points[1]
    assert 0.5 * scheme.max_points - earned < 4 * TOLERANCE
    assert 0.5 * scheme.max_points - earned > TOLERANCE / 4
    assert _score(scheme, [0, 1]).levels[0].reached


def test_indicators_needed_stop_at_the_target_less_the_slack() -> None:
    # Nothing passes; the largest open indicator (I0) alone brings the score exactly to the
    # target less the slack, so one indicator is needed, not two.
    a, c = 0.5 - TOLERANCE, 0.25
    points = [a, c, 1.0 - a - c]
    scheme = _scheme(points, 0.5)
    assert scheme.max_points == 1.0 and a > c and a > points[2]
    assert 0.0 + a == 0.5 * scheme.max_points - TOLERANCE * 1.0
    check = _score(scheme, []).levels[0]
    assert not check.reached and check.indicators_needed == 1
    assert check.points_needed == 0.5  # the gap to the target itself


def test_indicators_needed_at_a_whole_number_boundary() -> None:
    # 4 one-point indicators, 50 %: nothing answered yes, 2 points and 2 indicators needed.
    scheme = _scheme([1.0, 1.0, 1.0, 1.0], 0.5)
    check = _score(scheme, []).levels[0]
    assert (check.points_needed, check.indicators_needed) == (2.0, 2)
    assert check.unmet == (
        "score 0.00% below 50%: 2 more point(s), at least 2 more indicator(s) passing",
    )
    # One passes (25 %): the open indicators are the three others, so one more is enough
    # for 2 of 4; counting the passed one as open would say the same, so check 3 of 4 too.
    three = _scheme([1.0, 1.0, 1.0, 1.0], 0.75, scheme_id="three")
    check = _score(three, [0]).levels[0]
    assert (check.points_needed, check.indicators_needed) == (2.0, 2)
    assert check.unmet[0].startswith("score 25.00% below 75%: ")


def test_open_points_are_those_of_indicators_not_passed() -> None:
    # I0 (3 points) passes, I1 and I2 (1 point each) do not: 3 of 5 = 60 %, 80 % needs 4,
    # so 1 point and 1 indicator more; taking I0's 3 points as open would also say 1, so
    # the score is checked at 100 %: 2 points, both open indicators.
    scheme = _scheme([3.0, 1.0, 1.0], 1.0)
    check = _score(scheme, [0]).levels[0]
    assert (check.points_needed, check.indicators_needed) == (2.0, 2)


def test_improvement_of_exactly_the_tolerance_is_no_improvement() -> None:
    # One group of I0 (1 point) and I1 (1.000000002): before, I0 passed; now I1 does. The
    # group's share rises by exactly 1e-9 (found by stepping I1's points float by float),
    # which is rounding, not an improvement.
    p0, p1 = 1.0, 1.000000002
    assert p1 / (p0 + p1) == p0 / (p0 + p1) + TOLERANCE
    scheme = _scheme([p0, p1], 0.0)
    before = new_assessment(
        scheme, organisation_id="o", answers=(Answer("I0", 1.0), Answer("I1", 0.0))
    )
    result = _score(scheme, [1], previous=before)
    assert result.groups["improved"].tolist() == [False]
    assert result.groups["improved"].dtype == "boolean"


def test_groups_without_a_previous_assessment_have_no_improvement() -> None:
    groups = _score(_scheme([1.0, 1.0], 0.5), [0]).groups
    assert groups["improved"].dtype == "boolean" and groups["improved"].isna().all()


def test_silver_says_why_it_cannot_be_checked() -> None:
    bronze = load_scheme("esca-bronze")
    answers = tuple(Answer(i.id, i.threshold.value) for i in bronze.indicators)
    result = score_assessment(bronze, new_assessment(bronze, organisation_id="o", answers=answers))
    silver = next(c for c in result.levels if c.level == "Silver")
    assert silver.unmet == (
        "improvement in 3 groups cannot be checked without a previous assessment",
        "the 18-24 months since the previous assessment cannot be checked without a "
        "previous assessment",
    )
    undated = score_assessment(
        bronze,
        new_assessment(bronze, organisation_id="o", answers=answers),
        previous=new_assessment(bronze, organisation_id="o", answers=answers),
    )
    silver = next(c for c in undated.levels if c.level == "Silver")
    assert (
        "the 18-24 months since the previous assessment cannot be checked without both "
        "assessment dates"
    ) in silver.unmet
    assert "0 group(s) improved, 3 needed" in silver.unmet


def test_a_level_that_requires_another_says_so() -> None:
    bronze = load_scheme("esca-bronze")
    # Nothing answered: Bronze is not reached, so Silver also lacks the Bronze level.
    result = score_assessment(bronze, new_assessment(bronze, organisation_id="o"))
    silver = next(c for c in result.levels if c.level == "Silver")
    assert silver.unmet[-1] == "requires the Bronze level"


def test_the_result_names_its_scheme_organisation_and_status() -> None:
    gold = load_scheme("esca-gold")
    result = score_assessment(gold, new_assessment(gold, organisation_id="org-7"))
    assert (result.scheme, result.organisation_id, result.status) == (
        gold.label, "org-7", "draft",
    )  # fmt: skip


def test_an_assessment_of_another_scheme_is_refused_by_name() -> None:
    gold, bronze = load_scheme("esca-gold"), load_scheme("esca-bronze")
    other = new_assessment(bronze, organisation_id="o")
    with pytest.raises(AssessmentError) as info:
        score_assessment(gold, other)
    assert str(info.value) == (f"The assessment answers scheme {bronze.label}, not {gold.label}.")
    with pytest.raises(AssessmentError) as info:
        score_assessment(gold, new_assessment(gold, organisation_id="o"), previous=other)
    assert str(info.value) == (
        f"The previous assessment answers scheme {bronze.label}, not {gold.label}."
    )


def test_the_months_since_the_previous_assessment_are_checked_when_dated() -> None:
    # Silver 18-24 months after the previous Bronze assessment: 12 Mar 2024 -> 12 Sep 2025
    # is 18 months (met); 12 Mar 2024 -> 11 Sep 2025 is one day short.
    bronze = load_scheme("esca-bronze")
    answers = tuple(Answer(i.id, i.threshold.value) for i in bronze.indicators)
    first = new_assessment(bronze, organisation_id="o", answers=answers)
    first = type(first)(**{**first.__dict__, "assessed_on": dt.date(2024, 3, 12)})
    for day, met in ((dt.date(2025, 9, 12), True), (dt.date(2025, 9, 11), False)):
        now = type(first)(**{**first.__dict__, "assessed_on": day})
        silver = next(
            c for c in score_assessment(bronze, now, previous=first).levels if c.level == "Silver"
        )
        months = [u for u in silver.unmet if "months after" in u]
        assert (not months) == met, (day, silver.unmet)


def test_an_answer_reads_without_the_units_trailing_space() -> None:
    # A unit typed with a trailing space ("EUR ") still prints as "20 EUR".
    text = (
        'id = "u"\nversion = "1"\ntitle = "U"\nbody = "Us"\ndescription = "Unit."\n'
        'status = "UNCONFIRMED"\nprovenance = [{ title = "Our own" }]\n\n[[groups]]\n'
        'id = "g"\nname = "G"\n[[groups.indicators]]\nid = "I0"\nquestion = "Budget?"\n'
        'kind = "number"\nunit = "EUR "\n\n[[levels]]\nname = "Any"\n'
    )
    scheme = parse_scheme(text)
    result = score_assessment(
        scheme, new_assessment(scheme, organisation_id="o", answers=(Answer("I0", 20.0),))
    )
    assert result.indicators["answer_text"].tolist() == ["20 EUR"]
