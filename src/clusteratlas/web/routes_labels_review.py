"""HTML pages of label reviewers: the queue of submitted assessments and the review page.

Interfaces only: who reviews a scheme is :func:`clusteratlas.registry.services_labels.is_reviewer`
(granted by an administrator); the decision is
:func:`clusteratlas.registry.services_reviews.review_assessment`. Anyone else is refused
with 403 (the queue) or 404 (an assessment they may not read).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from clusteratlas.errors import (
    AssessmentError,
    ConflictError,
    PermissionDeniedError,
    RecordNotFoundError,
)
from clusteratlas.web._support import TEMPLATES, csrf_ok, current_user, db_session

router = APIRouter(include_in_schema=False)
DB = Annotated[Session, Depends(db_session)]
Id = Annotated[int, Path(ge=1, le=2_000_000_000)]
REFUSED = (RecordNotFoundError, PermissionDeniedError, ConflictError, AssessmentError)
NOT_A_REVIEWER = (
    "{email} reviews no label scheme; an administrator grants review of a scheme "
    "(POST /api/v1/labels/reviewers)."
)


async def _form(request: Request) -> dict[str, str]:
    return {k: str(v) for k, v in (await request.form()).items()}


def _reviewed_schemes(session: Session, user: Any) -> list[Any]:
    from clusteratlas.labels.schemefile import list_schemes
    from clusteratlas.registry.services_labels import get_scheme, is_reviewer

    return [get_scheme(s) for s in list_schemes() if is_reviewer(session, user, s)]


@router.get("/labels/review", response_model=None, name="label_queue")
def queue(request: Request, session: DB) -> Response:
    """Render the submitted assessments of the schemes the signed-in user reviews."""
    from clusteratlas.registry.services_labels import list_assessments
    from clusteratlas.registry.services_social import organisation_names
    from clusteratlas.web.routes_labels import error_page, sign_in_first

    user = current_user(request, session)
    if user is None:
        return sign_in_first("/labels/review")
    schemes = _reviewed_schemes(session, user)
    if not schemes:
        return error_page(request, 403, "Not allowed", NOT_A_REVIEWER.format(email=user.email))
    items = [
        a
        for s in schemes
        for a in list_assessments(session, actor=user, scheme=s.id, status="submitted")
    ]
    items.sort(key=lambda a: (a.submitted_at or a.created_at, a.id))
    context = {
        "title": "Assessments to review",
        "items": items,
        "titles": {s.id: s.title for s in schemes},
        "names": organisation_names(session, [a.organisation_id for a in items]),
        "user": user,
        "done": request.query_params.get("done", ""),
    }
    return TEMPLATES.TemplateResponse(request, "labels_queue.html", context)


def _review_page(
    request: Request, session: Session, assessment_id: int, *, status: int = 200, error: str = ""
) -> Response:
    from clusteratlas.registry import get_organisation
    from clusteratlas.registry.services_labels import get_assessment, is_reviewer
    from clusteratlas.registry.services_reviews import score
    from clusteratlas.web.routes_labels import error_page, refusal, sign_in_first

    user = current_user(request, session)
    if user is None:
        return sign_in_first(f"/labels/assessments/{assessment_id}/review")
    try:
        item = get_assessment(session, actor=user, assessment_id=assessment_id)
        if not is_reviewer(session, user, item.scheme):
            raise PermissionDeniedError(
                f"Only a reviewer of {item.scheme} may review assessment {assessment_id}."
            )
        scheme, scored, _ = score(session, item)
    except REFUSED as err:
        return refusal(request, err)
    if item.status != "submitted" and not error:
        message = f"Assessment {assessment_id} is {item.status.replace('_', ' ')}; only a submitted one is reviewed."
        return error_page(request, 409, "Not possible now", message)
    evidence: dict[str, list[Any]] = {}
    for e in sorted(item.evidence, key=lambda e: e.id):
        evidence.setdefault(e.indicator, []).append(e)
    rows = {r["indicator"]: r for r in scored.indicators.to_dict("records")}
    context = {
        "title": f"Review: {scheme.title}",
        "item": item,
        "scheme": scheme,
        "organisation": get_organisation(session, item.organisation_id),
        "result": scored,
        "rows": rows,
        "evidence": evidence,
        "user": user,
        "error": error,
        "today": dt.date.today().isoformat(),
    }
    return TEMPLATES.TemplateResponse(request, "labels_review.html", context, status_code=status)


@router.get("/labels/assessments/{assessment_id}/review", response_model=None)
def review_page(request: Request, session: DB, assessment_id: Id) -> Response:
    """Render a submitted assessment for its reviewer: answers, evidence, comment boxes."""
    return _review_page(request, session, assessment_id)


@router.post("/labels/assessments/{assessment_id}/review", response_model=None)
def review(
    request: Request,
    session: DB,
    assessment_id: Id,
    form: Annotated[dict[str, str], Depends(_form)],
) -> Response:
    """Request changes, reject, or accept with the level and award date chosen."""
    from clusteratlas.registry.services_reviews import review_assessment
    from clusteratlas.web.routes_labels import FORGED, error_page, refusal, sign_in_first

    user = current_user(request, session)
    if user is None:
        return sign_in_first(f"/labels/assessments/{assessment_id}/review")
    if not csrf_ok(request, form):
        return error_page(request, 403, "Form refused", FORGED)
    comments = {
        k.removeprefix("comment-"): v.strip()
        for k, v in form.items()
        if k.startswith("comment-") and v.strip()
    }
    decision = form.get("decision", "")
    try:
        awarded = dt.date.fromisoformat(form["awarded_on"]) if form.get("awarded_on") else None
    except ValueError:
        return _review_page(
            request,
            session,
            assessment_id,
            status=422,
            error=f"Award date must be a date (YYYY-MM-DD); got {form['awarded_on']!r}.",
        )
    try:
        review_assessment(
            session,
            actor=user,
            assessment_id=assessment_id,
            decision=decision,
            comment=form.get("comment", "").strip() or None,
            indicator_comments=comments,
            level=(form.get("level") or None) if decision == "accept" else None,
            awarded_on=awarded if decision == "accept" else None,
        )
        session.commit()
    except AssessmentError as err:
        session.rollback()
        return _review_page(request, session, assessment_id, status=422, error=str(err))
    except REFUSED as err:
        session.rollback()
        return refusal(request, err)
    return RedirectResponse(f"/labels/review?done={assessment_id}", status_code=303)
