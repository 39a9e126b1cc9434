"""Meet services on the registry database: events, organisers, participants, availability, marketplace.

The write services follow :mod:`clusteratlas.registry.services`: they take the caller's
SQLAlchemy session and the acting :class:`~clusteratlas.registry.models.User` (keyword-only),
check permissions, record every change in the audit log and flush (the caller commits).

Roles: an **administrator** creates events and grants the **organiser** role of one event to
a user; organisers (and administrators) edit their event, change its status, set the request
limit, propose meetings, schedule, read every participant's data and export it. A signed-in
user registers **as a participant** of an open event within its registration window,
representing an organisation of the registry. Availability and meeting notes are private:
only the participant and the organisers read them.

Registration, availability and the marketplace are in :mod:`.service_participants`;
requests, meetings and ratings in :mod:`.service_requests`; scheduling in
:mod:`.service_scheduling`; agendas, statistics and exports in :mod:`.service_reports`.
"""

from __future__ import annotations

import re
from importlib import resources
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from clusteratlas._validation import check_in
from clusteratlas.errors import (
    ConflictError,
    ParameterError,
    PermissionDeniedError,
    RecordNotFoundError,
)
from clusteratlas.meet.events import PACKAGED_EVENTS, Event, event_slots, parse_event
from clusteratlas.registry.audit import record, snapshot
from clusteratlas.registry.models import (
    MeetAvailability,
    MeetEvent,
    MeetMeeting,
    MeetOrganiser,
    MeetParticipant,
    User,
)

TRANSITIONS: dict[str, tuple[str, ...]] = {
    "draft": ("open",),
    "open": ("draft", "scheduling"),
    "scheduling": ("open", "published"),
    "published": ("scheduling", "closed"),
    "closed": (),
}
"""Allowed status changes: back from ``scheduling`` to ``open`` (late registrations) and
from ``published`` to ``scheduling`` (a reschedule); ``closed`` is final."""
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,59}$")
DEFAULT_REQUEST_LIMIT = 20
EVENT_FIELDS = ("slug", "name", "venue", "city", "country", "time_zone", "start_date",
                "end_date", "status", "registration_opens", "registration_closes",
                "request_limit")  # fmt: skip


def _require_user(actor: User | None, what: str) -> User:
    if actor is None or not actor.active:
        raise PermissionDeniedError(f"Only a signed-in user may {what}.")
    return actor


def get_event(session: Session, slug: str) -> MeetEvent:
    """Return the event ``slug``, or raise :class:`RecordNotFoundError`."""
    event = session.scalar(select(MeetEvent).where(MeetEvent.slug == slug))
    if event is None:
        raise RecordNotFoundError(f"There is no event {slug!r}.")
    return event


def event_definition(event: MeetEvent) -> Event:
    """Return the :class:`~clusteratlas.meet.events.Event` stored as TOML in ``event``."""
    return parse_event(event.definition, source=f"event {event.slug!r}")


def slots_of(event: MeetEvent) -> list[str]:
    """Return the ids of the event's slots, in time order (their start, ISO 8601)."""
    return [str(s) for s in event_slots(event_definition(event))["slot"]]


def slot_rows(event: MeetEvent) -> list[dict[str, Any]]:
    """Return the event's slots as plain rows, in time order.

    Each row has ``slot``, ``session``, ``slot_start``, ``slot_end`` (aware datetimes in the
    event's zone) and ``tables``.
    """
    frame = event_slots(event_definition(event))
    return [
        {"slot": str(slot), "session": str(name), "slot_start": start.to_pydatetime(),
         "slot_end": end.to_pydatetime(), "tables": int(tables)}
        for slot, name, start, end, tables in zip(
            frame["slot"], frame["session"], frame["slot_start"], frame["slot_end"],
            frame["tables"], strict=True,
        )
    ]  # fmt: skip


def is_organiser(session: Session, event: MeetEvent, user: User | None) -> bool:
    """Whether ``user`` is an administrator or an organiser of ``event``."""
    if user is None or not user.active:
        return False
    if user.role == "admin":
        return True
    found = session.scalar(
        select(MeetOrganiser.id).where(
            MeetOrganiser.event_id == event.id, MeetOrganiser.user_id == user.id
        )
    )
    return found is not None


