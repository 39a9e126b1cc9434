"""Cluster events as data: an event and its matchmaking sessions from a TOML file, and slots.

An event file holds ``[event]`` (``id``, ``name``, ``venue``, ``city``, ``country``,
``start_date``, ``end_date``, ``time_zone`` — an IANA name such as ``Europe/Brussels`` —
``status``, and an optional ``[event.registration]`` window ``opens``/``closes``), an
optional ``[provenance]`` table (which facts are confirmed, from where, and which are
synthetic) and one ``[[sessions]]`` table per matchmaking session: ``id``, ``name``,
``date``, ``start``, ``end`` (local times), ``slot_minutes``, ``tables``, optional
``breaks`` (``{start, end}``) and ``rooms`` (``{name, tables}``, their tables adding up to
the session's). :func:`event_slots` expands the sessions into time slots with time-zone-aware
start and end. :func:`packaged_event` loads an event shipped with the package (the European
Cluster Conference 2024, whose matchmaking programme is synthetic and labelled so).
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd

from clusteratlas.errors import ParseError, SchemaError

EVENT_STATUSES = ("draft", "open", "scheduling", "published", "closed")
"""The life of an event: drafted, open to registration, being scheduled, agendas published, closed."""

SLOT_COLUMNS = ("event", "session", "slot", "slot_start", "slot_end", "tables")
PACKAGED_EVENTS = {"ecc2024": "ecc2024.toml"}


@dataclass(frozen=True)
class Room:
    """A room (or area) of a session and the number of its tables."""

    name: str
    tables: int


@dataclass(frozen=True)
class Session:
    """A matchmaking session: slots of ``slot_minutes`` from ``start`` to ``end`` on ``date``."""

    id: str
    name: str
    date: dt.date
    start: dt.time
    end: dt.time
    slot_minutes: int
    tables: int
    breaks: tuple[tuple[dt.time, dt.time], ...] = ()
    rooms: tuple[Room, ...] = ()

    def room_of(self, table: int) -> str | None:
        """Return the room of ``table`` (1, 2, … numbered across the rooms in order)."""
        first = 1
        for room in self.rooms:
            if first <= table < first + room.tables:
                return room.name
            first += room.tables
        return None


@dataclass(frozen=True)
class Event:
    """A cluster event with its matchmaking sessions (see the module docstring)."""

    id: str
    name: str
    venue: str
    city: str
    country: str
    start_date: dt.date
    end_date: dt.date
    time_zone: str
    status: str
    sessions: tuple[Session, ...]
    registration_opens: dt.datetime | None = None
    registration_closes: dt.datetime | None = None
    provenance: dict[str, Any] = field(default_factory=dict)

    @property
    def synthetic(self) -> tuple[str, ...]:
        """The parts of the event that are synthetic (UNCONFIRMED), from ``[provenance]``."""
        return tuple(self.provenance.get("synthetic", ()))

    def session(self, session_id: str) -> Session:
        """Return the session called ``session_id``."""
        for session in self.sessions:
            if session.id == session_id:
                return session
        raise SchemaError(f"event {self.id!r} has no session {session_id!r}.")


class _Reader:
    """Read typed values from the parsed TOML, naming the key and its line on error."""

    def __init__(self, text: str, source: str) -> None:
        self.lines = text.splitlines()
        self.source = source

    def line(self, key: str, *, table: str | None = None, nth: int = 0) -> int | None:
        """Line number (1-based) of ``key = ...`` in the ``nth`` ``[table]``/``[[table]]``."""
        start, seen = 0, -1
        if table is not None:
            header = re.compile(rf"^\s*\[\[?\s*{re.escape(table)}\s*\]\]?")
            for number, text in enumerate(self.lines):
                if header.match(text):
                    seen += 1
                    if seen == nth:
                        start = number
                        break
            else:
                return None
        pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
        for number in range(start, len(self.lines)):
            if (
                number > start
                and table is not None
                and self.lines[number].lstrip().startswith("[[")
            ):
                break
            if pattern.match(self.lines[number]):
                return number + 1
        return None

    def fail(self, where: str, message: str, line: int | None) -> SchemaError:
        at = f" (line {line})" if line else ""
        return SchemaError(f"{self.source}: '{where}'{at} {message}")

    def get(
        self, data: dict[str, Any], key: str, kind: type | tuple[type, ...], *,
        where: str, table: str | None = None, nth: int = 0, required: bool = True,
    ) -> Any:  # fmt: skip
        if key not in data:
            if not required:
                return None
            line = self.line(table, nth=0) if table and "." not in table else None
            raise self.fail(where, f"is missing: expected {_describe(kind)}.", line)
        value = data[key]
        # TOML local date-times are datetime (a date subclass): keep the kinds apart.
        wrong = not isinstance(value, kind) or (kind is dt.date and isinstance(value, dt.datetime))
        if wrong or (isinstance(value, bool) and kind is int):
            raise self.fail(
                where,
                f"must be {_describe(kind)}; got {value!r}.",
                self.line(key, table=table, nth=nth),
            )
        return value


def _describe(kind: type | tuple[type, ...]) -> str:
    names = {
        str: "a string", int: "a whole number", dt.date: "a date (2024-05-07)",
        dt.time: "a local time (14:00:00)", dt.datetime: "a local date-time (2024-04-30T23:59:00)",
        list: "an array", dict: "a table",
    }  # fmt: skip
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def parse_event(text: str, *, source: str = "event") -> Event:
    """Return the :class:`Event` described by TOML ``text`` (see the module docstring).

    Raises
    ------
    ParseError
        When the text is not TOML (the message has tomllib's line and column).
    SchemaError
        When a key is missing or wrong; the message names the key and its line.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ParseError(f"{source}: not valid TOML: {err}.") from err
    read = _Reader(text, source)
    head = read.get(data, "event", dict, where="[event]")
    values = {
        key: read.get(head, key, str, where=f"event.{key}", table="event")
        for key in ("id", "name", "venue", "city", "country", "time_zone", "status")
    }
    try:
        ZoneInfo(values["time_zone"])
    except (ZoneInfoNotFoundError, ValueError) as err:
        raise read.fail(
            "event.time_zone",
            f"must be an IANA time zone such as 'Europe/Brussels'; got {values['time_zone']!r}.",
            read.line("time_zone", table="event"),
        ) from err
    if values["status"] not in EVENT_STATUSES:
        raise read.fail(
            "event.status",
            f"must be one of {', '.join(EVENT_STATUSES)}; got {values['status']!r}.",
            read.line("status", table="event"),
        )
    first = read.get(head, "start_date", dt.date, where="event.start_date", table="event")
    last = read.get(head, "end_date", dt.date, where="event.end_date", table="event")
    if last < first:
        raise read.fail(
            "event.end_date", f"({last}) is before event.start_date ({first}).",
            read.line("end_date", table="event"),
        )  # fmt: skip
    window = (
        read.get(
            head, "registration", dict, where="event.registration", table="event", required=False
        )
        or {}
    )
    opens, closes = (
        read.get(window, k, dt.datetime, where=f"event.registration.{k}",
                 table="event.registration", required=False)
        for k in ("opens", "closes")
    )  # fmt: skip
    if opens and closes and closes <= opens:
        raise read.fail(
            "event.registration.closes", f"({closes}) is not after opens ({opens}).",
            read.line("closes", table="event.registration"),
        )  # fmt: skip
    raw_sessions = read.get(data, "sessions", list, where="[[sessions]]")
    if not raw_sessions:
        raise read.fail("[[sessions]]", "must list at least one session.", None)
    sessions = tuple(_session(read, raw, nth, first, last) for nth, raw in enumerate(raw_sessions))
    _check_sessions(read, sessions)
    provenance = data.get("provenance", {})
    if not isinstance(provenance, dict):
        raise read.fail("provenance", "must be a table.", read.line("provenance"))
    return Event(
        **values, start_date=first, end_date=last, sessions=sessions,
        registration_opens=opens, registration_closes=closes, provenance=provenance,
    )  # fmt: skip


def _session(read: _Reader, raw: Any, nth: int, first: dt.date, last: dt.date) -> Session:
    where = f"sessions[{nth + 1}]"
    if not isinstance(raw, dict):
        raise read.fail(where, "must be a table.", None)

    def get(key: str, kind: type, *, required: bool = True) -> Any:
        return read.get(raw, key, kind, where=f"{where}.{key}", table="sessions", nth=nth,
                        required=required)  # fmt: skip

    session_id, name = get("id", str), get("name", str)
    date, start, end = get("date", dt.date), get("start", dt.time), get("end", dt.time)
    minutes, tables = get("slot_minutes", int), get("tables", int)
    if not first <= date <= last:
        raise read.fail(f"{where}.date", f"({date}) is outside the event's dates ({first} to {last}).",
                        read.line("date", table="sessions", nth=nth))  # fmt: skip
    if end <= start:
        raise read.fail(f"{where}.end", f"({end}) is not after start ({start}).",
                        read.line("end", table="sessions", nth=nth))  # fmt: skip
    for key, value in (("slot_minutes", minutes), ("tables", tables)):
        if value < 1:
            raise read.fail(f"{where}.{key}", f"must be a whole number >= 1; got {value}.",
                            read.line(key, table="sessions", nth=nth))  # fmt: skip
    breaks = []
    for k, pause in enumerate(get("breaks", list, required=False) or []):
        label = f"{where}.breaks[{k + 1}]"
        if (
            not isinstance(pause, dict)
            or not all(isinstance(pause.get(x), dt.time) for x in ("start", "end"))
            or pause["end"] <= pause["start"]
        ):
            raise read.fail(label, "must be {start = 15:20:00, end = 15:40:00} with end after start.",
                            read.line("breaks", table="sessions", nth=nth))  # fmt: skip
        breaks.append((pause["start"], pause["end"]))
    rooms = []
    for k, room in enumerate(get("rooms", list, required=False) or []):
        if not (isinstance(room, dict) and isinstance(room.get("name"), str)
                and isinstance(room.get("tables"), int) and room["tables"] >= 1):  # fmt: skip
            raise read.fail(f"{where}.rooms[{k + 1}]",
                            "must be {name = \"Hall A\", tables = 40} with tables >= 1.",
                            read.line("rooms", table="sessions", nth=nth))  # fmt: skip
        rooms.append(Room(room["name"], room["tables"]))
    if rooms and sum(r.tables for r in rooms) != tables:
        raise read.fail(f"{where}.rooms", f"hold {sum(r.tables for r in rooms)} tables; the "
                        f"session has {tables}.", read.line("rooms", table="sessions", nth=nth))  # fmt: skip
    session = Session(
        session_id, name, date, start, end, minutes, tables, tuple(breaks), tuple(rooms)
    )
    if not _slot_times(session):
        raise read.fail(where, f"has no {minutes}-minute slot between {start} and {end} "
                        "outside its breaks.", read.line("start", table="sessions", nth=nth))  # fmt: skip
    return session


def _check_sessions(read: _Reader, sessions: tuple[Session, ...]) -> None:
    ids = [s.id for s in sessions]
    for nth, session in enumerate(sessions):
        if ids.index(session.id) != nth:
            raise read.fail(f"sessions[{nth + 1}].id", f"{session.id!r} is used twice.",
                            read.line("id", table="sessions", nth=nth))  # fmt: skip
    spans = sorted(
        (dt.datetime.combine(s.date, s.start), dt.datetime.combine(s.date, s.end), s.id)
        for s in sessions
    )
    for (_, end, one), (start, _, other) in itertools.pairwise(spans):
        if start < end:
            raise read.fail(f"sessions ({one!r}, {other!r})",
                            "overlap: a participant cannot be in two sessions at once.", None)  # fmt: skip


def _slot_times(session: Session) -> list[tuple[dt.datetime, dt.datetime]]:
    """Slots from ``start``: a slot that would overlap a break starts after it instead."""
    length = dt.timedelta(minutes=session.slot_minutes)
    day = session.date
    t, end = dt.datetime.combine(day, session.start), dt.datetime.combine(day, session.end)
    pauses = sorted(
        (dt.datetime.combine(day, a), dt.datetime.combine(day, b)) for a, b in session.breaks
    )
    slots = []
    while t + length <= end:
        clash = next((b for a, b in pauses if t < b and a < t + length), None)
        if clash is not None:
            t = clash
            continue
        slots.append((t, t + length))
        t += length
    return slots


def event_slots(event: Event) -> pd.DataFrame:
    """Return the time slots of every session of ``event``, in time order.

    Returns
    -------
    pandas.DataFrame
        ``event``, ``session``, ``slot`` (the start in ISO 8601 with its UTC offset, the id
        the scheduler uses), ``slot_start``, ``slot_end`` (timestamps aware of the event's
        time zone) and ``tables``.

    Notes
    -----
    A session from ``start`` to ``end`` holds slots of ``slot_minutes`` one after the other;
    a slot that would overlap a break starts at the break's end; a slot that would end
    after ``end`` is not held. Local times are placed in the event's zone (daylight saving
    included), so 14:00 on 7 May 2024 in Brussels is 12:00 UTC.
    """
    zone = ZoneInfo(event.time_zone)
    rows = []
    for session in event.sessions:
        for start, end in _slot_times(session):
            begin = pd.Timestamp(start).tz_localize(zone)
            rows.append((event.id, session.id, begin.isoformat(), begin,
                         pd.Timestamp(end).tz_localize(zone), session.tables))  # fmt: skip
    slots = pd.DataFrame(rows, columns=list(SLOT_COLUMNS))
    return slots.sort_values("slot_start", kind="stable").reset_index(drop=True)


def read_event(path: str | Path) -> Event:
    """Read an event from the TOML file ``path`` (see :func:`parse_event`)."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise ParseError(f"Cannot read the event file {str(file)!r}: {err}.") from err
    return parse_event(text, source=str(file))


def packaged_event(name: str = "ecc2024") -> Event:
    """Return an event shipped with the package.

    ``"ecc2024"``: the European Cluster Conference 2024 (real name, dates, venue, city;
    synthetic matchmaking sessions, labelled so).
    """
    if name not in PACKAGED_EVENTS:
        raise SchemaError(f"No packaged event {name!r}; packaged: {', '.join(PACKAGED_EVENTS)}.")
    text = (
        resources.files("clusteratlas.meet")
        .joinpath("files", PACKAGED_EVENTS[name])
        .read_text(encoding="utf-8")
    )
    return parse_event(text, source=f"packaged event {name!r}")
