"""HTML pages of the skills partnerships: ESCO search, programmes, matching a need.

Interfaces only: each page parses its query or form, calls :mod:`clusteratlas.skills.offer`
or :mod:`clusteratlas.registry.services_skills`, and renders a template. Searching and
matching change nothing, so they are GET forms (a result can be bookmarked); posting a need
to one's cluster and withdrawing it are POST forms with the session's CSRF token, as is a
hand correction of a programme's ESCO tags by an administrator or a manager of the
programme's provider (``/skills/programmes``: a button per tag removes it; a skill found by
typing, or a pasted URI, is added; each user sees the controls only on the programmes they
may correct); the forms that add, change and delete programmes and record and end
partnerships are in :mod:`clusteratlas.web.routes_training`. The ESCO
searches update as one types (HTMX, ``/skills/results`` and ``/skills/choices``); without
JavaScript the form reloads the page. Without scikit-learn the pages say how to install it
(503). Programme lists and matching show the tags as corrected
(:mod:`clusteratlas.registry.services_tags`).
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from clusteratlas.errors import (
    ConflictError,
    MissingDependencyError,
    ParameterError,
    PermissionDeniedError,
    RecordNotFoundError,
)
from clusteratlas.web._support import TEMPLATES, csrf_ok, current_user, db_session
from clusteratlas.web.routes_labels import FORGED, error_page, refusal, sign_in_first
from clusteratlas.web.routes_training import training_controls

router = APIRouter(include_in_schema=False)
DB = Annotated[Session, Depends(db_session)]
Id = Annotated[int, Path(ge=1, le=2_000_000_000)]
REFUSED = (RecordNotFoundError, PermissionDeniedError, ConflictError, ParameterError)
NEED_FIELDS = ("text", "skills", "people", "region", "horizon", "format")


def _search(q: str, kind: str) -> dict[str, Any]:
    """Search ESCO for the page; an empty query shows nothing, a failure its message."""
    from clusteratlas.skills import offer

    context: dict[str, Any] = {"q": q, "kind": kind, "results": [], "error": "", "status": 200}
    if not q.strip():
        return context
    try:
        context["results"] = offer.records(offer.search(q, kind=kind, limit=20))  # type: ignore[arg-type]
    except MissingDependencyError as err:
        context.update(error=str(err), status=503)
    except ParameterError as err:
        context.update(error=str(err), status=422)
    return context


Q = Annotated[str, Query(max_length=500)]
Kind = Annotated[str, Query(pattern="^(skill|occupation)$")]


@router.get("/skills", response_class=HTMLResponse, name="skills")
def skills_home(request: Request, session: DB, q: Q = "", kind: Kind = "skill") -> HTMLResponse:
    """Render the ESCO search (results as one types) and links to programmes and matching."""
    context = _search(q, kind)
    context.update(title="Skills", user=current_user(request, session))
    return TEMPLATES.TemplateResponse(
        request, "skills_search.html", context, status_code=context["status"]
    )


@router.get("/skills/results", response_class=HTMLResponse)
def skills_results(request: Request, q: Q = "", kind: Kind = "skill") -> HTMLResponse:
    """Render the search results alone (the HTMX partial of ``/skills``)."""
    context = _search(q, kind)
    # htmx does not swap 4xx/5xx answers: the partial shows the error with 200
    return TEMPLATES.TemplateResponse(request, "_skills_results.html", context)


@router.get("/skills/choices", response_class=HTMLResponse)
def skill_choices(
    request: Request,
    q: Q = "",
    programme: Annotated[str, Query(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")] = "x",
) -> HTMLResponse:
    """Render ESCO skills for ``q`` as choices of the add-a-tag form (HTMX partial)."""
    context = _search(q, "skill")
    context["programme"] = programme
    return TEMPLATES.TemplateResponse(request, "_skill_choices.html", context)


ProgrammeId = Annotated[str, Query(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")]


@router.get("/skills/programmes", response_class=HTMLResponse)
def programmes_page(
    request: Request, session: DB, find: ProgrammeId | None = None, q: Q = ""
) -> HTMLResponse:
    """Render the training programmes with their ESCO tags, providers and partnerships.

    An administrator (every programme) or a manager of a provider's organisation (that
    provider's programmes) also gets, per programme, a button per tag to remove it and a
    form to add an ESCO skill (hand tags are marked "by hand"). ``find`` and ``q`` show the ESCO
    skills matching ``q`` as choices under programme ``find``: the add form sends there
    when its search is submitted without a choice (Enter in the search box, or no
    JavaScript), so the search is never lost.
    """
    from clusteratlas.registry import services_tags, services_training
    from clusteratlas.skills import offer

    user = current_user(request, session)
    correctable = services_tags.correctable_programmes(session, user)
    context: dict[str, Any] = {
        "title": "Training programmes",
        "user": user,
        "correctable": correctable,
        "providers": offer.records(offer.providers()),
        "partnerships": services_training.partnerships(session),
        "programmes": [],
        "error": "",
        "found": None,
    }
    context |= training_controls(session, user)  # add, edit, record and end controls
    if find is not None and q.strip() and find in correctable:
        context["found"] = {"programme": find, **_search(q, "skill")}
    status = 200
    try:
        context["programmes"] = services_tags.programmes(session)
    except MissingDependencyError as err:
        context["error"], status = str(err), 503
    return TEMPLATES.TemplateResponse(
        request, "skills_programmes.html", context, status_code=status
    )


def _need_from_query(request: Request) -> dict[str, Any]:
    """Return the need typed in the matching form (as text; checked by the API model)."""
    params = request.query_params
    return {name: params.get(name, "") for name in NEED_FIELDS}


def _checked(form: dict[str, Any]) -> dict[str, Any]:
    """Check a need typed in a form with the API's model; raise ParameterError naming the field."""
    from clusteratlas.api.schemas_skills import NeedIn

    data: dict[str, Any] = {
        "text": form.get("text", ""),
        "skills": [s for s in str(form.get("skills", "")).split() if s],
        "people": form.get("people") or 1,
        "region": form.get("region", ""),
        "horizon": form.get("horizon", ""),
        "format": form.get("format") or None,
    }
    try:
        return NeedIn.model_validate(data).model_dump()
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "need"
        raise ParameterError(f"{where}: {first.get('msg', 'invalid value')}") from err


