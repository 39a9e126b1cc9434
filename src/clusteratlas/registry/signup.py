"""Self-service sign-up of Meet participants, with e-mail verification and an outbox.

:func:`sign_up` creates an account of the least role (``participant``: it registers to open
Meet events and does nothing else in the registry) and a verification token; the link with
the token goes to the **outbox** (there is no mail server: a table that an operator or a
mail relay reads, or the server log). Until the link is followed (:func:`verify_email`) the
account may sign in but not register to an event (:func:`require_verified`).

Abuse controls:

* the same password policy as every account (:func:`~.auth.hash_password`);
* no account enumeration: the answer is the same whether the address is known or not, and
  the password is hashed either way (same time); a known address gets a mail saying that
  someone tried to sign up with it, never a second account;
* only the SHA-256 hash of the 256-bit token is stored, the token expires
  (``CLUSTERATLAS_SIGNUP_VERIFY_HOURS``) and is used once;
* the interfaces count each attempt in the sign-in throttle (per address and per e-mail,
  with back-off and the tarpit) before any work;
* sign-up is off unless ``CLUSTERATLAS_SIGNUP=on``.

==========================================  ====================================  ========
Variable                                    Meaning                               Default
==========================================  ====================================  ========
``CLUSTERATLAS_SIGNUP``                     ``on`` lets anyone sign up            ``off``
``CLUSTERATLAS_SIGNUP_VERIFY_HOURS``        lifetime of a verification link       48
``CLUSTERATLAS_SIGNUP_OUTBOX``              ``table`` (``mail_outbox``) or ``log``  table
``CLUSTERATLAS_PUBLIC_URL``                 the site's address, for the links     (see below)
==========================================  ====================================  ========

The link in a verification mail carries the token, so its address must be the site's own:
``CLUSTERATLAS_PUBLIC_URL`` (e.g. ``https://atlas.example.org``) when set; otherwise the
request's address, but only when its ``Host`` is checked (``CLUSTERATLAS_ALLOWED_HOSTS`` set,
without ``*``). With neither, sign-up is refused (:class:`~clusteratlas.errors.NotConfiguredError`,
503), because a forged ``Host: evil.example`` would otherwise mail a victim a link that hands
their token to that site.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import math
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from sqlalchemy.orm import Session

from clusteratlas._validation import env_number
from clusteratlas.errors import NotConfiguredError, ParameterError, PermissionDeniedError
from clusteratlas.registry.audit import record
from clusteratlas.registry.auth import aware, create_user, hash_password, utcnow
from clusteratlas.registry.models import EmailVerification, OutboxMail, User
from clusteratlas.registry.sessions import revoke_user_sessions

log = logging.getLogger(__name__)

SIGNUP_ROLE = "participant"
"""The role of a self-service account (registers to open Meet events, nothing else)."""
VERIFY_PATH = "/signup/verify"
"""Path of the verification page; the link is ``<base URL>/signup/verify?token=…``."""
_SWITCH = {"on": True, "true": True, "1": True, "yes": True,
           "off": False, "false": False, "0": False, "no": False}  # fmt: skip


@dataclass(frozen=True)
class SignupSettings:
    """Whether anyone may sign up, how long a verification link lives, where mail goes.

    Attributes
    ----------
    enabled : bool, default False
        Off by default: a registry served read-only must not grow a public write surface
        by an upgrade; an organiser switches it on for the time of an event.
    verify_lifetime : datetime.timedelta, default 48 hours
    outbox : {"table", "log"}, default "table"
        ``table``: messages are stored in ``mail_outbox``; ``log``: written to the server
        log (logger ``clusteratlas.registry.signup``, level WARNING).
    public_url : str, optional
        The site's address for the links in mails (default: the request's, when its host
        is checked; see :func:`link_site`).
    """

    enabled: bool = False
    verify_lifetime: dt.timedelta = dt.timedelta(hours=48)
    outbox: Literal["table", "log"] = "table"
    public_url: str | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> SignupSettings:
        """Read the settings from ``environ`` (default: ``os.environ``).

        Raises
        ------
        ParameterError
            When a variable has a value it does not take (the message names it).
        """
        env = os.environ if environ is None else environ
        switch = env.get("CLUSTERATLAS_SIGNUP", "").strip().lower() or "off"
        if switch not in _SWITCH:
            raise ParameterError(f"CLUSTERATLAS_SIGNUP must be 'on' or 'off'; got {switch!r}.")
        outbox = env.get("CLUSTERATLAS_SIGNUP_OUTBOX", "").strip().lower() or "table"
        if outbox not in ("table", "log"):
            raise ParameterError(
                f"CLUSTERATLAS_SIGNUP_OUTBOX must be 'table' or 'log'; got {outbox!r}."
            )
        hours = env_number(
            "CLUSTERATLAS_SIGNUP_VERIFY_HOURS", 48, low=1, high=math.inf, environ=env
        )
        return cls(
            enabled=_SWITCH[switch],
            verify_lifetime=dt.timedelta(hours=int(hours)),
            outbox="table" if outbox == "table" else "log",
            public_url=env.get("CLUSTERATLAS_PUBLIC_URL", "").strip() or None,
        )


NO_SITE_ADDRESS = (
    "Sign-up is on (CLUSTERATLAS_SIGNUP) but the server cannot build a safe verification "
    "link: set CLUSTERATLAS_PUBLIC_URL to the site's address (e.g. https://atlas.example.org), "
    "or CLUSTERATLAS_ALLOWED_HOSTS to its host names, so that a forged Host header cannot "
    "send a link to another site."
)
"""Why sign-up is refused when neither the site's address nor a checked host is known."""


