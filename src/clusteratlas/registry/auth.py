"""Users, argon2 password hashes, API tokens and edit permissions.

Roles: ``admin`` edits everything; ``manager`` edits exactly one organisation (its
``organisation_id``); ``public`` reads, follows, comments and expresses interest. API tokens
look like ``ca_<prefix>_<secret>``: the 8-character prefix is stored in clear for lookup, the
whole token only as a SHA-256 hash (tokens are 256-bit random, so a slow hash adds nothing).
A token has scopes (:data:`SCOPES`: ``read`` for GET requests, ``write`` for changes,
``admin`` for administrators' routes; the user's role still applies), an expiry date and the
time it was last used.

Checking a password for an unknown or inactive account verifies it against a dummy argon2
hash, so that the answer takes as long as for a known account (no account enumeration by
timing).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Iterable
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from clusteratlas._validation import check_in
from clusteratlas.errors import ParameterError, PermissionDeniedError, RecordNotFoundError
from clusteratlas.registry.audit import record
from clusteratlas.registry.models import ROLES, ApiToken, Organisation, User

_HASHER = PasswordHasher()
TOKEN_PREFIX = "ca_"
SCOPES = ("read", "write", "admin")
"""Scopes of an API token: ``read`` (GET), ``write`` (changes), ``admin`` (admin routes)."""
DEFAULT_TOKEN_LIFETIME = dt.timedelta(days=90)
"""Lifetime of a token created without one (see :class:`~.auth_config.AuthSettings`)."""
_TOUCH_EVERY = dt.timedelta(seconds=60)


def utcnow() -> dt.datetime:
    """Return the current time in UTC (timezone-aware)."""
    return dt.datetime.now(dt.UTC)


def aware(moment: dt.datetime) -> dt.datetime:
    """Return ``moment`` as an aware UTC time (SQLite gives back naive UTC times)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


@cache
def _dummy_hash() -> str:
    return _HASHER.hash(secrets.token_urlsafe(16))


def verify_password(password_hash: str | None, password: str) -> bool:
    """Return whether ``password`` matches ``password_hash``, in about constant time.

    Without a hash (unknown account, account without password) the password is verified
    against a dummy argon2 hash and ``False`` returned, so the time taken does not tell
    whether the account exists.
    """
    try:
        return bool(_HASHER.verify(password_hash or _dummy_hash(), password)) and bool(
            password_hash
        )
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Return whether argon2's parameters changed since ``password_hash`` was made."""
    return _HASHER.check_needs_rehash(password_hash)


def hash_password(password: str) -> str:
    """Return the argon2id hash of ``password``."""
    if not isinstance(password, str) or len(password) < 8:
        raise ParameterError("A password must be a string of at least 8 characters.")
    return _HASHER.hash(password)


def create_user(
    session: Session,
    *,
    email: str,
    password: str | None = None,
    role: str = "public",
    organisation_id: int | None = None,
    name: str | None = None,
    actor: User | None = None,
) -> User:
    """Create a user; a manager needs ``organisation_id``, other roles must not have one.

    Raises
    ------
    ParameterError
        For an unknown role, a manager without organisation or a short password.
    """
    check_in(role, ROLES, name="role")
    if (role == "manager") != (organisation_id is not None):
        raise ParameterError(
            "A manager must manage exactly one organisation ('organisation_id'); "
            f"a user with role {role!r} must not have one."
        )
    user = User(
        email=email.strip().lower(),
        name=name,
        role=role,
        organisation_id=organisation_id,
        password_hash=hash_password(password) if password is not None else None,
    )
    session.add(user)
    session.flush()
    after = {"email": user.email, "role": role, "organisation_id": organisation_id}
    record(session, actor=actor, entity="app_user", entity_id=user.id, action="create", after=after)
    return user


def authenticate_password(session: Session, *, email: str, password: str) -> User | None:
    """Return the active user with this e-mail and password, else ``None``.

    Unknown and inactive accounts are checked against a dummy hash (constant time). The hash
    is upgraded in place when argon2's parameters have changed. This verifies inside the
    caller's transaction; the web and API sign-in use :func:`.signin.sign_in`, which verifies
    outside any transaction and applies rate limits.
    """
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    usable = user is not None and user.active and user.password_hash is not None
    if not verify_password(user.password_hash if usable and user else None, password):
        return None
    assert user is not None and user.password_hash is not None
    if needs_rehash(user.password_hash):
        user.password_hash = _HASHER.hash(password)
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def parse_scopes(scopes: str | Iterable[str]) -> tuple[str, ...]:
    """Return the scopes named in ``scopes`` (a space-separated string or an iterable), ordered.

    Raises
    ------
    ParameterError
        For an unknown scope or none at all.
    """
    names = scopes.replace(",", " ").split() if isinstance(scopes, str) else list(scopes)
    unknown = sorted(set(names) - set(SCOPES))
    if unknown or not names:
        raise ParameterError(
            f"The 'scopes' parameter must name one or more of {', '.join(SCOPES)}; "
            f"got {' '.join(names) or 'none'!r}."
        )
    return tuple(scope for scope in SCOPES if scope in names)