def require_organiser(session: Session, event: MeetEvent, actor: User | None, what: str) -> User:
    """Return ``actor`` when an organiser of ``event`` (or an admin), else raise."""
    user = _require_user(actor, what)
    if not is_organiser(session, event, user):
        raise PermissionDeniedError(f"Only an organiser of event {event.slug!r} may {what}.")
    return user


def visible(session: Session, event: MeetEvent, user: User | None) -> bool:
    """Whether ``user`` may see the event (drafts: its organisers only)."""
    return event.status != "draft" or is_organiser(session, event, user)


def _apply(event: MeetEvent, parsed: Event) -> None:
    if not SLUG.match(parsed.id):
        raise ParameterError(
            f"event.id must be a slug of lower-case letters, digits and '-' (at most 60); "
            f"got {parsed.id!r}."
        )
    event.slug, event.name, event.venue = parsed.id, parsed.name, parsed.venue
    event.city, event.country, event.time_zone = parsed.city, parsed.country, parsed.time_zone
    event.start_date, event.end_date = parsed.start_date, parsed.end_date
    event.registration_opens = parsed.registration_opens
    event.registration_closes = parsed.registration_closes


def packaged_definition(name: str) -> str:
    """Return the TOML text of an event shipped with the package (see ``meet.events``)."""
    check_in(name, tuple(PACKAGED_EVENTS), name="packaged")
    return (
        resources.files("clusteratlas.meet")
        .joinpath("files", PACKAGED_EVENTS[name])
        .read_text(encoding="utf-8")
    )


def _check_limit(limit: int) -> int:
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 1000:
        raise ParameterError(
            f"The 'request_limit' parameter must be an int in [1, 1000]; got {limit!r}."
        )
    return limit


def create_event(
    session: Session, *, actor: User | None, definition: str,
    request_limit: int = DEFAULT_REQUEST_LIMIT,
) -> MeetEvent:  # fmt: skip
    """Create an event from its TOML text (administrators only); it starts as ``draft``.

    The TOML's own ``status`` is not used: a stored event starts as a draft and changes
    status through :func:`set_status`. :func:`packaged_definition` gives the TOML of an
    event shipped with the package (``"ecc2024"``, the European Cluster Conference 2024).
    """
    if actor is not None and actor.role != "admin":
        raise PermissionDeniedError("Only an administrator may create an event.")
    parsed = parse_event(definition, source="event definition")
    if session.scalar(select(MeetEvent.id).where(MeetEvent.slug == parsed.id)) is not None:
        raise ConflictError(f"An event {parsed.id!r} exists already.")
    event = MeetEvent(
        definition=definition, status="draft", request_limit=_check_limit(request_limit)
    )
    _apply(event, parsed)
    session.add(event)
    session.flush()
    record(session, actor=actor, entity="meet_event", entity_id=event.id, action="create",
           after=snapshot(event, EVENT_FIELDS))  # fmt: skip
    return event


def edit_event(
    session: Session, *, actor: User | None, slug: str, definition: str | None = None,
    request_limit: int | None = None,
) -> MeetEvent:  # fmt: skip
    """Replace an event's TOML definition (draft or open only) and/or its request limit."""
    event = get_event(session, slug)
    require_organiser(session, event, actor, "edit the event")
    before = snapshot(event, EVENT_FIELDS)
    if definition is not None:
        if event.status not in ("draft", "open"):
            raise ConflictError(
                f"Event {slug!r} is {event.status}: its sessions can only be changed while it "
                "is draft or open (set it back to open first)."
            )
        parsed = parse_event(definition, source="event definition")
        if parsed.id != slug:
            raise ParameterError(f"event.id must stay {slug!r}; got {parsed.id!r}.")
        if session.scalar(select(MeetMeeting.id).where(MeetMeeting.event_id == event.id)):
            raise ConflictError(
                f"Event {slug!r} has scheduled meetings: its sessions cannot change any more."
            )
        wanted = set(event_slots(parsed)["slot"].astype(str))
        lost = sorted(
            {
                row.slot
                for row in session.scalars(
                    select(MeetAvailability)
                    .join(MeetParticipant)
                    .where(MeetParticipant.event_id == event.id)
                )
            }
            - wanted
        )
        if lost:
            raise ConflictError(
                f"The new definition removes {len(lost)} slot(s) that participants chose as "
                f"available (first {lost[0]!r}); keep them, or ask those participants to change "
                "their availability first."
            )
        _apply(event, parsed)
        event.definition = definition
    if request_limit is not None:
        event.request_limit = _check_limit(request_limit)
    session.flush()
    record(session, actor=actor, entity="meet_event", entity_id=event.id, action="update",
           before=before, after=snapshot(event, EVENT_FIELDS))  # fmt: skip
    return event


