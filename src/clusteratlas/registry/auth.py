"""Users, argon2 password hashes, API tokens and edit permissions.

Roles: ``admin`` edits everything; ``manager`` edits exactly one organisation (its
``organisation_id``); ``public`` reads, follows, comments and expresses interest. API tokens
look like ``ca_<prefix>_<secret>``: the 8-character prefix is stored in clear for lookup, the
whole token only as a SHA-256 hash (tokens are 256-bit random, so a slow hash adds nothing).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from clusteratlas._validation import check_in
from clusteratlas.errors import ParameterError, PermissionDeniedError
from clusteratlas.registry.audit import record
from clusteratlas.registry.models import ROLES, ApiToken, Organisation, User

_HASHER = PasswordHasher()
TOKEN_PREFIX = "ca_"


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

    The hash is upgraded in place when argon2's parameters have changed.
    """
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.active or user.password_hash is None:
        return None
    try:
        _HASHER.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if _HASHER.check_needs_rehash(user.password_hash):
        user.password_hash = _HASHER.hash(password)
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, *, user: User, name: str | None = None) -> tuple[ApiToken, str]:
    """Create an API token for ``user``.

    Returns
    -------
    (ApiToken, str)
        The stored record and the token itself, which is shown once and never stored.
    """
    prefix = secrets.token_hex(4)
    token = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    stored = ApiToken(user_id=user.id, prefix=prefix, token_hash=_digest(token), name=name)
    session.add(stored)
    session.flush()
    record(
        session,
        actor=user,
        entity="api_token",
        entity_id=stored.id,
        action="create",
        after={"prefix": prefix},
    )
    return stored, token


def authenticate_token(session: Session, token: str) -> User | None:
    """Return the active user owning this unrevoked token, else ``None``."""
    parts = token.removeprefix(TOKEN_PREFIX).split("_", 1) if token.startswith(TOKEN_PREFIX) else []
    if len(parts) != 2:
        return None
    stored = session.scalar(select(ApiToken).where(ApiToken.prefix == parts[0]))
    if stored is None or stored.revoked_at is not None:
        return None
    if not hmac.compare_digest(stored.token_hash, _digest(token)):
        return None
    user = session.get(User, stored.user_id)
    if user is None or not user.active:
        return None
    stored.last_used_at = dt.datetime.now(dt.UTC)
    return user


def revoke_token(session: Session, *, token_id: int, actor: User | None = None) -> None:
    """Revoke an API token (it stays in the table, unusable)."""
    stored = session.get(ApiToken, token_id)
    if stored is not None and stored.revoked_at is None:
        stored.revoked_at = dt.datetime.now(dt.UTC)
        record(session, actor=actor, entity="api_token", entity_id=token_id, action="revoke")


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