@router.get("/skills/match", response_class=HTMLResponse)
def match_page(
    request: Request,
    session: DB,
    need: Annotated[int | None, Query(ge=1, le=2_000_000_000)] = None,
) -> HTMLResponse:
    """Render the matching form and, for a typed need or one of the cluster's, the ranking."""
    from clusteratlas.registry.services_skills import get_need, list_needs, need_record
    from clusteratlas.registry.services_tags import match_needs
    from clusteratlas.skills import offer

    user = current_user(request, session)
    own = []
    if user is not None and user.organisation_id is not None:
        own = list_needs(session, actor=user, organisation_id=user.organisation_id)
    form = _need_from_query(request)
    context: dict[str, Any] = {
        "title": "Match a skill need",
        "user": user,
        "own": own,
        "form": form,
        "chosen": need,
        "result": None,
        "error": "",
    }
    status = 200
    try:
        if need is not None:
            if user is None:
                raise PermissionDeniedError("Sign in to match one of your cluster's needs.")
            stored = get_need(session, actor=user, need_id=need)
            record = need_record(stored)
            context["form"] = {**form, **{k: record[k] for k in ("text", "people", "region",
                                                                 "horizon", "format")},
                               "skills": " ".join(record["skills"])}  # fmt: skip
        elif any(str(form[k]).strip() for k in ("text", "skills")):
            record = {**_checked(form), "need_id": "need"}
        else:
            record = None
        if record is not None:
            record["need_id"] = "need"
            result = match_needs(session, offer.needs_frame([record]))
            context["result"] = _view(result)
    except MissingDependencyError as err:
        context["error"], status = str(err), 503
    except REFUSED as err:
        context["error"] = str(err)
        status = 404 if isinstance(err, RecordNotFoundError) else 422
        if isinstance(err, PermissionDeniedError):
            status = 403
    return TEMPLATES.TemplateResponse(request, "skills_match.html", context, status_code=status)


