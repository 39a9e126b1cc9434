"""Typed declarative models of the training offer: partnerships and programmes.

A :class:`TrainingPartnership` links a cluster organisation and a training provider's
organisation (``kind == "training provider"``). Both sides are kept twice: as registry ids
(``NULL`` while the organisation is not in the registry, or after it was deleted) and as the
key and name recorded with the partnership, so that a seed partnership whose cluster the
registry lacks is still listed (without a link). ``status`` is ``active`` or ``ended``.

A :class:`TrainingProgramme` is a programme of a provider, with the stable text id
``programme_id`` (the seed's ids are kept, e.g. ``pyla-laser``) by which hand tag
corrections (:class:`~clusteratlas.registry.models_skills.ProgrammeTagCorrection`) refer to
it. ``field_sources`` maps a field to ``{"source": …, "status": "CONFIRMED" |
"UNCONFIRMED"}``, as for organisations.

The tables are written by :mod:`clusteratlas.registry.services_training` (partnerships) and
:mod:`clusteratlas.registry.services_programmes` (programmes), audited, and
filled from the packaged skills seed by :func:`clusteratlas.registry.seed.seed_training_offer`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Date, DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from clusteratlas.registry.models_org import Base, _now

PARTNERSHIP_STATUSES = ("active", "ended")
"""Statuses of a training partnership."""


class TrainingPartnership(Base):
    """A partnership of a cluster organisation with a training provider."""

    __tablename__ = "training_partnership"

    id: Mapped[int] = mapped_column(primary_key=True)
    cluster_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL"), index=True
    )
    provider_organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL"), index=True
    )
    cluster_key: Mapped[str] = mapped_column(String(200), index=True)
    cluster_name: Mapped[str] = mapped_column(String(300))
    provider_id: Mapped[str] = mapped_column(String(100), index=True)
    """The provider's id: its organisation's key without ``provider:``."""
    provider_name: Mapped[str] = mapped_column(String(300))
    purpose: Mapped[str] = mapped_column(Text, default="")
    purpose_status: Mapped[str] = mapped_column(String(20), default="UNCONFIRMED")
    source: Mapped[str] = mapped_column(Text, default="")
    """Where the partnership is stated (the seed's wording, a URL, or who recorded it)."""
    status: Mapped[str] = mapped_column(String(20), default="active", index=True)
    started_on: Mapped[dt.date | None] = mapped_column(Date)
    ended_on: Mapped[dt.date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=_now, onupdate=_now
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class TrainingProgramme(Base):
    """A training programme of a provider (``programme_id`` stable and unique)."""

    __tablename__ = "training_programme"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[str] = mapped_column(String(100), unique=True)
    provider_organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL"), index=True
    )
    provider_id: Mapped[str] = mapped_column(String(100), index=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    duration_hours: Mapped[float | None] = mapped_column(Float)
    format: Mapped[str] = mapped_column(String(20), default="")
    location: Mapped[str] = mapped_column(String(200), default="")
    region: Mapped[str] = mapped_column(String(12), default="")
    level: Mapped[str] = mapped_column(String(60), default="")
    language: Mapped[str] = mapped_column(String(2), default="")
    url: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(Text, default="")
    """The programme's overall status line (the seed's ``status``: CONFIRMED/UNCONFIRMED …)."""
    source: Mapped[str] = mapped_column(Text, default="")
    field_sources: Mapped[dict[str, Any]] = mapped_column(default=dict)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=_now, onupdate=_now
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
