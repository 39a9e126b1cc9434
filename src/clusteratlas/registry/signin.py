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
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from limits import RateLimitItem, parse_many
from limits.aio.strategies import MovingWindowRateLimiter as AsyncMovingWindowRateLimiter
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
    asynchronous : bool, default False
        Count with ``limits``' asyncio storage and strategy (:meth:`attempt_async`,
        :meth:`succeeded_async`), for a server that refuses throttled attempts in its event
        loop: the in-memory storage then cleans up with an asyncio task instead of starting
        a timer thread at (nearly) every attempt, and a Redis storage is asked without
        blocking the loop (``redis.asyncio``, from the same ``redis`` package as the
        synchronous storage). The synchronous methods are then unavailable.

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
        asynchronous: bool = False,
    ) -> None:
        defaults = AuthSettings()
        self.asynchronous = asynchronous
        self._limiter: MovingWindowRateLimiter | None = None
        self._async_limiter: AsyncMovingWindowRateLimiter | None = None
        uri = f"async+{storage}" if asynchronous and not storage.startswith("async+") else storage
        options: dict[str, str] = {}
        if asynchronous and uri.startswith(("async+redis", "async+rediss")):
            options["implementation"] = "redispy"  # the redis package, as in the sync case
        try:
            if asynchronous:
                store = storage_from_string(uri, **options)
                self._async_limiter = AsyncMovingWindowRateLimiter(store)
            else:
                self._limiter = MovingWindowRateLimiter(storage_from_string(uri))
        except ConfigurationError as err:
            raise ParameterError(
                f"CLUSTERATLAS_RATELIMIT_STORAGE={storage!r} cannot be used: {err}"
            ) from err
        self.account = _tiers(account_limits or defaults.account_limits, "account")
        self.address = _tiers(address_limits or defaults.address_limits, "address")

    @classmethod
    def from_settings(cls, settings: AuthSettings, *, asynchronous: bool = False) -> SignInThrottle:
        """Build the throttle that ``settings`` describe."""
        return cls(
            settings.ratelimit_storage,
            account_limits=settings.account_limits,
            address_limits=settings.address_limits,
            asynchronous=asynchronous,
        )

    def _sync(self) -> MovingWindowRateLimiter:
        if self._limiter is None:
            raise TypeError("This throttle is asynchronous: use attempt_async/succeeded_async.")
        return self._limiter

    def _async(self) -> AsyncMovingWindowRateLimiter:
        if self._async_limiter is None:
            raise TypeError("This throttle is synchronous: use attempt/succeeded.")
        return self._async_limiter

    def _wait(self, tiers: list[RateLimitItem], key: str) -> int:
        """Count one attempt on every tier; return seconds to wait when one is exhausted."""
        limiter = self._sync()
        for tier in tiers:
            if not limiter.hit(tier, "signin", key):
                reset = limiter.get_window_stats(tier, "signin", key).reset_time
                return max(1, math.ceil(reset - time.time()))
        return 0

    async def _wait_async(self, tiers: list[RateLimitItem], key: str) -> int:
        """:meth:`_wait` with the asyncio strategy."""
        limiter = self._async()
        for tier in tiers:
            if not await limiter.hit(tier, "signin", key):
                reset = (await limiter.get_window_stats(tier, "signin", key)).reset_time
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
        _refuse(wait)

    async def attempt_async(self, *, account: str, address: str) -> None:
        """:meth:`attempt` for an asynchronous throttle."""
        wait = await self._wait_async(self.address, f"address:{address}")
        wait = wait or await self._wait_async(self.account, f"account:{account}")
        _refuse(wait)

    def succeeded(self, *, account: str) -> None:
        """Clear the account's counts after a successful sign-in."""
        for tier in self.account:
            self._sync().clear(tier, "signin", f"account:{account}")

    async def succeeded_async(self, *, account: str) -> None:
        """:meth:`succeeded` for an asynchronous throttle."""
        for tier in self.account:
            await self._async().clear(tier, "signin", f"account:{account}")


def _refuse(wait: int) -> None:
    if wait:
        raise TooManyAttemptsError(
            f"Too many sign-in attempts; try again in {wait} seconds.", retry_after=wait
        )


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


def account_key(email: str) -> str:
    """Return the account an e-mail names, as the throttle and the user table know it."""
    return email.strip().lower()


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

    Counts the attempt with ``throttle`` first, then calls :func:`verify_sign_in`.

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
    count_attempt(throttle, email=email, client=client)
    done = verify_sign_in(
        factory,
        email=email,
        password=password,
        settings=settings,
        client=client,
        user_agent=user_agent,
    )
    if done is not None:
        throttle.succeeded(account=account_key(email))
    return done


