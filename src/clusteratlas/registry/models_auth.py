"""Typed declarative model of server-side sign-in sessions.

A browser that signs in receives a random session id (``cas_…``, 256 bits) in an HttpOnly
cookie; only its SHA-256 hash is stored here, with the session's absolute expiry, the time it
was last seen (for the idle timeout) and its revocation time (sign-out, or revoked by its
owner or an administrator).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clusteratlas.registry.models_org import Base, _now
from clusteratlas.registry.models_social import User


class UserSession(Base):
    """A signed-in browser or client: hashed id, lifetimes, where it signed in from."""

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    last_seen_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    client: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(200))

    user: Mapped[User] = relationship()
