"""HTML page of the labelling body: reviewer grants, awards made elsewhere, ending awards.

Interfaces only: the decisions are :mod:`clusteratlas.registry.services_reviews`
(:func:`~clusteratlas.registry.services_reviews.grant_reviewer`, administrators only) and
:mod:`clusteratlas.registry.services_awards` (``add_award`` and ``end_award``: reviewers of
the award's scheme and administrators). The page is shown to administrators and reviewers;
a reviewer sees and changes the awards of the schemes they review only. Every change is
audited by the services.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from clusteratlas.errors import (
    ConflictError,
    LabelSchemeError,
    ParameterError,
    PermissionDeniedError,
    RecordNotFoundError,
)
from clusteratlas.web._support import (
    TEMPLATES,
    csrf_ok,
    current_user,
    db_session,
    refusal_status,
)

router = APIRouter(include_in_schema=False)
DB = Annotated[Session, Depends(db_session)]
Id = Annotated[int, Path(ge=1, le=2_000_000_000)]
REFUSED = (
    RecordNotFoundError,
    PermissionDeniedError,
    ConflictError,
    ParameterError,
    LabelSchemeError,
)
PAGE = "/labels/admin"
NOT_ALLOWED = (
    "{email} neither administers the registry nor reviews a label scheme; an administrator "
    "grants review of a scheme here."
)
RECENT_AWARDS = 50
"""Awards listed on the page (newest first); the API lists them all."""


async def _form(request: Request) -> dict[str, str]:
    return {k: str(v) for k, v in (await request.form()).items()}


Form = Annotated[dict[str, str], Depends(_form)]


def _page(
    request: Request, session: Session, user: Any, *, status: int = 200, error: str = ""
) -> Response:
    from clusteratlas.labels.schemefile import list_schemes
    from clusteratlas.registry.models import User
    from clusteratlas.registry.services_awards import award_state, list_awards
    from clusteratlas.registry.services_labels import get_scheme, is_reviewer
    from clusteratlas.registry.services_reviews import list_reviewers
    from clusteratlas.registry.services_social import organisation_names

    schemes = [get_scheme(s) for s in list_schemes() if is_reviewer(session, user, s)]
    mine = {s.id for s in schemes}
    awards = [a for a in list_awards(session) if a.scheme in mine][:RECENT_AWARDS]
    admin = user.role == "admin"
    grants = list_reviewers(session) if admin else []
    emails = {g.user_id: (session.get(User, g.user_id) or user).email for g in grants}
    today = dt.date.today()
    context = {
        "title": "Labelling body",
        "user": user,
        "admin": admin,
        "schemes": schemes,
        "titles": {s.id: s.title for s in schemes},
        "levels": {s.id: [lv.name for lv in s.levels] for s in schemes},
        "grants": grants,
        "emails": emails,
        "awards": [{"award": a, "state": award_state(a, today)} for a in awards],
        "names": organisation_names(session, [a.organisation_id for a in awards]),
        "today": today.isoformat(),
        "done": request.query_params.get("done", ""),
        "error": error,
    }
    return TEMPLATES.TemplateResponse(request, "labels_admin.html", context, status_code=status)


def _allowed(request: Request, session: Session) -> tuple[Any, Response | None]:
    """Return the signed-in user, or the response refusing the page."""
    from clusteratlas.labels.schemefile import list_schemes
    from clusteratlas.registry.services_labels import is_reviewer
    from clusteratlas.web.routes_labels import error_page, sign_in_first

    user = current_user(request, session)
    if user is None:
        return None, sign_in_first(PAGE)
    if user.role != "admin" and not any(is_reviewer(session, user, s) for s in list_schemes()):
        return user, error_page(request, 403, "Not allowed", NOT_ALLOWED.format(email=user.email))
    return user, None


def _change(
    request: Request, session: Session, form: dict[str, str], action: Any, done: str
) -> Response:
    """Check the form, run one service call, commit; a refusal re-renders the page with why."""
    from clusteratlas.web.routes_labels import FORGED, error_page

    user, refused = _allowed(request, session)
    if refused is not None:
        return refused
    if not csrf_ok(request, form):
        return error_page(request, 403, "Form refused", FORGED)
    try:
        action(user)
        session.commit()
    except REFUSED as err:
        session.rollback()
        status, _ = refusal_status(err)
        return _page(request, session, user, status=status, error=str(err))
    return RedirectResponse(f"{PAGE}?done={done}", status_code=303)


def _date(form: dict[str, str], key: str, what: str) -> dt.date:
    try:
        return dt.date.fromisoformat(form.get(key, ""))
    except ValueError:
        raise ParameterError(
            f"{what} must be a date (YYYY-MM-DD); got {form.get(key, '')!r}."
        ) from None


def _number(form: dict[str, str], key: str, what: str) -> int:
    value = form.get(key, "").strip()
    if not value.isdigit() or not 1 <= int(value) <= 2_000_000_000:
        raise ParameterError(f"{what} must be a whole number (an id); got {value!r}.")
    return int(value)


@router.get(PAGE, response_model=None, name="label_admin")
def admin_page(request: Request, session: DB) -> Response:
    """Render reviewer grants (administrators), recent awards and the forms that change them."""
    user, refused = _allowed(request, session)
    return refused if refused is not None else _page(request, session, user)


@router.post(f"{PAGE}/reviewers", response_model=None)
def grant(request: Request, session: DB, form: Form) -> Response:
    """Grant review of a scheme to the user with the e-mail given (administrators)."""
    from clusteratlas.registry.services_labels import require_admin
    from clusteratlas.registry.services_reviews import grant_reviewer
    from clusteratlas.registry.users import find_user

    def action(user: Any) -> None:
        # Administrators first: a reviewer must not learn which e-mails have accounts.
        require_admin(user, "grant the reviewer role")
        email = form.get("email", "").strip()
        if not email:
            raise ParameterError("E-mail: give the reviewer's e-mail address.")
        found = find_user(session, email)
        grant_reviewer(session, actor=user, user_id=found.id, scheme=form.get("scheme", ""))

    return _change(request, session, form, action, "granted")


@router.post(f"{PAGE}/reviewers/revoke", response_model=None)
def revoke(request: Request, session: DB, form: Form) -> Response:
    """Withdraw a reviewer grant (administrators)."""
    from clusteratlas.registry.services_reviews import revoke_reviewer

    def action(user: Any) -> None:
        user_id = _number(form, "user_id", "Reviewer")
        revoke_reviewer(session, actor=user, user_id=user_id, scheme=form.get("scheme", ""))

    return _change(request, session, form, action, "revoked")


@router.post(f"{PAGE}/awards", response_model=None)
def record(request: Request, session: DB, form: Form) -> Response:
    """Record a label awarded elsewhere (reviewers of the scheme, administrators)."""
    from clusteratlas.registry.services_awards import add_award

    def action(user: Any) -> None:
        add_award(
            session,
            actor=user,
            organisation_id=_number(form, "organisation_id", "Organisation"),
            scheme=form.get("scheme", ""),
            level=form.get("level", "").strip(),
            awarded_on=_date(form, "awarded_on", "Award date"),
        )

    return _change(request, session, form, action, "awarded")


@router.post(PAGE + "/awards/{award_id}/end", response_model=None)
def end(request: Request, session: DB, award_id: Id, form: Form) -> Response:
    """End an award before its expiry, with the reason (reviewers, administrators)."""
    from clusteratlas.registry.services_awards import end_award

    def action(user: Any) -> None:
        end_award(
            session,
            actor=user,
            award_id=award_id,
            ended_on=_date(form, "ended_on", "End date"),
            reason=form.get("reason", "").strip(),
        )

    return _change(request, session, form, action, "ended")
