"""HTML sign-up of Meet participants and the page of the verification link.

The forms carry a CSRF token bound to the pre-session cookie of the sign-in form (no other
site can sign a browser up); the work is :func:`clusteratlas.api.routes_signup.sign_up_request`
(throttle, tarpit, hash slots) and :func:`clusteratlas.registry.signup.verify_email`. The
verification link opens a page with a button rather than confirming on ``GET``, so that mail
scanners that follow links do not use the token up.
"""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from clusteratlas.api.deps import csrf_for, csrf_matches
from clusteratlas.api.routes_signup import SIGNED_UP, sign_up_request, signup_settings
from clusteratlas.errors import (
    NotConfiguredError,
    ParameterError,
    PermissionDeniedError,
    TooManyAttemptsError,
)
from clusteratlas.registry.db import session_scope
from clusteratlas.registry.signup import verify_email
from clusteratlas.web._support import TEMPLATES
from clusteratlas.web.routes_signin import PRESESSION_COOKIE

router = APIRouter(include_in_schema=False)

_STALE = (
    "This form did not come from our sign-up page, or it is more than an hour old. "
    "Try again with this form."
)


def signup_open(request: Request) -> bool:
    """Whether this server lets anyone sign up (the pages show the link only then)."""
    return signup_settings(request).enabled


TEMPLATES.env.globals["signup_open"] = signup_open


def _page(
    request: Request, step: str, *, status: int = 200, headers: dict[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:  # fmt: skip
    """Render ``signup.html`` at ``step`` with a CSRF token bound to the pre-session cookie."""
    presession = request.cookies.get(PRESESSION_COOKIE) or secrets.token_urlsafe(32)
    titles = {"form": "Sign up", "sent": "Check your mail", "verify": "Confirm your e-mail address",
              "verified": "E-mail address confirmed", "off": "Sign-up is closed"}  # fmt: skip
    values = {"title": titles[step], "step": step, "form_csrf": csrf_for(presession),
              "email": "", "name": "", "error": "", "token": "", "next": "/events"}  # fmt: skip
    values.update(context)
    next_page = str(values["next"])
    values["next"] = (
        next_page if next_page.startswith("/") and not next_page.startswith("//") else "/events"
    )
    response = TEMPLATES.TemplateResponse(
        request, "signup.html", values, status_code=status, headers=headers
    )
    response.set_cookie(PRESESSION_COOKIE, presession, httponly=True, samesite="lax",
                        secure=request.url.scheme == "https", max_age=3600)  # fmt: skip
    return response


@router.get("/signup", response_class=HTMLResponse)
def signup_form(request: Request, next: str = "/events") -> HTMLResponse:
    """Render the sign-up form (or say that sign-up is switched off)."""
    if not signup_open(request):
        return _page(request, "off", status=403)
    return _page(request, "form", next=next)


@router.post("/signup", response_class=HTMLResponse)
async def signup(
    request: Request,
    email: Annotated[str, Form(max_length=320)],
    password: Annotated[str, Form(max_length=1000)],
    name: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/events",
    csrf: Annotated[str, Form(max_length=100)] = "",
) -> HTMLResponse:
    """Sign up; answer "check your mail" whether the address is new or known."""
    again: dict[str, Any] = {"email": email, "name": name, "next": next}
    if not csrf_matches(request.cookies.get(PRESESSION_COOKIE, ""), csrf):
        return _page(request, "form", status=403, error=_STALE, **again)
    try:
        await sign_up_request(request, email=email, password=password, name=name.strip() or None)
    except PermissionDeniedError:
        return _page(request, "off", status=403)
    except NotConfiguredError as err:  # no safe address for the link: the operator's to set
        return _page(request, "form", status=503, error=str(err), **again)
    except TooManyAttemptsError as err:
        wait = {"Retry-After": str(err.retry_after)}
        return _page(request, "form", status=429, headers=wait, error=str(err), **again)
    except ParameterError as err:
        return _page(request, "form", status=422, error=str(err), **again)
    return _page(request, "sent", message=SIGNED_UP, email=email, next=next)


@router.get("/signup/verify", response_class=HTMLResponse)
def verify_form(request: Request, token: str = "") -> HTMLResponse:
    """Show the button that confirms the address (a GET never uses the token up)."""
    return _page(request, "verify", token=token[:200])


@router.post("/signup/verify", response_class=HTMLResponse)
def verify(
    request: Request,
    token: Annotated[str, Form(max_length=200)] = "",
    csrf: Annotated[str, Form(max_length=100)] = "",
) -> HTMLResponse:
    """Confirm the address; then the account may sign in and register to events."""
    if not csrf_matches(request.cookies.get(PRESESSION_COOKIE, ""), csrf):
        return _page(request, "verify", status=403, error=_STALE, token=token)
    try:
        with session_scope(request.app.state.sessions) as session:
            verify_email(session, token=token)
    except ParameterError as err:
        return _page(request, "verify", status=422, error=str(err), token="")
    return _page(request, "verified")
