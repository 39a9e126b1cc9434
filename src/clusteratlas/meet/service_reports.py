"""Meet services: agendas (iCalendar), organiser statistics and exports.

Scheduling is in :mod:`.service_scheduling`.

"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from typing import Any

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clusteratlas._validation import check_in, optional_import
from clusteratlas.errors import ConflictError, PermissionDeniedError
from clusteratlas.meet.agenda import participant_calendar, table_plan
from clusteratlas.meet.events import event_slots
from clusteratlas.meet.service import (
    _require_user,
    event_definition,
    get_event,
    own_participant,
    require_organiser,
)
from clusteratlas.meet.service_participants import list_participants
from clusteratlas.registry.models import (
    MeetAvailability,
    MeetEvent,
    MeetItem,
    MeetMeeting,
    MeetParticipant,
    MeetRating,
    MeetRequest,
    Organisation,
    OrganisationProposal,
    User,
)

EXPORT_TABLES = ("participants", "availability", "requests", "meetings", "plan", "ratings", "items")
"""What an organiser can export (meetings without the participants' private notes; ``plan``:
the table plan of :func:`clusteratlas.meet.agenda.table_plan`, who sits where in each slot)."""


def _people(session: Session, event: MeetEvent) -> pd.DataFrame:
    rows = session.execute(
        select(MeetParticipant.id, User.name, Organisation.id,
               func.coalesce(Organisation.name, OrganisationProposal.name + " (proposed, pending)"))
        .join(User, User.id == MeetParticipant.user_id)
        .outerjoin(Organisation, Organisation.id == MeetParticipant.organisation_id)
        .outerjoin(OrganisationProposal, OrganisationProposal.id == MeetParticipant.proposal_id)
        .where(MeetParticipant.event_id == event.id)
    ).all()  # fmt: skip
    # A participant whose proposed organisation awaits an administrator has no organisation_id.
    return pd.DataFrame(
        [(str(p), n if n and "@" not in n else f"Participant {p}", i, o) for p, n, i, o in rows],
        columns=["participant_id", "name", "organisation_id", "organisation"],
    )


def schedule_frame(session: Session, event: MeetEvent) -> pd.DataFrame:
    """Return the stored schedule as :func:`clusteratlas.meet.agenda.schedule_table` writes it."""
    definition = event_definition(event)
    slots = event_slots(definition).set_index("slot")
    meetings = sorted(session.scalars(select(MeetMeeting).where(MeetMeeting.event_id == event.id)),
                      key=lambda m: (m.slot, m.table_no))  # fmt: skip
    rows = []
    for m in meetings:
        slot = slots.loc[m.slot]
        room = definition.session(str(slot["session"])).room_of(m.table_no) or ""
        rows.append((event.slug, slot["session"], slot["slot_start"].isoformat(), slot["slot_end"].isoformat(),
                     m.table_no, str(m.a_id), str(m.b_id), m.status, room))  # fmt: skip
    return pd.DataFrame(rows, columns=["event", "session", "slot_start", "slot_end", "table",
                                       "participant_a", "participant_b", "status", "room"])  # fmt: skip


def agenda_ics(session: Session, *, actor: User | None, slug: str) -> bytes:
    """Return the signed-in participant's agenda as an iCalendar file (once published)."""
    user = _require_user(actor, "download an agenda")
    event = get_event(session, slug)
    me = own_participant(session, event, user)
    if me is None:
        raise PermissionDeniedError(f"Only a participant of {slug!r} has an agenda there.")
    if event.status not in ("published", "closed"):
        raise ConflictError(f"Event {slug!r} is {event.status}: agendas come once it is published.")
    calendar = participant_calendar(schedule_frame(session, event), str(me.id),
                                    event=event_definition(event), participants=_people(session, event))  # fmt: skip
    data: bytes = calendar.to_ical()
    return data


