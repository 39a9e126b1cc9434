"""HTML pages of the registry: directory with live search, profile and profile editing.

Routes parse the form or query, call :mod:`clusteratlas.registry` services and render a
template; permissions and optimistic concurrency are the services' (``can_edit``,
``update_organisation`` raising :class:`~clusteratlas.errors.ConflictError`).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from clusteratlas.api.schemas import ONE_LINE
from clusteratlas.errors import (
    ConflictError,
    ParameterError,
    PermissionDeniedError,
    RecordNotFoundError,
)
from clusteratlas.registry.services_tags import provider_programmes
from clusteratlas.web._support import (
    TEMPLATES,
    csrf_ok,
    current_user,
    db_session,
    filter_options,
    load_map,
    map_for_organisation,
    related_pairs,
)
from clusteratlas.web.forms import changes_from_form, form_values, shown_fields
from clusteratlas.web.routes_skills import training_partnerships
from clusteratlas.web.routes_training import profile_controls

router = APIRouter(include_in_schema=False)
DB = Annotated[Session, Depends(db_session)]
PAGE_SIZE = 20
SHOWN_FIELDS = {
    "name": "Name",
    "acronym": "Acronym",
    "country": "Country",
    "region": "Region code",
    "region_name": "Region",
    "website": "Website",
    "founding_year": "Founding year",
    "description": "Description",
    "management_fte": "Management staff (FTE)",
    "technologies": "Technologies",
}
"""Profile fields shown with their source and confirmation status, and their labels."""
CLUSTER_FIELDS = frozenset({"management_fte"})
"""Fields of :data:`SHOWN_FIELDS` meaningful for cluster organisations only (cluster
management staff); a training provider's profile leaves them out."""


def _error(request: Request, status: int, title: str, message: str) -> HTMLResponse:
    return TEMPLATES.TemplateResponse(
        request, "error.html", {"title": title, "message": message}, status_code=status
    )


KINDS = {
    "": "All kinds",
    "cluster organisation": "Cluster organisations",
    "training provider": "Training providers",
}
"""The directory's kind filter: value and label of each choice (empty: every kind)."""


def _filters(
    q: str, country: str, category: str, label: str, region: str, kind: str = ""
) -> dict[str, str]:
    given = {
        "q": q,
        "country": country,
        "category": category,
        "label": label,
        "region": region,
        "kind": kind,
    }
    return {k: v.strip() for k, v in given.items() if v and v.strip()}