def link_site(settings: SignupSettings, *, base_url: str | None) -> str:
    """Return the address the links in mails start with.

    Parameters
    ----------
    settings : SignupSettings
    base_url : str or None
        The request's address, given only when its ``Host`` was checked against
        ``CLUSTERATLAS_ALLOWED_HOSTS``; ``None`` otherwise.

    Returns
    -------
    str
        ``settings.public_url`` when set, else ``base_url``, without a trailing ``/``.

    Raises
    ------
    NotConfiguredError
        With neither: the message names both variables.
    """
    site = settings.public_url or base_url
    if not site:
        raise NotConfiguredError(NO_SITE_ADDRESS)
    return site.rstrip("/")


def normalise_email(email: str) -> str:
    """Return ``email`` in the form accounts are stored (checked, lower case).

    The syntax is checked with `email-validator <https://pypi.org/project/email-validator/>`_
    (no DNS lookup).

    Raises
    ------
    ParameterError
        When it is not an e-mail address.
    """
    try:
        checked = validate_email(email.strip(), check_deliverability=False)
    except EmailNotValidError as err:
        raise ParameterError(
            f"The 'email' parameter must be an e-mail address such as name@example.org: {err}"
        ) from err
    return str(checked.normalized).lower()


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def send_mail(
    session: Session, settings: SignupSettings, *, recipient: str, subject: str, body: str
) -> None:
    """Put a message in the outbox (the ``mail_outbox`` table or the log)."""
    if settings.outbox == "log":
        log.warning("Mail to %s: %s\n%s", recipient, subject, body)
        return
    session.add(OutboxMail(recipient=recipient, subject=subject, body=body))
    session.flush()


