"""Typed declarative models of cluster events with B2B matchmaking (issue 12).

An event keeps its definition as the TOML text of :mod:`clusteratlas.meet.events` (the
sessions, slots, breaks and rooms round-trip exactly; the indexed columns ``name``, ``venue``
… are copied from it for listing). Participants are users of the registry representing a
registry organisation, once per event. Availability and meeting notes are private: only the
participant and the event's organisers read them (enforced by :mod:`clusteratlas.meet.service`).
A meeting request is unique per unordered pair of participants of an event (``pair_low``,
``pair_high``), so two people never hold two requests to each other.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from clusteratlas.registry.models_org import Base, _now

EVENT_STATUSES = ("draft", "open", "scheduling", "published", "closed")
"""The life of an event (as :data:`clusteratlas.meet.events.EVENT_STATUSES`)."""
ITEM_KINDS = ("offer", "request")
"""A marketplace item offers something or asks for it."""
ITEM_CATEGORIES = (
    "cooperation", "product", "service", "expertise", "investment", "project_partner",
)  # fmt: skip
"""What a marketplace item is about (``project_partner``: a partner for a project or call); the
same as :data:`clusteratlas.meet.marketplace.ITEM_CATEGORIES`, which CSV marketplaces use."""
REQUEST_STATUSES = ("requested", "accepted", "declined", "cancelled")
MEETING_STATUSES = ("confirmed", "proposed")
"""``confirmed``: from an accepted request; ``proposed``: from an unanswered one (a meeting
called off is deleted, its request marked ``cancelled``, so its table is free again)."""


class MeetEvent(Base):
    """A cluster event: its TOML definition, status, request limit and last schedule's quality."""

    __tablename__ = "meet_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    venue: Mapped[str] = mapped_column(String(300))
    city: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2))
    time_zone: Mapped[str] = mapped_column(String(60))
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default="draft", index=True)
    registration_opens: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=False))
    """Local time in the event's zone, as in the TOML file."""
    registration_closes: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=False))
    definition: Mapped[str] = mapped_column(Text)
    """The event's TOML text (:func:`clusteratlas.meet.events.parse_event` reads it)."""
    request_limit: Mapped[int] = mapped_column(Integer, default=20)
    """How many meeting requests a participant may send (not counting cancelled ones)."""
    schedule_status: Mapped[str | None] = mapped_column(String(12))
    schedule_objective: Mapped[float | None] = mapped_column(Float)
    schedule_bound: Mapped[float | None] = mapped_column(Float)
    schedule_gap: Mapped[float | None] = mapped_column(Float)
    scheduled_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class MeetOrganiser(Base):
    """A user granted the organiser role of one event by an administrator."""

    __tablename__ = "meet_organiser"
    __table_args__ = (UniqueConstraint("event_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("meet_event.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    granted_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class MeetParticipant(Base):
    """A user registered to an event, representing an organisation of the registry.

    Or one proposed for it, pending an administrator's decision (``proposal_id``).
    """

    __tablename__ = "meet_participant"
    __table_args__ = (UniqueConstraint("event_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(
        ForeignKey("meet_event.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    """None while the organisation is a pending proposal (``proposal_id``)."""
    proposal_id: Mapped[int | None] = mapped_column(
        ForeignKey(
            "organisation_proposal.id", ondelete="SET NULL", name="fk_meet_participant_proposal_id"
        )
    )
    """The organisation proposed at registration (pending until an administrator decides)."""
    type: Mapped[str] = mapped_column(String(40))
    country: Mapped[str] = mapped_column(String(2))
    languages: Mapped[list[str]] = mapped_column(default=list)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class MeetAvailability(Base):
    """One slot a participant can meet in (PRIVATE: the participant and organisers only)."""

    __tablename__ = "meet_availability"
    __table_args__ = (UniqueConstraint("participant_id", "slot"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("meet_participant.id", ondelete="CASCADE"), index=True
    )
    slot: Mapped[str] = mapped_column(String(40))
    """The slot's id: its start in ISO 8601 with the UTC offset (``event_slots``' ``slot``)."""


class MeetItem(Base):
    """A marketplace item of a participant: an offer or a request."""

    __tablename__ = "meet_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("meet_participant.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(10))
    category: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text, default="")
    industries: Mapped[list[str]] = mapped_column(default=list)
    stages: Mapped[list[str]] = mapped_column(default=list)
    technologies: Mapped[list[str]] = mapped_column(default=list)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class MeetRequest(Base):
    """A meeting request from one participant to another (or proposed by an organiser)."""

    __tablename__ = "meet_request"
    __table_args__ = (UniqueConstraint("event_id", "pair_low", "pair_high"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(
        ForeignKey("meet_event.id", ondelete="CASCADE"), index=True
    )
    from_id: Mapped[int] = mapped_column(ForeignKey("meet_participant.id", ondelete="CASCADE"))
    to_id: Mapped[int] = mapped_column(ForeignKey("meet_participant.id", ondelete="CASCADE"))
    pair_low: Mapped[int] = mapped_column(Integer)
    pair_high: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12), default="requested")
    message: Mapped[str | None] = mapped_column(Text)
    reply: Mapped[str | None] = mapped_column(Text)
    proposed_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    """The organiser who proposed the meeting (None: requested by ``from_id``)."""
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    answered_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class MeetMeeting(Base):
    """A scheduled meeting: slot, table, status and each side's private note."""

    __tablename__ = "meet_meeting"
    __table_args__ = (UniqueConstraint("event_id", "slot", "table_no"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(
        ForeignKey("meet_event.id", ondelete="CASCADE"), index=True
    )
    request_id: Mapped[int] = mapped_column(
        ForeignKey("meet_request.id", ondelete="CASCADE"), unique=True
    )
    a_id: Mapped[int] = mapped_column(ForeignKey("meet_participant.id", ondelete="CASCADE"))
    b_id: Mapped[int] = mapped_column(ForeignKey("meet_participant.id", ondelete="CASCADE"))
    slot: Mapped[str] = mapped_column(String(40))
    table_no: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12))
    note_a: Mapped[str | None] = mapped_column(Text)
    """PRIVATE note of participant ``a_id``."""
    note_b: Mapped[str | None] = mapped_column(Text)
    """PRIVATE note of participant ``b_id``."""
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class MeetRating(Base):
    """A participant's rating of a meeting after it: 1–5, held, may lead to cooperation."""

    __tablename__ = "meet_rating"
    __table_args__ = (UniqueConstraint("meeting_id", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meet_meeting.id", ondelete="CASCADE"), index=True
    )
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("meet_participant.id", ondelete="CASCADE")
    )
    score: Mapped[int] = mapped_column(Integer)
    held: Mapped[bool] = mapped_column(Boolean, default=True)
    cooperation: Mapped[bool] = mapped_column(Boolean, default=False)
    """Whether the meeting may lead to cooperation."""
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
