"""Events from TOML and their slots, checked against times worked out by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from clusteratlas.errors import ParseError, SchemaError
from clusteratlas.meet import event_slots, packaged_event, parse_event

EVENT = """\
[event]
id = "x"
name = "Test event"
venue = "Hall"
city = "Brussels"
country = "BE"
start_date = 2024-01-15
end_date = 2024-01-15
time_zone = "Europe/Brussels"
status = "open"

[[sessions]]
id = "s"
name = "Morning"
date = 2024-01-15
start = 09:00:00
end = 10:00:00
slot_minutes = 25
tables = 3
breaks = [{ start = 09:30:00, end = 09:40:00 }]
"""


def test_the_packaged_conference_keeps_its_real_facts_and_labels_the_rest() -> None:
    event = packaged_event("ecc2024")
    assert (event.city, event.time_zone, str(event.start_date), str(event.end_date)) == (
        "Brussels", "Europe/Brussels", "2024-05-07", "2024-05-08",
    )  # fmt: skip
    assert "Square" in event.venue
    assert set(event.synthetic) == {"status", "registration", "sessions"}
    assert "SYNTHETIC" in event.provenance["note"]
    assert all("synthetic" in s.name for s in event.sessions)


def test_conference_slots_by_hand() -> None:
    # Day 1: 14:00–17:00 in 20-minute slots with a break 15:20–15:40: 14:00, 14:20, 14:40,
    # 15:00, then 15:40, 16:00, 16:20, 16:40 (8 slots); day 2 likewise from 09:30 with a
    # break 10:50–11:10 (8 slots). May in Brussels is CEST (UTC+2).
    slots = event_slots(packaged_event())
    assert len(slots) == 16 and (slots["tables"] == 75).all()
    day1 = slots[slots["session"] == "b2b-day1"]["slot_start"].dt.strftime("%H:%M").tolist()
    assert day1 == ["14:00", "14:20", "14:40", "15:00", "15:40", "16:00", "16:20", "16:40"]
    first = slots["slot_start"].iloc[0]
    assert first.tz_convert("UTC") == pd.Timestamp("2024-05-07 12:00", tz="UTC")
    assert slots["slot"].iloc[0] == "2024-05-07T14:00:00+02:00"
    assert (slots["slot_end"] - slots["slot_start"] == pd.Timedelta(minutes=20)).all()


def test_a_slot_overlapping_a_break_starts_after_it() -> None:
    # 25-minute slots from 09:00: 09:00–09:25 fits; 09:25–09:50 overlaps the break
    # 09:30–09:40, so the next starts at 09:40 and would end 10:05, after the session: one
    # slot. January in Brussels is CET (UTC+1).
    slots = event_slots(parse_event(EVENT))
    assert slots["slot"].tolist() == ["2024-01-15T09:00:00+01:00"]
    assert slots["slot_end"].iloc[0].tz_convert("UTC") == pd.Timestamp("2024-01-15 08:25", tz="UTC")


def test_room_of_a_table() -> None:
    session = packaged_event().sessions[0]  # 40 tables in area A, then 35 in B
    assert session.room_of(40).startswith("Matchmaking area A")
    assert session.room_of(41).startswith("Matchmaking area B")
    assert session.room_of(76) is None


@pytest.mark.parametrize(
    ("old", "new", "needles"),
    [
        ('time_zone = "Europe/Brussels"', 'time_zone = "Europe/Bruxelles"',
         ["'event.time_zone' (line 9)", "IANA time zone"]),
        ('status = "open"', 'status = "live"', ["'event.status' (line 10)", "draft, open"]),
        ("slot_minutes = 25", 'slot_minutes = "25"', ["'sessions[1].slot_minutes' (line 18)", "whole number"]),
        ("tables = 3", "tables = 0", ["'sessions[1].tables' (line 19)", ">= 1"]),
        ("date = 2024-01-15\nstart", "date = 2024-01-16\nstart", ["'sessions[1].date'", "outside the event's dates"]),
        ('city = "Brussels"\n', "", ["'event.city'", "is missing"]),
        ("end = 10:00:00", "end = 09:20:00", ["'sessions[1]'", "has no 25-minute slot"]),
    ],
)  # fmt: skip
def test_bad_keys_are_named_with_their_line(old: str, new: str, needles: list[str]) -> None:
    assert old in EVENT
    with pytest.raises(SchemaError) as err:
        parse_event(EVENT.replace(old, new, 1), source="e.toml")
    for needle in needles:
        assert needle in str(err.value)


def test_rooms_must_hold_the_tables_and_sessions_must_not_overlap() -> None:
    text = EVENT + 'rooms = [{ name = "A", tables = 2 }]\n'
    with pytest.raises(
        SchemaError, match=r"'sessions\[1\].rooms' \(line 21\) hold 2 tables; the session has 3"
    ):
        parse_event(text)
    second = (
        EVENT.split("[[sessions]]")[1]
        .replace('id = "s"', 'id = "t"')
        .replace("start = 09:00:00", "start = 09:05:00")
    )
    with pytest.raises(SchemaError, match="overlap"):
        parse_event(EVENT + "\n[[sessions]]" + second)


def test_not_toml_is_a_parse_error_with_the_line() -> None:
    with pytest.raises(ParseError, match="line 2"):
        parse_event('[event]\nid = "x\n')