def set_status(session: Session, *, actor: User | None, slug: str, status: str) -> MeetEvent:
    """Change an event's status along :data:`TRANSITIONS` (organisers)."""
    check_in(status, tuple(TRANSITIONS), name="status")
    event = get_event(session, slug)
    require_organiser(session, event, actor, "change the event's status")
    if status not in TRANSITIONS[event.status]:
        allowed = ", ".join(TRANSITIONS[event.status]) or "none (closed is final)"
        raise ConflictError(
            f"Event {slug!r} cannot go from {event.status} to {status}; allowed: {allowed}."
        )
    before = {"status": event.status}
    event.status = status
    session.flush()
    record(session, actor=actor, entity="meet_event", entity_id=event.id, action="status",
           before=before, after={"status": status})  # fmt: skip
    return event


def grant_organiser(
    session: Session, *, actor: User | None, slug: str, user_id: int
) -> MeetOrganiser:
    """Make user ``user_id`` an organiser of the event (administrators only; idempotent)."""
    if actor is not None and actor.role != "admin":
        raise PermissionDeniedError("Only an administrator may grant the organiser role.")
    event = get_event(session, slug)
    if session.get(User, user_id) is None:
        raise RecordNotFoundError(f"There is no user with id {user_id}.")
    found = session.scalar(
        select(MeetOrganiser).where(
            MeetOrganiser.event_id == event.id, MeetOrganiser.user_id == user_id
        )
    )
    if found is not None:
        return found
    grant = MeetOrganiser(
        event_id=event.id, user_id=user_id, granted_by=actor.id if actor else None
    )
    session.add(grant)
    session.flush()
    record(session, actor=actor, entity="meet_organiser", entity_id=grant.id, action="create",
           after={"event": slug, "user_id": user_id})  # fmt: skip
    return grant


def list_events(session: Session, *, actor: User | None) -> list[MeetEvent]:
    """Return the events ``actor`` may see (drafts only to their organisers), by start date."""
    events = session.scalars(select(MeetEvent).order_by(MeetEvent.start_date, MeetEvent.id))
    return [e for e in events if visible(session, e, actor)]


def get_participant(session: Session, event: MeetEvent, participant_id: int) -> MeetParticipant:
    """Return participant ``participant_id`` of ``event``, or raise RecordNotFoundError."""
    found = session.get(MeetParticipant, participant_id)
    if found is None or found.event_id != event.id:
        raise RecordNotFoundError(f"Event {event.slug!r} has no participant {participant_id}.")
    return found


def own_participant(
    session: Session, event: MeetEvent, user: User | None
) -> MeetParticipant | None:
    """Return ``user``'s registration to ``event``, if any."""
    if user is None:
        return None
    return session.scalar(
        select(MeetParticipant).where(
            MeetParticipant.event_id == event.id, MeetParticipant.user_id == user.id
        )
    )


def require_self_or_organiser(
    session: Session, event: MeetEvent, participant: MeetParticipant, actor: User | None, what: str
) -> User:
    """Return ``actor`` when it is the participant's own account or an organiser, else raise."""
    user = _require_user(actor, what)
    if participant.user_id != user.id and not is_organiser(session, event, user):
        raise PermissionDeniedError(
            f"Only participant {participant.id} and the organisers may {what}."
        )
    return user
