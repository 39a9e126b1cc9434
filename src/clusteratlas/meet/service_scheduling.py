"""Meet services: scheduling an event's stored requests with HiGHS, without holding the write lock.

:func:`plan_schedule` gathers an event's accepted requests (and, when asked, the unanswered
ones as one-sided wishes), every participant's availability (a participant who never set any
is available in every slot) and the tables of each slot, and places the meetings with HiGHS
(:func:`clusteratlas.meet.highs.schedule_meetings_highs`). When the event already has
confirmed meetings it reschedules with :func:`clusteratlas.meet.reschedule.reschedule`: every
confirmed meeting whose request is still accepted keeps its slot and table; proposed
(unanswered) meetings are placed again. It only reads, so it can run in a read session while
others write. :func:`store_schedule` then writes the plan in a write session, after checking
that none of its inputs changed meanwhile (:class:`~clusteratlas.errors.ConflictError`
otherwise), and stores the solver's status, proven bound and gap on the event.
:func:`schedule_event` does both in one session.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from clusteratlas._validation import check_interval
from clusteratlas.errors import ConflictError
from clusteratlas.meet.events import event_slots
from clusteratlas.meet.highs import schedule_meetings_highs
from clusteratlas.meet.reschedule import reschedule
from clusteratlas.meet.service import event_definition, get_event, require_organiser
from clusteratlas.meet.service_participants import list_participants
from clusteratlas.registry.audit import record
from clusteratlas.registry.models import (
    MeetAvailability,
    MeetEvent,
    MeetMeeting,
    MeetParticipant,
    MeetRequest,
    User,
)


@dataclass(frozen=True)
class ScheduleSummary:
    """What :func:`schedule_event` stored: counts and the solver's quality figures."""

    wanted: int
    meetings: int
    kept: int
    status: str
    objective: float
    bound: float
    gap: float
    min_meetings: int


def _inputs(
    session: Session, event: MeetEvent, include_unanswered: bool
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, dict[frozenset[str], MeetRequest]]:
    slots = event_slots(event_definition(event))
    order = [str(s) for s in slots["slot"]]
    people = list_participants(session, event)
    rows = session.execute(
        select(MeetAvailability.participant_id, MeetAvailability.slot)
        .join(MeetParticipant).where(MeetParticipant.event_id == event.id)
    ).all()  # fmt: skip
    free: dict[int, list[str]] = {}
    for pid, slot in rows:
        free.setdefault(pid, []).append(slot)
    availability = pd.DataFrame(
        [(str(p.id), s) for p in people for s in free.get(p.id, order)],
        columns=["participant", "slot"],
    )
    statuses = ("accepted", "requested") if include_unanswered else ("accepted",)
    requests = list(session.scalars(
        select(MeetRequest).where(MeetRequest.event_id == event.id, MeetRequest.status.in_(statuses))
        .order_by(MeetRequest.id)
    ))  # fmt: skip
    wanted = pd.DataFrame(
        [
            (str(r.from_id), str(r.to_id), "accepted" if r.status == "accepted" else "one-sided")
            for r in requests
        ],
        columns=["a", "b", "priority"],
    )
    by_pair = {frozenset((str(r.from_id), str(r.to_id))): r for r in requests}
    return wanted, availability, slots.assign(slot=order), by_pair


def _fingerprint(session: Session, event: MeetEvent) -> str:
    """Return a digest of what a schedule is made from: definition, requests, availability, meetings."""
    digest = hashlib.sha256(event.definition.encode())
    requests = session.execute(
        select(MeetRequest.id, MeetRequest.status)
        .where(MeetRequest.event_id == event.id).order_by(MeetRequest.id)
    ).all()  # fmt: skip
    free = session.execute(
        select(MeetAvailability.participant_id, MeetAvailability.slot)
        .join(MeetParticipant).where(MeetParticipant.event_id == event.id)
        .order_by(MeetAvailability.participant_id, MeetAvailability.slot)
    ).all()  # fmt: skip
    meetings = session.execute(
        select(MeetMeeting.id, MeetMeeting.slot, MeetMeeting.table_no, MeetMeeting.status)
        .where(MeetMeeting.event_id == event.id).order_by(MeetMeeting.id)
    ).all()  # fmt: skip
    people = [p.id for p in list_participants(session, event)]
    for part in (requests, free, meetings, people):
        digest.update(
            repr([tuple(row) if not isinstance(row, int) else row for row in part]).encode()
        )
    return digest.hexdigest()


@dataclass(frozen=True)
class SchedulePlan:
    """A schedule worked out by :func:`plan_schedule`, to be written by :func:`store_schedule`.

    ``placed`` holds ``(request_id, a_id, b_id, slot, table, status)`` of the new meetings,
    ``kept`` the ids of the confirmed meetings that stay, ``fingerprint`` the inputs' digest.
    """

    slug: str
    fingerprint: str
    kept: tuple[int, ...]
    placed: tuple[tuple[int, int, int, str, int, str], ...]
    summary: ScheduleSummary


