"""Request dependencies: a database session per request, the signed-in user, CSRF, settings.

A client is recognised by a credential: an API token (``ca_…``) or a session id (``cas_…``),
sent as ``Authorization: Bearer <credential>`` or, for a browser, held in the HttpOnly
``clusteratlas_session`` cookie that ``POST /api/v1/auth/login`` and the web sign-in set
(see :mod:`clusteratlas.registry.sessions`). A request that changes state (any method but
GET, HEAD and OPTIONS) and authenticates with the cookie must carry the session's CSRF token
in the ``X-CSRF-Token`` header (web forms: the ``csrf`` field), or it is refused with 403:
another site can make a browser send the cookie, but can neither read the token nor set
that header without a CORS preflight. A token without the ``write`` scope may only read.

Routes that write commit themselves, so a failed commit is answered like any other error;
everything not committed is rolled back, and the connection returned to the pool, as soon as
the route function returns (``scope="function"``), before the response is sent.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
from collections.abc import AsyncIterator
from contextlib import nullcontext
from functools import partial
from typing import Annotated

import anyio
from fastapi import Depends, HTTPException, Request, Response
from sqlalchemy.orm import Session

from clusteratlas.api.admission import HashWorkers, Slots, Tarpit
from clusteratlas.api.mapdata import MapData
from clusteratlas.errors import TooManyAttemptsError
from clusteratlas.registry import AuthSettings, Credential, SignInThrottle, User, authenticate
from clusteratlas.registry.sessions import SESSION_PREFIX
from clusteratlas.registry.signin import (
    SignIn,
    account_key,
    count_attempt_async,
    verify_sign_in,
)

SESSION_COOKIE = "clusteratlas_session"
"""Name of the HttpOnly cookie that holds the session id of a signed-in browser."""
CSRF_HEADER = "X-CSRF-Token"
"""Header that carries the CSRF token of a cookie-authenticated request that changes state."""
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
"""Methods that never change state: no CSRF token needed, and their database sessions only
read, so they never wait for a writer (``registry.db``)."""

_LOCK = threading.Lock()


def _end(session: Session) -> None:
    session.rollback()
    session.close()


async def get_session(request: Request) -> AsyncIterator[Session]:
    """Yield a session of the app's registry database, rolled back and closed at the end.

    GET, HEAD and OPTIONS get a read session (``app.state.read_sessions``, when the app has
    one); other methods a write session that takes the lock up front, once they hold one of
    the app's write slots (``app.state.write_slots``, see :mod:`.admission`): writers beyond
    the slots wait in the event loop, without a thread or a pooled connection, and a write
    that waits too long is answered 503 with ``Retry-After``.
    """
    state = request.app.state
    reading = request.method in SAFE_METHODS and hasattr(state, "read_sessions")
    slots: Slots | None = None if reading else getattr(state, "write_slots", None)
    async with slots.hold() if slots is not None else nullcontext():
        session: Session = (state.read_sessions if reading else state.sessions)()
        try:
            yield session
        finally:
            with anyio.CancelScope(shield=True):  # a client gone away still frees the lock
                await anyio.to_thread.run_sync(_end, session)


def get_maps(request: Request) -> MapData:
    """Return the app's map caches."""
    maps: MapData = request.app.state.maps
    return maps


def auth_settings(request: Request) -> AuthSettings:
    """Return the app's sign-in settings (read from the environment on first use)."""
    state = request.app.state
    with _LOCK:
        if getattr(state, "auth_settings", None) is None:
            state.auth_settings = AuthSettings.from_env()
    settings: AuthSettings = state.auth_settings
    return settings


def signin_throttle(request: Request) -> SignInThrottle:
    """Return the app's sign-in rate limiter (built from :func:`auth_settings` on first use)."""
    settings = auth_settings(request)
    state = request.app.state
    with _LOCK:
        if getattr(state, "signin_throttle", None) is None:
            state.signin_throttle = SignInThrottle.from_settings(settings, asynchronous=True)
    throttle: SignInThrottle = state.signin_throttle
    return throttle


def client_address(request: Request) -> str:
    """Return the client's address (behind a proxy: as the proxy-header settings give it)."""
    return request.client.host if request.client is not None else "unknown"


