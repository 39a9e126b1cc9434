"""Meet services: registration, private availability and the marketplace of offers and requests.

Conventions of :mod:`clusteratlas.meet.service` (caller's session, acting user, an audit
entry per change, flush not commit). A participant who never set an availability counts as
available in every slot of the event.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clusteratlas._validation import check_in, suggest
from clusteratlas.errors import (
    ConflictError,
    ParameterError,
    PermissionDeniedError,
    RecordNotFoundError,
)
from clusteratlas.meet.marketplace import chain_stages
from clusteratlas.meet.participants import PARTICIPANT_TYPES
from clusteratlas.meet.service import (
    _require_user,
    get_event,
    get_participant,
    own_participant,
    require_self_or_organiser,
    slots_of,
)
from clusteratlas.registry.audit import record, snapshot
from clusteratlas.registry.models import (
    MeetAvailability,
    MeetEvent,
    MeetItem,
    MeetParticipant,
    Organisation,
    User,
)
from clusteratlas.registry.models_meet import ITEM_CATEGORIES, ITEM_KINDS
from clusteratlas.registry.proposals import propose_organisation
from clusteratlas.registry.signup import require_verified

_COUNTRY = re.compile(r"^[A-Z]{2}$")
_LANGUAGE = re.compile(r"^[a-z]{2}$")


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
    session: Session, *, actor: User | None, slug: str, organisation_id: int | None = None,
    type: str, country: str, languages: Sequence[str] = (), now: dt.datetime | None = None,
    new_organisation: Mapping[str, str | None] | None = None,
) -> MeetParticipant:  # fmt: skip
    """Register the signed-in user to an open event, within its registration window.

    ``now`` (default: the current time) is compared with the window in the event's time
    zone. The organisation must exist in the registry; a user registers once per event. A
    self-service account must have confirmed its e-mail address first
    (:func:`~clusteratlas.registry.signup.require_verified`).

    Instead of ``organisation_id``, ``new_organisation`` (``name``, ``country``, ``type``,
    optional ``website``) proposes an organisation not in the registry: it is stored
    pending (:func:`~clusteratlas.registry.proposals.propose_organisation`) and the
    participant is registered with it, without an ``organisation_id`` until an
    administrator approves it.
    """
    user = _require_user(actor, "register to an event")
    require_verified(session, user, "register to an event")
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
    if (organisation_id is None) == (new_organisation is None):
        raise ParameterError(
            "Give either 'organisation_id' (an organisation of the registry) or "
            "'new_organisation' (name, country, type, website) to propose one."
        )
    if organisation_id is not None and session.get(Organisation, organisation_id) is None:
        raise RecordNotFoundError(
            f"There is no organisation with id {organisation_id} in the registry; propose "
            "it as a new organisation instead."
        )
    if own_participant(session, event, user) is not None:
        raise ConflictError(f"You are already registered to {slug!r}.")
    proposal_id = None
    if new_organisation is not None:
        kind = str(new_organisation.get("type") or "")
        check_in(kind, PARTICIPANT_TYPES, name="new_organisation.type")
        proposal_id = propose_organisation(
            session, actor=user, name=str(new_organisation.get("name") or ""),
            country=str(new_organisation.get("country") or ""), type=kind,
            website=new_organisation.get("website"),
        ).id  # fmt: skip
    participant = MeetParticipant(
        event_id=event.id, user_id=user.id, organisation_id=organisation_id, type=type,
        country=country, languages=_codes(languages, _LANGUAGE, "languages", "en"),
        proposal_id=proposal_id,
    )  # fmt: skip
    session.add(participant)
    session.flush()
    record(session, actor=user, entity="meet_participant", entity_id=participant.id, action="create",
           after=snapshot(participant, ("event_id", "organisation_id", "proposal_id", "type", "country", "languages")))  # fmt: skip
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
    chains = chain_stages()
    for stage in stages:
        chain, _, name = stage.partition(":")
        if name not in chains.get(chain, ()):
            known = [f"{c}:{s}" for c, names in chains.items() for s in names]
            raise ParameterError(
                "The 'stages' parameter takes chain:stage of a built-in value chain "
                f"(automotive:parts); got {stage!r}.{suggest(stage, known)}"
            )
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
