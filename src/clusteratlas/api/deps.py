"""Request dependencies: a database session per request and the signed-in user.

A user is recognised by an API token, sent as ``Authorization: Bearer <token>`` or held in
the ``clusteratlas_session`` cookie that ``POST /api/v1/auth/login`` sets (the web UI's
login). Routes that write commit themselves, so a failed commit is answered like any other
error; everything not committed is rolled back, and the connection returned to the pool, as
soon as the route function returns (``scope="function"``), before the response is sent.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from sqlalchemy.orm import Session

from clusteratlas.api.mapdata import MapData
from clusteratlas.registry import User, authenticate_token

SESSION_COOKIE = "clusteratlas_session"
"""Name of the HttpOnly cookie that holds the API token of a signed-in user."""


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
"""Requests that only read: their sessions never wait for a writer (``registry.db``)."""


def get_session(request: Request) -> Iterator[Session]:
    """Yield a session of the app's registry database, rolled back and closed at the end.

    GET, HEAD and OPTIONS get a read session (``app.state.read_sessions``, when the app has
    one); other methods a write session that takes the lock up front.
    """
    state = request.app.state
    reading = request.method in SAFE_METHODS and hasattr(state, "read_sessions")
    session: Session = (state.read_sessions if reading else state.sessions)()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


def get_maps(request: Request) -> MapData:
    """Return the app's map caches."""
    maps: MapData = request.app.state.maps
    return maps


def request_token(request: Request) -> str | None:
    """Return the token of the request: the bearer token, else the session cookie."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return request.cookies.get(SESSION_COOKIE) or None


SessionDep = Annotated[Session, Depends(get_session, scope="function")]
MapsDep = Annotated[MapData, Depends(get_maps)]


def optional_user(request: Request, session: SessionDep) -> User | None:
    """Return the signed-in user, or None for an anonymous request.

    A token that is unknown, revoked or of an inactive user counts as anonymous.
    """
    token = request_token(request)
    if token is None:
        return None
    user = authenticate_token(session, token)
    session.commit()  # keeps last_used_at and ends the (SQLite: locking) transaction
    return user


def require_user(user: Annotated[User | None, Depends(optional_user)]) -> User:
    """Return the signed-in user, or answer 401."""
    if user is None:
        raise HTTPException(
            status_code=401,
            detail="Sign in first: send 'Authorization: Bearer <token>' or log in.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return user


def require_admin(user: Annotated[User, Depends(require_user)]) -> User:
    """Return the signed-in admin, or answer 403."""
    if user.role != "admin":
        raise HTTPException(status_code=403, detail=f"{user.email} is not an administrator.")
    return user


OptionalUser = Annotated[User | None, Depends(optional_user)]
CurrentUser = Annotated[User, Depends(require_user)]
AdminUser = Annotated[User, Depends(require_admin)]