def create_token(
    session: Session,
    *,
    user: User,
    name: str | None = None,
    scopes: str | Iterable[str] | None = None,
    lifetime: dt.timedelta | None = DEFAULT_TOKEN_LIFETIME,
    actor: User | None = None,
) -> tuple[ApiToken, str]:
    """Create an API token for ``user``.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
    user : User
        Owner of the token.
    name : str, optional
        What the token is for (shown in lists).
    scopes : str or iterable of str, optional
        Any of :data:`SCOPES`; ``admin`` only for an administrator. Default: every scope
        the user's role allows (``read write``, and ``admin`` for an administrator).
    lifetime : datetime.timedelta or None, default 90 days
        Time until the token expires; ``None`` for a token that never expires.
    actor : User, optional
        Who creates it (default: ``user``), for the audit log.

    Returns
    -------
    (ApiToken, str)
        The stored record and the token itself, which is shown once and never stored.

    Raises
    ------
    ParameterError
        For an unknown scope, ``admin`` for a non-administrator or a lifetime not positive.
    """
    if scopes is None:
        scopes = SCOPES if user.role == "admin" else ("read", "write")
    chosen = parse_scopes(scopes)
    if "admin" in chosen and user.role != "admin":
        raise ParameterError(f"The 'admin' scope is for administrators; {user.email} is not one.")
    if lifetime is not None and lifetime <= dt.timedelta(0):
        raise ParameterError(f"A token's lifetime must be positive; got {lifetime}.")
    prefix = secrets.token_hex(4)
    token = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    stored = ApiToken(
        user_id=user.id,
        prefix=prefix,
        token_hash=_digest(token),
        name=name,
        scopes=" ".join(chosen),
        expires_at=utcnow() + lifetime if lifetime is not None else None,
    )
    session.add(stored)
    session.flush()
    after = {"prefix": prefix, "scopes": stored.scopes, "expires_at": stored.expires_at}
    record(
        session,
        actor=actor or user,
        entity="api_token",
        entity_id=stored.id,
        action="create",
        after=after,
    )
    return stored, token


def token_is_live(stored: ApiToken, *, now: dt.datetime | None = None) -> bool:
    """Return whether a token is neither revoked nor expired."""
    moment = now or utcnow()
    if stored.revoked_at is not None:
        return False
    return stored.expires_at is None or aware(stored.expires_at) > moment


def find_token(session: Session, token: str) -> ApiToken | None:
    """Return the live token record of an active user matching ``token``, else ``None``.

    The token's ``last_used_at`` is updated (at most once a minute, to spare writes).
    """
    parts = token.removeprefix(TOKEN_PREFIX).split("_", 1) if token.startswith(TOKEN_PREFIX) else []
    if len(parts) != 2:
        return None
    stored = session.scalar(select(ApiToken).where(ApiToken.prefix == parts[0]))
    if stored is None or not hmac.compare_digest(stored.token_hash, _digest(token)):
        return None
    now = utcnow()
    if not token_is_live(stored, now=now):
        return None
    user = session.get(User, stored.user_id)
    if user is None or not user.active:
        return None
    if stored.last_used_at is None or now - aware(stored.last_used_at) >= _TOUCH_EVERY:
        stored.last_used_at = now
    return stored


def authenticate_token(session: Session, token: str) -> User | None:
    """Return the active user owning this live (unrevoked, unexpired) token, else ``None``."""
    stored = find_token(session, token)
    return session.get(User, stored.user_id) if stored is not None else None


def _may_manage(actor: User | None, owner_id: int, admin: bool | None = None) -> bool:
    """Whether ``actor`` may manage a record of ``owner_id`` (``None``: the command line).

    ``admin`` overrides the actor's role (an admin signed in with a token that lacks the
    ``admin`` scope acts as an ordinary user).
    """
    if actor is None:
        return True
    is_admin = actor.role == "admin" if admin is None else admin
    return is_admin or actor.id == owner_id


def list_tokens(
    session: Session, *, user_id: int | None = None, include_inactive: bool = False
) -> list[ApiToken]:
    """Return API tokens, newest first: of one user or of everyone, live ones by default."""
    query = select(ApiToken).order_by(ApiToken.id.desc())
    if user_id is not None:
        query = query.where(ApiToken.user_id == user_id)
    found = list(session.scalars(query))
    return found if include_inactive else [t for t in found if token_is_live(t)]


def revoke_token(
    session: Session, *, token_id: int, actor: User | None = None, admin: bool | None = None
) -> ApiToken:
    """Revoke an API token (it stays in the table, unusable).

    Parameters
    ----------
    token_id : int
    actor : User, optional
        Its owner or an administrator; ``None`` for the command line.
    admin : bool, optional
        Whether ``actor`` acts as an administrator (default: when its role is ``admin``).

    Raises
    ------
    RecordNotFoundError
        When there is no such token, or it belongs to someone else and ``actor`` is no admin
        (the answer does not tell others' tokens from missing ones).
    """
    stored = session.get(ApiToken, token_id)
    if stored is None or not _may_manage(actor, stored.user_id, admin):
        raise RecordNotFoundError(f"There is no API token {token_id}, or it is not yours.")
    if stored.revoked_at is None:
        stored.revoked_at = utcnow()
        record(session, actor=actor, entity="api_token", entity_id=token_id, action="revoke")
    return stored


def can_edit(user: User | None, organisation: Organisation) -> bool:
    """Return whether ``user`` may edit ``organisation``.

    An active admin may edit any organisation, an active manager only the one it manages;
    anonymous and public users may not edit.
    """
    if user is None or not user.active:
        return False
    if user.role == "admin":
        return True
    return user.role == "manager" and user.organisation_id == organisation.id


def require_edit(user: User | None, organisation: Organisation) -> None:
    """Raise :class:`PermissionDeniedError` unless :func:`can_edit` allows the change."""
    if not can_edit(user, organisation):
        who = user.email if user is not None else "an anonymous user"
        raise PermissionDeniedError(f"{who} may not edit organisation {organisation.id}.")
