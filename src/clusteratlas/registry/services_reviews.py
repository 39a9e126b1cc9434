"""Reviews of label self-assessments: reviewer grants, scores, decisions.

A reviewer of a scheme (an administrator, or a user an administrator granted the scheme
with :func:`grant_reviewer`) reviews submitted assessments (:func:`review_assessment`):
it requests changes (the assessment goes back to the organisation's manager), rejects it,
or accepts it, which awards the level the score reaches (or a lower one the reviewer
names) from a start date, valid as the scheme says (:func:`.services_awards.record_award`).
A reviewer never reviews the organisation it manages. Every change is audited; the caller
commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from clusteratlas.errors import (
    AssessmentError,
    ConflictError,
    PermissionDeniedError,
    RecordNotFoundError,
)
from clusteratlas.labels.assessment import Assessment
from clusteratlas.labels.schemes import LabelScheme
from clusteratlas.labels.scoring import ScoreResult, score_assessment
from clusteratlas.registry.audit import record
from clusteratlas.registry.models import (
    LabelAssessment,
    LabelAward,
    LabelReview,
    ReviewerGrant,
    User,
)
from clusteratlas.registry.models_labels import DECISIONS
from clusteratlas.registry.services_awards import record_award
from clusteratlas.registry.services_labels import (
    get_assessment,
    get_scheme,
    library_assessment,
    require_admin,
    require_reviewer,
    scheme_of,
)


def grant_reviewer(
    session: Session, *, actor: User | None, user_id: int, scheme: str
) -> ReviewerGrant:
    """Let a user review a scheme's assessments (administrators only; idempotent)."""
    require_admin(actor, "grant the reviewer role")
    get_scheme(scheme)
    user = session.get(User, user_id)
    if user is None:
        raise RecordNotFoundError(f"There is no user {user_id}.")
    found = session.scalar(
        select(ReviewerGrant).where(
            ReviewerGrant.user_id == user_id, ReviewerGrant.scheme == scheme
        )
    )
    if found is not None:
        return found
    grant = ReviewerGrant(user_id=user_id, scheme=scheme, granted_by=actor.id if actor else None)
    session.add(grant)
    session.flush()
    after = {"user_id": user_id, "scheme": scheme}
    record(
        session,
        actor=actor,
        entity="label_reviewer",
        entity_id=grant.id,
        action="create",
        after=after,
    )
    return grant


def revoke_reviewer(session: Session, *, actor: User | None, user_id: int, scheme: str) -> None:
    """Withdraw a reviewer grant (administrators only; no error when there is none)."""
    require_admin(actor, "withdraw the reviewer role")
    found = session.scalar(
        select(ReviewerGrant).where(
            ReviewerGrant.user_id == user_id, ReviewerGrant.scheme == scheme
        )
    )
    if found is not None:
        before = {"user_id": user_id, "scheme": scheme}
        record(
            session,
            actor=actor,
            entity="label_reviewer",
            entity_id=found.id,
            action="delete",
            before=before,
        )
        session.delete(found)
        session.flush()


def list_reviewers(session: Session, *, scheme: str | None = None) -> list[ReviewerGrant]:
    """Return the reviewer grants, by scheme and user."""
    query = select(ReviewerGrant)
    if scheme is not None:
        query = query.where(ReviewerGrant.scheme == scheme)
    return list(session.scalars(query.order_by(ReviewerGrant.scheme, ReviewerGrant.user_id)))


def _accepted(session: Session, organisation_id: int, scheme: str) -> list[LabelAssessment]:
    query = select(LabelAssessment).where(
        LabelAssessment.organisation_id == organisation_id,
        LabelAssessment.scheme == scheme,
        LabelAssessment.status == "accepted",
    )
    return list(session.scalars(query.order_by(LabelAssessment.decided_at, LabelAssessment.id)))


def held_levels(
    session: Session, organisation_id: int, scheme: str, *, on: dt.date
) -> tuple[str, ...]:
    """Return the levels of ``scheme`` the organisation holds on ``on`` (not ended, not expired)."""
    query = select(LabelAward).where(
        LabelAward.organisation_id == organisation_id, LabelAward.scheme == scheme
    )
    return tuple(
        a.level
        for a in session.scalars(query)
        if a.awarded_on <= on
        and (a.valid_until is None or on <= a.valid_until)
        and (a.ended_on is None or on < a.ended_on)
    )