SIGNUP_KEY_PREFIX = "signup:"
"""Prefix of the throttle's account key for sign-up attempts (so they never lock a sign-in)."""


class RefusalLog:
    """Warn of throttled sign-ins once per account and address per ``every`` seconds.

    Sign-up attempts (accounts keyed ``signup:<e-mail>``) are logged as "Sign-up throttled"
    with the bare e-mail, sign-in attempts as "Sign-in throttled".

    A flood refused hundreds of times a second would otherwise write as many log lines (and
    spend the server's CPU on them); each warning says how many refusals it stands for.
    At most ``most`` pairs are remembered (the oldest forgotten first), so that a flood from
    many addresses cannot grow the memory without bound.
    """

    def __init__(self, *, every: float = 60.0, most: int = 10_000) -> None:
        self.every, self.most = every, most
        self._seen: OrderedDict[tuple[str, str], tuple[float, int]] = OrderedDict()
        self._lock = threading.Lock()

    def refused(self, account: str, address: str, *, now: float | None = None) -> int:
        """Count a refusal; log and return the refusals it stands for, or 0 when not logged."""
        moment = time.monotonic() if now is None else now
        key = (account, address)
        with self._lock:
            last, unlogged = self._seen.pop(key, (-math.inf, 0))
            if moment - last < self.every:
                self._seen[key] = (last, unlogged + 1)
                return 0
            self._seen[key] = (moment, 0)
            while len(self._seen) > self.most:
                self._seen.popitem(last=False)
        count = unlogged + 1
        signup = account.startswith(SIGNUP_KEY_PREFIX)
        log.warning(
            "%s throttled for %r from %s (%d refusal%s since the last warning)",
            "Sign-up" if signup else "Sign-in",
            account.removeprefix(SIGNUP_KEY_PREFIX) if signup else account,
            address,
            count,
            "" if count == 1 else "s",
        )
        return count


_REFUSALS = RefusalLog()


def count_attempt(throttle: SignInThrottle, *, email: str, client: str | None) -> None:
    """Count a sign-in attempt; raise :class:`TooManyAttemptsError` when it must wait.

    The first step of :func:`sign_in`, apart so that a server can refuse a throttled
    attempt (429) before it spends a thread or a password-hash slot on it.
    """
    account, address = account_key(email), client or "unknown"
    try:
        throttle.attempt(account=account, address=address)
    except TooManyAttemptsError:
        _REFUSALS.refused(account, address)
        raise


async def count_attempt_async(throttle: SignInThrottle, *, email: str, client: str | None) -> None:
    """:func:`count_attempt` with an asynchronous throttle (in a server's event loop)."""
    account, address = account_key(email), client or "unknown"
    try:
        await throttle.attempt_async(account=account, address=address)
    except TooManyAttemptsError:
        _REFUSALS.refused(account, address)
        raise


def verify_sign_in(
    factory: sessionmaker[Session],
    *,
    email: str,
    password: str,
    settings: AuthSettings | None = None,
    client: str | None = None,
    user_agent: str | None = None,
    verify: Callable[[str | None, str], bool] | None = None,
) -> SignIn | None:
    """Check an attempt already counted by :func:`count_attempt` (steps 2–4 of the module).

    Call it only after :func:`count_attempt` let the attempt through, and clear the
    account's counts (``throttle.succeeded``) when it returns a sign-in; :func:`sign_in` does
    all three. Parameters and result as :func:`sign_in` (without ``throttle``), plus
    ``verify``:

    Parameters
    ----------
    verify : callable, optional
        ``verify(stored_hash_or_None, password) -> bool``; a server passes one that runs
        :func:`~clusteratlas.registry.auth.verify_password` on its low-priority hash threads
        (default: that function, in the calling thread).
    """
    account = account_key(email)
    address = client or "unknown"
    with session_scope(factory) as session:
        found = session.scalar(select(User).where(User.email == account))
        user_id = found.id if found is not None else None
        usable = found is not None and found.active and found.password_hash is not None
        stored_hash = found.password_hash if usable and found is not None else None
    check = verify if verify is not None else verify_password
    right = check(stored_hash, password)  # no transaction open: no lock held
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
    return SignIn(user=user, record=opened, secret=secret)
