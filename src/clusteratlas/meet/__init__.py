"""Meet: cluster events with B2B matchmaking.

Events as data (:mod:`~clusteratlas.meet.events`: TOML files, slots), participants,
availability and requests (:mod:`~clusteratlas.meet.participants`), a seeded synthetic event
drawn from the registry's organisations (:mod:`~clusteratlas.meet.synthetic`), the scheduler
(:mod:`~clusteratlas.meet.scheduler`: wanted meetings into time slots × tables with OR-Tools
CP-SAT or HiGHS, extra ``meet``, with the proven bound and gap, and the first-come baseline),
stable rescheduling (:mod:`~clusteratlas.meet.reschedule`), agendas as iCalendar files and
the organiser's table plan (:mod:`~clusteratlas.meet.agenda`), the demo
(:mod:`~clusteratlas.meet.demo`), the marketplace of offers and requests
(:mod:`~clusteratlas.meet.marketplace`), whom to meet (:mod:`~clusteratlas.meet.recommend`)
and the organiser's figures after the event (:mod:`~clusteratlas.meet.analysis`).
"""

from __future__ import annotations

from clusteratlas.meet.analysis import (
    meeting_figures,
    meetings_matrix,
    organiser_summary,
    plot_meetings_network,
    read_ratings,
    registrations,
)
from clusteratlas.meet.events import (
    Event,
    Session,
    event_slots,
    packaged_event,
    parse_event,
    read_event,
)
from clusteratlas.meet.marketplace import ITEM_CATEGORIES, read_items, synthetic_items
from clusteratlas.meet.participants import (
    PARTICIPANT_TYPES,
    REQUEST_STATUSES,
    read_availability,
    read_participants,
    read_requests,
    wanted_meetings,
)
from clusteratlas.meet.recommend import recommend_all, recommend_for
from clusteratlas.meet.reschedule import reschedule
from clusteratlas.meet.scheduler import (
    PRIORITY_WEIGHTS,
    ScheduleResult,
    greedy_schedule,
    schedule_meetings,
)

__all__ = [
    "ITEM_CATEGORIES",
    "PARTICIPANT_TYPES",
    "PRIORITY_WEIGHTS",
    "REQUEST_STATUSES",
    "Event",
    "ScheduleResult",
    "Session",
    "event_slots",
    "greedy_schedule",
    "meeting_figures",
    "meetings_matrix",
    "organiser_summary",
    "packaged_event",
    "parse_event",
    "plot_meetings_network",
    "read_availability",
    "read_event",
    "read_items",
    "read_participants",
    "read_ratings",
    "read_requests",
    "recommend_all",
    "recommend_for",
    "registrations",
    "reschedule",
    "schedule_meetings",
    "synthetic_items",
    "wanted_meetings",
]
