"""HTML pages of labels: schemes and awards, a manager's self-assessment and its result.

Interfaces only: each page parses its form, calls the label services
(:mod:`clusteratlas.registry.services_labels`, :mod:`~clusteratlas.registry.services_evidence`,
:mod:`~clusteratlas.registry.services_reviews`, :mod:`~clusteratlas.registry.services_awards`)
and renders a template. Who may do what is the services' decision: an assessment one may not
read is answered 404, a change one may not make 403, a change the workflow does not allow now
409, a wrong answer or file 422 (or 413) with the service's message in the page. The
reviewer's pages are in :mod:`clusteratlas.web.routes_labels_review`.

Answers are saved one at a time as they change (HTMX swaps the indicator's form with the
saved one); without JavaScript each indicator's *Save* button posts the same form. An HTMX
partial answers 200 even when it shows an error, because htmx does not swap 4xx responses.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from clusteratlas.errors import (
    AssessmentError,
    ConflictError,
    EvidenceTooLargeError,
    PermissionDeniedError,
    RecordNotFoundError,
)
from clusteratlas.web._support import (
    TEMPLATES,
    csrf_ok,
    current_user,
    db_session,
    refusal_status,
    regional_prefill,
)
from clusteratlas.web.routes_labels_admin import router as admin_router
from clusteratlas.web.routes_labels_review import router as review_router

router = APIRouter(include_in_schema=False)
router.include_router(review_router)
router.include_router(admin_router)
DB = Annotated[Session, Depends(db_session)]
Id = Annotated[int, Path(ge=1, le=2_000_000_000)]
EXPIRING_MONTHS = 6
"""Awards listed as expiring on ``/labels``: those ending within this many months."""
FORGED = (
    "This form did not come from one of our pages, or your session changed since it was "
    "shown. Reload the page and try again."
)


def error_page(request: Request, status: int, title: str, message: str) -> HTMLResponse:
    """Render the error page with ``status`` (403, 404, 409, 422…)."""
    return TEMPLATES.TemplateResponse(
        request, "error.html", {"title": title, "message": message}, status_code=status
    )


def refusal(request: Request, err: Exception) -> HTMLResponse:
    """Render the page that answers a service's refusal, with its message."""
    status, title = refusal_status(err)
    return error_page(request, status, title, str(err))


REFUSED = (RecordNotFoundError, PermissionDeniedError, ConflictError, AssessmentError)


async def form_data(request: Request) -> AsyncIterator[dict[str, Any]]:
    """Yield the submitted form (text fields as ``str``, files as ``UploadFile``), then close it.

    Parts up to the evidence ceiling are accepted here; the service applies the configured
    limit and refuses anything larger with its own message.
    """
    from clusteratlas.labels.evidence import UPLOAD_CEILING

    form = await request.form(max_part_size=UPLOAD_CEILING + 64 * 1024)
    try:
        yield {k: (v if hasattr(v, "read") else str(v)) for k, v in form.items()}
    finally:
        await form.close()


Form = Annotated[dict[str, Any], Depends(form_data)]


def sign_in_first(path: str) -> RedirectResponse:
    """Send a visitor who is not signed in to the sign-in page, then back to ``path``."""
    from urllib.parse import urlencode

    return RedirectResponse(f"/login?{urlencode({'next': path})}", status_code=303)


