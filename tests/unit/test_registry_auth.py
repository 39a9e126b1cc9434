# ruff: noqa: F811  (pytest fixtures imported from _registry_support)
from __future__ import annotations

import pytest
from _registry_support import factory, registry_url, session  # noqa: F401
from sqlalchemy.orm import Session

from clusteratlas.errors import ParameterError
from clusteratlas.registry import (
    authenticate_password,
    authenticate_token,
    can_edit,
    create_organisation,
    create_token,
    create_user,
    revoke_token,
)
from clusteratlas.registry.models import ApiToken


def test_passwords_are_argon2_hashed(session: Session) -> None:
    user = create_user(session, email="Admin@Example.eu", password="correct horse", role="admin")
    assert user.password_hash is not None and user.password_hash.startswith("$argon2id$")
    assert "correct horse" not in user.password_hash
    assert (
        authenticate_password(session, email="admin@example.eu", password="correct horse") is user
    )
    assert authenticate_password(session, email="admin@example.eu", password="wrong pass") is None
    assert authenticate_password(session, email="nobody@example.eu", password="x" * 8) is None
    user.active = False
    assert (
        authenticate_password(session, email="admin@example.eu", password="correct horse") is None
    )


def test_roles_are_checked(session: Session) -> None:
    with pytest.raises(ParameterError, match="exactly one organisation"):
        create_user(session, email="m@x.eu", role="manager")
    with pytest.raises(ParameterError):
        create_user(session, email="m@x.eu", role="owner")
    with pytest.raises(ParameterError, match="8 characters"):
        create_user(session, email="m@x.eu", password="short")


def test_tokens_are_stored_hashed_and_revocable(session: Session) -> None:
    user = create_user(session, email="api@x.eu")
    stored, token = create_token(session, user=user, name="ci")
    assert token.startswith(f"ca_{stored.prefix}_")
    assert token not in {stored.token_hash, stored.prefix}
    assert session.get(ApiToken, stored.id) is stored
    assert authenticate_token(session, token) is user
    assert stored.last_used_at is not None
    assert authenticate_token(session, token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    assert authenticate_token(session, "ca_deadbeef_nothing") is None
    assert authenticate_token(session, "garbage") is None
    revoke_token(session, token_id=stored.id)
    assert authenticate_token(session, token) is None


def test_can_edit(session: Session) -> None:
    a = create_organisation(session, actor=None, data={"name": "A", "country": "FR"})
    b = create_organisation(session, actor=None, data={"name": "B", "country": "FR"})
    admin = create_user(session, email="a@x.eu", role="admin")
    manager = create_user(session, email="m@x.eu", role="manager", organisation_id=a.id)
    public = create_user(session, email="p@x.eu")
    assert can_edit(admin, a) and can_edit(admin, b)
    assert can_edit(manager, a) and not can_edit(manager, b)
    assert not can_edit(public, a) and not can_edit(None, a)
    manager.active = False
    assert not can_edit(manager, a)
