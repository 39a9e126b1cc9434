"""HTML sign-in and sign-out: CSRF-protected forms over server-side sessions.

The sign-in form carries a CSRF token derived from an HttpOnly pre-session cookie (login
CSRF: no other site can sign a browser into an account of theirs); sign-in itself is
:func:`clusteratlas.registry.sign_in` (rate limits, constant time, audit). Sign-out ends the
server-side session, so the old cookie is refused afterwards.
"""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from clusteratlas.api.deps import csrf_for, csrf_matches
from clusteratlas.errors import TooManyAttemptsError
from clusteratlas.web._support import (
    SESSION_COOKIE,
    TEMPLATES,
    csrf_ok,
    db_session,
)

router = APIRouter(include_in_schema=False)
DB = Annotated[Session, Depends(db_session)]


def _error(request: Request, status: int, title: str, message: str) -> HTMLResponse:
    return TEMPLATES.TemplateResponse(
        request, "error.html", {"title": title, "message": message}, status_code=status
    )


async def _form_fields(request: Request) -> dict[str, str]:
    return {k: str(v) for k, v in (await request.form()).items()}


def _safe_next(target: str) -> str:
    return target if target.startswith("/") and not target.startswith("//") else "/organisations"


_FORGED = (
    "This form did not come from one of our pages, or your session changed since it was "
    "shown. Reload the page and try again."
)


PRESESSION_COOKIE = "clusteratlas_presession"
"""HttpOnly cookie of a browser not signed in: the sign-in form's CSRF token derives from it."""


def _login_page(
    request: Request,
    *,
    next: str,
    email: str = "",
    error: str = "",
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """Render the sign-in form with a CSRF token bound to the pre-session cookie."""
    presession = request.cookies.get(PRESESSION_COOKIE) or secrets.token_urlsafe(32)
    context = {
        "title": "Sign in",
        "next": _safe_next(next),
        "email": email,
        "error": error,
        "login_csrf": csrf_for(presession),
    }
    response = TEMPLATES.TemplateResponse(
        request, "login.html", context, status_code=status, headers=headers
    )
    response.set_cookie(
        PRESESSION_COOKIE,
        presession,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        max_age=3600,
    )
    return response


@router.get("/login", response_class=HTMLResponse, name="login")
def login_form(request: Request, next: str = "/organisations") -> HTMLResponse:
    """Render the sign-in form (and give the browser its pre-session cookie)."""
    return _login_page(request, next=next)


@router.post("/login", response_class=HTMLResponse, response_model=None)
async def login(
    request: Request,
    email: Annotated[str, Form(max_length=320)],
    password: Annotated[str, Form(max_length=1000)],
    next: Annotated[str, Form(max_length=2000)] = "/organisations",
    csrf: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    """Check the form's CSRF token and the password; open a session kept in an HttpOnly cookie.

    The password is verified by :func:`clusteratlas.registry.sign_in`: rate limited (429
    with Retry-After), in constant time, outside any database transaction, audited.
    """
    from clusteratlas.api.deps import auth_settings, set_session_cookie, sign_in_request

    if not csrf_matches(request.cookies.get(PRESESSION_COOKIE, ""), csrf):
        return _login_page(request, next=next, email=email, error=_STALE_LOGIN, status=403)
    settings = auth_settings(request)
    try:
        done = await sign_in_request(request, email=email, password=password)
    except TooManyAttemptsError as err:
        wait = {"Retry-After": str(err.retry_after)}
        return _login_page(
            request, next=next, email=email, error=str(err), status=429, headers=wait
        )
    if done is None:
        error = "The e-mail address or the password is not right."
        return _login_page(request, next=next, email=email, error=error, status=401)
    response = RedirectResponse(_safe_next(next), status_code=303)
    set_session_cookie(response, request, done.secret, settings)
    response.delete_cookie(PRESESSION_COOKIE)
    return response


_STALE_LOGIN = (
    "This sign-in form did not come from our sign-in page, or it is more than an hour old. "
    "Try again with this form."
)


@router.post("/logout", name="logout", response_model=None)
def logout(
    request: Request, session: DB, form: Annotated[dict[str, str], Depends(_form_fields)]
) -> Response:
    """End the server-side session and forget its cookie (the form must carry its CSRF token)."""
    from clusteratlas.api.deps import auth_settings
    from clusteratlas.registry import authenticate, revoke_session

    if not csrf_ok(request, form):
        return _error(request, 403, "Form refused", _FORGED)
    secret = request.cookies.get(SESSION_COOKIE, "")
    credential = authenticate(session, secret, settings=auth_settings(request))
    if credential is not None and credential.kind == "session":
        revoke_session(session, session_id=credential.record_id, actor=credential.user)
    response = RedirectResponse("/organisations", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
