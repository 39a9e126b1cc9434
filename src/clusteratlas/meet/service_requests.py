"""Meet services: meeting requests and proposals, meetings with private notes, ratings.

Conventions of :mod:`clusteratlas.meet.service` (caller's session, acting user, an audit
entry per change, flush not commit). A request is unique per unordered pair of participants
of an event: asking again after a decline or a cancellation reopens the same record. A
request is answered once: answering reads it ``FOR UPDATE`` (PostgreSQL; SQLite's write
sessions hold the database's write lock), so of two concurrent answers the second finds it
answered and gets :class:`~clusteratlas.errors.ConflictError`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from clusteratlas._validation import check_in
from clusteratlas.errors import (
    ConflictError,
    ParameterError,
    PermissionDeniedError,
    RecordNotFoundError,
)
from clusteratlas.meet.events import event_slots
from clusteratlas.meet.service import (
    _require_user,
    event_definition,
    get_event,
    get_participant,
    is_organiser,
    own_participant,
    require_organiser,
)
from clusteratlas.registry.audit import record, snapshot
from clusteratlas.registry.models import (
    MeetEvent,
    MeetMeeting,
    MeetParticipant,
    MeetRating,
    MeetRequest,
    User,
)

REQUESTING = ("open", "scheduling", "published")
"""Event statuses in which meeting requests may be made and answered."""
_FIELDS = ("from_id", "to_id", "status", "message", "reply", "proposed_by")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _open_for_requests(event: MeetEvent) -> None:
    if event.status not in REQUESTING:
        raise ConflictError(
            f"Event {event.slug!r} is {event.status}: meeting requests are made while it is "
            f"{', '.join(REQUESTING)}."
        )


def _me(session: Session, event: MeetEvent, actor: User | None, what: str) -> MeetParticipant:
    user = _require_user(actor, what)
    mine = own_participant(session, event, user)
    if mine is None:
        raise PermissionDeniedError(
            f"Only a participant of {event.slug!r} may {what}; register first."
        )
    return mine


def _pair_request(session: Session, event: MeetEvent, a: int, b: int) -> MeetRequest | None:
    low, high = min(a, b), max(a, b)
    return session.scalar(
        select(MeetRequest).where(
            MeetRequest.event_id == event.id,
            MeetRequest.pair_low == low,
            MeetRequest.pair_high == high,
        )
    )


def _open_request(
    session: Session, event: MeetEvent, actor: User | None, a: MeetParticipant, b: MeetParticipant,
    message: str | None, proposed_by: int | None,
) -> MeetRequest:  # fmt: skip
    if a.id == b.id:
        raise ParameterError("A participant cannot request a meeting with themselves.")
    found = _pair_request(session, event, a.id, b.id)
    if found is not None and found.status in ("requested", "accepted"):
        raise ConflictError(
            f"Participants {a.id} and {b.id} already have meeting request {found.id} ({found.status})."
        )
    before = snapshot(found, _FIELDS) if found is not None else None
    request = found or MeetRequest(
        event_id=event.id, pair_low=min(a.id, b.id), pair_high=max(a.id, b.id)
    )
    request.from_id, request.to_id, request.status = a.id, b.id, "requested"
    request.message, request.reply, request.proposed_by = message, None, proposed_by
    request.answered_at = None
    if found is None:
        session.add(request)
    session.flush()
    record(session, actor=actor, entity="meet_request", entity_id=request.id,
           action="reopen" if found is not None else "create",
           before=before, after=snapshot(request, _FIELDS))  # fmt: skip
    return request


def request_meeting(
    session: Session, *, actor: User | None, slug: str, to_id: int, message: str | None = None
) -> MeetRequest:
    """Ask participant ``to_id`` for a meeting, as the signed-in participant.

    Refused beyond the event's ``request_limit`` (requests sent and still requested or
    accepted; organisers' proposals do not count).
    """
    event = get_event(session, slug)
    _open_for_requests(event)
    me = _me(session, event, actor, "request a meeting")
    other = get_participant(session, event, to_id)
    # One sender's requests one at a time (PostgreSQL row lock; SQLite's write sessions hold
    # the database lock), so concurrent requests cannot count the same free place twice.
    session.execute(select(MeetParticipant.id).where(MeetParticipant.id == me.id).with_for_update())
    sent = session.scalar(
        select(func.count()).where(
            MeetRequest.event_id == event.id, MeetRequest.from_id == me.id,
            MeetRequest.proposed_by.is_(None), MeetRequest.status.in_(("requested", "accepted")),
        )
    ) or 0  # fmt: skip
    if sent >= event.request_limit:
        raise ConflictError(
            f"You have {sent} open or accepted requests at {slug!r}: the organisers' limit is "
            f"{event.request_limit}; cancel one first."
        )
    return _open_request(session, event, actor, me, other, message, None)


def propose_meeting(
    session: Session,
    *,
    actor: User | None,
    slug: str,
    a_id: int,
    b_id: int,
    message: str | None = None,
) -> MeetRequest:
    """Propose a meeting between two participants (organisers); ``b_id`` answers it."""
    event = get_event(session, slug)
    user = require_organiser(session, event, actor, "propose a meeting")
    _open_for_requests(event)
    a, b = get_participant(session, event, a_id), get_participant(session, event, b_id)
    return _open_request(session, event, user, a, b, message, user.id)


def _locked_request(session: Session, event: MeetEvent, request_id: int) -> MeetRequest:
    request = session.scalar(
        select(MeetRequest).where(MeetRequest.id == request_id).with_for_update()
    )
    if request is None or request.event_id != event.id:
        raise RecordNotFoundError(f"Event {event.slug!r} has no meeting request {request_id}.")
    return request


def answer_request(
    session: Session, *, actor: User | None, slug: str, request_id: int, action: str,
    message: str | None = None,
) -> MeetRequest:  # fmt: skip
    """Accept or decline a request addressed to the signed-in participant (once)."""
    check_in(action, ("accept", "decline"), name="action")
    event = get_event(session, slug)
    _open_for_requests(event)
    me = _me(session, event, actor, f"{action} a meeting request")
    request = _locked_request(session, event, request_id)
    if request.to_id != me.id:
        raise PermissionDeniedError(
            f"Only the participant asked may {action} request {request_id}."
        )
    if request.status != "requested":
        raise ConflictError(f"Meeting request {request_id} is already {request.status}.")
    before = snapshot(request, _FIELDS)
    request.status = "accepted" if action == "accept" else "declined"
    request.reply, request.answered_at = message, _now()
    session.flush()
    record(session, actor=actor, entity="meet_request", entity_id=request.id, action=action,
           before=before, after=snapshot(request, _FIELDS))  # fmt: skip
    return request


def cancel_request(
    session: Session, *, actor: User | None, slug: str, request_id: int, message: str | None = None
) -> MeetRequest:
    """Cancel a requested or accepted meeting (either side); its scheduled meeting is removed."""
    event = get_event(session, slug)
    _open_for_requests(event)
    me = _me(session, event, actor, "cancel a meeting request")
    request = _locked_request(session, event, request_id)
    if me.id not in (request.from_id, request.to_id):
        raise PermissionDeniedError(f"Only the two participants may cancel request {request_id}.")
    if request.status not in ("requested", "accepted"):
        raise ConflictError(f"Meeting request {request_id} is already {request.status}.")
    before = snapshot(request, _FIELDS)
    request.status, request.reply, request.answered_at = "cancelled", message, _now()
    meeting = session.scalar(select(MeetMeeting).where(MeetMeeting.request_id == request.id))
    if meeting is not None:
        record(session, actor=actor, entity="meet_meeting", entity_id=meeting.id, action="delete",
               before=snapshot(meeting, ("slot", "table_no", "status")))  # fmt: skip
        session.delete(meeting)
    session.flush()
    record(session, actor=actor, entity="meet_request", entity_id=request.id, action="cancel",
           before=before, after=snapshot(request, _FIELDS))  # fmt: skip
    return request


def list_requests(session: Session, *, actor: User | None, slug: str) -> list[MeetRequest]:
    """Return the requests ``actor`` may read: all for organisers, else their own."""
    event = get_event(session, slug)
    query = select(MeetRequest).where(MeetRequest.event_id == event.id).order_by(MeetRequest.id)
    if not is_organiser(session, event, actor):
        me = _me(session, event, actor, "read meeting requests")
        query = query.where(or_(MeetRequest.from_id == me.id, MeetRequest.to_id == me.id))
    return list(session.scalars(query))


@dataclass(frozen=True)
class MeetingView:
    """A meeting as one reader sees it: ``note`` is the reader's own private note (else None)."""

    id: int
    request_id: int
    a_id: int
    b_id: int
    slot: str
    table: int
    status: str
    note: str | None


