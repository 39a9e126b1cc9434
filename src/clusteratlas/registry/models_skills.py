"""Typed declarative model of the skill needs a cluster organisation posts for its members.

A :class:`SkillNeed` holds free text and/or ESCO skill URIs, the number of people, a region
and a horizon, and optionally a preferred programme format. Its organisation's managers (and
administrators) post, edit and withdraw it (:mod:`clusteratlas.registry.services_skills`);
a withdrawn need is kept, with its history in the audit log, and left out of matching.

A :class:`ProgrammeTagCorrection` is a hand correction of a training programme's automatic
ESCO tags (:mod:`clusteratlas.registry.services_tags`): one current row per programme and
skill, ``add`` or ``remove``; a later correction of the same pair replaces the earlier one.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from clusteratlas.registry.models_org import Base, _now

NEED_STATUSES = ("open", "withdrawn")
"""Statuses of a skill need."""
TAG_ACTIONS = ("add", "remove")
"""Actions of a hand correction of a programme's ESCO tags."""


class SkillNeed(Base):
    """A skill need of a cluster organisation's members."""

    __tablename__ = "skill_need"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(Text, default="")
    skills: Mapped[list[str]] = mapped_column(default=list)
    people: Mapped[int] = mapped_column(Integer, default=1)
    region: Mapped[str] = mapped_column(String(12), default="")
    horizon: Mapped[str] = mapped_column(String(60), default="")
    format: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=_now, onupdate=_now
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class ProgrammeTagCorrection(Base):
    """A hand correction of one ESCO tag of a training programme (the seed's programmes).

    ``programme_id`` is the programme's string id in the programmes table (the packaged
    seed), ``skill_id`` an ESCO skill URI; ``action`` is ``add`` or ``remove``.
    """

    __tablename__ = "programme_tag_correction"
    __table_args__ = (UniqueConstraint("programme_id", "skill_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[str] = mapped_column(String(100), index=True)
    skill_id: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(10))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
