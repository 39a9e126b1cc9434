"""Request and response models of the label routes (``/api/v1/labels``).

Inputs forbid unknown fields and carry the column limits, as in :mod:`.schemas`.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints

from clusteratlas.api.schemas import ONE_LINE, TEXT, WEB_ADDRESS, WRITE_RESPONSES, Message, _Input

SCHEME_ID = r"^[a-z0-9][a-z0-9_.-]{0,59}$"
INDICATOR_ID = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$"

SchemeId = Annotated[str, StringConstraints(pattern=SCHEME_ID)]
IndicatorId = Annotated[str, StringConstraints(pattern=INDICATOR_ID)]
Comment = Annotated[str, StringConstraints(pattern=TEXT, max_length=4000)]
LevelName = Annotated[str, StringConstraints(pattern=ONE_LINE, min_length=1, max_length=60)]
Id = Annotated[int, Field(ge=1, le=2_000_000_000)]
Day = Annotated[dt.date, Field(ge=dt.date(1900, 1, 1), le=dt.date(2200, 12, 31))]

LABEL_RESPONSES: dict[int | str, dict[str, Any]] = {
    **WRITE_RESPONSES,
    415: {"model": Message, "description": "Evidence file of a type that is not allowed"},
}


class SchemeSummary(BaseModel):
    """A label scheme in the list: id, version, title, body, status, levels."""

    id: str
    version: str
    title: str
    body: str
    status: str
    levels: list[str]
    indicators: int


class AssessmentCreate(_Input):
    """Start a draft: the organisation (yours) and the scheme."""

    organisation_id: Id
    scheme: SchemeId
    ecosystem: Annotated[str, StringConstraints(pattern=ONE_LINE, max_length=200)] | None = None


class AnswerIn(_Input):
    """One answer: a number, a scale level (index or text) or yes/no; an optional comment."""

    indicator: IndicatorId
    value: (
        bool
        | Annotated[float, Field(allow_inf_nan=False)]
        | Annotated[str, StringConstraints(pattern=ONE_LINE, max_length=200)]
    )
    comment: Comment | None = None


class AnswersIn(_Input):
    """Answers to save (each replaces the earlier answer to its indicator)."""

    answers: Annotated[list[AnswerIn], Field(min_length=1, max_length=500)]


class AnswerOut(BaseModel):
    """A saved answer and where it came from (``prefilled``: ``source`` names the field)."""

    indicator: str
    value: float
    comment: str | None
    origin: str
    source: str | None


class EvidenceUrlIn(_Input):
    """A web address as evidence for one indicator."""

    indicator: IndicatorId
    url: Annotated[str, StringConstraints(pattern=WEB_ADDRESS, max_length=2000)]


class EvidenceOut(BaseModel):
    """Evidence: a URL, or a stored file (its SHA-256, name, type, size and download path)."""

    id: int
    indicator: str
    url: str | None
    sha256: str | None
    filename: str | None
    media_type: str | None
    size: int | None
    created_at: dt.datetime
    download: str | None


class ReviewOut(BaseModel):
    """A review: decision, comment and comments per indicator."""

    id: int
    reviewer_id: int | None
    decision: str
    comment: str | None
    indicator_comments: dict[str, str]
    created_at: dt.datetime


class Peer(BaseModel):
    """The peer group keys of an assessment (benchmarking)."""

    country: str | None
    ecosystem: str | None
    size_band: str | None


class AssessmentSummary(BaseModel):
    """An assessment in a list."""

    id: int
    organisation_id: int
    scheme: str
    scheme_version: str
    status: str
    peer: Peer
    created_at: dt.datetime
    updated_at: dt.datetime
    submitted_at: dt.datetime | None
    decided_at: dt.datetime | None


class AssessmentOut(AssessmentSummary):
    """An assessment with its answers, evidence and reviews."""

    answers: list[AnswerOut]
    evidence: list[EvidenceOut]
    reviews: list[ReviewOut]


class ReviewIn(_Input):
    """A reviewer's decision; ``level`` and ``awarded_on`` only when accepting."""

    decision: Literal["request_changes", "accept", "reject"]
    comment: Comment | None = None
    indicator_comments: Annotated[dict[IndicatorId, Comment], Field(max_length=500)] = Field(
        default_factory=dict
    )
    level: LevelName | None = None
    awarded_on: Day | None = None


class AwardOut(BaseModel):
    """A label awarded: level, dates, early end and its reason."""

    id: int
    organisation_id: int
    scheme: str
    scheme_version: str
    level: str
    assessment_id: int | None
    score_share: float | None
    awarded_on: dt.date
    valid_until: dt.date | None
    ended_on: dt.date | None
    end_reason: str | None


class ReviewResult(BaseModel):
    """The review recorded, the assessment's new status and the award (when accepted)."""

    review: ReviewOut
    status: str
    award: AwardOut | None


class AwardCreate(_Input):
    """Record an award; ``valid_until`` defaults to the scheme's validity."""

    organisation_id: Id
    scheme: SchemeId
    level: LevelName
    awarded_on: Day
    valid_until: Day | None = None


class AwardEnd(_Input):
    """End an award early: the last day and why."""

    ended_on: Day
    reason: Annotated[str, StringConstraints(pattern=TEXT, min_length=1, max_length=4000)]


class ExpiringAward(AwardOut):
    """A current award that expires soon, with its days left."""

    days_left: int


class ReviewerIn(_Input):
    """Grant a user the review of one scheme."""

    user_id: Id
    scheme: SchemeId


class ReviewerOut(BaseModel):
    """A reviewer grant."""

    id: int
    user_id: int
    scheme: str
    created_at: dt.datetime


class BenchmarkOut(BaseModel):
    """Peer percentiles per group, or only why they are not shown."""

    scheme: str
    filters: dict[str, str]
    shown: bool
    n: int | None
    min_peers: int
    percentiles: list[dict[str, Any]] | None
    target: list[dict[str, Any]] | None
    message: str
