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

Requests, meetings and ratings are in :mod:`.service_requests`; scheduling, agendas,
statistics and exports in :mod:`.service_schedule`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clusteratlas._validation import check_in
from clusteratlas.errors import (
    ConflictError,
    ParameterError,
    PermissionDeniedError,
    RecordNotFoundError,
)
from clusteratlas.meet.events import Event, event_slots, parse_event
from clusteratlas.meet.participants import PARTICIPANT_TYPES
from clusteratlas.registry.audit import record, snapshot
from clusteratlas.registry.models import (
    MeetAvailability,
    MeetEvent,
    MeetItem,
    MeetOrganiser,
    MeetParticipant,
    Organisation,
    User,
)
from clusteratlas.registry.models_meet import ITEM_CATEGORIES, ITEM_KINDS

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
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_LANGUAGE = re.compile(r"^[a-z]{2}$")


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
    status through :func:`set_status`.
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
        _apply(event, parsed)
        event.definition = definition
        wanted = set(slots_of(event))
        for row in session.scalars(
            select(MeetAvailability)
            .join(MeetParticipant)
            .where(MeetParticipant.event_id == event.id)
        ):
            if row.slot not in wanted:  # a slot that no longer exists
                session.delete(row)
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


def _codes(values: Iterable[str], pattern: re.Pattern[str], name: str, example: str) -> list[str]:
    out = []
    for value in values:
        if not pattern.match(value):
            raise ParameterError(
                f"The '{name}' parameter takes codes such as {example!r}; got {value!r}."
            )
        out.append(value)
    return sorted(set(out))


def register(
    session: Session, *, actor: User | None, slug: str, organisation_id: int, type: str,
    country: str, languages: Sequence[str] = (), now: dt.datetime | None = None,
) -> MeetParticipant:  # fmt: skip
    """Register the signed-in user to an open event, within its registration window.

    ``now`` (default: the current time) is compared with the window in the event's time
    zone. The organisation must exist in the registry; a user registers once per event.
    """
    user = _require_user(actor, "register to an event")
    event = get_event(session, slug)
    if event.status != "open":
        raise ConflictError(f"Event {slug!r} is {event.status}: registration needs it open.")
    local = (
        (now or dt.datetime.now(dt.UTC)).astimezone(ZoneInfo(event.time_zone)).replace(tzinfo=None)
    )
    if event.registration_opens and local < event.registration_opens:
        raise ConflictError(
            f"Registration to {slug!r} opens on {event.registration_opens} ({event.time_zone})."
        )
    if event.registration_closes and local > event.registration_closes:
        raise ConflictError(
            f"Registration to {slug!r} closed on {event.registration_closes} ({event.time_zone})."
        )
    check_in(type, PARTICIPANT_TYPES, name="type")
    (country,) = _codes([country], _COUNTRY, "country", "BE")
    if session.get(Organisation, organisation_id) is None:
        raise RecordNotFoundError(
            f"There is no organisation with id {organisation_id} in the registry; add it to "
            "the registry first."
        )
    if own_participant(session, event, user) is not None:
        raise ConflictError(f"You are already registered to {slug!r}.")
    participant = MeetParticipant(
        event_id=event.id, user_id=user.id, organisation_id=organisation_id, type=type,
        country=country, languages=_codes(languages, _LANGUAGE, "languages", "en"),
    )  # fmt: skip
    session.add(participant)
    session.flush()
    record(session, actor=user, entity="meet_participant", entity_id=participant.id, action="create",
           after=snapshot(participant, ("event_id", "organisation_id", "type", "country", "languages")))  # fmt: skip
    return participant


def list_participants(session: Session, event: MeetEvent) -> list[MeetParticipant]:
    """Return the event's participants (their public profile), by id."""
    return list(
        session.scalars(
            select(MeetParticipant)
            .where(MeetParticipant.event_id == event.id)
            .order_by(MeetParticipant.id)
        )
    )


