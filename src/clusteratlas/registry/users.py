"""Administration of user accounts: find, list, change role, deactivate, reset a password.

Every change is recorded in the audit log; deactivating an account or changing its password
or role also ends its open sessions (a changed role must not live on in an old session).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from clusteratlas._validation import check_in
from clusteratlas.errors import ParameterError, RecordNotFoundError
from clusteratlas.registry.audit import record
from clusteratlas.registry.auth import hash_password
from clusteratlas.registry.models import ROLES, Organisation, User
from clusteratlas.registry.sessions import revoke_user_sessions


def find_user(session: Session, who: str | int) -> User:
    """Return the user with this id or e-mail.

    Raises
    ------
    RecordNotFoundError
        When there is none.
    """
    if isinstance(who, int) or str(who).isdigit():
        user = session.get(User, int(who))
    else:
        user = session.scalar(select(User).where(User.email == str(who).strip().lower()))
    if user is None:
        raise RecordNotFoundError(f"There is no user {who!r} (give an e-mail address or an id).")
    return user


def list_users(session: Session, *, role: str | None = None) -> list[User]:
    """Return the users, by e-mail; only those of ``role`` when given."""
    query = select(User).order_by(User.email)
    if role is not None:
        check_in(role, ROLES, name="role")
        query = query.where(User.role == role)
    return list(session.scalars(query))


def set_role(
    session: Session,
    *,
    user: User,
    role: str,
    organisation_id: int | None = None,
    actor: User | None = None,
) -> User:
    """Give ``user`` a new role (a manager needs ``organisation_id``); end their sessions.

    Raises
    ------
    ParameterError
        For an unknown role, a manager without organisation or another role with one.
    RecordNotFoundError
        For an unknown organisation.
    """
    check_in(role, ROLES, name="role")
    if (role == "manager") != (organisation_id is not None):
        raise ParameterError(
            "A manager must manage exactly one organisation ('organisation_id'); "
            f"a user with role {role!r} must not have one."
        )
    if organisation_id is not None and session.get(Organisation, organisation_id) is None:
        raise RecordNotFoundError(f"There is no organisation {organisation_id}.")
    before = {"role": user.role, "organisation_id": user.organisation_id}
    user.role, user.organisation_id = role, organisation_id
    after = {"role": role, "organisation_id": organisation_id}
    record(
        session,
        actor=actor,
        entity="app_user",
        entity_id=user.id,
        action="update",
        before=before,
        after=after,
    )
    revoke_user_sessions(session, user_id=user.id, actor=actor)
    return user


def set_active(session: Session, *, user: User, active: bool, actor: User | None = None) -> User:
    """Activate or deactivate an account (a deactivated one can neither sign in nor use tokens)."""
    if user.active != active:
        record(
            session,
            actor=actor,
            entity="app_user",
            entity_id=user.id,
            action="update",
            before={"active": user.active},
            after={"active": active},
        )
        user.active = active
    if not active:
        revoke_user_sessions(session, user_id=user.id, actor=actor)
    return user


def set_password(session: Session, *, user: User, password: str, actor: User | None = None) -> User:
    """Set a new password (argon2id) and end the user's sessions."""
    user.password_hash = hash_password(password)
    record(
        session,
        actor=actor,
        entity="app_user",
        entity_id=user.id,
        action="update",
        note="password changed",
    )
    revoke_user_sessions(session, user_id=user.id, actor=actor)
    return user
