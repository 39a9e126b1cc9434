"""Routes of label reviews, awards, reviewer grants and peer benchmarks (``/api/v1/labels``).

Interfaces only (services: :mod:`clusteratlas.registry.services_reviews`,
:mod:`~clusteratlas.registry.services_awards`): reviewers of a scheme (granted by an
administrator) review submitted assessments, record awards and end them; awards are
public; benchmarks need a signed-in user.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from clusteratlas.api import convert_labels
from clusteratlas.api.deps import AdminUser, CurrentUser, SessionDep
from clusteratlas.api.schemas_labels import (
    LABEL_RESPONSES,
    SCHEME_ID,
    AwardCreate,
    AwardEnd,
    AwardOut,
    BenchmarkOut,
    ExpiringAward,
    ReviewerIn,
    ReviewerOut,
    ReviewIn,
    ReviewResult,
)
from clusteratlas.registry.services_awards import (
    add_award,
    benchmark,
    end_award,
    expiring_awards,
    list_awards,
    min_peers,
)
from clusteratlas.registry.services_labels import (
    get_assessment,
)
from clusteratlas.registry.services_reviews import (
    grant_reviewer,
    list_reviewers,
    review_assessment,
    revoke_reviewer,
)

router = APIRouter(prefix="/labels", tags=["labels"], responses=LABEL_RESPONSES)

Id = Annotated[int, Path(ge=1, le=2_000_000_000)]
SchemePath = Annotated[str, Path(pattern=SCHEME_ID)]


@router.post(
    "/assessments/{assessment_id}/reviews", response_model=ReviewResult, status_code=201,
    summary="Review a submitted assessment",
)  # fmt: skip
def review(
    assessment_id: Id, body: ReviewIn, session: SessionDep, user: CurrentUser
) -> ReviewResult:
    """Request changes, accept (awarding the level from ``awarded_on``) or reject."""
    done, award = review_assessment(
        session,
        actor=user,
        assessment_id=assessment_id,
        decision=body.decision,
        comment=body.comment,
        indicator_comments=body.indicator_comments,
        level=body.level,
        awarded_on=body.awarded_on,
    )
    session.commit()
    status = get_assessment(session, actor=user, assessment_id=assessment_id).status
    return ReviewResult(
        review=convert_labels.review(done),
        status=status,
        award=convert_labels.award(award) if award else None,
    )


@router.get("/awards", response_model=list[AwardOut], summary="Labels awarded")
def awards(
    session: SessionDep,
    organisation_id: Annotated[int | None, Query(ge=1, le=2_000_000_000)] = None,
    scheme: Annotated[str | None, Query(pattern=SCHEME_ID)] = None,
    current: Annotated[bool, Query(description="Only labels valid today")] = False,
) -> list[AwardOut]:
    """List awards, current and past (public), newest first."""
    today = dt.date.today() if current else None
    found = list_awards(session, organisation_id=organisation_id, scheme=scheme, current_on=today)
    return [convert_labels.award(a) for a in found]


@router.get("/awards/expiring", response_model=list[ExpiringAward], summary="Labels expiring soon")
def expiring(
    session: SessionDep,
    within_months: Annotated[int, Query(ge=0, le=60)] = 6,
    organisation_id: Annotated[int | None, Query(ge=1, le=2_000_000_000)] = None,
) -> list[ExpiringAward]:
    """List current labels that expire within ``within_months`` months, soonest first."""
    found = expiring_awards(
        session, today=dt.date.today(), within_months=within_months, organisation_id=organisation_id
    )
    return [
        ExpiringAward(**convert_labels.award(a).model_dump(), days_left=days) for a, days in found
    ]


@router.post("/awards", response_model=AwardOut, status_code=201, summary="Record an award")
def award(body: AwardCreate, session: SessionDep, user: CurrentUser) -> AwardOut:
    """Record a label awarded (reviewers of the scheme and administrators)."""
    item = add_award(
        session,
        actor=user,
        organisation_id=body.organisation_id,
        scheme=body.scheme,
        level=body.level,
        awarded_on=body.awarded_on,
        valid_until=body.valid_until,
    )
    session.commit()
    return convert_labels.award(item)


@router.post("/awards/{award_id}/end", response_model=AwardOut, summary="End an award early")
def end(award_id: Id, body: AwardEnd, session: SessionDep, user: CurrentUser) -> AwardOut:
    """End a label before its expiry, with the reason (reviewers and administrators)."""
    item = end_award(
        session, actor=user, award_id=award_id, ended_on=body.ended_on, reason=body.reason
    )
    session.commit()
    return convert_labels.award(item)


@router.get("/benchmark", response_model=BenchmarkOut, summary="Peer benchmark")
def peer_benchmark(
    session: SessionDep,
    user: CurrentUser,
    scheme: Annotated[str, Query(pattern=SCHEME_ID)],
    country: Annotated[str | None, Query(pattern="^[A-Z]{2}$")] = None,
    ecosystem: Annotated[str | None, Query(pattern=r"^[^\x00-\x1f\x7f]{1,200}$")] = None,
    size_band: Annotated[str | None, Query(pattern=r"^[0-9+-]{1,20}$")] = None,
) -> BenchmarkOut:
    """Compare with peers: percentiles of group scores over accepted assessments.

    Shown only for at least N peers (``CLUSTERATLAS_LABELS_MIN_PEERS``, default 5), and
    never when it would let one peer's answers be read back. A manager also gets its own
    rank when it is a peer.
    """
    filters = {
        k: v
        for k, v in {"country": country, "ecosystem": ecosystem, "size_band": size_band}.items()
        if v
    }
    n = min_peers()
    target = user.organisation_id if user.role == "manager" else None
    done = benchmark(session, scheme=scheme, filters=filters, target_organisation=target, peers=n)
    data = done.to_dict()
    return BenchmarkOut(scheme=scheme, min_peers=n, **data)


@router.get("/reviewers", response_model=list[ReviewerOut], summary="Reviewer grants")
def reviewers(
    session: SessionDep,
    _admin: AdminUser,
    scheme: Annotated[str | None, Query(pattern=SCHEME_ID)] = None,
) -> list[ReviewerOut]:
    """List who reviews which scheme (administrators only)."""
    return [convert_labels.grant(g) for g in list_reviewers(session, scheme=scheme)]


@router.post("/reviewers", response_model=ReviewerOut, status_code=201, summary="Grant review")
def grant(body: ReviewerIn, session: SessionDep, admin: AdminUser) -> ReviewerOut:
    """Let a user review one scheme's assessments (administrators only)."""
    item = grant_reviewer(session, actor=admin, user_id=body.user_id, scheme=body.scheme)
    session.commit()
    return convert_labels.grant(item)


@router.delete(
    "/reviewers/{user_id}/{scheme_id}", status_code=204, summary="Withdraw a reviewer grant"
)
def revoke(user_id: Id, scheme_id: SchemePath, session: SessionDep, admin: AdminUser) -> Response:
    """Withdraw a user's review of one scheme (administrators only)."""
    revoke_reviewer(session, actor=admin, user_id=user_id, scheme=scheme_id)
    session.commit()
    return Response(status_code=204)
