"""Settings of sign-in, sessions and API tokens, read from the environment.

==========================================  ===================================  ==========
Variable                                    Meaning                              Default
==========================================  ===================================  ==========
``CLUSTERATLAS_SESSION_IDLE_MINUTES``       a session ends after this idle time  480 (8 h)
``CLUSTERATLAS_SESSION_MAX_HOURS``          … and at the latest after this       336 (14 d)
``CLUSTERATLAS_TOKEN_DAYS``                 default lifetime of a new API token  90
``CLUSTERATLAS_TOKEN_MAX_DAYS``             longest lifetime one may ask for     365
``CLUSTERATLAS_RATELIMIT_STORAGE``          where sign-in attempts are counted   memory://
``CLUSTERATLAS_RATELIMIT_ACCOUNT``          attempt limits per account           see below
``CLUSTERATLAS_RATELIMIT_ADDRESS``          attempt limits per client address    see below
==========================================  ===================================  ==========

The storage is a `limits <https://limits.readthedocs.io>`_ storage URI: ``memory://`` counts
in the server process (right for one worker); with several workers or servers use a shared
Redis-compatible server, e.g. ``redis://127.0.0.1:6379/0`` (Redis, Valkey, KeyDB; install the
``redis`` package), so that every worker sees the same counts. Limits use the ``limits``
notation separated by ``;``: each tier allows twice the attempts of the one before over four
times the window, so the permitted rate halves at every tier (an exponential back-off).
"""

from __future__ import annotations

import datetime as dt
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass

from clusteratlas._validation import env_number

ACCOUNT_LIMITS = "5 per 1 minute; 10 per 4 minutes; 20 per 16 minutes; 40 per 64 minutes"
"""Sign-in attempts allowed per account (e-mail) before answers are throttled (429)."""

ADDRESS_LIMITS = "20 per 1 minute; 40 per 4 minutes; 80 per 16 minutes; 160 per 64 minutes"
"""Sign-in attempts allowed per client address, whatever the account."""


@dataclass(frozen=True)
class AuthSettings:
    """Lifetimes of sessions and tokens and the sign-in rate limits.

    Attributes
    ----------
    session_idle : datetime.timedelta
        A session not used for this long is refused (idle timeout).
    session_lifetime : datetime.timedelta
        A session is refused this long after sign-in, used or not (absolute timeout).
    token_lifetime : datetime.timedelta
        Lifetime of an API token when its creator does not choose one.
    token_max_lifetime : datetime.timedelta
        The longest lifetime a token may be given (a token never expires only when created
        from the command line with ``--no-expiry``).
    ratelimit_storage : str
        ``limits`` storage URI (``memory://``, ``redis://host:port/db`` …).
    account_limits, address_limits : str
        Rate-limit tiers in ``limits`` notation, separated by ``;``.
    """

    session_idle: dt.timedelta = dt.timedelta(minutes=480)
    session_lifetime: dt.timedelta = dt.timedelta(hours=336)
    token_lifetime: dt.timedelta = dt.timedelta(days=90)
    token_max_lifetime: dt.timedelta = dt.timedelta(days=365)
    ratelimit_storage: str = "memory://"
    account_limits: str = ACCOUNT_LIMITS
    address_limits: str = ADDRESS_LIMITS

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> AuthSettings:
        """Read the settings from ``environ`` (default: ``os.environ``).

        Raises
        ------
        ParameterError
            When a variable is not a positive whole number (it names the variable).
        """
        env = os.environ if environ is None else environ

        def number(name: str, default: int) -> int:
            return int(env_number(name, default, low=1, high=math.inf, environ=env))

        return cls(
            session_idle=dt.timedelta(minutes=number("CLUSTERATLAS_SESSION_IDLE_MINUTES", 480)),
            session_lifetime=dt.timedelta(hours=number("CLUSTERATLAS_SESSION_MAX_HOURS", 336)),
            token_lifetime=dt.timedelta(days=number("CLUSTERATLAS_TOKEN_DAYS", 90)),
            token_max_lifetime=dt.timedelta(days=number("CLUSTERATLAS_TOKEN_MAX_DAYS", 365)),
            ratelimit_storage=env.get("CLUSTERATLAS_RATELIMIT_STORAGE", "").strip() or "memory://",
            account_limits=env.get("CLUSTERATLAS_RATELIMIT_ACCOUNT", "").strip() or ACCOUNT_LIMITS,
            address_limits=env.get("CLUSTERATLAS_RATELIMIT_ADDRESS", "").strip() or ADDRESS_LIMITS,
        )
