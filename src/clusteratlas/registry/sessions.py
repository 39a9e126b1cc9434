"""Server-side sign-in sessions and the credential of a request.

A session id looks like ``cas_<secret>`` (256 random bits); the browser keeps it in the
HttpOnly session cookie (API clients may send it as a bearer token), the database only its
SHA-256 hash. A session is refused once revoked (sign-out, or by its owner or an admin), once
idle longer than the idle timeout, and once older than its absolute lifetime
(:class:`~.auth_config.AuthSettings`).

:func:`authenticate` resolves any credential, a session id or an API token
(:func:`.auth.find_token`), into a :class:`Credential`: the user and the scopes granted.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from clusteratlas.errors import RecordNotFoundError
from clusteratlas.registry.audit import record
from clusteratlas.registry.auth import (
    SCOPES,
    TOKEN_PREFIX,
    _may_manage,
    aware,
    find_token,
    utcnow,
)
from clusteratlas.registry.auth_config import AuthSettings
from clusteratlas.registry.models import User, UserSession

SESSION_PREFIX = "cas_"
_TOUCH_EVERY = dt.timedelta(seconds=60)


@dataclass(frozen=True)
class Credential:
    """Who a request is, and what it may do.

    Attributes
    ----------
    user : User
    kind : {"session", "token"}
    record_id : int
        Id of the :class:`~.models.UserSession` or :class:`~.models.ApiToken`.
    scopes : frozenset of str
        A session has every scope; a token those it was created with.
    """

    user: User
    kind: str
    record_id: int
    scopes: frozenset[str]


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_session(
    session: Session,
    *,
    user: User,
    settings: AuthSettings | None = None,
    client: str | None = None,
    user_agent: str | None = None,
) -> tuple[UserSession, str]:
    """Open a session for ``user``; return the record and the session id (shown once).

    Parameters
    ----------
    session : sqlalchemy.orm.Session
    user : User
    settings : AuthSettings, optional
        Lifetimes (default: :meth:`AuthSettings.from_env`).
    client, user_agent : str, optional
        Client address and browser, shown when the user lists their sessions.
    """
    chosen = settings or AuthSettings.from_env()
    secret = f"{SESSION_PREFIX}{secrets.token_urlsafe(32)}"
    now = utcnow()
    stored = UserSession(
        user_id=user.id,
        token_hash=_digest(secret),
        created_at=now,
        last_seen_at=now,
        expires_at=now + chosen.session_lifetime,
        client=(client or None) and str(client)[:64],
        user_agent=(user_agent or None) and str(user_agent)[:200],
    )
    session.add(stored)
    session.flush()
    return stored, secret


def session_is_live(
    stored: UserSession, *, idle: dt.timedelta, now: dt.datetime | None = None
) -> bool:
    """Return whether a session is neither revoked, nor expired, nor idle too long."""
    moment = now or utcnow()
    if stored.revoked_at is not None or aware(stored.expires_at) <= moment:
        return False
    return moment - aware(stored.last_seen_at) < idle


def find_session(
    session: Session, secret: str, *, settings: AuthSettings | None = None
) -> UserSession | None:
    """Return the live session of an active user with this id, else ``None``.

    ``last_seen_at`` is updated at most once a minute (the idle timeout's clock).
    """
    if not secret.startswith(SESSION_PREFIX):
        return None
    stored = session.scalar(select(UserSession).where(UserSession.token_hash == _digest(secret)))
    if stored is None:
        return None
    now = utcnow()
    idle = (settings or AuthSettings.from_env()).session_idle
    if not session_is_live(stored, idle=idle, now=now):
        return None
    user = session.get(User, stored.user_id)
    if user is None or not user.active:
        return None
    if now - aware(stored.last_seen_at) >= _TOUCH_EVERY:
        stored.last_seen_at = now
    return stored


def authenticate(
    session: Session, secret: str, *, settings: AuthSettings | None = None
) -> Credential | None:
    """Return the credential of a session id or an API token, or ``None`` when refused."""
    if secret.startswith(SESSION_PREFIX):
        found = find_session(session, secret, settings=settings)
        if found is None:
            return None
        user = session.get(User, found.user_id)
        assert user is not None
        return Credential(user, "session", found.id, frozenset(SCOPES))
    if secret.startswith(TOKEN_PREFIX):
        token = find_token(session, secret)
        if token is None:
            return None
        owner = session.get(User, token.user_id)
        assert owner is not None
        return Credential(owner, "token", token.id, frozenset(token.scopes.split()))
    return None


def list_sessions(
    session: Session,
    *,
    user_id: int | None = None,
    settings: AuthSettings | None = None,
    include_inactive: bool = False,
) -> list[UserSession]:
    """Return sessions, newest first: of one user or of everyone, live ones by default."""
    query = select(UserSession).order_by(UserSession.id.desc())
    if user_id is not None:
        query = query.where(UserSession.user_id == user_id)
    found = list(session.scalars(query))
    if include_inactive:
        return found
    idle = (settings or AuthSettings.from_env()).session_idle
    now = utcnow()
    return [s for s in found if session_is_live(s, idle=idle, now=now)]


def revoke_session(
    session: Session, *, session_id: int, actor: User | None = None, admin: bool | None = None
) -> UserSession:
    """End a session (sign-out, or revoked by its owner, an admin or the command line).

    ``admin`` says whether ``actor`` acts as an administrator (default: by its role).

    Raises
    ------
    RecordNotFoundError
        When there is no such session, or it is someone else's and ``actor`` is no admin.
    """
    stored = session.get(UserSession, session_id)
    if stored is None or not _may_manage(actor, stored.user_id, admin):
        raise RecordNotFoundError(f"There is no session {session_id}, or it is not yours.")
    if stored.revoked_at is None:
        stored.revoked_at = utcnow()
        record(session, actor=actor, entity="user_session", entity_id=session_id, action="revoke")
    return stored


def revoke_user_sessions(
    session: Session,
    *,
    user_id: int,
    actor: User | None = None,
    keep: int | None = None,
    admin: bool | None = None,
) -> int:
    """End every open session of a user (but ``keep``); return how many were ended.

    ``admin`` says whether ``actor`` acts as an administrator (default: by its role).

    Raises
    ------
    RecordNotFoundError
        When ``actor`` is neither that user nor an admin.
    """
    if not _may_manage(actor, user_id, admin):
        raise RecordNotFoundError(f"There is no user {user_id} whose sessions you may end.")
    query = (
        update(UserSession)
        .where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    if keep is not None:
        query = query.where(UserSession.id != keep)
    ended = int(session.execute(query).rowcount or 0)  # type: ignore[attr-defined]
    if ended:
        record(
            session,
            actor=actor,
            entity="app_user",
            entity_id=user_id,
            action="end_sessions",
            note=f"{ended} session(s) ended",
        )
    return ended
