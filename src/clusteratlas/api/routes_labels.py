"""Routes of label schemes, self-assessments and their evidence (``/api/v1/labels``).

Interfaces only: each route parses, calls :mod:`clusteratlas.registry.services_labels`,
:mod:`~clusteratlas.registry.services_evidence` or
:mod:`~clusteratlas.registry.services_reviews`, and renders. Who may do what is decided
there: the organisation's manager (or an administrator) fills and submits its assessment;
reviewers of the scheme read it once submitted; an assessment or evidence one may not read
is answered 404. Reviews, awards and benchmarks: :mod:`.routes_awards`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Path, Query, Response, UploadFile
from fastapi.responses import FileResponse, HTMLResponse

from clusteratlas.api import convert_labels
from clusteratlas.api.deps import CurrentUser, MapsDep, OptionalUser, SessionDep
from clusteratlas.api.schemas_labels import (
    INDICATOR_ID,
    LABEL_RESPONSES,
    SCHEME_ID,
    AnswersIn,
    AssessmentCreate,
    AssessmentOut,
    AssessmentSummary,
    EvidenceOut,
    EvidenceUrlIn,
    SchemeSummary,
)
from clusteratlas.errors import RecordNotFoundError
from clusteratlas.labels.evidence import UPLOAD_CEILING
from clusteratlas.labels.io import result_to_dict
from clusteratlas.labels.report import readiness_report
from clusteratlas.labels.schemefile import list_schemes
from clusteratlas.labels.schemes import LabelScheme
from clusteratlas.registry.models import Organisation
from clusteratlas.registry.services_awards import (
    benchmark,
)
from clusteratlas.registry.services_evidence import (
    add_evidence_file,
    add_evidence_url,
    delete_assessment,
    delete_evidence,
    discard_unreferenced,
    get_evidence,
)
from clusteratlas.registry.services_labels import (
    clear_answers,
    create_assessment,
    get_assessment,
    get_scheme,
    list_assessments,
    save_answers,
    submit_assessment,
)
from clusteratlas.registry.services_reviews import (
    score,
)

router = APIRouter(prefix="/labels", tags=["labels"], responses=LABEL_RESPONSES)

Id = Annotated[int, Path(ge=1, le=2_000_000_000)]
SchemePath = Annotated[str, Path(pattern=SCHEME_ID)]
IndicatorPath = Annotated[str, Path(pattern=INDICATOR_ID)]
REPORT_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"
)
"""The readiness report is one self-contained page (inline CSS and SVG, no script)."""
DOWNLOAD_POLICY = "default-src 'none'; sandbox"


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
def start(
    body: AssessmentCreate, session: SessionDep, user: CurrentUser, maps: MapsDep
) -> AssessmentOut:
    """Start a draft for your organisation, pre-filled from the registry and region statistics."""
    item = create_assessment(
        session,
        actor=user,
        organisation_id=body.organisation_id,
        scheme=body.scheme,
        ecosystem=body.ecosystem,
        regional=maps.regional_prefill,
    )
    session.commit()
    return convert_labels.assessment(item)


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
    return [convert_labels.summary(a) for a in found]


@router.get("/assessments/{assessment_id}", response_model=AssessmentOut, summary="An assessment")
def assessment(assessment_id: Id, session: SessionDep, user: OptionalUser) -> AssessmentOut:
    """Return an assessment with its answers, evidence and reviews (if you may read it)."""
    return convert_labels.assessment(
        get_assessment(session, actor=user, assessment_id=assessment_id)
    )


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
    return convert_labels.assessment(item)


@router.delete(
    "/assessments/{assessment_id}/answers/{indicator}",
    response_model=AssessmentOut,
    summary="Clear an answer",
)
def clear_answer(
    assessment_id: Id, indicator: IndicatorPath, session: SessionDep, user: CurrentUser
) -> AssessmentOut:
    """Remove one answer (given or pre-filled): the indicator counts as unanswered again."""
    item = clear_answers(session, actor=user, assessment_id=assessment_id, indicators=[indicator])
    session.commit()
    return convert_labels.assessment(item)


@router.post("/assessments/{assessment_id}/submit", response_model=AssessmentOut, summary="Submit")
def submit(assessment_id: Id, session: SessionDep, user: CurrentUser) -> AssessmentOut:
    """Hand the assessment to the labelling body for review."""
    item = submit_assessment(session, actor=user, assessment_id=assessment_id)
    session.commit()
    return convert_labels.assessment(item)


@router.get("/assessments/{assessment_id}/result", summary="Score of an assessment")
def result(assessment_id: Id, session: SessionDep, user: OptionalUser) -> dict[str, object]:
    """Score an assessment: per indicator, group and overall, with what it misses.

    Thresholds missed and by how much, the level reached or the gap to the next.
    """
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
    return convert_labels.evidence(item)


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
    return convert_labels.evidence(item)


@router.get("/evidence/{evidence_id}", response_model=EvidenceOut, summary="Evidence record")
def evidence(evidence_id: Id, session: SessionDep, user: OptionalUser) -> EvidenceOut:
    """Return an evidence record (its organisation, reviewers and administrators only)."""
    return convert_labels.evidence(get_evidence(session, actor=user, evidence_id=evidence_id)[0])


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
        raise RecordNotFoundError(
            f"Evidence {evidence_id} is a web address ({item.url}), not a file."
        )
    return FileResponse(
        path,
        media_type=item.media_type or "application/octet-stream",
        filename=item.filename or path.name,
        headers={"Content-Security-Policy": DOWNLOAD_POLICY},
    )


@router.delete("/assessments/{assessment_id}", status_code=204, summary="Delete a draft assessment")
def remove(assessment_id: Id, session: SessionDep, user: CurrentUser) -> Response:
    """Delete a draft (or one sent back) with its answers and evidence files."""
    digests = delete_assessment(session, actor=user, assessment_id=assessment_id)
    session.commit()
    discard_unreferenced(session, digests)
    return Response(status_code=204)


@router.delete("/evidence/{evidence_id}", status_code=204, summary="Delete evidence")
def remove_evidence(evidence_id: Id, session: SessionDep, user: CurrentUser) -> Response:
    """Delete evidence of an assessment that may still change (its file too, if unused)."""
    digest = delete_evidence(session, actor=user, evidence_id=evidence_id)
    session.commit()
    discard_unreferenced(session, digest)
    return Response(status_code=204)
