"""Typed declarative models of cluster organisations, their profile, labels and partnerships.

Country codes are ISO 3166-1 alpha-2 (``GB`` for the United Kingdom, ``GR`` for Greece), not
the Eurostat codes ``UK`` and ``EL``; the seed converts them. ``region`` is a NUTS-2 2013 code
(or a CBSA code in the United States) and stays ``None`` where the source does not say;
``region_name`` keeps the name the source gives (for example a French région).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar, Literal, get_args

from sqlalchemy import (
    JSON,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

MEMBER_TYPES = ("sme", "large", "startup", "research", "public", "other")
"""Member types of a cluster organisation, as counted in its profile."""

TAG_KINDS = ("category", "ecosystem", "sector", "stage")
"""Kinds of classification tag: cluster category, industrial ecosystem, NACE/NAICS code
(``nace:C26``, ``naics:3345``) and value-chain stage (``chain:stage``)."""

OrgKind = Literal["cluster organisation", "training provider"]
ORG_KINDS: tuple[str, ...] = get_args(OrgKind)
"""Kinds of registry organisation: a cluster organisation (the default) or a training
provider (the skills partnerships' providers, whose managers correct their programmes' tags)."""
DEFAULT_ORG_KIND = ORG_KINDS[0]

CONFIRMED = "CONFIRMED"
UNCONFIRMED = "UNCONFIRMED"


class Base(DeclarativeBase):
    """Declarative base of every registry table."""

    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[str]: JSON}


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Organisation(Base):
    """A cluster organisation (ECCP-like profile) or a training provider (``kind``).

    ``version`` is the optimistic-concurrency counter: SQLAlchemy adds
    ``WHERE version = :loaded`` to every UPDATE and increments it. ``field_sources`` maps a
    field name to ``{"source": url-or-file, "status": "CONFIRMED" | "UNCONFIRMED"}``.
    """

    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(String(300), index=True)
    kind: Mapped[str] = mapped_column(
        String(40), default=DEFAULT_ORG_KIND, server_default=DEFAULT_ORG_KIND, index=True
    )
    """One of :data:`ORG_KINDS`."""
    acronym: Mapped[str | None] = mapped_column(String(60))
    country: Mapped[str] = mapped_column(String(2), index=True)
    region: Mapped[str | None] = mapped_column(String(12), index=True)
    region_name: Mapped[str | None] = mapped_column(String(200))
    website: Mapped[str | None] = mapped_column(String(500))
    founding_year: Mapped[int | None] = mapped_column(Integer)
    description: Mapped[str | None] = mapped_column(Text)
    management_fte: Mapped[float | None] = mapped_column(Float)
    members_sme: Mapped[int | None] = mapped_column(Integer)
    members_large: Mapped[int | None] = mapped_column(Integer)
    members_startup: Mapped[int | None] = mapped_column(Integer)
    members_research: Mapped[int | None] = mapped_column(Integer)
    members_public: Mapped[int | None] = mapped_column(Integer)
    members_other: Mapped[int | None] = mapped_column(Integer)
    technologies: Mapped[list[str]] = mapped_column(default=list)
    search_text: Mapped[str | None] = mapped_column(Text, deferred=True)
    """Derived text for full-text search (tag labels, partnerships…), kept by
    :mod:`clusteratlas.registry.search_index`; never edited directly."""
    field_sources: Mapped[dict[str, Any]] = mapped_column(default=dict)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=_now, server_default=func.current_timestamp()
    )
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=_now, onupdate=_now
    )

    tags: Mapped[list[Tag]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan", lazy="selectin"
    )
    labels: Mapped[list[Label]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan", lazy="selectin"
    )
    programmes: Mapped[list[SupportProgramme]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan", lazy="selectin"
    )
    memberships: Mapped[list[PartnershipMember]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan"
    )
    members: Mapped[list[MemberOrganisation]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    def tag_values(self, kind: str) -> list[str]:
        """Return the sorted values of the tags of one kind (see :data:`TAG_KINDS`)."""
        return sorted(tag.value for tag in self.tags if tag.kind == kind)

    @property
    def is_cluster(self) -> bool:
        """Whether this is a cluster organisation (not a training provider).

        Only cluster organisations have an ECCP validation, region statistics, cluster
        partners and cluster labels.
        """
        return self.kind == DEFAULT_ORG_KIND

    def member_counts(self) -> dict[str, int | None]:
        """Return the member counts by type (``None`` where unknown)."""
        return {kind: getattr(self, f"members_{kind}") for kind in MEMBER_TYPES}


class Tag(Base):
    """A classification of an organisation: category, ecosystem, sector or value-chain stage."""

    __tablename__ = "organisation_tag"
    __table_args__ = (UniqueConstraint("organisation_id", "kind", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    value: Mapped[str] = mapped_column(String(200), index=True)
    source: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default=UNCONFIRMED)  # CONFIRMED-derived fits

    organisation: Mapped[Organisation] = relationship(back_populates="tags")


class Label(Base):
    """A label: ESCA Bronze/Silver/Gold, pôle de compétitivité (phase and duration), etc."""

    __tablename__ = "label"
    __table_args__ = (UniqueConstraint("organisation_id", "scheme", "level"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    scheme: Mapped[str] = mapped_column(String(60))
    level: Mapped[str] = mapped_column(String(60))
    awarded: Mapped[str | None] = mapped_column(String(40))
    valid_until: Mapped[str | None] = mapped_column(String(40))
    duration: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default=UNCONFIRMED)  # CONFIRMED-derived fits

    organisation: Mapped[Organisation] = relationship(back_populates="labels")


class SupportProgramme(Base):
    """A regional or national cluster programme that recognises the organisation."""

    __tablename__ = "support_programme"
    __table_args__ = (UniqueConstraint("organisation_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(300))
    level: Mapped[str] = mapped_column(String(20), default="national")
    details: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default=UNCONFIRMED)  # CONFIRMED-derived fits

    organisation: Mapped[Organisation] = relationship(back_populates="programmes")


class Partnership(Base):
    """An EU partnership, a Eurocluster or an alliance such as Silicon Europe."""

    __tablename__ = "partnership"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(30), default="alliance")
    website: Mapped[str | None] = mapped_column(String(500))
    description: Mapped[str | None] = mapped_column(Text)
    sectors: Mapped[list[str]] = mapped_column(default=list)
    """NACE/NAICS codes of the partnership's field (``["C26"]``), indexed for search."""

    members: Mapped[list[PartnershipMember]] = relationship(
        back_populates="partnership", cascade="all, delete-orphan"
    )


class PartnershipMember(Base):
    """Membership of an organisation in a partnership, with its role and source."""

    __tablename__ = "partnership_member"
    __table_args__ = (UniqueConstraint("partnership_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(
        ForeignKey("partnership.id", ondelete="CASCADE"), index=True
    )
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default=UNCONFIRMED)  # CONFIRMED-derived fits

    partnership: Mapped[Partnership] = relationship(back_populates="members")
    organisation: Mapped[Organisation] = relationship(back_populates="memberships")


class MemberOrganisation(Base):
    """A firm or institution that is a member of a cluster organisation."""

    __tablename__ = "member_organisation"
    __table_args__ = (UniqueConstraint("organisation_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(300))
    member_type: Mapped[str] = mapped_column(String(20))
    classification: Mapped[str | None] = mapped_column(String(10))
    industry_code: Mapped[str | None] = mapped_column(String(20))
    region: Mapped[str | None] = mapped_column(String(12))
    website: Mapped[str | None] = mapped_column(String(500))

    organisation: Mapped[Organisation] = relationship(back_populates="members")
