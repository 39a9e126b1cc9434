"""Typed declarative models of the label workflow: assessments, evidence, reviews, awards.

A cluster manager fills a :class:`LabelAssessment` of its organisation against one label scheme
version (answers as :class:`LabelAnswer` rows), attaches :class:`LabelEvidence` (a URL, or a
file kept outside the database in a content-addressed folder: only its SHA-256, name, type
and size are stored here) and submits it. A reviewer of the scheme (:class:`ReviewerGrant`,
given by an administrator; administrators review every scheme) records a :class:`LabelReview`
(request changes, accept or reject; comments per indicator). Accepting creates an
:class:`LabelAward` whose validity comes from the scheme; an administrator may end it early with
a reason.

The older ``label`` table (:class:`~clusteratlas.registry.models_org.Label`) keeps the
labels the seed read from public sources (free-text dates); awards made here live in
``label_award`` with real dates.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Date, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clusteratlas.registry.models_org import Base, _now

ASSESSMENT_STATUSES = ("draft", "submitted", "changes_requested", "accepted", "rejected")
"""Statuses of an assessment, in workflow order."""
EDITABLE_STATUSES = ("draft", "changes_requested")
"""Statuses in which the organisation's manager may change answers and evidence."""
OPEN_STATUSES = ("draft", "submitted", "changes_requested")
"""Statuses of an assessment still in the workflow (one per organisation and scheme)."""
DECISIONS = ("request_changes", "accept", "reject")
"""Decisions of a review."""


class LabelAssessment(Base):
    """A self-assessment of one organisation against one scheme version."""

    __tablename__ = "label_assessment"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    scheme: Mapped[str] = mapped_column(String(60), index=True)
    scheme_version: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    peer_country: Mapped[str | None] = mapped_column(String(2))
    peer_ecosystem: Mapped[str | None] = mapped_column(String(200))
    peer_size_band: Mapped[str | None] = mapped_column(String(20))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=_now, onupdate=_now
    )
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    answers: Mapped[list[LabelAnswer]] = relationship(
        back_populates="assessment",
        cascade="all, delete-orphan",
        order_by="LabelAnswer.id",
        lazy="selectin",
    )
    evidence: Mapped[list[LabelEvidence]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan", order_by="LabelEvidence.id"
    )
    reviews: Mapped[list[LabelReview]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan", order_by="LabelReview.id"
    )


class LabelAnswer(Base):
    """One answer: the value scoring uses, the manager's comment, and where it came from.

    ``origin`` is ``answer`` (typed by the manager) or ``prefilled`` (from the registry
    record, ``source`` then names the field and its own source).
    """

    __tablename__ = "label_answer"
    __table_args__ = (UniqueConstraint("assessment_id", "indicator"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("label_assessment.id", ondelete="CASCADE"), index=True
    )
    indicator: Mapped[str] = mapped_column(String(80))
    value: Mapped[float] = mapped_column(Float)
    comment: Mapped[str | None] = mapped_column(Text)
    origin: Mapped[str] = mapped_column(String(10), default="answer")
    source: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=_now, onupdate=_now
    )

    assessment: Mapped[LabelAssessment] = relationship(back_populates="answers")


class LabelEvidence(Base):
    """Evidence for one indicator: a URL, or an uploaded file stored by its SHA-256."""

    __tablename__ = "label_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("label_assessment.id", ondelete="CASCADE"), index=True
    )
    indicator: Mapped[str] = mapped_column(String(80))
    url: Mapped[str | None] = mapped_column(String(2000))
    sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    filename: Mapped[str | None] = mapped_column(String(255))
    media_type: Mapped[str | None] = mapped_column(String(120))
    size: Mapped[int | None] = mapped_column(Integer)
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)

    assessment: Mapped[LabelAssessment] = relationship(back_populates="evidence")


class LabelReview(Base):
    """A reviewer's decision on a submitted assessment, with comments per indicator."""

    __tablename__ = "label_review"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("label_assessment.id", ondelete="CASCADE"), index=True
    )
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    decision: Mapped[str] = mapped_column(String(20))
    comment: Mapped[str | None] = mapped_column(Text)
    indicator_comments: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)

    assessment: Mapped[LabelAssessment] = relationship(back_populates="reviews")


class LabelAward(Base):
    """A label awarded to an organisation: level, dates, and an early end with its reason."""

    __tablename__ = "label_award"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    scheme: Mapped[str] = mapped_column(String(60), index=True)
    scheme_version: Mapped[str] = mapped_column(String(40))
    level: Mapped[str] = mapped_column(String(60))
    assessment_id: Mapped[int | None] = mapped_column(
        ForeignKey("label_assessment.id", ondelete="SET NULL")
    )
    score_share: Mapped[float | None] = mapped_column(Float)
    awarded_on: Mapped[dt.date] = mapped_column(Date)
    valid_until: Mapped[dt.date | None] = mapped_column(Date, index=True)
    ended_on: Mapped[dt.date | None] = mapped_column(Date)
    end_reason: Mapped[str | None] = mapped_column(Text)
    awarded_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class ReviewerGrant(Base):
    """An administrator's grant: this user reviews assessments of this scheme."""

    __tablename__ = "label_reviewer"
    __table_args__ = (UniqueConstraint("user_id", "scheme"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    scheme: Mapped[str] = mapped_column(String(60))
    granted_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


__all__ = [
    "ASSESSMENT_STATUSES",
    "DECISIONS",
    "EDITABLE_STATUSES",
    "OPEN_STATUSES",
    "LabelAnswer",
    "LabelAssessment",
    "LabelAward",
    "LabelEvidence",
    "LabelReview",
    "ReviewerGrant",
]