def event_ics(session: Session, *, slug: str) -> bytes:
    """Return the event's matchmaking sessions as an iCalendar file (one VEVENT per session)."""
    icalendar = optional_import("icalendar", extra="meet")
    from zoneinfo import ZoneInfo

    event = get_event(session, slug)
    definition = event_definition(event)
    zone = ZoneInfo(definition.time_zone)
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Cluster Atlas//meet//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", definition.name)
    synthetic = ", ".join(definition.synthetic)
    for part in definition.sessions:
        entry = icalendar.Event()
        entry.add("uid", f"{definition.id}-{part.id}@clusteratlas")
        entry.add("dtstamp", event.created_at)
        entry.add("dtstart", dt.datetime.combine(part.date, part.start, tzinfo=zone))
        entry.add("dtend", dt.datetime.combine(part.date, part.end, tzinfo=zone))
        entry.add("summary", f"{definition.name}: {part.name}")
        entry.add("location", f"{definition.venue}, {definition.city}")
        if synthetic:
            entry.add("description", f"SYNTHETIC (UNCONFIRMED) parts of this event: {synthetic}.")
        calendar.add_component(entry)
    calendar.add_missing_timezones()
    data: bytes = calendar.to_ical()
    return data


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def event_stats(session: Session, *, actor: User | None, slug: str) -> dict[str, Any]:
    """Return the organiser's figures of an event.

    ``participants``, ``by_type`` and ``by_country`` (registrations), ``requests`` and
    ``requests_by_status``, ``acceptance_rate`` = accepted / (accepted + declined) (None
    before any answer), ``meetings_scheduled``, ``meetings_confirmed``, ``meetings_held``
    (rated as held by at least one side), ``coverage`` = share of participants with at
    least one scheduled meeting, ``mean_score`` and ``cooperation_share`` (of ratings), and
    the last schedule's ``solver_status``, ``objective``, ``upper_bound`` and ``gap``.
    """
    event = get_event(session, slug)
    require_organiser(session, event, actor, "read the event's statistics")
    people = list_participants(session, event)
    requests = list(session.scalars(select(MeetRequest).where(MeetRequest.event_id == event.id)))
    meetings = list(session.scalars(select(MeetMeeting).where(MeetMeeting.event_id == event.id)))
    ratings = list(
        session.scalars(
            select(MeetRating).join(MeetMeeting).where(MeetMeeting.event_id == event.id)
        )
    )
    statuses = Counter(r.status for r in requests)
    met = {p for m in meetings for p in (m.a_id, m.b_id)}
    answered = statuses["accepted"] + statuses["declined"]
    return {
        "event": slug, "status": event.status, "participants": len(people),
        "by_type": dict(sorted(Counter(p.type for p in people).items())),
        "by_country": dict(sorted(Counter(p.country for p in people).items())),
        "requests": len(requests), "requests_by_status": dict(sorted(statuses.items())),
        "acceptance_rate": _share(statuses["accepted"], answered),
        "meetings_scheduled": len(meetings),
        "meetings_confirmed": sum(m.status == "confirmed" for m in meetings),
        "meetings_held": len({r.meeting_id for r in ratings if r.held}),
        "coverage": _share(len(met), len(people)),
        "mean_score": sum(r.score for r in ratings) / len(ratings) if ratings else None,
        "cooperation_share": _share(sum(r.cooperation for r in ratings), len(ratings)),
        "solver_status": event.schedule_status, "objective": event.schedule_objective,
        "upper_bound": event.schedule_bound, "gap": event.schedule_gap,
    }  # fmt: skip


def export_table(
    session: Session, *, actor: User | None, slug: str, table: str
) -> tuple[list[str], list[dict[str, Any]]]:
    """Return ``(columns, rows)`` of one of :data:`EXPORT_TABLES` of an event (organisers)."""
    check_in(table, EXPORT_TABLES, name="table")
    event = get_event(session, slug)
    require_organiser(session, event, actor, "export the event's data")
    ids = [p.id for p in list_participants(session, event)]
    if table == "participants":
        frame = _people(session, event).merge(pd.DataFrame(
            [(str(p.id), p.type, p.country, ";".join(p.languages)) for p in list_participants(session, event)],
            columns=["participant_id", "type", "country", "languages"]), on="participant_id")  # fmt: skip
        frame = frame[
            [
                "participant_id",
                "organisation_id",
                "organisation",
                "name",
                "type",
                "country",
                "languages",
            ]
        ]
    elif table == "availability":
        frame = pd.DataFrame(session.execute(
            select(MeetAvailability.participant_id, MeetAvailability.slot)
            .where(MeetAvailability.participant_id.in_(ids)).order_by(MeetAvailability.id)).all(),
            columns=["participant_id", "slot_start"])  # fmt: skip
    elif table == "requests":
        frame = pd.DataFrame([(r.id, r.from_id, r.to_id, r.status, r.message or "", r.reply or "",
                               r.proposed_by is not None, r.created_at.isoformat())
                              for r in session.scalars(select(MeetRequest).where(MeetRequest.event_id == event.id).order_by(MeetRequest.id))],
                             columns=["id", "from", "to", "status", "message", "reply", "proposed", "created_at"])  # fmt: skip
    elif table == "meetings":
        frame = schedule_frame(session, event)
    elif table == "plan":
        frame = table_plan(schedule_frame(session, event), participants=_people(session, event))
    elif table == "ratings":
        frame = pd.DataFrame(session.execute(
            select(MeetRating.meeting_id, MeetRating.participant_id, MeetRating.score, MeetRating.held,
                   MeetRating.cooperation, MeetRating.comment)
            .join(MeetMeeting).where(MeetMeeting.event_id == event.id).order_by(MeetRating.id)).all(),
            columns=["meeting_id", "participant_id", "score", "held", "cooperation", "comment"])  # fmt: skip
    else:
        frame = pd.DataFrame([(i.id, i.participant_id, i.kind, i.category, i.title, i.text,
                               ";".join(i.industries), ";".join(i.stages), ";".join(i.technologies))
                              for i in session.scalars(select(MeetItem).where(MeetItem.participant_id.in_(ids)).order_by(MeetItem.id))],
                             columns=["id", "participant_id", "kind", "category", "title", "text",
                                      "industries", "stages", "technologies"])  # fmt: skip
    rows = [{str(k): (None if isinstance(v, float) and math.isnan(v) else v.item() if hasattr(v, "item") else v)
             for k, v in row.items()} for row in frame.to_dict("records")]  # fmt: skip
    return list(frame.columns), rows
