"""Self-service sign-up of Meet participants and e-mail verification (``/auth/signup``).

Sign-up sits with sign-in under ``/auth`` because it is about accounts, not one event: an
account made once registers to any open event. The answer is the same (202) whether the
address is new or known, so it tells no one which addresses have accounts; each attempt is
counted in the sign-in throttle (per address and per e-mail, under a ``signup:`` key so that
sign-ups never lock anyone's sign-in) and refused attempts wait in the tarpit, before any
hashing. Like sign-in it must be sent as JSON (no cross-site form can make a browser sign
up). See :mod:`clusteratlas.registry.signup` for the rules and settings.
"""

from __future__ import annotations

import logging
from contextlib import nullcontext
from functools import partial
from typing import Annotated

import anyio.to_thread
from fastapi import APIRouter, FastAPI, HTTPException, Request
from pydantic import StringConstraints

from clusteratlas.api.admission import Slots, Tarpit
from clusteratlas.api.deps import SessionDep, client_address, signin_throttle
from clusteratlas.api.schemas import ERROR_RESPONSES, NO_NUL, ONE_LINE, Message, _Input
from clusteratlas.api.security import host_checked
from clusteratlas.errors import PermissionDeniedError, TooManyAttemptsError
from clusteratlas.registry.db import session_scope
from clusteratlas.registry.signin import SIGNUP_KEY_PREFIX, count_attempt_async
from clusteratlas.registry.signup import SignupSettings, link_site, sign_up, verify_email

log = logging.getLogger(__name__)
router = APIRouter(prefix="/auth", tags=["auth"], responses=ERROR_RESPONSES)

SIGNED_UP = (
    "If this address can be used, a link to confirm it is on its way; follow it before "
    "registering to an event."
)
"""The one answer to every accepted sign-up (new or known address)."""

SIGNUP_RESPONSES: dict[int | str, dict[str, object]] = {
    403: {"model": Message, "description": "Sign-up is switched off on this server"},
    415: {"model": Message, "description": "Not sent as application/json"},
    429: {"model": Message, "description": "Too many attempts; see Retry-After"},
    503: {"model": Message, "description": "Sign-up is on but the site's address is not set"},
}


def warn_if_unsafe_links(app: FastAPI) -> None:
    """Log once, at start-up, that sign-up is on but will be refused (no safe link address).

    Settings that cannot be read are left to the first sign-up, which names them.
    """
    from clusteratlas.errors import ConfigError, ParameterError
    from clusteratlas.registry.signup import NO_SITE_ADDRESS

    try:
        settings = SignupSettings.from_env()
    except (ParameterError, ConfigError):
        return
    if settings.enabled and not settings.public_url and not host_checked(app):
        log.warning("%s Sign-ups are refused (503) until then.", NO_SITE_ADDRESS)


class SignupIn(_Input):
    """An e-mail address, a password (at least 8 characters) and an optional name."""

    email: Annotated[str, StringConstraints(pattern=NO_NUL, min_length=3, max_length=320)]
    password: Annotated[str, StringConstraints(pattern=NO_NUL, min_length=1, max_length=1000)]
    name: Annotated[str, StringConstraints(pattern=ONE_LINE, max_length=200)] | None = None


class VerifyIn(_Input):
    """The token of a verification link."""

    token: Annotated[str, StringConstraints(pattern=ONE_LINE, min_length=1, max_length=200)]


def signup_settings(request: Request) -> SignupSettings:
    """Return the app's sign-up settings (read from the environment on first use)."""
    state = request.app.state
    if getattr(state, "signup_settings", None) is None:
        state.signup_settings = SignupSettings.from_env()
    settings: SignupSettings = state.signup_settings
    return settings


def request_site(request: Request) -> str | None:
    """Return the request's address when its ``Host`` is checked (else ``None``: forgeable)."""
    return str(request.base_url) if host_checked(request.app) else None


def _sign_up(request: Request, settings: SignupSettings, email: str, password: str,
             name: str | None) -> None:  # fmt: skip
    with session_scope(request.app.state.sessions) as session:
        sign_up(session, email=email, password=password, name=name,
                base_url=request_site(request), settings=settings)  # fmt: skip


async def sign_up_request(
    request: Request, *, email: str, password: str, name: str | None = None
) -> None:
    """Sign up with what a request sent (the API and the web form call it).

    Raises
    ------
    PermissionDeniedError
        When sign-up is switched off.
    NotConfiguredError
        When neither ``CLUSTERATLAS_PUBLIC_URL`` nor ``CLUSTERATLAS_ALLOWED_HOSTS`` is set,
        so that the verification link could only come from a forgeable ``Host``.
    TooManyAttemptsError
        When the address or the e-mail made too many attempts (after the tarpit's pause).
    ParameterError
        For an address that is not one or a password the policy refuses.
    """
    settings = signup_settings(request)
    if not settings.enabled:
        raise PermissionDeniedError(
            "Self-service sign-up is switched off on this server; ask an administrator."
        )
    link_site(settings, base_url=request_site(request))  # refused before any counting or hashing
    throttle = signin_throttle(request)
    try:
        key = f"{SIGNUP_KEY_PREFIX}{email}"
        await count_attempt_async(throttle, email=key, client=client_address(request))
    except TooManyAttemptsError as err:
        tarpit: Tarpit | None = getattr(request.app.state, "signin_tarpit", None)
        if tarpit is not None:
            await tarpit.pause(err.retry_after)
        raise
    slots: Slots | None = getattr(request.app.state, "hash_slots", None)
    async with slots.hold() if slots is not None else nullcontext():
        await anyio.to_thread.run_sync(partial(_sign_up, request, settings, email, password, name))


def _is_json(request: Request) -> bool:
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    return kind == "application/json" or (
        kind.startswith("application/") and kind.endswith("+json")
    )


@router.post(
    "/signup",
    status_code=202,
    response_model=Message,
    responses=SIGNUP_RESPONSES,
    summary="Sign up as a participant",
)
async def signup(body: SignupIn, request: Request) -> Message:
    """Create a participant account and send a verification link (to the outbox).

    The answer is the same whether the address is new or already has an account.
    """
    if not _is_json(request):
        raise HTTPException(status_code=415, detail="Send the sign-up as application/json.")
    try:
        await sign_up_request(request, email=body.email, password=body.password, name=body.name)
    except TooManyAttemptsError as err:
        headers = {"Retry-After": str(err.retry_after)}
        raise HTTPException(status_code=429, detail=str(err), headers=headers) from err
    return Message(detail=SIGNED_UP)


@router.post("/verify", response_model=Message, summary="Confirm an e-mail address")
def verify(body: VerifyIn, session: SessionDep) -> Message:
    """Confirm the address a verification link was sent to (the token is used once)."""
    verify_email(session, token=body.token)
    session.commit()
    return Message(detail="Your e-mail address is confirmed; you may register to events.")