@router.get("/labels", response_class=HTMLResponse, name="labels")
def labels_home(request: Request, session: DB) -> HTMLResponse:
    """Render the schemes (with their status), current awards and awards expiring soon."""
    from clusteratlas.labels.schemefile import list_schemes
    from clusteratlas.registry.services_awards import expiring_awards, list_awards
    from clusteratlas.registry.services_labels import (
        assessed_schemes,
        get_scheme,
        is_reviewer,
        list_assessments,
    )
    from clusteratlas.registry.services_social import organisation_names

    today = dt.date.today()
    schemes = [get_scheme(s) for s in list_schemes()]
    current = list_awards(session, current_on=today)
    expiring = expiring_awards(session, today=today, within_months=EXPIRING_MONTHS)
    user = current_user(request, session)
    own, startable = [], []
    if user is not None and user.role == "manager" and user.organisation_id is not None:
        own = list_assessments(session, actor=user, organisation_id=user.organisation_id)
        startable = assessed_schemes(session, user.organisation_id)
    ids = [a.organisation_id for a in current] + [a.organisation_id for a, _ in expiring]
    context = {
        "title": "Labels",
        "schemes": schemes,
        "awards": current,
        "expiring": expiring,
        "months": EXPIRING_MONTHS,
        "names": organisation_names(session, ids),
        "user": user,
        "own": own,
        "startable": startable,
        "reviews": user is not None and any(is_reviewer(session, user, s.id) for s in schemes),
        "today": today,
    }
    return TEMPLATES.TemplateResponse(request, "labels_home.html", context)


@router.post("/labels/assessments", response_model=None)
def start(request: Request, session: DB, form: Form) -> Response:
    """Start a draft of the signed-in manager's organisation for the scheme chosen."""
    from clusteratlas.registry.services_labels import create_assessment

    user = current_user(request, session)
    if user is None:
        return sign_in_first("/labels")
    if not csrf_ok(request, form):
        return error_page(request, 403, "Form refused", FORGED)
    if user.organisation_id is None:
        message = f"{user.email} manages no organisation, so it has none to assess."
        return error_page(request, 403, "Not allowed", message)
    try:
        item = create_assessment(
            session,
            actor=user,
            organisation_id=user.organisation_id,
            scheme=str(form.get("scheme", "")),
            regional=lambda organisation: regional_prefill(organisation, request),
        )
        session.commit()
    except REFUSED as err:
        session.rollback()
        return refusal(request, err)
    return RedirectResponse(f"/labels/assessments/{item.id}", status_code=303)


def _indicator_view(item: Any, scheme: Any) -> dict[str, Any]:
    """Return the answers and evidence of an assessment by indicator, for the templates."""
    answers = {a.indicator: a for a in item.answers}
    evidence: dict[str, list[Any]] = {}
    for e in sorted(item.evidence, key=lambda e: e.id):
        evidence.setdefault(e.indicator, []).append(e)
    return {"answers": answers, "evidence": evidence, "scheme": scheme}


def questionnaire(
    request: Request,
    session: Session,
    assessment_id: int,
    *,
    status: int = 200,
    error: str = "",
    error_indicator: str = "",
) -> Response:
    """Render the questionnaire of an assessment (read-only when it may not change)."""
    from clusteratlas.labels.evidence import max_evidence_bytes
    from clusteratlas.registry import get_organisation
    from clusteratlas.registry.services_labels import editable, get_assessment, scheme_of

    user = current_user(request, session)
    if user is None:
        return sign_in_first(f"/labels/assessments/{assessment_id}")
    try:
        item = get_assessment(session, actor=user, assessment_id=assessment_id)
        scheme = scheme_of(item)
    except REFUSED as err:
        return refusal(request, err)
    try:
        editable(session, user, assessment_id)
        can_change = True
    except (PermissionDeniedError, ConflictError):
        can_change = False
    context = {
        "title": f"{scheme.title}: self-assessment",
        "item": item,
        "organisation": get_organisation(session, item.organisation_id),
        "user": user,
        "can_change": can_change,
        "error": error,
        "error_indicator": error_indicator,
        "max_mib": max_evidence_bytes() / 2**20,
        **_indicator_view(item, scheme),
    }
    return TEMPLATES.TemplateResponse(
        request, "labels_questionnaire.html", context, status_code=status
    )


