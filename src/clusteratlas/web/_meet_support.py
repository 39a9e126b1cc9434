"""Shared plumbing of the Meet pages: error pages, sign-in, CSRF, people's labels, slot times.

Nothing here decides who may do what: the meet services (:mod:`clusteratlas.meet.service`
and its siblings) check roles and raise; :func:`refusal` turns what they raise into a
403/404/409/422 page (an HTMX partial when the request came from HTMX).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Annotated, Any, TypeVar
from urllib.parse import urlencode

from fastapi import Depends, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from clusteratlas.errors import (
    ClusterAtlasError,
)
from clusteratlas.meet.service import SLUG
from clusteratlas.web._support import TEMPLATES, csrf_ok, db_session, refusal_status

T = TypeVar("T")
F = TypeVar("F")
DB = Annotated[Session, Depends(db_session)]
"""The registry session of a Meet page."""
Slug = Annotated[str, Path(pattern=SLUG.pattern)]
"""An event's id in a path (the services' :data:`~clusteratlas.meet.service.SLUG`)."""
Id = Annotated[int, Path(ge=1, le=2_000_000_000)]

FORGED = (
    "This form did not come from one of our pages, or your session changed since it was "
    "shown. Reload the page and try again."
)
TIME = "%a %d %b %Y, %H:%M"
"""How a slot's start is shown (in the event's time zone, with the zone's name beside it)."""


def is_htmx(request: Request) -> bool:
    """Whether the request was sent by HTMX (it then gets a fragment, not a page)."""
    return request.headers.get("HX-Request") == "true"


def error_page(request: Request, status: int, title: str, message: str) -> HTMLResponse:
    """Render the error page, or an alert fragment for an HTMX request, with ``status``."""
    name = "meet_alert.html" if is_htmx(request) else "error.html"
    return TEMPLATES.TemplateResponse(
        request, name, {"title": title, "message": message}, status_code=status
    )


def refusal(request: Request, err: Exception) -> HTMLResponse:
    """Return the page that says why a meet service refused (never a 500 for a known refusal)."""
    status, title = refusal_status(err, otherwise="Please check the form")
    return error_page(request, status, title, str(err))


REFUSED: tuple[type[Exception], ...] = (ClusterAtlasError, ValueError)
"""What the services raise on a refusal or bad input (``ClusterAtlasError`` subclasses)."""


def submit(
    request: Request, session: Session, form: Mapping[str, str],
    find: Callable[[], F | Response], act: Callable[[F], T],
) -> T | Response:  # fmt: skip
    """Run a form's service call: CSRF check, look-up, call, commit (or the refusal page).

    The CSRF token is checked before anything else, so a forged post gets 403 whether the
    event exists or not; ``find`` returns what the call needs (or the page to answer, such
    as a sign-in redirect); ``act`` calls the service. Its refusals roll back and render.
    """
    if (refused := forged(request, form)) is not None:
        return refused
    found = find()
    if isinstance(found, Response):
        return found
    try:
        done = act(found)
        session.commit()
    except REFUSED as err:
        session.rollback()
        return refusal(request, err)
    return done


def to_login(path: str) -> RedirectResponse:
    """Send a visitor who is not signed in to the sign-in page, coming back to ``path``."""
    return RedirectResponse(f"/login?{urlencode({'next': path})}", status_code=303)


def forged(request: Request, form: Mapping[str, str]) -> HTMLResponse | None:
    """Return the 403 page when ``form`` lacks the session's CSRF token, else ``None``."""
    return None if csrf_ok(request, form) else error_page(request, 403, "Form refused", FORGED)


async def form_fields(request: Request) -> dict[str, str]:
    """FastAPI dependency: the submitted form as text fields (repeated names: the last one)."""
    return {k: str(v) for k, v in (await request.form()).items()}


Form = Annotated[dict[str, str], Depends(form_fields)]
"""A Meet page's submitted form fields."""


async def form_lists(request: Request) -> dict[str, list[str]]:
    """FastAPI dependency: the submitted form with every value of a repeated name (checkboxes)."""
    form = await request.form()
    return {key: [str(v) for v in form.getlist(key)] for key in form}


def people(session: Session, participants: list[Any]) -> dict[int, str]:
    """Return each participant's public label: organisation, type and country (no e-mail)."""
    from clusteratlas.registry.models import OrganisationProposal
    from clusteratlas.registry.services_social import organisation_names

    names = organisation_names(
        session, [p.organisation_id for p in participants if p.organisation_id]
    )
    proposals = {p.proposal_id for p in participants if p.organisation_id is None and p.proposal_id}
    proposed = {
        row.id: f"{row.name} (proposed, {row.status})"
        for row in session.scalars(select(OrganisationProposal).where(OrganisationProposal.id.in_(proposals)))
    } if proposals else {}  # fmt: skip

    def organisation(p: Any) -> str:
        if p.organisation_id is None:
            return proposed.get(p.proposal_id, "Organisation not in the registry")
        return names.get(p.organisation_id, f"Organisation {p.organisation_id}")

    return {p.id: f"{organisation(p)} ({p.type}, {p.country})" for p in participants}


def organisation_choices(session: Session) -> list[tuple[int, str]]:
    """Return the registry's organisations as ``(id, "name (country)")``, by name."""
    from clusteratlas.registry.models import Organisation

    rows = session.execute(
        select(Organisation.id, Organisation.name, Organisation.country).order_by(Organisation.name)
    )
    return [(i, f"{name} ({country})" if country else name) for i, name, country in rows]


def slot_table(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Index :func:`clusteratlas.meet.service.slot_rows` by slot id, with display times."""
    return {
        row["slot"]: {
            **row,
            "label": row["slot_start"].strftime(TIME),
            "until": row["slot_end"].strftime("%H:%M"),
        }
        for row in rows
    }


def no_store(response: Response) -> Response:
    """Mark a private page as not to be cached (availability, agendas, organiser data)."""
    response.headers["Cache-Control"] = "no-store"
    return response