def score(
    session: Session, assessment: LabelAssessment, *, on: dt.date | None = None
) -> tuple[LabelScheme, ScoreResult, Assessment]:
    """Score an assessment, with the organisation's previous accepted one and held levels."""
    scheme = scheme_of(assessment)
    mine = library_assessment(assessment)
    earlier = [
        a
        for a in _accepted(session, assessment.organisation_id, assessment.scheme)
        if a.id != assessment.id and a.id < assessment.id
    ]
    previous = library_assessment(earlier[-1]) if earlier else None
    if previous is not None and previous.version != mine.version:
        previous = None
    held = held_levels(
        session, assessment.organisation_id, assessment.scheme, on=on or dt.date.today()
    )
    result = score_assessment(scheme, mine, previous=previous, held=held)
    return scheme, result, mine


def review_assessment(
    session: Session,
    *,
    actor: User | None,
    assessment_id: int,
    decision: str,
    comment: str | None = None,
    indicator_comments: Mapping[str, str] | None = None,
    level: str | None = None,
    awarded_on: dt.date | None = None,
) -> tuple[LabelReview, LabelAward | None]:
    """Decide on a submitted assessment: ``request_changes``, ``accept`` or ``reject``.

    Parameters
    ----------
    decision : {"request_changes", "accept", "reject"}
    comment : str, optional
        Required to request changes or reject (unless ``indicator_comments`` say it).
    indicator_comments : mapping, optional
        Indicator id → comment; ids must be the scheme's.
    level : str, optional
        For ``accept``: the level awarded (default the highest the score reaches); it must
        be one the score reaches.
    awarded_on : datetime.date, optional
        For ``accept``: the label's start date (default today).

    Returns
    -------
    (LabelReview, LabelAward or None)

    Raises
    ------
    PermissionDeniedError
        When ``actor`` does not review the scheme, or manages the organisation assessed.
    ConflictError
        When the assessment is not ``submitted``.
    AssessmentError
        For an unknown decision or indicator, a missing comment, or a level not reached.
    """
    if decision not in DECISIONS:
        raise AssessmentError(f"decision must be one of {', '.join(DECISIONS)}; got {decision!r}.")
    assessment = get_assessment(session, actor=actor, assessment_id=assessment_id)
    reviewer = require_reviewer(session, actor, assessment.scheme, "review its assessments")
    if reviewer.role == "manager" and reviewer.organisation_id == assessment.organisation_id:
        raise PermissionDeniedError("A reviewer may not review the organisation it manages.")
    if assessment.status != "submitted":
        raise ConflictError(
            f"Assessment {assessment.id} is {assessment.status}; only a submitted one is reviewed."
        )
    notes = {str(k): str(v) for k, v in (indicator_comments or {}).items() if str(v).strip()}
    scheme, result, _ = score(session, assessment, on=awarded_on)
    unknown = sorted(set(notes) - {i.id for i in scheme.indicators})
    if unknown:
        raise AssessmentError(
            f"indicator_comments: scheme {scheme.label} has no indicator(s) {', '.join(map(repr, unknown))}."
        )
    if decision != "accept" and not (comment or "").strip() and not notes:
        raise AssessmentError(
            f"A decision to {decision.replace('_', ' ')} needs a comment saying why."
        )
    award = None
    if decision == "accept":
        reached = [c.level for c in result.levels if c.reached]
        name = level or result.level
        if name is None or name.lower() not in {r.lower() for r in reached}:
            got = f"level {name!r}" if name else "no level"
            raise AssessmentError(
                f"The assessment reaches {', '.join(reached) or 'no level'}; it cannot be accepted "
                f"for {got}. Request changes or reject it instead."
            )
        award = record_award(
            session,
            actor=actor,
            scheme=scheme,
            organisation_id=assessment.organisation_id,
            level=name,
            awarded_on=awarded_on or dt.date.today(),
            assessment_id=assessment.id,
            score_share=float(result.share),
        )
    review = LabelReview(
        assessment_id=assessment.id,
        reviewer_id=reviewer.id,
        decision=decision,
        comment=comment,
        indicator_comments=notes,
    )
    session.add(review)
    status = {"request_changes": "changes_requested", "accept": "accepted", "reject": "rejected"}[
        decision
    ]
    assessment.status = status
    assessment.decided_at = dt.datetime.now(dt.UTC) if status != "changes_requested" else None
    session.flush()
    record(
        session,
        actor=actor,
        entity="label_assessment",
        entity_id=assessment.id,
        action="review",
        before={"status": "submitted"},
        after={"status": status, "review_id": review.id, "award_id": award.id if award else None},
        note=comment,
    )
    return review, award


__all__ = [
    "grant_reviewer",
    "held_levels",
    "list_reviewers",
    "review_assessment",
    "revoke_reviewer",
    "score",
]
