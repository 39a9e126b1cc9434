# ruff: noqa: F811  (pytest fixtures imported from _registry_support)
"""Sessions, token expiry and scopes, and the sign-in service (rate limits, timing, audit)."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from _registry_support import _reset_postgres, factory, registry_url, session  # noqa: F401
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from clusteratlas.errors import ParameterError, RecordNotFoundError, TooManyAttemptsError
from clusteratlas.registry import (
    AuditEntry,
    AuthSettings,
    SignInThrottle,
    authenticate,
    authenticate_token,
    create_session,
    create_token,
    create_user,
    list_sessions,
    make_engine,
    migrate,
    revoke_session,
    revoke_user_sessions,
    sign_in,
)
from clusteratlas.registry import auth as auth_module
from clusteratlas.registry.models import ApiToken, UserSession
from clusteratlas.registry.signin import RefusalLog

PASSWORD = "correct horse battery"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _user(factory: sessionmaker[Session], email: str = "a@x.eu", role: str = "public") -> int:
    with factory.begin() as s:
        return create_user(s, email=email, password=PASSWORD, role=role).id


def test_session_is_refused_after_revocation_idle_time_and_lifetime(session: Session) -> None:
    user = create_user(session, email="s@x.eu", password=PASSWORD)
    settings = AuthSettings(session_idle=dt.timedelta(minutes=30))
    stored, secret = create_session(session, user=user, settings=settings, client="10.0.0.1")
    assert secret.startswith("cas_") and stored.token_hash != secret and secret not in repr(stored)
    found = authenticate(session, secret, settings=settings)
    assert found is not None and found.user is user and found.kind == "session"
    assert found.scopes == {"read", "write", "admin"}
    assert authenticate(session, secret[:-1] + "x", settings=settings) is None
    # Idle for 31 minutes (> 30): refused; seen 29 minutes ago: accepted.
    stored.last_seen_at = _now() - dt.timedelta(minutes=31)
    assert authenticate(session, secret, settings=settings) is None
    stored.last_seen_at = _now() - dt.timedelta(minutes=29)
    assert authenticate(session, secret, settings=settings) is not None
    # Past its absolute lifetime, however recently used: refused.
    stored.expires_at = _now() - dt.timedelta(seconds=1)
    assert authenticate(session, secret, settings=settings) is None
    stored.expires_at = _now() + dt.timedelta(hours=1)
    user.active = False
    assert authenticate(session, secret, settings=settings) is None
    user.active = True
    revoke_session(session, session_id=stored.id, actor=user)
    assert authenticate(session, secret, settings=settings) is None
    assert list_sessions(session, user_id=user.id, settings=settings) == []


def test_sessions_are_revocable_by_owner_and_admin_only(session: Session) -> None:
    owner = create_user(session, email="o@x.eu", password=PASSWORD)
    other = create_user(session, email="p@x.eu", password=PASSWORD)
    admin = create_user(session, email="adm@x.eu", password=PASSWORD, role="admin")
    first, _ = create_session(session, user=owner)
    second, _ = create_session(session, user=owner)
    with pytest.raises(RecordNotFoundError):
        revoke_session(session, session_id=first.id, actor=other)
    with pytest.raises(RecordNotFoundError):  # an admin acting without the admin scope
        revoke_session(session, session_id=first.id, actor=admin, admin=False)
    revoke_session(session, session_id=first.id, actor=admin)
    assert first.revoked_at is not None and second.revoked_at is None
    with pytest.raises(RecordNotFoundError):
        revoke_user_sessions(session, user_id=owner.id, actor=other)
    assert revoke_user_sessions(session, user_id=owner.id, actor=owner) == 1
    assert [s.id for s in list_sessions(session, user_id=owner.id)] == []


def test_expired_token_is_refused_and_scopes_are_kept(session: Session) -> None:
    user = create_user(session, email="t@x.eu")
    stored, token = create_token(session, user=user, scopes="read")
    assert stored.scopes == "read"
    days = (stored.expires_at - _now()).total_seconds() / 86400  # type: ignore[operator]
    assert 89.99 < days <= 90.01  # the default lifetime, 90 days
    credential = authenticate(session, token)
    assert credential is not None and credential.scopes == {"read"}
    stored.expires_at = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)  # back-dated
    assert authenticate_token(session, token) is None and authenticate(session, token) is None
    forever, token2 = create_token(session, user=user, lifetime=None)
    assert forever.expires_at is None and authenticate_token(session, token2) is user
    with pytest.raises(ParameterError, match="'admin' scope"):
        create_token(session, user=user, scopes=["admin"])
    with pytest.raises(ParameterError, match="scopes"):
        create_token(session, user=user, scopes="read delete")
    with pytest.raises(ParameterError, match="positive"):
        create_token(session, user=user, lifetime=dt.timedelta(0))


def test_sign_in_audits_success_and_failure_without_the_password(
    factory: sessionmaker[Session],
) -> None:
    user_id = _user(factory)
    throttle = SignInThrottle()
    assert sign_in(factory, email="a@x.eu", password="wrong-one", throttle=throttle) is None
    done = sign_in(factory, email=" A@X.eu ", password=PASSWORD, throttle=throttle, client="h1")
    assert done is not None and done.user.id == user_id and done.record.client == "h1"
    assert sign_in(factory, email="ghost@x.eu", password=PASSWORD, throttle=throttle) is None
    with factory() as s:
        rows = list(s.scalars(select(AuditEntry).where(AuditEntry.action.like("login%"))))
        actions = [(r.action, r.entity_id) for r in rows]
        assert actions == [
            ("login_failed", user_id),
            ("login", user_id),
            ("login_failed", None),
        ]
        assert "ghost@x.eu" in str(rows[2].note)
        for row in rows:
            assert PASSWORD not in f"{row.note} {row.diff}" and "wrong-one" not in str(row.note)
        assert s.get(UserSession, done.record.id) is not None


def test_unknown_account_is_checked_against_a_dummy_hash_with_no_connection_held(
    factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    _user(factory)
    engine = factory.kw["bind"]
    calls: list[tuple[str, int]] = []
    real = auth_module._HASHER
    auth_module._dummy_hash()  # made once per process, before the spy is in place

    class Spy:
        def verify(self, hashed: str, password: str) -> bool:
            calls.append((hashed, engine.pool.checkedout()))
            return bool(real.verify(hashed, password))

        def check_needs_rehash(self, hashed: str) -> bool:
            return bool(real.check_needs_rehash(hashed))

    monkeypatch.setattr(auth_module, "_HASHER", Spy())
    throttle = SignInThrottle()
    assert sign_in(factory, email="nobody@x.eu", password=PASSWORD, throttle=throttle) is None
    assert sign_in(factory, email="a@x.eu", password=PASSWORD, throttle=throttle) is not None
    (dummy, held_unknown), (known, held_known) = calls
    assert dummy == auth_module._dummy_hash() and dummy.startswith("$argon2id$")
    assert known != dummy and known.startswith("$argon2id$")
    # Neither verification ran while a database connection (hence a transaction) was held.
    assert held_unknown == 0 and held_known == 0


def test_throttle_stops_an_account_within_ten_attempts_and_says_when_to_retry(
    factory: sessionmaker[Session],
) -> None:
    _user(factory)
    throttle = SignInThrottle()
    refused = None
    for attempt in range(1, 11):
        try:
            sign_in(factory, email="a@x.eu", password="wrong pass", throttle=throttle, client="c")
        except TooManyAttemptsError as err:
            refused = (attempt, err.retry_after)
            break
    # Default first tier: 5 attempts per minute, so the 6th is refused for up to 60 s.
    assert refused is not None and refused[0] == 6 and 1 <= refused[1] <= 60
    with pytest.raises(TooManyAttemptsError):  # the right password is refused too, for now
        sign_in(factory, email="a@x.eu", password=PASSWORD, throttle=throttle, client="c")


def test_throttle_counts_per_address_and_clears_the_account_on_success() -> None:
    throttle = SignInThrottle(account_limits="3 per 1 minute", address_limits="5 per 1 minute")
    for _ in range(3):
        throttle.attempt(account="a", address="1.1.1.1")
    with pytest.raises(TooManyAttemptsError):
        throttle.attempt(account="a", address="2.2.2.2")  # the account is exhausted
    throttle.succeeded(account="a")
    throttle.attempt(account="a", address="2.2.2.2")
    # Address 1.1.1.1 tried 3 accounts' worth: 2 more attempts, on any account, then 429.
    throttle.attempt(account="b", address="1.1.1.1")
    throttle.attempt(account="c", address="1.1.1.1")
    with pytest.raises(TooManyAttemptsError):
        throttle.attempt(account="d", address="1.1.1.1")
    # Back-off tiers: the second tier stops an account the first would have let go on.
    tiered = SignInThrottle(account_limits="2 per 1 second; 3 per 1 hour")
    for _ in range(2):
        tiered.attempt(account="x", address="9")
    with pytest.raises(TooManyAttemptsError) as first:
        tiered.attempt(account="x", address="9")
    assert first.value.retry_after <= 1
    import time

    time.sleep(1.1)
    tiered.attempt(account="x", address="9")  # third attempt within the hour
    with pytest.raises(TooManyAttemptsError) as second:
        tiered.attempt(account="x", address="9")
    assert second.value.retry_after > 3000  # now the hour-long tier answers


def test_settings_and_storage_errors_name_what_is_wrong() -> None:
    settings = AuthSettings.from_env(
        {"CLUSTERATLAS_SESSION_IDLE_MINUTES": "15", "CLUSTERATLAS_TOKEN_DAYS": "7"}
    )
    assert settings.session_idle == dt.timedelta(minutes=15)
    assert settings.token_lifetime == dt.timedelta(days=7)
    assert settings.session_lifetime == dt.timedelta(days=14)
    for bad in ("-3", "0", "1.5", "many"):
        with pytest.raises(ParameterError, match=f"CLUSTERATLAS_SESSION_MAX_HOURS .*got '{bad}'"):
            AuthSettings.from_env({"CLUSTERATLAS_SESSION_MAX_HOURS": bad})
    with pytest.raises(ParameterError, match="CLUSTERATLAS_RATELIMIT_STORAGE"):
        SignInThrottle("bogus://nowhere")
    with pytest.raises(ParameterError, match="do not parse"):
        SignInThrottle(account_limits="lots")


def test_tokens_made_before_the_migration_keep_working_for_90_days(tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{tmp_path / 'old.sqlite'}"
    if url.startswith("postgresql"):
        _reset_postgres(url)
    migrate(url, revision="0001_initial")
    engine = make_engine(url)
    token = "ca_0123abcd_legacy-secret-of-an-old-token"
    import hashlib

    digest = hashlib.sha256(token.encode()).hexdigest()
    with engine.begin() as c:
        c.execute(
            text(
                "INSERT INTO app_user (email, role, active, created_at) "
                "VALUES ('old@x.eu', 'admin', :t, :now)"
            ),
            {"t": True, "now": _now()},
        )
        c.execute(
            text(
                "INSERT INTO api_token (user_id, prefix, token_hash, created_at) "
                "SELECT id, '0123abcd', :h, :now FROM app_user"
            ),
            {"h": digest, "now": _now()},
        )
    engine.dispose()
    migrate(url)
    engine = make_engine(url)
    with sessionmaker(bind=engine)() as s:
        credential = authenticate(s, token)
        assert credential is not None and credential.user.email == "old@x.eu"
        assert credential.scopes == {"read", "write", "admin"}
        stored = s.scalar(select(ApiToken))
        assert stored is not None and stored.expires_at is not None
        left = auth_module.aware(stored.expires_at) - _now()
        assert dt.timedelta(days=89.9) < left < dt.timedelta(days=90.1)
    engine.dispose()


def test_a_flood_of_refusals_is_logged_once_a_minute_per_account_and_address(
    caplog: pytest.LogCaptureFixture,
) -> None:
    refusals = RefusalLog(every=60, most=2)
    with caplog.at_level("WARNING", logger="clusteratlas.registry.signin"):
        counts = [refusals.refused("a@x.org", "10.0.0.1", now=t) for t in (0, 1, 2, 59.9, 61)]
        other = refusals.refused("a@x.org", "10.0.0.2", now=62)  # another address: its own
        assert refusals.refused("b@x.org", "10.0.0.3", now=63) == 1  # forgets the oldest pair
        again = refusals.refused("a@x.org", "10.0.0.1", now=64)
    assert counts == [1, 0, 0, 0, 4]  # the 61 s warning stands for 3 held back and itself
    assert other == 1 and again == 1
    warnings = [r.getMessage() for r in caplog.records]
    assert len(warnings) == 5
    assert "'a@x.org' from 10.0.0.1 (4 refusals since the last warning)" in warnings[1]