@router.get("/labels/assessments/{assessment_id}", response_model=None)
def assessment_page(request: Request, session: DB, assessment_id: Id) -> Response:
    """Render the questionnaire by indicator group, pre-filled answers with their source."""
    return questionnaire(request, session, assessment_id)


@router.post("/labels/assessments/{assessment_id}/answers", response_model=None)
def save_answer(request: Request, session: DB, assessment_id: Id, form: Form) -> Response:
    """Save one answer; an HTMX request gets the indicator's form back, saved or with why not.

    An empty value ("(no answer)", an emptied number field) clears the answer.
    """
    from clusteratlas.registry.services_labels import clear_answers, save_answers, scheme_of

    user = current_user(request, session)
    if user is None:
        return sign_in_first(f"/labels/assessments/{assessment_id}")
    if not csrf_ok(request, form):
        return error_page(request, 403, "Form refused", FORGED)
    indicator = str(form.get("indicator", ""))
    answer = {"indicator": indicator, "value": form.get("value", "")}
    if str(form.get("comment", "")).strip():
        answer["comment"] = str(form["comment"]).strip()
    error = ""
    try:
        if str(answer["value"]).strip():
            save_answers(session, actor=user, assessment_id=assessment_id, answers=[answer])
        else:
            clear_answers(session, actor=user, assessment_id=assessment_id, indicators=[indicator])
        session.commit()
    except (RecordNotFoundError, PermissionDeniedError, ConflictError) as err:
        session.rollback()
        return refusal(request, err)
    except AssessmentError as err:
        session.rollback()
        error = str(err).replace("answers[0]: ", "").replace("indicators[0]: ", "")
    if request.headers.get("HX-Request") != "true":
        if error:
            return questionnaire(
                request, session, assessment_id, status=422, error=error, error_indicator=indicator
            )
        return RedirectResponse(
            f"/labels/assessments/{assessment_id}#ind-{indicator}", status_code=303
        )
    from clusteratlas.registry.services_labels import get_assessment

    item = get_assessment(session, actor=user, assessment_id=assessment_id)
    scheme = scheme_of(item)
    found = next((i for i in scheme.indicators if i.id == indicator), None)
    if found is None:
        return error_page(request, 422, "Not accepted", error)
    context = {
        "item": item,
        "ind": found,
        "can_change": True,
        "error": error,
        "error_indicator": indicator if error else "",
        "saved": not error,
        **_indicator_view(item, scheme),
    }
    return TEMPLATES.TemplateResponse(request, "_labels_answer.html", context)


@router.post("/labels/assessments/{assessment_id}/evidence", response_model=None)
def upload(request: Request, session: DB, assessment_id: Id, form: Form) -> Response:
    """Attach a document or a web address to one indicator; a refused one shows why."""
    from clusteratlas.registry.services_evidence import add_evidence_file, add_evidence_url

    user = current_user(request, session)
    if user is None:
        return sign_in_first(f"/labels/assessments/{assessment_id}")
    if not csrf_ok(request, form):
        return error_page(request, 403, "Form refused", FORGED)
    indicator = str(form.get("indicator", ""))
    file, url = form.get("file"), str(form.get("url", "")).strip()
    try:
        if file is not None and not isinstance(file, str) and file.filename:
            add_evidence_file(
                session,
                actor=user,
                assessment_id=assessment_id,
                indicator=indicator,
                stream=file.file,
                filename=file.filename,
            )
        elif url:
            add_evidence_url(
                session, actor=user, assessment_id=assessment_id, indicator=indicator, url=url
            )
        else:
            raise AssessmentError(
                f"Evidence for indicator {indicator!r}: choose a file or give a web address."
            )
        session.commit()
    except (RecordNotFoundError, PermissionDeniedError, ConflictError) as err:
        session.rollback()
        return refusal(request, err)
    except AssessmentError as err:  # EvidenceError too: wrong type, too large
        session.rollback()
        status = 413 if isinstance(err, EvidenceTooLargeError) else 422
        return questionnaire(
            request,
            session,
            assessment_id,
            status=status,
            error=str(err),
            error_indicator=indicator,
        )
    return RedirectResponse(f"/labels/assessments/{assessment_id}#ind-{indicator}", status_code=303)


