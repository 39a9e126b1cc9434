"""Agendas: the event's schedule table, personal iCalendar files and the organiser's table plan.

:func:`schedule_table` turns a :class:`~clusteratlas.meet.scheduler.ScheduleResult` into the
event's schedule (``event``, ``session``, ``slot_start``, ``slot_end``, ``table``,
``participant_a``, ``participant_b``, ``status``, ``room``, ``priority``);
:func:`participant_calendar` writes one participant's meetings as an iCalendar (RFC 5545)
calendar with the `icalendar <https://icalendar.readthedocs.io>`_ library (extra ``meet``):
times in the event's time zone with its ``VTIMEZONE``, one ``VEVENT`` per meeting whose
summary names the other participant and their organisation and whose location is the room
and table at the venue; :func:`table_plan` is the organiser's plan, one row per slot × table.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from clusteratlas._validation import optional_import
from clusteratlas.meet.events import Event
from clusteratlas.meet.scheduler import ScheduleResult

SCHEDULE_TABLE_COLUMNS = (
    "event", "session", "slot_start", "slot_end", "table", "participant_a", "participant_b",
    "status", "room", "priority",
)  # fmt: skip
MEETING_STATUS = {"accepted": "confirmed", "mutual": "proposed", "one-sided": "proposed"}
"""A placed meeting is ``confirmed`` when its request was accepted, else ``proposed``."""


def schedule_table(result: ScheduleResult, *, event: Event, slots: pd.DataFrame) -> pd.DataFrame:
    """Return the event's schedule: one row per meeting, by slot then table.

    ``slot_start``/``slot_end`` are ISO 8601 times with their UTC offset in the event's
    zone; ``status`` is :data:`MEETING_STATUS` of the priority; ``room`` the session's room
    holding the table (empty without rooms).
    """
    placed = result.schedule.merge(
        slots[["slot", "session", "slot_start", "slot_end"]], on="slot", how="left", validate="m:1"
    )
    rooms = [
        event.session(s).room_of(int(t))
        for s, t in zip(placed["session"], placed["table"], strict=True)
    ]
    return pd.DataFrame({
        "event": event.id,
        "session": placed["session"],
        "slot_start": [t.isoformat() for t in placed["slot_start"]],
        "slot_end": [t.isoformat() for t in placed["slot_end"]],
        "table": placed["table"].astype(int),
        "participant_a": placed["a"],
        "participant_b": placed["b"],
        "status": placed["priority"].map(MEETING_STATUS),
        "room": [r or "" for r in rooms],
        "priority": placed["priority"],
    }, columns=list(SCHEDULE_TABLE_COLUMNS))  # fmt: skip


def _who(participants: pd.DataFrame) -> dict[str, tuple[str, str]]:
    # The fallbacks are chosen lazily: a table with ``organisation`` needs no ``organisation_id``.
    names = participants["name"] if "name" in participants else participants["participant_id"]
    orgs = (participants["organisation"] if "organisation" in participants
            else participants["organisation_id"])  # fmt: skip
    names, orgs = names.astype(str), orgs.astype(str)
    return dict(
        zip(participants["participant_id"].astype(str), zip(names, orgs, strict=True), strict=True)
    )


def participant_calendar(
    schedule: pd.DataFrame, participant: str, *, event: Event, participants: pd.DataFrame,
    stamp: dt.datetime | None = None,
) -> Any:  # fmt: skip
    """Return the ``icalendar.Calendar`` of ``participant``'s meetings.

    Parameters
    ----------
    schedule : pandas.DataFrame
        The event's schedule (:func:`schedule_table`).
    participant : str
        The participant's id.
    event : Event
        The event (name, venue, time zone, provenance).
    participants : pandas.DataFrame
        ``participant_id`` and optionally ``name`` and ``organisation``, to name the other
        participant of each meeting.
    stamp : datetime, optional
        The ``DTSTAMP`` of every event (when the file was made; the current UTC time by
        default).

    Notes
    -----
    Each meeting's ``UID`` is made of the event, slot, table and pair, so a calendar
    application that imports a later version of the file updates meetings instead of
    duplicating them.
    """
    icalendar = optional_import("icalendar", extra="meet")
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(event.time_zone)
    who = _who(participants)
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Cluster Atlas//meet//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"{event.name}: B2B meetings of {participant}")
    calendar.add("x-wr-timezone", event.time_zone)
    when = stamp or dt.datetime.now(dt.UTC)
    synthetic = ", ".join(event.synthetic)
    mine = schedule[
        (schedule["participant_a"] == participant) | (schedule["participant_b"] == participant)
    ]
    for record in mine.to_dict("records"):
        row = {key: str(value) for key, value in record.items()}
        other = (
            row["participant_b"] if row["participant_a"] == participant else row["participant_a"]
        )
        name, organisation = who.get(other, (other, ""))
        meeting = icalendar.Event()
        meeting.add(
            "uid",
            f"{row['event']}-{row['slot_start']}-t{row['table']}-{row['participant_a']}-{row['participant_b']}@clusteratlas",
        )
        meeting.add("dtstamp", when)
        meeting.add("dtstart", dt.datetime.fromisoformat(row["slot_start"]).astimezone(zone))
        meeting.add("dtend", dt.datetime.fromisoformat(row["slot_end"]).astimezone(zone))
        meeting.add(
            "summary",
            f"B2B meeting with {name} ({organisation})"
            if organisation
            else f"B2B meeting with {name}",
        )
        place = f"{row['room']}, table {row['table']}" if row["room"] else f"Table {row['table']}"
        meeting.add("location", f"{place}, {event.venue}, {event.city}")
        meeting.add("status", "CONFIRMED" if row["status"] == "confirmed" else "TENTATIVE")
        note = f"{event.name}, session {row['session']}. Meeting {row['status']}."
        if synthetic:
            note += f" SYNTHETIC (UNCONFIRMED) parts of this event: {synthetic}."
        meeting.add("description", note)
        calendar.add_component(meeting)
    calendar.add_missing_timezones()
    return calendar


def write_agendas(
    schedule: pd.DataFrame, folder: str | Path, *, event: Event, participants: pd.DataFrame,
    only: Iterable[str] | None = None, stamp: dt.datetime | None = None,
) -> list[Path]:  # fmt: skip
    """Write ``<participant_id>.ics`` in ``folder`` for every participant with a meeting.

    Each file is written whole or not at all (a temporary file moved into place).
    """
    from clusteratlas.export import atomic_write

    target = Path(folder)
    people = pd.unique(pd.concat([schedule["participant_a"], schedule["participant_b"]]))
    chosen = set(only) if only is not None else None
    written = []
    for person in sorted(map(str, people)):
        if chosen is not None and person not in chosen:
            continue
        data = participant_calendar(schedule, person, event=event, participants=participants,
                                    stamp=stamp).to_ical()  # fmt: skip
        written.append(atomic_write(target / f"{person}.ics", _bytes_writer(data),
                                    what=f"agenda of {person}"))  # fmt: skip
    return written


def _bytes_writer(data: bytes) -> Callable[[Path], object]:
    return lambda tmp: tmp.write_bytes(data)


def table_plan(schedule: pd.DataFrame, *, participants: pd.DataFrame) -> pd.DataFrame:
    """Return the organiser's table plan: who sits at which table in each slot.

    Columns ``slot_start``, ``slot_end``, ``session``, ``room``, ``table``,
    ``participant_a``, ``name_a``, ``organisation_a``, ``participant_b``, ``name_b``,
    ``organisation_b``, ``status``; by slot then table.
    """
    who = _who(participants)
    plan = schedule.sort_values(["slot_start", "table"]).reset_index(drop=True)
    out = plan[["slot_start", "slot_end", "session", "room", "table"]].copy()
    for side in ("a", "b"):
        ids = plan[f"participant_{side}"].astype(str)
        out[f"participant_{side}"] = ids
        out[f"name_{side}"] = [who.get(p, (p, ""))[0] for p in ids]
        out[f"organisation_{side}"] = [who.get(p, (p, ""))[1] for p in ids]
    out["status"] = plan["status"]
    return out
