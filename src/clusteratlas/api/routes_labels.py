"""Routes of labels: schemes, self-assessments, evidence, reviews, awards, benchmarks.

Interfaces only: each route parses, calls :mod:`clusteratlas.registry.services_labels` or
:mod:`clusteratlas.registry.services_awards`, and renders. Who may do what is decided
there: the organisation's manager (or an administrator) fills and submits its assessment;
reviewers of the scheme (granted by an administrator) review, award and end labels;
awards are public; an assessment or evidence one may not read is answered 404.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, File, Form, Path, Query, Response, UploadFile
from fastapi.responses import FileResponse, HTMLResponse

from clusteratlas.api.deps import AdminUser, CurrentUser, OptionalUser, SessionDep
from clusteratlas.api.schemas_labels import (
    INDICATOR_ID,
    LABEL_RESPONSES,
    SCHEME_ID,
    AnswerOut,
    AnswersIn,
    AssessmentCreate,
    AssessmentOut,
    AssessmentSummary,
    AwardCreate,
    AwardEnd,
    AwardOut,
    BenchmarkOut,
    EvidenceOut,
    EvidenceUrlIn,
    ExpiringAward,
    Peer,
    ReviewerIn,
    ReviewerOut,
    ReviewIn,
    ReviewOut,
    ReviewResult,
    SchemeSummary,
)
from clusteratlas.errors import RecordNotFoundError
from clusteratlas.labels.evidence import UPLOAD_CEILING
from clusteratlas.labels.io import result_to_dict
from clusteratlas.labels.report import readiness_report
from clusteratlas.labels.schemefile import list_schemes
from clusteratlas.labels.schemes import LabelScheme
from clusteratlas.registry.models import (
    LabelAssessment,
    LabelAward,
    LabelEvidence,
    LabelReview,
    Organisation,
    ReviewerGrant,
)
from clusteratlas.registry.services_awards import (
    add_award,
    benchmark,
    end_award,
    expiring_awards,
    grant_reviewer,
    list_awards,
    list_reviewers,
    min_peers,
    review_assessment,
    revoke_reviewer,
    score,
)
from clusteratlas.registry.services_labels import (
    add_evidence_file,
    add_evidence_url,
    create_assessment,
    get_assessment,
    get_evidence,
    get_scheme,
    list_assessments,
    save_answers,
    submit_assessment,
)

router = APIRouter(prefix="/labels", tags=["labels"], responses=LABEL_RESPONSES)

Id = Annotated[int, Path(ge=1, le=2_000_000_000)]
SchemePath = Annotated[str, Path(pattern=SCHEME_ID)]
REPORT_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"
"""The readiness report is one self-contained page (inline CSS and SVG, no script)."""
DOWNLOAD_POLICY = "default-src 'none'; sandbox"


def _evidence(item: LabelEvidence) -> EvidenceOut:
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


def _review(item: LabelReview) -> ReviewOut:
    return ReviewOut(
        id=item.id,
        reviewer_id=item.reviewer_id,
        decision=item.decision,
        comment=item.comment,
        indicator_comments=dict(item.indicator_comments or {}),
        created_at=item.created_at,
    )


def _summary(item: LabelAssessment) -> AssessmentSummary:
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


def _assessment(item: LabelAssessment) -> AssessmentOut:
    answers = [
        AnswerOut(
            indicator=a.indicator, value=a.value, comment=a.comment, origin=a.origin, source=a.source
        )
        for a in item.answers
    ]
    return AssessmentOut(
        **_summary(item).model_dump(),
        answers=answers,
        evidence=[_evidence(e) for e in item.evidence],
        reviews=[_review(r) for r in item.reviews],
    )


def _award(item: LabelAward) -> AwardOut:
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


def _grant(item: ReviewerGrant) -> ReviewerOut:
    return ReviewerOut(id=item.id, user_id=item.user_id, scheme=item.scheme, created_at=item.created_at)


@router.get("/schemes", response_model=list[SchemeSummary], summary="Label schemes")
def schemes() -> list[SchemeSummary]:
    """List the built-in label schemes (ESCA Bronze/Silver, Gold, pôles phase V)."""
    out = []
    for scheme_id in list_schemes():
        s = get_scheme(scheme_id)
        out.append(
            SchemeSummary(
                id=s.id,
                version=s.version,
                title=s.title,
                body=s.body,
                status=s.status,
                levels=[lv.name for lv in s.levels],
                indicators=len(s.indicators),
            )
        )
    return out


@router.get("/schemes/{scheme_id}", response_model=LabelScheme, summary="One label scheme")
def scheme(scheme_id: SchemePath) -> LabelScheme:
    """Return a scheme: groups, indicators, thresholds, levels, validity, each fact's status."""
    return get_scheme(scheme_id)


