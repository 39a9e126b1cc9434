"""Signing in: rate limits with back-off, constant-time checks, no lock held while hashing.

:func:`sign_in` is what the API and the web form call. It

1. counts the attempt against the account (the e-mail) and the client address with
   :class:`SignInThrottle` (the `limits <https://limits.readthedocs.io>`_ library) and refuses
   it with :class:`~clusteratlas.errors.TooManyAttemptsError` once a tier is exhausted;
2. reads the account in a short transaction and ends it;
3. verifies the argon2 hash (~0.1 s) outside any transaction, against a dummy hash when the
   account is unknown, inactive or has no password (same time either way);
4. in a second short transaction records the attempt in the audit log (never the password)
   and, on success, opens a server-side session and upgrades an outdated hash.

A successful sign-in clears the account's counts (not the address's).
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass

from limits import RateLimitItem, parse_many
from limits.errors import ConfigurationError
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from clusteratlas.errors import ParameterError, TooManyAttemptsError
from clusteratlas.registry.audit import record
from clusteratlas.registry.auth import _HASHER, needs_rehash, verify_password
from clusteratlas.registry.auth_config import AuthSettings
from clusteratlas.registry.db import session_scope
from clusteratlas.registry.models import User, UserSession
from clusteratlas.registry.sessions import create_session

log = logging.getLogger(__name__)


class SignInThrottle:
    """Counts sign-in attempts per account and per client address in a ``limits`` storage.

    Parameters
    ----------
    storage : str, default "memory://"
        ``limits`` storage URI; a Redis-compatible server (``redis://host:6379/0``) shares the
        counts between workers.
    account_limits, address_limits : str
        Tiers in ``limits`` notation separated by ``;`` (see :mod:`.auth_config`).

    Raises
    ------
    ParameterError
        For an unknown storage scheme, a storage whose client library is missing, or limits
        that do not parse.
    """

    def __init__(
        self,
        storage: str = "memory://",
        *,
        account_limits: str | None = None,
        address_limits: str | None = None,
    ) -> None:
        defaults = AuthSettings()
        try:
            self._limiter = MovingWindowRateLimiter(storage_from_string(storage))
        except ConfigurationError as err:
            raise ParameterError(
                f"CLUSTERATLAS_RATELIMIT_STORAGE={storage!r} cannot be used: {err}"
            ) from err
        self.account = _tiers(account_limits or defaults.account_limits, "account")
        self.address = _tiers(address_limits or defaults.address_limits, "address")

    @classmethod
    def from_settings(cls, settings: AuthSettings) -> SignInThrottle:
        """Build the throttle that ``settings`` describe."""
        return cls(
            settings.ratelimit_storage,
            account_limits=settings.account_limits,
            address_limits=settings.address_limits,
        )

    def _wait(self, tiers: list[RateLimitItem], key: str) -> int:
        """Count one attempt on every tier; return seconds to wait when one is exhausted."""
        for tier in tiers:
            if not self._limiter.hit(tier, "signin", key):
                reset = self._limiter.get_window_stats(tier, "signin", key).reset_time
                return max(1, math.ceil(reset - time.time()))
        return 0

    def attempt(self, *, account: str, address: str) -> None:
        """Count an attempt; raise :class:`TooManyAttemptsError` when it must wait.

        The address is counted first, so that a client trying many accounts is stopped
        without touching their counts.
        """
        wait = self._wait(self.address, f"address:{address}") or self._wait(
            self.account, f"account:{account}"
        )
        if wait:
            raise TooManyAttemptsError(
                f"Too many sign-in attempts; try again in {wait} seconds.", retry_after=wait
            )

    def succeeded(self, *, account: str) -> None:
        """Clear the account's counts after a successful sign-in."""
        for tier in self.account:
            self._limiter.clear(tier, "signin", f"account:{account}")


def _tiers(text: str, what: str) -> list[RateLimitItem]:
    try:
        return list(parse_many(text))
    except ValueError as err:
        raise ParameterError(
            f"The {what} sign-in limits {text!r} do not parse; write e.g. '5 per 1 minute; "
            "10 per 4 minutes'."
        ) from err


@dataclass(frozen=True)
class SignIn:
    """A successful sign-in: the user, the session record and the session id (shown once)."""

    user: User
    record: UserSession
    secret: str


def sign_in(
    factory: sessionmaker[Session],
    *,
    email: str,
    password: str,
    throttle: SignInThrottle,
    settings: AuthSettings | None = None,
    client: str | None = None,
    user_agent: str | None = None,
) -> SignIn | None:
    """Check an e-mail and password; open a session when they are right.

    Parameters
    ----------
    factory : sqlalchemy.orm.sessionmaker
        Session factory of the registry (each step opens its own short transaction).
    email, password : str
        What the user typed.
    throttle : SignInThrottle
        Rate limits of sign-in attempts.
    settings : AuthSettings, optional
        Session lifetimes (default: from the environment).
    client, user_agent : str, optional
        Client address (rate limits, audit log, session list) and browser.

    Returns
    -------
    SignIn or None
        ``None`` for a wrong e-mail or password, or an inactive account.

    Raises
    ------
    TooManyAttemptsError
        When the account or the address made too many attempts (before any check).
    """
    account = email.strip().lower()
    address = client or "unknown"
    try:
        throttle.attempt(account=account, address=address)
    except TooManyAttemptsError:
        log.warning("Sign-in throttled for %r from %s", account, address)
        raise
    with session_scope(factory) as session:
        found = session.scalar(select(User).where(User.email == account))
        user_id = found.id if found is not None else None
        usable = found is not None and found.active and found.password_hash is not None
        stored_hash = found.password_hash if usable and found is not None else None
    right = verify_password(stored_hash, password)  # no transaction open: no lock held
    with session_scope(factory) as session:
        user = session.get(User, user_id) if user_id is not None else None
        if not right or user is None or user.password_hash != stored_hash:
            record(
                session,
                actor=None,
                entity="app_user",
                entity_id=user_id,
                action="login_failed",
                note=f"failed sign-in for {account[:200]!r} from {address}",
            )
            return None
        if stored_hash is not None and needs_rehash(stored_hash):
            user.password_hash = _HASHER.hash(password)
        opened, secret = create_session(
            session, user=user, settings=settings, client=client, user_agent=user_agent
        )
        record(
            session,
            actor=user,
            entity="app_user",
            entity_id=user.id,
            action="login",
            note=f"session {opened.id} from {address}",
        )
    throttle.succeeded(account=account)
    return SignIn(user=user, record=opened, secret=secret)