@router.post("/labels/assessments/{assessment_id}/submit", response_model=None)
def submit(request: Request, session: DB, assessment_id: Id, form: Form) -> Response:
    """Hand the assessment to the labelling body, then show its result."""
    from clusteratlas.registry.services_labels import submit_assessment

    user = current_user(request, session)
    if user is None:
        return sign_in_first(f"/labels/assessments/{assessment_id}")
    if not csrf_ok(request, form):
        return error_page(request, 403, "Form refused", FORGED)
    try:
        submit_assessment(session, actor=user, assessment_id=assessment_id)
        session.commit()
    except REFUSED as err:
        session.rollback()
        return refusal(request, err)
    return RedirectResponse(f"/labels/assessments/{assessment_id}/result", status_code=303)


PEER_DIMENSIONS = {
    "country": ("peer_country", "Same country"),
    "ecosystem": ("peer_ecosystem", "Same ecosystem"),
    "size_band": ("peer_size_band", "Same size band (members)"),
}
"""Peer filters the result page offers: benchmark dimension → (assessment field, label)."""


@router.get("/labels/assessments/{assessment_id}/result", response_model=None)
def result_page(
    request: Request,
    session: DB,
    assessment_id: Id,
    same: Annotated[list[str] | None, Query(max_length=3)] = None,
) -> Response:
    """Render the score per group, missed thresholds, level reached or gap, peer benchmark.

    ``same`` narrows the peers to the assessment's own country, ecosystem or size band
    (each shown only under the service's disclosure rule).
    """
    from clusteratlas.labels.report import radar_svg
    from clusteratlas.registry import get_organisation
    from clusteratlas.registry.services_awards import benchmark, min_peers
    from clusteratlas.registry.services_labels import get_assessment
    from clusteratlas.registry.services_reviews import score

    user = current_user(request, session)
    if user is None:
        return sign_in_first(f"/labels/assessments/{assessment_id}/result")
    try:
        item = get_assessment(session, actor=user, assessment_id=assessment_id)
        scheme, scored, _ = score(session, item)
    except REFUSED as err:
        return refusal(request, err)
    chosen = [d for d in PEER_DIMENSIONS if d in (same or [])]
    filters = {d: str(getattr(item, PEER_DIMENSIONS[d][0])) for d in chosen}
    filters = {d: v for d, v in filters.items() if v and v != "None"}
    peers = benchmark(
        session, scheme=item.scheme, filters=filters, target_organisation=item.organisation_id
    )
    median, peer_rows, target_rows = None, [], []
    if peers.shown and peers.percentiles is not None:
        peer_rows = peers.percentiles.to_dict("records")
        if "p50" in peers.percentiles:
            median = peers.percentiles["p50"].reset_index(drop=True)
        if peers.target is not None:
            target_rows = peers.target.to_dict("records")
    marks = tuple(float(lv.min_score_share) for lv in scheme.levels if lv.min_score_share)
    context = {
        "title": f"{scheme.title}: result",
        "item": item,
        "scheme": scheme,
        "organisation": get_organisation(session, item.organisation_id),
        "result": scored,
        "groups": scored.groups.to_dict("records"),
        "missed": scored.missed().to_dict("records"),
        "peers": peers,
        "peer_rows": peer_rows,
        "target_rows": target_rows,
        "min_peers": min_peers(),
        "dimensions": [
            (d, label, getattr(item, field), d in filters)
            for d, (field, label) in PEER_DIMENSIONS.items()
        ],
        "radar": radar_svg(scored.groups, peers=median, marks=marks),
        "user": user,
    }
    return TEMPLATES.TemplateResponse(request, "labels_result.html", context)