@router.post(
    "/assessments", response_model=AssessmentOut, status_code=201, summary="Start an assessment"
)
def start(body: AssessmentCreate, session: SessionDep, user: CurrentUser) -> AssessmentOut:
    """Start a draft for your organisation, pre-filled from the registry (with sources)."""
    item = create_assessment(
        session,
        actor=user,
        organisation_id=body.organisation_id,
        scheme=body.scheme,
        ecosystem=body.ecosystem,
    )
    session.commit()
    return _assessment(item)


@router.get("/assessments", response_model=list[AssessmentSummary], summary="Assessments")
def assessments(
    session: SessionDep,
    user: CurrentUser,
    organisation_id: Annotated[int | None, Query(ge=1, le=2_000_000_000)] = None,
    scheme: Annotated[str | None, Query(pattern=SCHEME_ID)] = None,
    status: Annotated[
        str | None, Query(pattern="^(draft|submitted|changes_requested|accepted|rejected)$")
    ] = None,
) -> list[AssessmentSummary]:
    """List the assessments you may read (a reviewer's queue: ``status=submitted``)."""
    found = list_assessments(
        session, actor=user, organisation_id=organisation_id, scheme=scheme, status=status
    )
    return [_summary(a) for a in found]


@router.get("/assessments/{assessment_id}", response_model=AssessmentOut, summary="An assessment")
def assessment(assessment_id: Id, session: SessionDep, user: OptionalUser) -> AssessmentOut:
    """Return an assessment with its answers, evidence and reviews (if you may read it)."""
    return _assessment(get_assessment(session, actor=user, assessment_id=assessment_id))


@router.patch(
    "/assessments/{assessment_id}/answers", response_model=AssessmentOut, summary="Save answers"
)
def answers(
    assessment_id: Id, body: AnswersIn, session: SessionDep, user: CurrentUser
) -> AssessmentOut:
    """Save answers as you go (each checked against the scheme; all or none are saved)."""
    item = save_answers(
        session,
        actor=user,
        assessment_id=assessment_id,
        answers=[a.model_dump() for a in body.answers],
    )
    session.commit()
    return _assessment(item)


@router.post(
    "/assessments/{assessment_id}/submit", response_model=AssessmentOut, summary="Submit"
)
def submit(assessment_id: Id, session: SessionDep, user: CurrentUser) -> AssessmentOut:
    """Hand the assessment to the labelling body for review."""
    item = submit_assessment(session, actor=user, assessment_id=assessment_id)
    session.commit()
    return _assessment(item)


@router.get("/assessments/{assessment_id}/result", summary="Score of an assessment")
def result(assessment_id: Id, session: SessionDep, user: OptionalUser) -> dict[str, object]:
    """Score per indicator, group and overall; thresholds missed and by how much; level
    reached or the gap to the next."""
    item = get_assessment(session, actor=user, assessment_id=assessment_id)
    _, scored, mine = score(session, item)
    return result_to_dict(scored, mine)


@router.get(
    "/assessments/{assessment_id}/report",
    response_class=HTMLResponse,
    summary="Readiness report (printable HTML)",
)
def report(assessment_id: Id, session: SessionDep, user: OptionalUser) -> HTMLResponse:
    """Return the readiness report with its radar chart (and the peer medians when shown)."""
    item = get_assessment(session, actor=user, assessment_id=assessment_id)
    found, scored, mine = score(session, item)
    peers = benchmark(session, scheme=item.scheme, target_organisation=item.organisation_id)
    organisation = session.get(Organisation, item.organisation_id)
    page = readiness_report(
        found,
        scored,
        mine,
        organisation_name=organisation.name if organisation else None,
        benchmark=peers,
    )
    return HTMLResponse(page, headers={"Content-Security-Policy": REPORT_POLICY})


@router.post(
    "/assessments/{assessment_id}/evidence",
    response_model=EvidenceOut,
    status_code=201,
    summary="Upload a document as evidence",
    max_body_size=UPLOAD_CEILING + 64 * 1024,
)
def upload(
    assessment_id: Id,
    session: SessionDep,
    user: CurrentUser,
    indicator: Annotated[str, Form(pattern=INDICATOR_ID)],
    file: Annotated[UploadFile, File(description="PDF, PNG, JPEG, text, ODF or OOXML")],
) -> EvidenceOut:
    """Attach a document (size-limited, type read from its content, stored by SHA-256)."""
    item = add_evidence_file(
        session,
        actor=user,
        assessment_id=assessment_id,
        indicator=indicator,
        stream=file.file,
        filename=file.filename or "upload",
    )
    session.commit()
    return _evidence(item)