def set_availability(
    session: Session, *, actor: User | None, slug: str, participant_id: int, slots: Sequence[str]
) -> list[str]:
    """Replace a participant's available slots (theirs, or an organiser's edit).

    Returns the slots in time order. Every slot must be one of the event's
    (:func:`slots_of`); allowed until the event is published.
    """
    event = get_event(session, slug)
    participant = get_participant(session, event, participant_id)
    user = require_self_or_organiser(session, event, participant, actor, "set this availability")
    if event.status not in ("open", "scheduling"):
        raise ConflictError(
            f"Event {slug!r} is {event.status}: availability is set while open or scheduling."
        )
    order = slots_of(event)
    unknown = sorted(set(slots) - set(order))
    if unknown:
        raise ParameterError(
            f"The 'slots' parameter has {unknown[0]!r}, not a slot of {slug!r} "
            f"(GET /api/v1/events/{slug}/slots lists them, e.g. {order[0]!r})."
        )
    rows = session.scalars(
        select(MeetAvailability).where(MeetAvailability.participant_id == participant.id)
    )
    before = sorted(r.slot for r in rows)
    for row in session.scalars(
        select(MeetAvailability).where(MeetAvailability.participant_id == participant.id)
    ):
        session.delete(row)
    session.flush()
    chosen = [s for s in order if s in set(slots)]
    session.add_all(MeetAvailability(participant_id=participant.id, slot=s) for s in chosen)
    session.flush()
    record(session, actor=user, entity="meet_availability", entity_id=participant.id, action="update",
           before={"slots": before}, after={"slots": chosen})  # fmt: skip
    return chosen


def availability(
    session: Session, *, actor: User | None, slug: str, participant_id: int
) -> list[str] | None:
    """Return a participant's available slots (PRIVATE: theirs or an organiser's read).

    ``None`` when the participant never set any (then every slot counts as available).
    """
    event = get_event(session, slug)
    participant = get_participant(session, event, participant_id)
    require_self_or_organiser(session, event, participant, actor, "read this availability")
    rows = list(
        session.scalars(
            select(MeetAvailability.slot).where(MeetAvailability.participant_id == participant.id)
        )
    )
    if not rows:
        return None
    order = slots_of(event)
    return sorted(rows, key=lambda s: order.index(s) if s in order else len(order))


def add_item(
    session: Session, *, actor: User | None, slug: str, participant_id: int, kind: str,
    category: str, title: str, text: str = "", industries: Sequence[str] = (),
    stages: Sequence[str] = (), technologies: Sequence[str] = (),
) -> MeetItem:  # fmt: skip
    """Publish a marketplace offer or request of a participant (theirs only)."""
    event = get_event(session, slug)
    participant = get_participant(session, event, participant_id)
    user = _require_user(actor, "publish a marketplace item")
    if participant.user_id != user.id:
        raise PermissionDeniedError(f"Only participant {participant_id} may publish their items.")
    check_in(kind, ITEM_KINDS, name="kind")
    check_in(category, ITEM_CATEGORIES, name="category")
    if not title.strip():
        raise ParameterError("The 'title' parameter must not be empty.")
    item = MeetItem(
        participant_id=participant.id, kind=kind, category=category, title=title, text=text,
        industries=list(industries), stages=list(stages), technologies=list(technologies),
    )  # fmt: skip
    session.add(item)
    session.flush()
    record(session, actor=user, entity="meet_item", entity_id=item.id, action="create",
           after=snapshot(item, ("participant_id", "kind", "category", "title")))  # fmt: skip
    return item


def list_items(session: Session, event: MeetEvent, *, kind: str | None = None) -> list[MeetItem]:
    """Return the event's marketplace items, newest first (optionally offers or requests only)."""
    query = select(MeetItem).join(MeetParticipant).where(MeetParticipant.event_id == event.id)
    if kind is not None:
        check_in(kind, ITEM_KINDS, name="kind")
        query = query.where(MeetItem.kind == kind)
    return list(session.scalars(query.order_by(MeetItem.id.desc())))


def count_participants(session: Session, event: MeetEvent) -> int:
    """Return the number of participants of ``event``."""
    return int(
        session.scalar(select(func.count()).where(MeetParticipant.event_id == event.id)) or 0
    )


# Whom to meet: ``clusteratlas.meet.recommend.recommend_for`` (another module) ranks the
# participants and items of an event for one participant. A route
# ``GET /api/v1/events/{slug}/participants/{id}/recommendations`` would load the event's
# participants and items with :func:`list_participants` / :func:`list_items`, check
# :func:`require_self_or_organiser` and call it; it is not wired here.