def _view(meeting: MeetMeeting, me: MeetParticipant | None) -> MeetingView:
    note = None
    if me is not None:
        note = (
            meeting.note_a
            if me.id == meeting.a_id
            else meeting.note_b
            if me.id == meeting.b_id
            else None
        )
    return MeetingView(meeting.id, meeting.request_id, meeting.a_id, meeting.b_id, meeting.slot,
                       meeting.table_no, meeting.status, note)  # fmt: skip


def list_meetings(session: Session, *, actor: User | None, slug: str) -> list[MeetingView]:
    """Return the meetings ``actor`` may read, by slot then table.

    All of them for organisers (never the private notes), else the reader's own, with the
    reader's own note.
    """
    event = get_event(session, slug)
    query = select(MeetMeeting).where(MeetMeeting.event_id == event.id)
    me = own_participant(session, event, actor)
    if not is_organiser(session, event, actor):
        me = _me(session, event, actor, "read meetings")
        query = query.where(or_(MeetMeeting.a_id == me.id, MeetMeeting.b_id == me.id))
    meetings = sorted(session.scalars(query), key=lambda m: (m.slot, m.table_no))
    return [_view(m, me) for m in meetings]


def _my_meeting(
    session: Session, event: MeetEvent, actor: User | None, meeting_id: int, what: str
) -> tuple[MeetMeeting, MeetParticipant]:
    me = _me(session, event, actor, what)
    meeting = session.get(MeetMeeting, meeting_id)
    if meeting is None or meeting.event_id != event.id:
        raise RecordNotFoundError(f"Event {event.slug!r} has no meeting {meeting_id}.")
    if me.id not in (meeting.a_id, meeting.b_id):
        raise PermissionDeniedError(
            f"Only the two participants of meeting {meeting_id} may {what}."
        )
    return meeting, me


