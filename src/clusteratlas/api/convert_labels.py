"""Conversion of label-workflow records into the response models of :mod:`.schemas_labels`."""

from __future__ import annotations

from clusteratlas.api.schemas_labels import (
    AnswerOut,
    AssessmentOut,
    AssessmentSummary,
    AwardOut,
    EvidenceOut,
    Peer,
    ReviewerOut,
    ReviewOut,
)
from clusteratlas.registry.models import (
    LabelAssessment,
    LabelAward,
    LabelEvidence,
    LabelReview,
    ReviewerGrant,
)


def evidence(item: LabelEvidence) -> EvidenceOut:
    """Return an evidence record (with its download path when it is a file)."""
    download = f"/api/v1/labels/evidence/{item.id}/file" if item.sha256 else None
    return EvidenceOut(
        id=item.id,
        indicator=item.indicator,
        url=item.url,
        sha256=item.sha256,
        filename=item.filename,
        media_type=item.media_type,
        size=item.size,
        created_at=item.created_at,
        download=download,
    )


def review(item: LabelReview) -> ReviewOut:
    """Return a review."""
    return ReviewOut(
        id=item.id,
        reviewer_id=item.reviewer_id,
        decision=item.decision,
        comment=item.comment,
        indicator_comments=dict(item.indicator_comments or {}),
        created_at=item.created_at,
    )


def summary(item: LabelAssessment) -> AssessmentSummary:
    """Return an assessment without answers, evidence and reviews."""
    return AssessmentSummary(
        id=item.id,
        organisation_id=item.organisation_id,
        scheme=item.scheme,
        scheme_version=item.scheme_version,
        status=item.status,
        peer=Peer(
            country=item.peer_country, ecosystem=item.peer_ecosystem, size_band=item.peer_size_band
        ),
        created_at=item.created_at,
        updated_at=item.updated_at,
        submitted_at=item.submitted_at,
        decided_at=item.decided_at,
    )


def assessment(item: LabelAssessment) -> AssessmentOut:
    """Return an assessment with its answers, evidence and reviews."""
    answers = [
        AnswerOut(
            indicator=a.indicator,
            value=a.value,
            comment=a.comment,
            origin=a.origin,
            source=a.source,
        )
        for a in item.answers
    ]
    return AssessmentOut(
        **summary(item).model_dump(),
        answers=answers,
        evidence=[evidence(e) for e in item.evidence],
        reviews=[review(r) for r in item.reviews],
    )


def award(item: LabelAward) -> AwardOut:
    """Return an award."""
    return AwardOut(
        id=item.id,
        organisation_id=item.organisation_id,
        scheme=item.scheme,
        scheme_version=item.scheme_version,
        level=item.level,
        assessment_id=item.assessment_id,
        score_share=item.score_share,
        awarded_on=item.awarded_on,
        valid_until=item.valid_until,
        ended_on=item.ended_on,
        end_reason=item.end_reason,
    )


def grant(item: ReviewerGrant) -> ReviewerOut:
    """Return a reviewer grant."""
    return ReviewerOut(
        id=item.id, user_id=item.user_id, scheme=item.scheme, created_at=item.created_at
    )