async def sign_in_request(request: Request, *, email: str, password: str) -> SignIn | None:
    """Sign in with what a request sent (the API and the web form call it).

    A throttled attempt is refused with :class:`~clusteratlas.errors.TooManyAttemptsError`
    in the event loop (``limits``' asyncio storage: microseconds in memory, a non-blocking
    call to a shared Redis), before it takes a worker thread, a hash slot or a database
    query, after the app's tarpit pause (``app.state.signin_tarpit``): a flood of attempts
    then gets one answer per pause and client.
    An attempt let through waits for one of the app's hash slots (``app.state.hash_slots``)
    and is verified in a worker thread, the password itself on the app's low-priority hash
    threads (``app.state.hash_workers``), so a flood of sign-ins uses at most those slots and
    only the CPU time other requests leave.
    """
    settings = auth_settings(request)
    throttle = signin_throttle(request)
    client = client_address(request)
    try:
        await count_attempt_async(throttle, email=email, client=client)
    except TooManyAttemptsError as err:
        tarpit: Tarpit | None = getattr(request.app.state, "signin_tarpit", None)
        if tarpit is not None:
            await tarpit.pause(err.retry_after)
        raise
    workers: HashWorkers | None = getattr(request.app.state, "hash_workers", None)
    work = partial(
        verify_sign_in,
        request.app.state.sessions,
        email=email,
        password=password,
        settings=settings,
        client=client,
        user_agent=request.headers.get("user-agent"),
        verify=workers.verify if workers is not None else None,
    )
    slots: Slots | None = getattr(request.app.state, "hash_slots", None)
    async with slots.hold() if slots is not None else nullcontext():
        done = await anyio.to_thread.run_sync(work)
    if done is not None:
        await throttle.succeeded_async(account=account_key(email))
    return done


def csrf_for(secret: str) -> str:
    """Return the CSRF token that belongs to a session id (or a pre-session cookie)."""
    if not secret:
        return ""
    return hashlib.sha256(b"clusteratlas-csrf:" + secret.encode()).hexdigest()[:32]


def csrf_matches(secret: str, given: str | None) -> bool:
    """Whether ``given`` is the CSRF token of ``secret`` (compared in constant time)."""
    expected = csrf_for(secret)
    return bool(expected) and hmac.compare_digest((given or "").encode(), expected.encode())


def request_credential(request: Request) -> tuple[str | None, bool]:
    """Return ``(credential, from_cookie)``: the bearer credential, else the session cookie."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip(), False
    cookie = request.cookies.get(SESSION_COOKIE) or None
    if cookie is None or not cookie.startswith(SESSION_PREFIX):
        return None, False  # the cookie holds only session ids (not API tokens)
    return cookie, True


def request_token(request: Request) -> str | None:
    """Return the credential of the request: the bearer token, else the session cookie."""
    return request_credential(request)[0]


SessionDep = Annotated[Session, Depends(get_session, scope="function")]
MapsDep = Annotated[MapData, Depends(get_maps)]
SettingsDep = Annotated[AuthSettings, Depends(auth_settings)]


def optional_credential(
    request: Request, session: SessionDep, settings: SettingsDep
) -> Credential | None:
    """Return the request's credential, or None for an anonymous request.

    A credential that is unknown, revoked, expired or of an inactive user counts as
    anonymous. Answers 403 for a cookie-authenticated change without the CSRF token, and for
    a change made with a token that lacks the ``write`` scope.
    """
    secret, from_cookie = request_credential(request)
    if secret is None:
        return None
    changes = request.method.upper() not in SAFE_METHODS
    if from_cookie and changes and not csrf_matches(secret, request.headers.get(CSRF_HEADER)):
        raise HTTPException(
            status_code=403,
            detail=f"A change signed in by cookie needs the session's CSRF token in the "
            f"{CSRF_HEADER} header (returned by POST /api/v1/auth/login as 'csrf_token').",
        )
    credential = authenticate(session, secret, settings=settings)
    session.commit()  # keeps last_used_at / last_seen_at and ends the transaction
    if credential is not None and changes and "write" not in credential.scopes:
        raise HTTPException(status_code=403, detail="This token has no 'write' scope.")
    request.state.credential = credential
    return credential


CredentialDep = Annotated[Credential | None, Depends(optional_credential)]


def optional_user(credential: CredentialDep) -> User | None:
    """Return the signed-in user, or None for an anonymous request."""
    return credential.user if credential is not None else None


def require_credential(credential: CredentialDep) -> Credential:
    """Return the request's credential, or answer 401."""
    if credential is None:
        raise HTTPException(
            status_code=401,
            detail="Sign in first: send 'Authorization: Bearer <token>' or log in.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return credential


def require_user(credential: Annotated[Credential, Depends(require_credential)]) -> User:
    """Return the signed-in user, or answer 401."""
    return credential.user


def require_admin(credential: Annotated[Credential, Depends(require_credential)]) -> User:
    """Return the signed-in admin (with the ``admin`` scope), or answer 403."""
    if credential.user.role != "admin":
        raise HTTPException(status_code=403, detail="You are not an administrator.")
    if "admin" not in credential.scopes:
        raise HTTPException(status_code=403, detail="This token has no 'admin' scope.")
    return credential.user


def set_session_cookie(
    response: Response, request: Request, secret: str, settings: AuthSettings
) -> None:
    """Set the HttpOnly, SameSite=Lax session cookie (Secure over https)."""
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        max_age=int(settings.session_lifetime.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )


OptionalUser = Annotated[User | None, Depends(optional_user)]
CurrentUser = Annotated[User, Depends(require_user)]
CurrentCredential = Annotated[Credential, Depends(require_credential)]
AdminUser = Annotated[User, Depends(require_admin)]
