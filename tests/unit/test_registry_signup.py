# ruff: noqa: F811  (pytest fixtures imported from _registry_support)
"""The sign-up service: outbox modes, verification, the participant role, the migration."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from _registry_support import factory, registry_url, session  # noqa: F401
from sqlalchemy import inspect
from sqlalchemy.orm import Session

from clusteratlas.errors import ParameterError, PermissionDeniedError
from clusteratlas.registry import create_user
from clusteratlas.registry.signup import (
    SignupSettings,
    is_verified,
    normalise_email,
    outbox,
    require_verified,
    sign_up,
    verify_email,
)
from clusteratlas.registry.users import find_user

ON = SignupSettings(enabled=True)
PASSWORD = "correct horse battery"
NOW = dt.datetime(2026, 12, 2, 12, 0, tzinfo=dt.UTC)


def _token(session: Session, email: str) -> str:
    (mail,) = outbox(session, recipient=email)
    return mail.body.split("token=")[1].split()[0]


def test_signup_tables_and_wider_role(session: Session) -> None:
    tables = set(inspect(session.get_bind()).get_table_names())
    assert {"email_verification", "mail_outbox"} <= tables
    columns = {c["name"]: c for c in inspect(session.get_bind()).get_columns("app_user")}
    assert columns["role"]["type"].length == 20  # "participant" is 11 characters


def test_token_expires_at_the_configured_time(session: Session) -> None:
    settings = SignupSettings(enabled=True, verify_lifetime=dt.timedelta(hours=2))
    sign_up(session, email="a@example.org", password=PASSWORD, base_url="http://x",
            settings=settings, now=NOW)  # fmt: skip
    token = _token(session, "a@example.org")
    with pytest.raises(ParameterError, match="expired"):
        verify_email(session, token=token, now=NOW + dt.timedelta(hours=2))
    user = verify_email(session, token=token, now=NOW + dt.timedelta(hours=1, minutes=59))
    assert user.email == "a@example.org" and user.role == "participant"
    assert is_verified(session, user)


def test_unconfirmed_account_may_not_register(session: Session) -> None:
    sign_up(session, email="b@example.org", password=PASSWORD, base_url="http://x", settings=ON)
    user = find_user(session, "b@example.org")
    with pytest.raises(PermissionDeniedError, match="Confirm your e-mail address"):
        require_verified(session, user, "register to an event")
    admin_made = create_user(session, email="c@example.org", password=PASSWORD)
    require_verified(session, admin_made, "register to an event")  # no row: confirmed


def test_log_outbox_writes_no_row(session: Session, caplog: pytest.LogCaptureFixture) -> None:
    settings = SignupSettings(enabled=True, outbox="log")
    with caplog.at_level(logging.WARNING, logger="clusteratlas.registry.signup"):
        sign_up(session, email="d@example.org", password=PASSWORD,
                base_url="https://atlas.example.org/", settings=settings)  # fmt: skip
    assert outbox(session) == []
    assert "https://atlas.example.org/signup/verify?token=" in caplog.text


def test_switched_off_and_bad_input(session: Session) -> None:
    with pytest.raises(PermissionDeniedError, match="switched off"):
        sign_up(session, email="e@example.org", password=PASSWORD, base_url="http://x",
                settings=SignupSettings())  # fmt: skip
    with pytest.raises(ParameterError, match="'email' parameter"):
        normalise_email("two@@example.org")
    assert normalise_email(" Mixed.Case@Example.ORG ") == "mixed.case@example.org"
