r"""Score a self-assessment: per indicator, per group and overall; level reached; the gap.

Scoring rule (``scoring = "threshold"``): indicator *i* with points :math:`w_i` earns
:math:`e_i = w_i` when its answer meets its threshold (or, without a threshold, when it is
answered) and :math:`e_i = 0` otherwise, *including when it is not answered*: a missing
answer scores 0 and is listed, never dropped from the maximum. The excellence score of a
group or of the whole scheme is :math:`S = \sum e_i / \sum w_i`; a level with
``min_score_share`` :math:`s` is reached when :math:`S \ge s` (the ESCA Gold rule "at least
80 % of the cluster management excellence score", :math:`s = 0.8`). The comparison is made
on points, :math:`\sum e_i \ge s \sum w_i`, with a relative tolerance of
:math:`10^{-9}` that only absorbs floating-point rounding (4 of 5 points is 80 %).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from clusteratlas.errors import AssessmentError
from clusteratlas.labels.assessment import Assessment
from clusteratlas.labels.schemes import LabelScheme, Level

_TOLERANCE = 1e-9


def _add_months(day: dt.date, months: int) -> dt.date:
    return (pd.Timestamp(day) + pd.DateOffset(months=months)).date()


INDICATOR_COLUMNS: tuple[str, ...] = (
    "group",
    "indicator",
    "question",
    "answered",
    "value",
    "answer_text",
    "threshold",
    "passed",
    "shortfall",
    "points",
    "earned",
    "origin",
    "source",
    "evidence_url",
    "evidence_sha256",
    "status",
)
GROUP_COLUMNS: tuple[str, ...] = (
    "group",
    "name",
    "earned",
    "max_points",
    "share",
    "answered",
    "indicators",
    "improved",
)


@dataclass(frozen=True)
class LevelCheck:
    """Whether one award level's rules hold, and what is still missing for it.

    ``points_needed`` is the score gap to the level's ``min_score_share`` (0 when met or
    when the level sets none); ``indicators_needed`` the fewest indicators that must
    newly pass to close it (taking the ones with the most points first).
    """

    level: str
    reached: bool
    unmet: tuple[str, ...]
    points_needed: float
    indicators_needed: int
    conditions: tuple[str, ...]


@dataclass(frozen=True)
class ScoreResult:
    """The score of one assessment; see the module docstring for the rule.

    Attributes
    ----------
    scheme, organisation_id : str
        The scheme (``id@version``) and the organisation assessed.
    indicators : pandas.DataFrame
        One row per indicator (:data:`INDICATOR_COLUMNS`); ``shortfall`` is how far the
        answer is from its threshold in the indicator's unit (scale levels for a scale),
        NaN when it passes or is not answered.
    groups : pandas.DataFrame
        One row per group (:data:`GROUP_COLUMNS`); ``improved`` compares with a previous
        assessment (``<NA>`` without one).
    earned, max_points, share : float
        The overall score.
    missing : tuple of str
        Indicators not answered (each scored 0).
    level : str or None
        The highest level reached (its rules; the ``conditions`` no questionnaire checks,
        such as the expert interview, are listed in ``levels``).
    next_level : LevelCheck or None
        The lowest level not reached, with what is missing for it.
    levels : tuple of LevelCheck
        Every level, lowest first.
    """

    scheme: str
    organisation_id: str
    status: str
    indicators: pd.DataFrame
    groups: pd.DataFrame
    earned: float
    max_points: float
    share: float
    missing: tuple[str, ...]
    level: str | None
    next_level: LevelCheck | None
    levels: tuple[LevelCheck, ...] = field(default=())

    def missed(self) -> pd.DataFrame:
        """Return the answered indicators that miss their threshold, biggest points first."""
        rows = self.indicators[self.indicators["answered"] & ~self.indicators["passed"]]
        return rows.sort_values(["points", "indicator"], ascending=[False, True], kind="stable")


def _answer_text(indicator: Any, value: float) -> str:
    if indicator.kind == "scale":
        return f"{int(value)}: {indicator.scale[int(value)]}"
    if indicator.kind == "boolean":
        return "yes" if value else "no"
    return f"{value:g} {indicator.unit}".rstrip()


def _indicator_rows(scheme: LabelScheme, assessment: Assessment) -> pd.DataFrame:
    rows = []
    for group in scheme.groups:
        for indicator in group.indicators:
            answer = assessment.answer(indicator.id)
            value = math.nan if answer is None else answer.value
            answered = answer is not None
            if indicator.threshold is None:
                passed, shortfall = answered, math.nan
            else:
                passed = answered and indicator.threshold.passes(value)
                shortfall = (
                    indicator.threshold.shortfall(value) if answered and not passed else math.nan
                )
            rows.append(
                {
                    "group": group.id,
                    "indicator": indicator.id,
                    "question": indicator.question,
                    "answered": answered,
                    "value": value,
                    "answer_text": _answer_text(indicator, value) if answered else "(no answer)",
                    "threshold": indicator.threshold_text,
                    "passed": passed,
                    "shortfall": shortfall,
                    "points": indicator.points,
                    "earned": indicator.points if passed else 0.0,
                    "origin": None if answer is None else answer.origin,
                    "source": None if answer is None else answer.source,
                    "evidence_url": None if answer is None else answer.evidence_url,
                    "evidence_sha256": None if answer is None else answer.evidence_sha256,
                    "status": indicator.status,
                }
            )
    return pd.DataFrame(rows, columns=list(INDICATOR_COLUMNS))


def _group_rows(
    scheme: LabelScheme, indicators: pd.DataFrame, previous: pd.DataFrame | None
) -> pd.DataFrame:
    by_group = indicators.groupby("group", sort=False)
    out = pd.DataFrame(
        {
            "group": [g.id for g in scheme.groups],
            "name": [g.name for g in scheme.groups],
            "earned": [float(by_group.get_group(g.id)["earned"].sum()) for g in scheme.groups],
            "max_points": [g.max_points for g in scheme.groups],
            "answered": [int(by_group.get_group(g.id)["answered"].sum()) for g in scheme.groups],
            "indicators": [len(g.indicators) for g in scheme.groups],
        }
    )
    out["share"] = out["earned"] / out["max_points"]
    if previous is None:
        out["improved"] = pd.array([pd.NA] * len(out), dtype="boolean")
    else:
        before = previous.set_index("group")["share"].reindex(out["group"]).to_numpy()
        out["improved"] = pd.array(out["share"].to_numpy() > before + _TOLERANCE, dtype="boolean")
    return out[list(GROUP_COLUMNS)]


def _check_level(
    level: Level,
    *,
    earned: float,
    maximum: float,
    open_points: list[float],
    missing: int,
    improved: int | None,
    dates: tuple[dt.date | None, dt.date | None] | None,
    reached: set[str],
    held: set[str],
) -> LevelCheck:
    unmet: list[str] = []
    needed, count = 0.0, 0
    if level.min_score_share is not None:
        target = level.min_score_share * maximum
        slack = _TOLERANCE * max(maximum, 1.0)
        if earned < target - slack:
            needed = target - earned
            gained = 0.0
            for points in sorted(open_points, reverse=True):
                if earned + gained >= target - slack:
                    break
                gained, count = gained + points, count + 1
            unmet.append(
                f"score {earned / maximum:.2%} below {level.min_score_share:.0%}: "
                f"{needed:.4g} more point(s), at least {count} more indicator(s) passing"
            )
    if level.all_answered and missing:
        unmet.append(f"{missing} indicator(s) not answered")
    if level.min_improved_groups is not None:
        if improved is None:
            unmet.append(
                f"improvement in {level.min_improved_groups} groups cannot be checked "
                "without a previous assessment"
            )
        elif improved < level.min_improved_groups:
            unmet.append(f"{improved} group(s) improved, {level.min_improved_groups} needed")
    if level.after_previous_months is not None:
        low, high = level.after_previous_months
        before, now = dates if dates is not None else (None, None)
        if dates is None:
            unmet.append(
                f"the {low}-{high} months since the previous assessment cannot be checked "
                "without a previous assessment"
            )
        elif before is None or now is None:
            unmet.append(
                f"the {low}-{high} months since the previous assessment cannot be checked "
                "without both assessment dates"
            )
        elif not _add_months(before, low) <= now <= _add_months(before, high):
            unmet.append(
                f"assessed {now.isoformat()}, not {low} to {high} months after the previous "
                f"assessment ({before.isoformat()})"
            )
    if level.requires is not None and level.requires not in reached | held:
        unmet.append(f"requires the {level.requires} level")
    return LevelCheck(level.name, not unmet, tuple(unmet), needed, count, level.conditions)


def score_assessment(
    scheme: LabelScheme,
    assessment: Assessment,
    *,
    previous: Assessment | None = None,
    held: tuple[str, ...] = (),
) -> ScoreResult:
    """Score ``assessment`` against ``scheme``; see the module docstring for the rule.

    Parameters
    ----------
    scheme : LabelScheme
        The scheme the assessment answers (same id and version).
    assessment : Assessment
        The answers; missing ones score 0 and are listed in ``missing``.
    previous : Assessment, optional
        An earlier assessment of the same scheme, for levels that require improvement in
        some groups (ESCA Silver: 3 areas).
    held : tuple of str, optional
        Levels the organisation already holds (a Silver candidate holds Bronze).

    Returns
    -------
    ScoreResult

    Raises
    ------
    AssessmentError
        When the assessment (or ``previous``) answers another scheme or version.

    Examples
    --------
    >>> from clusteratlas.labels import load_scheme, new_assessment, Answer
    >>> gold = load_scheme("esca-gold")
    >>> answers = tuple(Answer(i.id, i.threshold.value) for i in gold.indicators[:25])
    >>> result = score_assessment(gold, new_assessment(gold, organisation_id="x", answers=answers))
    >>> result.earned, result.max_points, result.level, len(result.missing)
    (25.0, 31.0, 'Gold', 6)
    """
    for what, item in (("assessment", assessment), ("previous assessment", previous)):
        if item is not None and (item.scheme, item.version) != (scheme.id, scheme.version):
            raise AssessmentError(
                f"The {what} answers scheme {item.scheme}@{item.version}, not {scheme.label}."
            )
    indicators = _indicator_rows(scheme, assessment)
    before = None
    if previous is not None:
        before = _group_rows(scheme, _indicator_rows(scheme, previous), None)
    groups = _group_rows(scheme, indicators, before)
    earned, maximum = float(indicators["earned"].sum()), scheme.max_points
    missing = tuple(indicators.loc[~indicators["answered"], "indicator"])
    improved = None if before is None else int(groups["improved"].sum())
    checks: list[LevelCheck] = []
    reached: set[str] = set()
    for level in scheme.levels:
        check = _check_level(
            level, earned=earned, maximum=maximum, missing=len(missing),
            open_points=indicators.loc[~indicators["passed"], "points"].tolist(),
            improved=improved, reached=reached, held=set(held),
            dates=None if previous is None else (previous.assessed_on, assessment.assessed_on),
        )  # fmt: skip
        checks.append(check)
        if check.reached:
            reached.add(level.name)
    top = [c.level for c in checks if c.reached]
    above = [c for c in checks if not c.reached]
    return ScoreResult(
        scheme=scheme.label,
        organisation_id=assessment.organisation_id,
        status=assessment.status,
        indicators=indicators,
        groups=groups,
        earned=earned,
        max_points=maximum,
        share=earned / maximum,
        missing=missing,
        level=top[-1] if top else None,
        next_level=above[0] if above else None,
        levels=tuple(checks),
    )


__all__ = ["GROUP_COLUMNS", "INDICATOR_COLUMNS", "LevelCheck", "ScoreResult", "score_assessment"]
