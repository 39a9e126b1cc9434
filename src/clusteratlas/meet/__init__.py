"""Meet: cluster events with B2B matchmaking.

Events as data (:mod:`~clusteratlas.meet.events`: TOML files, slots), participants,
availability and requests (:mod:`~clusteratlas.meet.participants`), a seeded synthetic event
drawn from the registry's organisations (:mod:`~clusteratlas.meet.synthetic`), the scheduler
(:mod:`~clusteratlas.meet.scheduler`: wanted meetings into time slots × tables with OR-Tools
CP-SAT or HiGHS, extra ``meet``, with the proven bound and gap, and the first-come baseline),
stable rescheduling (:mod:`~clusteratlas.meet.reschedule`), agendas as iCalendar files and
the organiser's table plan (:mod:`~clusteratlas.meet.agenda`), and the demo
(:mod:`~clusteratlas.meet.demo`).
"""

from __future__ import annotations

from clusteratlas.meet.events import (
    Event,
    Session,
    event_slots,
    packaged_event,
    parse_event,
    read_event,
)
from clusteratlas.meet.participants import (
    PARTICIPANT_TYPES,
    REQUEST_STATUSES,
    read_availability,
    read_participants,
    read_requests,
    wanted_meetings,
)
from clusteratlas.meet.reschedule import reschedule
from clusteratlas.meet.scheduler import (
    PRIORITY_WEIGHTS,
    ScheduleResult,
    greedy_schedule,
    schedule_meetings,
)

__all__ = [
    "PARTICIPANT_TYPES",
    "PRIORITY_WEIGHTS",
    "REQUEST_STATUSES",
    "Event",
    "ScheduleResult",
    "Session",
    "event_slots",
    "greedy_schedule",
    "packaged_event",
    "parse_event",
    "read_availability",
    "read_event",
    "read_participants",
    "read_requests",
    "reschedule",
    "schedule_meetings",
    "wanted_meetings",
]