def set_note(
    session: Session, *, actor: User | None, slug: str, meeting_id: int, note: str
) -> MeetingView:
    """Write the signed-in participant's PRIVATE note on one of their meetings."""
    event = get_event(session, slug)
    meeting, me = _my_meeting(session, event, actor, meeting_id, "write a note on it")
    side = "note_a" if me.id == meeting.a_id else "note_b"
    setattr(meeting, side, note)
    session.flush()
    # The note is private: the audit log says that it changed, not what it says.
    record(session, actor=actor, entity="meet_meeting", entity_id=meeting.id, action="note",
           note=f"{side} changed")  # fmt: skip
    return _view(meeting, me)


def rate_meeting(
    session: Session, *, actor: User | None, slug: str, meeting_id: int, score: int,
    held: bool = True, cooperation: bool = False, comment: str | None = None,
    now: dt.datetime | None = None,
) -> MeetRating:  # fmt: skip
    """Rate one of the signed-in participant's meetings after its slot has ended.

    ``score`` 1–5; ``held`` whether it took place; ``cooperation`` whether it may lead to
    cooperation. A second rating by the same participant replaces the first.
    """
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        raise ParameterError(f"The 'score' parameter must be an int in [1, 5]; got {score!r}.")
    event = get_event(session, slug)
    meeting, me = _my_meeting(session, event, actor, meeting_id, "rate it")
    slots = event_slots(event_definition(event))
    end = slots.loc[slots["slot"] == meeting.slot, "slot_end"]
    moment = pd.Timestamp(now or _now())
    if event.status != "closed" and (end.empty or moment < end.iloc[0]):
        raise ConflictError(
            f"Meeting {meeting_id} can be rated once it is over (or the event closed)."
        )
    rating = session.scalar(
        select(MeetRating).where(
            MeetRating.meeting_id == meeting.id, MeetRating.participant_id == me.id
        )
    )
    before = snapshot(rating, ("score", "held", "cooperation")) if rating is not None else None
    if rating is None:
        rating = MeetRating(meeting_id=meeting.id, participant_id=me.id)
        session.add(rating)
    rating.score, rating.held, rating.cooperation, rating.comment = (
        score,
        held,
        cooperation,
        comment,
    )
    session.flush()
    record(session, actor=actor, entity="meet_rating", entity_id=rating.id,
           action="update" if before else "create", before=before,
           after=snapshot(rating, ("score", "held", "cooperation")))  # fmt: skip
    return rating


def my_ratings(session: Session, *, actor: User | None, slug: str) -> dict[int, MeetRating]:
    """Return the signed-in participant's own ratings of their meetings, by meeting id."""
    event = get_event(session, slug)
    me = _me(session, event, actor, "read your ratings")
    rows = session.scalars(
        select(MeetRating)
        .join(MeetMeeting)
        .where(MeetMeeting.event_id == event.id, MeetRating.participant_id == me.id)
    )
    return {r.meeting_id: r for r in rows}
