"""Models of self-service sign-up: e-mail verification tokens and the outgoing-mail outbox."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from clusteratlas.registry.models_org import Base, _now


class EmailVerification(Base):
    """A pending or used e-mail verification of a signed-up account.

    Only the SHA-256 hash of the token is stored (the token is 256-bit random, so a slow hash
    adds nothing); the link with the token itself goes out by mail (the outbox). An account
    with a row whose ``verified_at`` is empty has not confirmed its address; accounts made
    by administrators have no row and count as confirmed.
    """

    __tablename__ = "email_verification"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    verified_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class OutboxMail(Base):
    """A message the server would have mailed.

    There is no mail server: an operator reads the outbox, or a mail relay drains it.
    """

    __tablename__ = "mail_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(320), index=True)
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
