"""Stable rescheduling: after cancellations and late requests, move nobody and fill the gaps.

A published schedule is in people's calendars: changing it after a cancellation or a late
request must not move any meeting that still takes place. :func:`reschedule` keeps every
meeting of the previous schedule that is not cancelled in its slot and at its table (the
``fixed`` meetings of :func:`~clusteratlas.meet.scheduler.schedule_meetings`) and lets the
solver place the other wanted meetings — the late requests and those left out before — in
the places that are free, including those freed by the cancellations.
"""

from __future__ import annotations

import pandas as pd

from clusteratlas._validation import check_columns
from clusteratlas.meet.scheduler import PRIORITY_WEIGHTS, ScheduleResult, schedule_meetings


def _pairs(frame: pd.DataFrame) -> pd.Series:
    return pd.Series(
        [frozenset(p) for p in zip(frame["a"].astype(str), frame["b"].astype(str), strict=True)],
        index=frame.index,
        dtype=object,
    )


def reschedule(
    previous: pd.DataFrame,
    *,
    meetings: pd.DataFrame,
    availability: pd.DataFrame,
    slots: pd.DataFrame,
    cancelled: pd.DataFrame | None = None,
    new_requests: pd.DataFrame | None = None,
    fairness: float = 1.0,
    time_limit: float = 10.0,
    workers: int = 2,
    seed: int = 0,
    solver: str = "cp-sat",
) -> ScheduleResult:
    """Reschedule without moving any meeting that still takes place.

    Parameters
    ----------
    previous : pandas.DataFrame
        The published schedule: ``a``, ``b``, ``slot``, ``table`` (as
        :attr:`ScheduleResult.schedule <clusteratlas.meet.scheduler.ScheduleResult>`).
    meetings : pandas.DataFrame
        The wanted meetings the previous schedule was made from: ``a``, ``b``, ``priority``.
    availability, slots : pandas.DataFrame
        As for :func:`~clusteratlas.meet.scheduler.schedule_meetings` (availability may have
        changed, but not so as to leave a kept meeting outside it).
    cancelled : pandas.DataFrame, optional
        Pairs ``a``, ``b`` whose meeting (scheduled or not) is called off.
    new_requests : pandas.DataFrame, optional
        Late wanted meetings ``a``, ``b``, ``priority``; a pair already wanted takes the
        higher of its two priorities.
    fairness, time_limit, workers, seed, solver
        As for :func:`~clusteratlas.meet.scheduler.schedule_meetings`.

    Returns
    -------
    ScheduleResult
        Every meeting of ``previous`` not cancelled at the same slot and table, and the
        meetings the solver added in the free places.

    Raises
    ------
    SchemaError
        When a column is missing.
    ParameterError
        When a kept meeting no longer fits the availability (``schedule_meetings``'s
        message names it).
    """
    check_columns(previous, ["a", "b", "slot", "table"], what="previous schedule")
    check_columns(meetings, ["a", "b", "priority"], what="meetings")
    wanted = meetings[["a", "b", "priority"]].astype(str).reset_index(drop=True)
    if new_requests is not None and not new_requests.empty:
        check_columns(new_requests, ["a", "b", "priority"], what="new_requests")
        late = new_requests[["a", "b", "priority"]].astype(str)
        wanted = pd.concat([wanted, late], ignore_index=True)
        rank = wanted["priority"].str.strip().str.lower().map(PRIORITY_WEIGHTS).fillna(0)
        # One row per pair, the first listed, carrying the highest priority of its rows.
        wanted = wanted.assign(_pair=_pairs(wanted), _rank=rank)
        best = wanted.loc[
            wanted.groupby("_pair", sort=False)["_rank"].idxmax(), ["_pair", "priority"]
        ]
        wanted = (
            wanted.drop(columns=["priority", "_rank"]).drop_duplicates("_pair")
            .merge(best, on="_pair").drop(columns="_pair")
        )  # fmt: skip
    kept = previous.reset_index(drop=True)
    if cancelled is not None and not cancelled.empty:
        check_columns(cancelled, ["a", "b"], what="cancelled")
        off = set(_pairs(cancelled))
        wanted = wanted[~_pairs(wanted).isin(off)].reset_index(drop=True)
        kept = kept[~_pairs(kept).isin(off)].reset_index(drop=True)
    return schedule_meetings(
        wanted, availability=availability, slots=slots, fixed=kept[["a", "b", "slot", "table"]],
        fairness=fairness, time_limit=time_limit, workers=workers, seed=seed, solver=solver,
    )  # fmt: skip
