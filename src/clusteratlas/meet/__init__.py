"""Meet: cluster events with B2B matchmaking.

So far the scheduler (:mod:`clusteratlas.meet.scheduler`): wanted meetings into time slots ×
tables with OR-Tools CP-SAT (extra ``meet``), its proven bound and gap, stable rescheduling,
and the first-come baseline it is compared with.
"""

from __future__ import annotations

from clusteratlas.meet.scheduler import (
    PRIORITY_WEIGHTS,
    ScheduleResult,
    greedy_schedule,
    schedule_meetings,
)

__all__ = ["PRIORITY_WEIGHTS", "ScheduleResult", "greedy_schedule", "schedule_meetings"]