@router.post(
    "/assessments/{assessment_id}/evidence-links",
    response_model=EvidenceOut,
    status_code=201,
    summary="Attach a web address as evidence",
)
def link(
    assessment_id: Id, body: EvidenceUrlIn, session: SessionDep, user: CurrentUser
) -> EvidenceOut:
    """Attach a URL as evidence for one indicator."""
    item = add_evidence_url(
        session, actor=user, assessment_id=assessment_id, indicator=body.indicator, url=body.url
    )
    session.commit()
    return _evidence(item)


@router.get("/evidence/{evidence_id}", response_model=EvidenceOut, summary="Evidence record")
def evidence(evidence_id: Id, session: SessionDep, user: OptionalUser) -> EvidenceOut:
    """Return an evidence record (its organisation, reviewers and administrators only)."""
    return _evidence(get_evidence(session, actor=user, evidence_id=evidence_id)[0])


@router.get(
    "/evidence/{evidence_id}/file",
    response_class=FileResponse,
    summary="Download an evidence file",
    responses={200: {"content": {"application/octet-stream": {}}}},
)
def evidence_file(evidence_id: Id, session: SessionDep, user: OptionalUser) -> FileResponse:
    """Download an evidence file (as an attachment, with the type checked at upload)."""
    item, path = get_evidence(session, actor=user, evidence_id=evidence_id)
    if path is None:
        raise RecordNotFoundError(f"Evidence {evidence_id} is a web address ({item.url}), not a file.")
    return FileResponse(
        path,
        media_type=item.media_type or "application/octet-stream",
        filename=item.filename or path.name,
        headers={"Content-Security-Policy": DOWNLOAD_POLICY},
    )


@router.post(
    "/assessments/{assessment_id}/reviews", response_model=ReviewResult, status_code=201,
    summary="Review a submitted assessment",
)  # fmt: skip
def review(assessment_id: Id, body: ReviewIn, session: SessionDep, user: CurrentUser) -> ReviewResult:
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
    return ReviewResult(review=_review(done), status=status, award=_award(award) if award else None)


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
    return [_award(a) for a in found]


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
    return [ExpiringAward(**_award(a).model_dump(), days_left=days) for a, days in found]


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
    return _award(item)


@router.post("/awards/{award_id}/end", response_model=AwardOut, summary="End an award early")
def end(award_id: Id, body: AwardEnd, session: SessionDep, user: CurrentUser) -> AwardOut:
    """End a label before its expiry, with the reason (reviewers and administrators)."""
    item = end_award(session, actor=user, award_id=award_id, ended_on=body.ended_on, reason=body.reason)
    session.commit()
    return _award(item)


@router.get("/benchmark", response_model=BenchmarkOut, summary="Peer benchmark")
def peer_benchmark(
    session: SessionDep,
    user: CurrentUser,
    scheme: Annotated[str, Query(pattern=SCHEME_ID)],
    country: Annotated[str | None, Query(pattern="^[A-Z]{2}$")] = None,
    ecosystem: Annotated[str | None, Query(pattern=r"^[^\x00-\x1f\x7f]{1,200}$")] = None,
    size_band: Annotated[str | None, Query(pattern=r"^[0-9+-]{1,20}$")] = None,
) -> BenchmarkOut:
    """Percentiles of peers' group scores over accepted assessments; shown only for at least
    N peers (``CLUSTERATLAS_LABELS_MIN_PEERS``, default 5) and never when it would let one
    peer's answers be read back. A manager also gets its own rank when it is a peer."""
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
    return [_grant(g) for g in list_reviewers(session, scheme=scheme)]


@router.post("/reviewers", response_model=ReviewerOut, status_code=201, summary="Grant review")
def grant(body: ReviewerIn, session: SessionDep, admin: AdminUser) -> ReviewerOut:
    """Let a user review one scheme's assessments (administrators only)."""
    item = grant_reviewer(session, actor=admin, user_id=body.user_id, scheme=body.scheme)
    session.commit()
    return _grant(item)


@router.delete(
    "/reviewers/{user_id}/{scheme_id}", status_code=204, summary="Withdraw a reviewer grant"
)
def revoke(user_id: Id, scheme_id: SchemePath, session: SessionDep, admin: AdminUser) -> Response:
    """Withdraw a user's review of one scheme (administrators only)."""
    revoke_reviewer(session, actor=admin, user_id=user_id, scheme=scheme_id)
    session.commit()
    return Response(status_code=204)