def sign_up(
    session: Session,
    *,
    email: str,
    password: str,
    name: str | None = None,
    base_url: str | None,
    settings: SignupSettings,
    now: dt.datetime | None = None,
) -> None:
    """Sign up a participant account and mail it a verification link (or say it exists).

    Returns nothing, whatever happened, so that an interface cannot tell a new address from
    a known one; the outbox says which.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The caller commits.
    email, password : str
        The password follows the policy of every account (at least 8 characters).
    name : str, optional
    base_url : str or None
        The request's address (``https://atlas.example.org``), for the link unless the
        settings give one; pass it only when the request's ``Host`` was checked (see
        :func:`link_site`), else ``None``.
    settings : SignupSettings
    now : datetime, optional
        Default: the current time (UTC).

    Raises
    ------
    PermissionDeniedError
        When sign-up is switched off.
    NotConfiguredError
        When no safe address for the link is known (see :func:`link_site`); nothing stored.
    ParameterError
        For an address that is not one, or a password the policy refuses.
    """
    if not settings.enabled:
        raise PermissionDeniedError(
            "Self-service sign-up is switched off on this server; ask an administrator."
        )
    site = link_site(settings, base_url=base_url)
    address = normalise_email(email)
    password_hash = hash_password(password)  # the policy and the time, known address or not
    existing = session.scalar(select(User).where(User.email == address))
    pending = (
        session.scalar(
            select(EmailVerification).where(
                EmailVerification.user_id == existing.id, EmailVerification.verified_at.is_(None)
            )
        )
        if existing is not None
        else None
    )
    if existing is not None and pending is None:
        send_mail(session, settings, recipient=address, subject="Sign-up attempt",
                  body="Someone (perhaps you) tried to sign up with this address, which "
                  "already has an account. Sign in instead; if you forgot the password, ask "
                  "an administrator to reset it. If it was not you, ignore this message.")  # fmt: skip
        record(session, actor=None, entity="app_user", entity_id=existing.id,
               action="signup_repeat", note="sign-up attempted for an existing account")  # fmt: skip
        return
    token = secrets.token_urlsafe(32)
    expires = (now or utcnow()) + settings.verify_lifetime
    if existing is not None and pending is not None:
        # Never confirmed: the latest sign-up wins (only the mailbox's owner can confirm it),
        # so nobody can hold an address by signing up with it first.
        existing.password_hash, existing.name = password_hash, name
        pending.token_hash, pending.expires_at = _digest(token), expires
        revoke_user_sessions(session, user_id=existing.id, actor=None)
        record(session, actor=None, entity="app_user", entity_id=existing.id,
               action="signup_repeat", note="unconfirmed sign-up renewed")  # fmt: skip
    else:
        user = create_user(session, email=address, role=SIGNUP_ROLE, name=name)
        user.password_hash = password_hash
        session.add(
            EmailVerification(user_id=user.id, token_hash=_digest(token), expires_at=expires)
        )
    session.flush()
    link = f"{site}{VERIFY_PATH}?token={token}"
    hours = int(settings.verify_lifetime.total_seconds() // 3600)
    send_mail(session, settings, recipient=address, subject="Confirm your e-mail address",
              body=f"Follow this link within {hours} hours to confirm your address and "
              f"register to events:\n{link}\n")  # fmt: skip


def verify_email(session: Session, *, token: str, now: dt.datetime | None = None) -> User:
    """Confirm the address of the account that ``token`` was sent to.

    Raises
    ------
    ParameterError
        When the token is unknown, already used or expired (one message for all three).
    """
    found = session.scalar(
        select(EmailVerification).where(EmailVerification.token_hash == _digest(token.strip()))
    )
    moment = now or utcnow()
    if found is None or found.verified_at is not None or aware(found.expires_at) <= moment:
        raise ParameterError(
            "This verification link is unknown, already used or expired; sign up again to "
            "get a new one."
        )
    found.verified_at = moment
    user = session.get(User, found.user_id)
    assert user is not None  # the row cascades with its account
    record(session, actor=user, entity="app_user", entity_id=user.id, action="update",
           note="e-mail address confirmed")  # fmt: skip
    return user


def is_verified(session: Session, user: User) -> bool:
    """Return whether ``user`` confirmed its address (accounts made by admins always have)."""
    pending = session.scalar(
        select(EmailVerification.id).where(
            EmailVerification.user_id == user.id, EmailVerification.verified_at.is_(None)
        )
    )
    return pending is None


def require_verified(session: Session, user: User, what: str) -> None:
    """Raise :class:`PermissionDeniedError` unless ``user`` confirmed its address."""
    if not is_verified(session, user):
        raise PermissionDeniedError(
            f"Confirm your e-mail address (follow the link we sent) before you {what}."
        )


def outbox(session: Session, *, recipient: str | None = None) -> list[OutboxMail]:
    """Return the outbox, newest first (only the messages to ``recipient`` when given)."""
    query = select(OutboxMail).order_by(OutboxMail.id.desc())
    if recipient is not None:
        query = query.where(OutboxMail.recipient == recipient.strip().lower())
    return list(session.scalars(query))


__all__ = [
    "NO_SITE_ADDRESS",
    "SIGNUP_ROLE",
    "SignupSettings",
    "is_verified",
    "link_site",
    "normalise_email",
    "outbox",
    "require_verified",
    "send_mail",
    "sign_up",
    "verify_email",
]