def _view(result: Any) -> dict[str, Any]:
    """Return the match of the one need of ``result``, for the template."""
    from clusteratlas.api.routes_skills import match_out

    return match_out(result, "need").model_dump()


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: str(v) for k, v in form.items()}


@router.post("/skills/needs", response_model=None)
async def post_need_page(request: Request, session: DB) -> Response:
    """Post the need typed in the matching form as a need of the user's organisation."""
    from clusteratlas.registry.services_skills import post_need

    form = await _form(request)
    user = current_user(request, session)
    if user is None:
        return sign_in_first("/skills/match")
    if not csrf_ok(request, form):
        return error_page(request, 403, "Form refused", FORGED)
    if user.organisation_id is None:
        message = f"{user.email} manages no organisation, so it has no needs to post."
        return error_page(request, 403, "Not allowed", message)
    try:
        need = post_need(
            session, actor=user, organisation_id=user.organisation_id, data=_checked(form)
        )
        session.commit()
    except REFUSED as err:
        session.rollback()
        return refusal(request, err)
    return RedirectResponse(f"/skills/match?need={need.id}", status_code=303)


@router.post("/skills/needs/{need_id}/withdraw", response_model=None)
async def withdraw_page(request: Request, session: DB, need_id: Id) -> Response:
    """Withdraw one of the cluster's needs."""
    from clusteratlas.registry.services_skills import withdraw_need

    form = await _form(request)
    user = current_user(request, session)
    if user is None:
        return sign_in_first("/skills/match")
    if not csrf_ok(request, form):
        return error_page(request, 403, "Form refused", FORGED)
    try:
        withdraw_need(session, actor=user, need_id=need_id)
        session.commit()
    except REFUSED as err:
        session.rollback()
        return refusal(request, err)
    return RedirectResponse("/skills/match", status_code=303)


@router.post("/skills/programmes/{programme_id}/tags", response_model=None)
async def correct_tags_page(
    request: Request,
    session: DB,
    programme_id: Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")],
) -> Response:
    """Add or remove ESCO skills of a programme's tags by hand (administrators, providers)."""
    from clusteratlas.registry.services_tags import correct_programme_tags

    form = await request.form()
    fields = {k: str(v) for k, v in form.items()}
    user = current_user(request, session)
    if user is None:
        return sign_in_first("/skills/programmes")
    if not csrf_ok(request, fields):
        return error_page(request, 403, "Form refused", FORGED)
    add = [str(v).strip() for v in form.getlist("add") if str(v).strip()]
    remove = [str(v).strip() for v in form.getlist("remove") if str(v).strip()]
    query = fields.get("q", "").strip()[:500]
    if not add and not remove and query:
        # A search submitted without a chosen skill: show its choices, change nothing.
        where = urlencode({"find": programme_id, "q": query})
        return RedirectResponse(
            f"/skills/programmes?{where}#programme-{programme_id}", status_code=303
        )
    try:
        correct_programme_tags(
            session, user=user, programme_id=programme_id, add=add, remove=remove
        )
        session.commit()
    except REFUSED as err:
        session.rollback()
        return refusal(request, err)
    return RedirectResponse(f"/skills/programmes#programme-{programme_id}", status_code=303)


def training_partnerships(session: Session, organisation: Any) -> list[dict[str, Any]]:
    """Return the recorded partnerships of an organisation, with registry links.

    See :func:`clusteratlas.registry.services_training.organisation_partnerships`: each
    side is its linked organisation, else the one with the recorded key; a side the
    registry does not hold is shown without a link.
    """
    from clusteratlas.registry import services_tags

    return services_tags.training_partnerships(session, organisation)
