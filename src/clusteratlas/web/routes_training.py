"""HTML forms of the training offer: record, change and delete programmes; record and end partnerships.

Interfaces only: each page reads its form (:mod:`clusteratlas.web.forms_training`, the
API's models), calls :mod:`clusteratlas.registry.services_programmes` or
:mod:`clusteratlas.registry.services_training`, and renders a template or redirects. Who
may do what is the services' decision; the controls are shown only to those
:mod:`clusteratlas.registry.services_training_access` says may use them. Every change is a
POST form with the session's CSRF token. A wrong field re-renders the form with the
user's input and a message naming the field (422; 409 when someone changed the record
meanwhile or the partnership exists), and nothing is stored; a refusal is the 403 page.

A new programme is tagged with ESCO skills from its title and description wherever the
programmes are read (:mod:`clusteratlas.registry.services_tags`), as one recorded through
the API.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from clusteratlas.errors import (
    ConflictError,
    ParameterError,
    PermissionDeniedError,
    RecordNotFoundError,
)
from clusteratlas.web._support import TEMPLATES, csrf_ok, current_user, db_session
from clusteratlas.web.forms_training import (
    PARTNERSHIP_FORM,
    PROGRAMME_FORM,
    partnership_from_form,
    programme_from_form,
    programme_values,
)
from clusteratlas.web.routes_labels import FORGED, error_page, refusal, sign_in_first

router = APIRouter(include_in_schema=False)
DB = Annotated[Session, Depends(db_session)]
OrgId = Annotated[int | None, Query(ge=1, le=2_000_000_000)]
ProgrammeId = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")]
PartnershipId = Annotated[int, Path(ge=1, le=2_000_000_000)]
PROGRAMMES = "/skills/programmes"
NEW_PROGRAMME = "/skills/programmes/new"
NEW_PARTNERSHIP = "/skills/partnerships/new"
NOT_PROVIDER = "{email} may not add training programmes: only administrators and the managers of a training provider's organisation may."
NOT_PARTNER = "{email} may not record training partnerships: only administrators and the managers of a cluster organisation or of a training provider's organisation may."


async def _form_fields(request: Request) -> dict[str, str]:
    return {k: str(v) for k, v in (await request.form()).items()}


Form = Annotated[dict[str, str], Depends(_form_fields)]


def _safe_next(target: str, default: str) -> str:
    return target if target.startswith("/") and not target.startswith("//") else default


def training_controls(session: Session, user: Any) -> dict[str, Any]:
    """Return the template context that decides which training controls a page shows.

    ``programme_providers`` (whose programmes the user may add), ``editable_programmes``
    (ids), ``partnership_sides`` (the cluster organisations and providers the user may
    pair) and ``editable_partnerships`` (ids of active ones the user may end).
    """
    from clusteratlas.registry import services_training_access as access

    clusters, providers = access.partnership_sides(session, user)
    return {
        "programme_providers": access.programme_providers(session, user),
        "editable_programmes": access.editable_programmes(session, user),
        "may_record_partnerships": bool(clusters and providers),
        "editable_partnerships": access.editable_partnerships(session, user),
    }


def profile_controls(session: Session, user: Any, organisation: Any) -> dict[str, Any]:
    """Return the training controls of an organisation's profile (see :func:`training_controls`).

    ``may_add_programme`` when the user may add programmes to this provider,
    ``may_record_partnership`` when they may record a partnership with this organisation.
    """
    from clusteratlas.registry import services_training_access as access

    providers = access.programme_providers(session, user)
    return {
        "may_add_programme": any(p.id == organisation.id for p in providers),
        "may_record_partnership": access.may_record_partnership_with(session, user, organisation),
        "editable_partnerships": access.editable_partnerships(session, user),
    }


def _programme_page(
    request: Request,
    *,
    user: Any,
    values: dict[str, str],
    providers: list[Any],
    programme: Any = None,
    error: str = "",
    status: int = 200,
) -> HTMLResponse:
    context = {
        "title": f"Edit {programme.title}" if programme is not None else "Add a programme",
        "user": user,
        "fields": PROGRAMME_FORM,
        "values": values,
        "providers": providers,
        "programme": programme,
        "error": error,
    }
    return TEMPLATES.TemplateResponse(
        request, "skills_programme_form.html", context, status_code=status
    )


@router.get(NEW_PROGRAMME, response_model=None)
def new_programme_form(request: Request, session: DB, provider: OrgId = None) -> Response:
    """Render the form that adds a programme (administrators; a provider's managers)."""
    from clusteratlas.registry.services_training_access import programme_providers

    user = current_user(request, session)
    if user is None:
        return sign_in_first(NEW_PROGRAMME)
    providers = programme_providers(session, user)
    if not providers:
        return error_page(request, 403, "Not allowed", NOT_PROVIDER.format(email=user.email))
    values = {"provider_organisation_id": str(provider or "")}
    return _programme_page(request, user=user, values=values, providers=providers)


@router.post(NEW_PROGRAMME, response_model=None)
def add_programme(request: Request, session: DB, form: Form) -> Response:
    """Record the programme of the form; the form again, with the message, when a field is wrong."""
    from clusteratlas.registry.services_programmes import create_programme
    from clusteratlas.registry.services_training_access import programme_providers

    user = current_user(request, session)
    if user is None:
        return sign_in_first(NEW_PROGRAMME)
    if not csrf_ok(request, form):
        return error_page(request, 403, "Form refused", FORGED)
    providers = programme_providers(session, user)
    if not providers:  # refused before its fields are read, as the service would
        return error_page(request, 403, "Not allowed", NOT_PROVIDER.format(email=user.email))
    try:
        provider = form.get("provider_organisation_id", "")
        if not provider.isdigit():
            raise ParameterError("Training provider must be chosen from the list.")
        data = programme_from_form(form, creating=True)
        created = create_programme(
            session, actor=user, provider_organisation_id=int(provider), data=data
        )
        session.commit()
    except (PermissionDeniedError, RecordNotFoundError) as err:
        session.rollback()
        return refusal(request, err)
    except (ParameterError, ConflictError) as err:
        session.rollback()
        status = 409 if isinstance(err, ConflictError) else 422
        return _programme_page(request, user=user, values=form, providers=providers,
                               error=str(err), status=status)  # fmt: skip
    return RedirectResponse(f"{PROGRAMMES}#programme-{created.programme_id}", status_code=303)


def _editable_programme(request: Request, session: Session, programme_id: str) -> Any:
    """Return the user and the programme they may change, or the response that refuses."""
    from clusteratlas.registry.services_programmes import get_programme
    from clusteratlas.registry.services_training_access import editable_programmes

    user = current_user(request, session)
    if user is None:
        return sign_in_first(f"{PROGRAMMES}/{programme_id}/edit")
    try:
        programme = get_programme(session, programme_id)
    except RecordNotFoundError as err:
        return refusal(request, err)
    if programme_id not in editable_programmes(session, user):
        message = (
            f"{user.email} may not change programme {programme_id!r}: only administrators "
            "and the managers of the training provider's organisation may."
        )
        return error_page(request, 403, "Not allowed", message)
    return user, programme


@router.get(f"{PROGRAMMES}/{{programme_id}}/edit", response_model=None)
def edit_programme_form(request: Request, session: DB, programme_id: ProgrammeId) -> Response:
    """Render a programme's form with its details and the version read."""
    found = _editable_programme(request, session, programme_id)
    if isinstance(found, Response):
        return found
    user, programme = found
    return _programme_page(
        request, user=user, values=programme_values(programme), providers=[],
        programme=programme,
    )  # fmt: skip


@router.post(f"{PROGRAMMES}/{{programme_id}}/edit", response_model=None)
def edit_programme(
    request: Request, session: DB, programme_id: ProgrammeId, form: Form
) -> Response:
    """Apply the form to the programme; 409 when someone else changed it meanwhile."""
    from clusteratlas.registry.services_programmes import update_programme

    # A forged form is refused before anything is looked up: it learns nothing, not even
    # whether the programme exists.
    if current_user(request, session) is not None and not csrf_ok(request, form):
        return error_page(request, 403, "Form refused", FORGED)
    found = _editable_programme(request, session, programme_id)
    if isinstance(found, Response):
        return found
    user, programme = found
    try:
        changes = programme_from_form(form, creating=False)
        version = changes.pop("version")
        update_programme(session, actor=user, programme_id=programme_id, changes=changes,
                         expected_version=version)  # fmt: skip
        session.commit()
    except PermissionDeniedError as err:
        session.rollback()
        return refusal(request, err)
    except (ParameterError, ConflictError) as err:
        session.rollback()
        status = 409 if isinstance(err, ConflictError) else 422
        return _programme_page(request, user=user, values=form, providers=[],
                               programme=programme, error=str(err), status=status)  # fmt: skip
    return RedirectResponse(f"{PROGRAMMES}#programme-{programme_id}", status_code=303)


@router.post(f"{PROGRAMMES}/{{programme_id}}/delete", response_model=None)
def delete_programme_page(
    request: Request, session: DB, programme_id: ProgrammeId, form: Form
) -> Response:
    """Delete the programme (and its hand tag corrections) once the box is ticked."""
    from clusteratlas.registry.services_programmes import delete_programme

    # A forged form is refused before anything is looked up: it learns nothing, not even
    # whether the programme exists.
    if current_user(request, session) is not None and not csrf_ok(request, form):
        return error_page(request, 403, "Form refused", FORGED)
    found = _editable_programme(request, session, programme_id)
    if isinstance(found, Response):
        return found
    user, programme = found
    if form.get("confirm") != "yes":
        message = "Tick “Yes, delete this programme” to delete it."
        return _programme_page(request, user=user, values=programme_values(programme),
                               providers=[], programme=programme, error=message,
                               status=422)  # fmt: skip
    try:
        delete_programme(session, actor=user, programme_id=programme_id)
        session.commit()
    except (PermissionDeniedError, RecordNotFoundError) as err:
        session.rollback()
        return refusal(request, err)
    return RedirectResponse(PROGRAMMES, status_code=303)


def _partnership_page(
    request: Request,
    session: Session,
    *,
    user: Any,
    values: dict[str, str],
    error: str = "",
    status: int = 200,
) -> HTMLResponse:
    from clusteratlas.registry.services_training_access import partnership_sides

    clusters, providers = partnership_sides(session, user)
    context = {
        "title": "Record a training partnership",
        "user": user,
        "fields": PARTNERSHIP_FORM,
        "values": values,
        "clusters": clusters,
        "providers": providers,
        "error": error,
    }
    return TEMPLATES.TemplateResponse(
        request, "skills_partnership_form.html", context, status_code=status
    )


@router.get(NEW_PARTNERSHIP, response_model=None)
def new_partnership_form(
    request: Request, session: DB, cluster: OrgId = None, provider: OrgId = None
) -> Response:
    """Render the form that records a partnership (``cluster`` and ``provider`` preselect)."""
    from clusteratlas.registry.services_training_access import partnership_sides

    user = current_user(request, session)
    if user is None:
        return sign_in_first(NEW_PARTNERSHIP)
    clusters, providers = partnership_sides(session, user)
    if not clusters or not providers:
        return error_page(request, 403, "Not allowed", NOT_PARTNER.format(email=user.email))
    back = f"/organisations/{cluster or provider}" if cluster or provider else PROGRAMMES
    values = {"cluster_id": str(cluster or ""), "provider_organisation_id": str(provider or ""),
              "next": back}  # fmt: skip
    return _partnership_page(request, session, user=user, values=values)


@router.post(NEW_PARTNERSHIP, response_model=None)
def add_partnership(request: Request, session: DB, form: Form) -> Response:
    """Record the partnership of the form; the form again, with the message, when refused."""
    from clusteratlas.registry.services_training import create_partnership
    from clusteratlas.registry.services_training_access import partnership_sides

    user = current_user(request, session)
    if user is None:
        return sign_in_first(NEW_PARTNERSHIP)
    if not csrf_ok(request, form):
        return error_page(request, 403, "Form refused", FORGED)
    if not all(partnership_sides(session, user)):  # refused before its fields are read
        return error_page(request, 403, "Not allowed", NOT_PARTNER.format(email=user.email))
    try:
        created = create_partnership(session, actor=user, **partnership_from_form(form))
        session.commit()
    except PermissionDeniedError as err:
        session.rollback()
        return refusal(request, err)
    except (ParameterError, ConflictError) as err:
        session.rollback()
        status = 409 if isinstance(err, ConflictError) else 422
        values = {**form, "next": _safe_next(form.get("next", ""), PROGRAMMES)}
        return _partnership_page(request, session, user=user, values=values, error=str(err),
                                 status=status)  # fmt: skip
    back = _safe_next(form.get("next", ""), f"/organisations/{created.cluster_id}")
    return RedirectResponse(f"{back}#training-partnerships", status_code=303)


@router.post("/skills/partnerships/{partnership_id}/end", response_model=None)
def end_partnership_page(
    request: Request, session: DB, partnership_id: PartnershipId, form: Form
) -> Response:
    """End an active partnership (today, or on the date given); it stays listed as ended."""
    from clusteratlas.registry.services_training import end_partnership

    back = _safe_next(form.get("next", ""), PROGRAMMES)
    user = current_user(request, session)
    if user is None:
        return sign_in_first(back)
    if not csrf_ok(request, form):
        return error_page(request, 403, "Form refused", FORGED)
    try:
        end_partnership(session, actor=user, partnership_id=partnership_id,
                        ended_on=form.get("ended_on", "").strip() or None)  # fmt: skip
        session.commit()
    except (PermissionDeniedError, RecordNotFoundError, ConflictError, ParameterError) as err:
        session.rollback()
        return refusal(request, err)
    return RedirectResponse(f"{back}#training-partnerships", status_code=303)
