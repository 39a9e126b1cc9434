"""Models of self-service: e-mail verification tokens, the mail outbox, proposed organisations."""

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


PROPOSAL_STATUSES = ("pending", "approved", "rejected")
"""A proposed organisation waits (``pending``) until an administrator approves it (it then
enters the registry through :func:`~clusteratlas.registry.services.create_organisation`) or
rejects it."""


class OrganisationProposal(Base):
    """An organisation proposed by a participant, not yet in the registry."""

    __tablename__ = "organisation_proposal"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    country: Mapped[str] = mapped_column(String(2))
    type: Mapped[str] = mapped_column(String(40))
    website: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    proposed_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL")
    )
    """The registry organisation it became (or was found to be) once approved."""
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