def _results(session: Session, filters: dict[str, str], page: int) -> dict[str, Any]:
    from clusteratlas.registry import search_organisations

    found = search_organisations(
        session,
        text=filters.get("q"),
        country=filters.get("country"),
        category=filters.get("category"),
        label=filters.get("label"),
        region=filters.get("region"),
        kind=filters.get("kind"),
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    pages = max(1, -(-found.total // PAGE_SIZE))

    def link(number: int) -> str:
        return urlencode({**filters, "page": number})

    return {
        "found": found,
        "page": page,
        "pages": pages,
        "previous": link(page - 1) if page > 1 else None,
        "next": link(page + 1) if page < pages else None,
        "filters": filters,
        "query": urlencode(filters),
    }


Text = Annotated[str, Query(max_length=200, pattern=ONE_LINE)]
PageNumber = Annotated[int, Query(ge=1, le=50_000)]
KindChoice = Annotated[Literal["", "cluster organisation", "training provider"], Query()]
OrgId = Annotated[int, Path(ge=1, le=2_000_000_000)]


@router.get("/organisations", response_class=HTMLResponse, name="organisations")
def organisations(
    request: Request,
    session: DB,
    q: Text = "",
    country: Text = "",
    category: Text = "",
    label: Text = "",
    region: Text = "",
    kind: KindChoice = "",
    page: PageNumber = 1,
) -> HTMLResponse:
    """Render the directory: search box with live results, filters, pagination, map."""
    filters = _filters(q, country, category, label, region, kind)
    context = {
        # The directory lists both kinds unless filtered: its heading says which it shows.
        "title": KINDS[kind] if kind else "Organisations",
        "options": filter_options(session),
        "kinds": KINDS,
        "user": current_user(request, session),
        **_results(session, filters, page),
    }
    return TEMPLATES.TemplateResponse(request, "organisations.html", context)


@router.get("/organisations/results", response_class=HTMLResponse, name="organisation_results")
def organisation_results(
    request: Request,
    session: DB,
    q: Text = "",
    country: Text = "",
    category: Text = "",
    label: Text = "",
    region: Text = "",
    kind: KindChoice = "",
    page: PageNumber = 1,
) -> HTMLResponse:
    """Render the result list alone (HTMX partial); the address follows the search."""
    filters = _filters(q, country, category, label, region, kind)
    context = _results(session, filters, page)
    response = TEMPLATES.TemplateResponse(request, "_results.html", context)
    query = urlencode({**filters, **({"page": page} if page > 1 else {})})
    response.headers["HX-Push-Url"] = "/organisations" + (f"?{query}" if query else "")
    return response


def _awards(session: Session, organisation_id: int) -> list[dict[str, Any]]:
    """Labels awarded through the label workflow, newest first, with their state today."""
    import datetime as dt

    from clusteratlas.errors import LabelSchemeError
    from clusteratlas.registry.services_awards import award_state, list_awards
    from clusteratlas.registry.services_labels import get_scheme

    today = dt.date.today()
    rows = []
    for award in list_awards(session, organisation_id=organisation_id):
        try:
            scheme_name = get_scheme(award.scheme).title
        except (RecordNotFoundError, LabelSchemeError):  # a scheme file since removed
            scheme_name = award.scheme
        rows.append(
            {"award": award, "scheme_name": scheme_name, "state": award_state(award, today)}
        )
    return rows


@router.get("/organisations/{organisation_id}", response_class=HTMLResponse, name="profile")
def profile(request: Request, session: DB, organisation_id: OrgId) -> HTMLResponse:
    """Render a profile: sourced fields, validation, region statistics, partners.

    A training provider's profile leaves out what only a cluster organisation has: member
    counts, cluster categories, management staff, ECCP validation, the statistics of its
    region and recommended cluster partners (and labels or partnerships unless it has some).
    """
    from clusteratlas.mapping.portfolio import rating_column
    from clusteratlas.registry import (
        can_edit,
        get_organisation,
        list_posts,
        missing_profile,
        organisation_statistics,
        recommend_partners,
        validate_organisation,
    )

    try:
        organisation = get_organisation(session, organisation_id)
    except RecordNotFoundError as err:
        return _error(request, 404, "Organisation not found", str(err))
    user = current_user(request, session)
    memberships = sorted(organisation.memberships, key=lambda m: m.partnership.name)
    awards = _awards(session, organisation.id)
    posts, post_total = list_posts(session, organisation_id=organisation.id, limit=PAGE_SIZE)
    session.commit()  # end the (SQLite: locking) transaction while the map is built
    cluster = organisation.is_cluster
    sources = organisation.field_sources or {}
    fields = [
        {
            "name": name,
            "label": label,
            "value": getattr(organisation, name),
            **(sources.get(name) or {}),
        }
        for name, label in SHOWN_FIELDS.items()
        if cluster or name not in CLUSTER_FIELDS
    ]
    context: dict[str, Any] = {
        "title": organisation.name,
        "organisation": organisation,
        "cluster": cluster,
        "fields": fields,
        "memberships": memberships,
        "awards": awards,
        "training_partnerships": training_partnerships(session, organisation),
        "training_programmes": provider_programmes(session, organisation),
        "posts": posts,
        "post_total": post_total,
        "user": user,
        "editable": can_edit(user, organisation),
        "saved": request.query_params.get("saved") == "1",
        **profile_controls(session, user, organisation),
    }
    if cluster:  # a training provider has no ECCP validation, statistics or cluster partners
        choice = map_for_organisation(organisation.country, organisation.region)
        result, note = load_map(choice, request)
        frame = result.frame if result is not None else None
        statistics = (
            organisation_statistics(organisation, map_frame=frame) if frame is not None else None
        )
        recommendations = recommend_partners(
            session,
            organisation_id=organisation.id,
            related=related_pairs(),
            map_frame=frame,
            limit=5,
        )
        context |= {
            "validation": validate_organisation(organisation),
            "statistics": statistics,
            "stat_rows": statistics.frame.to_dict("records") if statistics is not None else [],
            "rating": rating_column(frame) if frame is not None else None,
            "map_note": note,
            "choice": choice,
            "recommendations": recommendations,
            "recommendation_note": missing_profile(organisation),
        }
    return TEMPLATES.TemplateResponse(request, "organisation.html", context)


async def _form_fields(request: Request) -> dict[str, str]:
    return {k: str(v) for k, v in (await request.form()).items()}


def _safe_next(target: str) -> str:
    return target if target.startswith("/") and not target.startswith("//") else "/organisations"


_FORGED = (
    "This form did not come from one of our pages, or your session changed since it was "
    "shown. Reload the page and try again."
)


def _edit_page(
    request: Request,
    organisation: Any,
    *,
    user: Any,
    values: dict[str, str],
    status: int = 200,
    error: str = "",
    conflict: list[dict[str, str]] | None = None,
) -> HTMLResponse:
    context = {
        "title": f"Edit {organisation.name}",
        "organisation": organisation,
        "fields": shown_fields(user, organisation),
        "values": values,
        "user": user,
        "error": error,
        "conflict": conflict or [],
    }
    return TEMPLATES.TemplateResponse(request, "edit.html", context, status_code=status)


def _editable(request: Request, session: Session, organisation_id: int) -> Any:
    """Return the organisation the signed-in user may edit, or the response that refuses."""
    from clusteratlas.registry import can_edit, get_organisation

    try:
        organisation = get_organisation(session, organisation_id)
    except RecordNotFoundError as err:
        return _error(request, 404, "Organisation not found", str(err))
    user = current_user(request, session)
    if user is None:
        target = urlencode({"next": f"/organisations/{organisation_id}/edit"})
        return RedirectResponse(f"/login?{target}", status_code=303)
    if not can_edit(user, organisation):
        message = f"{user.email} may not edit {organisation.name}: a manager edits only the organisation they manage."
        return _error(request, 403, "Not allowed", message)
    return organisation, user


@router.get("/organisations/{organisation_id}/edit", response_model=None, name="edit")
def edit_form(request: Request, session: DB, organisation_id: OrgId) -> Response:
    """Render the profile form (its manager or an admin only) with the version read."""
    found = _editable(request, session, organisation_id)
    if isinstance(found, Response):
        return found
    organisation, user = found
    return _edit_page(request, organisation, user=user, values=form_values(organisation))


@router.post("/organisations/{organisation_id}/edit", response_model=None)
def edit(
    request: Request,
    session: DB,
    organisation_id: OrgId,
    form: Annotated[dict[str, str], Depends(_form_fields)],
) -> Response:
    """Apply the form; 409 with the saved values when someone else saved meanwhile."""
    return _save(request, session, organisation_id, form)


def _save(
    request: Request, session: Session, organisation_id: int, form: dict[str, str]
) -> Response:
    from clusteratlas.registry import get_organisation, update_organisation

    found = _editable(request, session, organisation_id)
    if isinstance(found, Response):
        return found
    if not csrf_ok(request, form):
        return _error(request, 403, "Form refused", _FORGED)
    organisation, user = found
    try:
        version, changes = changes_from_form(form, form_values(organisation))
        update_organisation(
            session,
            actor=user,
            organisation_id=organisation_id,
            expected_version=version,
            changes=changes,
        )
        session.commit()
    except ConflictError as err:
        session.rollback()
        current = get_organisation(session, organisation_id)
        stored = form_values(current)
        yours = [
            {"field": f.label, "yours": form.get(f.name, ""), "stored": stored[f.name]}
            for f in shown_fields(user, current)
            if form.get(f.name, "") != stored[f.name]
        ]
        message = f"Someone else saved this profile while you were editing it. {err} The form now shows the saved values; your values are listed below."
        return _edit_page(
            request, current, user=user, values=stored, status=409, error=message, conflict=yours
        )
    except PermissionDeniedError as err:
        session.rollback()
        return _error(request, 403, "Not allowed", str(err))
    except ParameterError as err:
        session.rollback()
        return _edit_page(request, organisation, user=user, values=form, status=422, error=str(err))
    return RedirectResponse(f"/organisations/{organisation_id}?saved=1", status_code=303)