def plan_schedule(
    session: Session, *, actor: User | None, slug: str, include_unanswered: bool = False,
    fairness: float = 1.0, time_limit: float = 10.0,
) -> SchedulePlan:  # fmt: skip
    """Work out an event's schedule with HiGHS, reading only (organisers; see the module docstring).

    The event must be in status ``scheduling``.

    Raises
    ------
    ParameterError
        When a kept meeting no longer fits a participant's availability (the message names
        it) or HiGHS found no schedule keeping the confirmed meetings in ``time_limit``.
    """
    check_interval(time_limit, name="time_limit", low=0, high=120, closed="right")
    check_interval(fairness, name="fairness", low=0, high=100)
    event = get_event(session, slug)
    require_organiser(session, event, actor, "schedule the event")
    if event.status != "scheduling":
        raise ConflictError(f"Event {slug!r} is {event.status}: set it to scheduling first.")
    fingerprint = _fingerprint(session, event)
    wanted, availability, slots, by_pair = _inputs(session, event, include_unanswered)
    existing = list(session.scalars(select(MeetMeeting).where(MeetMeeting.event_id == event.id)))
    kept = [m for m in existing if m.status == "confirmed"
            and frozenset((str(m.a_id), str(m.b_id))) in by_pair
            and by_pair[frozenset((str(m.a_id), str(m.b_id)))].status == "accepted"]  # fmt: skip
    if wanted.empty:
        summary = ScheduleSummary(0, 0, 0, "optimal", 0.0, 0.0, 0.0, 0)
        return SchedulePlan(slug, fingerprint, (), (), summary)
    previous = pd.DataFrame([(str(m.a_id), str(m.b_id), m.slot, m.table_no) for m in kept],
                            columns=["a", "b", "slot", "table"])  # fmt: skip
    if kept:
        result = reschedule(previous, meetings=wanted, availability=availability, slots=slots,
                            fairness=fairness, time_limit=time_limit, solver="highs")  # fmt: skip
    else:
        result = schedule_meetings_highs(wanted, availability=availability, slots=slots,
                                         fairness=fairness, time_limit=time_limit)  # fmt: skip
    stay = {frozenset((str(m.a_id), str(m.b_id))) for m in kept}
    placed = []
    for a, b, priority, slot, table in result.schedule[
        ["a", "b", "priority", "slot", "table"]
    ].itertuples(index=False):
        if frozenset((a, b)) not in stay:
            request = by_pair[frozenset((a, b))]
            placed.append((request.id, request.from_id, request.to_id, str(slot), int(table),
                           "confirmed" if priority == "accepted" else "proposed"))  # fmt: skip
    summary = ScheduleSummary(len(wanted), result.n_meetings, len(kept), result.status,
                              result.objective, result.bound, result.gap, result.min_meetings)  # fmt: skip
    return SchedulePlan(slug, fingerprint, tuple(m.id for m in kept), tuple(placed), summary)


def store_schedule(session: Session, *, actor: User | None, plan: SchedulePlan) -> ScheduleSummary:
    """Write a :class:`SchedulePlan`: drop the meetings not kept, add the new ones, audit.

    Raises
    ------
    ConflictError
        When the event's requests, availability, meetings or definition changed since the
        plan was made (schedule again), or the event is no longer being scheduled.
    """
    event = get_event(session, plan.slug)
    require_organiser(session, event, actor, "schedule the event")
    if event.status != "scheduling" or _fingerprint(session, event) != plan.fingerprint:
        raise ConflictError(
            f"The requests, availability or meetings of {plan.slug!r} changed while the solver "
            "ran (or the event left the scheduling status); schedule again."
        )
    for meeting in session.scalars(select(MeetMeeting).where(MeetMeeting.event_id == event.id)):
        if meeting.id not in plan.kept:
            session.delete(meeting)
    session.flush()
    for request_id, a_id, b_id, slot, table, status in plan.placed:
        session.add(MeetMeeting(event_id=event.id, request_id=request_id, a_id=a_id, b_id=b_id,
                                slot=slot, table_no=table, status=status))  # fmt: skip
    done = plan.summary
    event.schedule_status, event.schedule_objective = done.status, float(done.objective)
    event.schedule_bound = float(done.bound) if math.isfinite(done.bound) else None
    event.schedule_gap = float(done.gap) if math.isfinite(done.gap) else None
    event.scheduled_at = dt.datetime.now(dt.UTC)
    session.flush()
    record(session, actor=actor, entity="meet_event", entity_id=event.id, action="schedule",
           after={"meetings": done.meetings, "kept": done.kept, "status": done.status,
                  "bound": event.schedule_bound, "gap": event.schedule_gap})  # fmt: skip
    return done


def schedule_event(
    session: Session, *, actor: User | None, slug: str, include_unanswered: bool = False,
    fairness: float = 1.0, time_limit: float = 10.0,
) -> ScheduleSummary:  # fmt: skip
    """Plan and store an event's schedule in one session (:func:`plan_schedule`, :func:`store_schedule`)."""
    plan = plan_schedule(session, actor=actor, slug=slug, include_unanswered=include_unanswered,
                         fairness=fairness, time_limit=time_limit)  # fmt: skip
    return store_schedule(session, actor=actor, plan=plan)
