"""Agendas: .ics files read back with an independent parser (``ics``) agree with the schedule."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

pytest.importorskip("icalendar")
ics = pytest.importorskip("ics")

from clusteratlas.meet import event_slots, packaged_event, schedule_meetings  # noqa: E402
from clusteratlas.meet.agenda import (  # noqa: E402
    participant_calendar,
    schedule_table,
    table_plan,
    write_agendas,
)

PEOPLE = pd.DataFrame({
    "participant_id": ["A", "B", "C"],
    "organisation_id": ["fr:aerospace-valley", "de:silicon-saxony", "us:103"],
    "name": ["Ana", "Ben", "Cy"],
    "organisation": ["Aerospace Valley", "Silicon Saxony", "GrowFL"],
})  # fmt: skip


@pytest.fixture(scope="module")
def schedule() -> pd.DataFrame:
    # Conference slots; A free only in the first two slots, B only in the first, C in both:
    # A–B must take 14:00 (B's only slot), so A–C takes 14:20.
    event = packaged_event()
    slots = event_slots(event)
    first, second = slots["slot"].iloc[0], slots["slot"].iloc[1]
    availability = pd.DataFrame([("A", first), ("A", second), ("B", first), ("C", first), ("C", second)],
                                columns=["participant", "slot"])  # fmt: skip
    meetings = pd.DataFrame(
        [("A", "C", "accepted"), ("A", "B", "mutual")], columns=["a", "b", "priority"]
    )
    result = schedule_meetings(meetings, availability=availability, slots=slots, fairness=0)
    return schedule_table(result, event=event, slots=slots)


def test_schedule_table_by_hand(schedule: pd.DataFrame) -> None:
    assert schedule[["slot_start", "participant_a", "participant_b", "status", "table"]].values.tolist() == [
        ["2024-05-07T14:00:00+02:00", "A", "B", "proposed", 1],
        ["2024-05-07T14:20:00+02:00", "A", "C", "confirmed", 1],
    ]  # fmt: skip
    assert schedule["room"].str.startswith("Matchmaking area A").all()


def test_ics_files_parse_independently_and_agree_with_the_schedule(schedule, tmp_path) -> None:
    event = packaged_event()
    stamp = dt.datetime(2024, 4, 1, tzinfo=dt.UTC)
    written = write_agendas(schedule, tmp_path, event=event, participants=PEOPLE, stamp=stamp)
    assert sorted(p.name for p in written) == ["A.ics", "B.ics", "C.ics"]
    text = (tmp_path / "A.ics").read_text()
    assert "BEGIN:VTIMEZONE" in text and "TZID:Europe/Brussels" in text
    assert "DTSTART;TZID=Europe/Brussels:20240507T140000" in text
    for person in "ABC":
        calendar = ics.Calendar((tmp_path / f"{person}.ics").read_text())
        events = sorted(calendar.events, key=lambda e: e.begin)
        mine = schedule[
            (schedule["participant_a"] == person) | (schedule["participant_b"] == person)
        ]
        assert len(events) == len(mine)
        for parsed, row in zip(events, mine.itertuples(), strict=True):
            assert parsed.begin.datetime == dt.datetime.fromisoformat(row.slot_start)
            assert parsed.end.datetime == dt.datetime.fromisoformat(row.slot_end)
            other = row.participant_b if row.participant_a == person else row.participant_a
            who = PEOPLE.set_index("participant_id").loc[other]
            assert parsed.name == f"B2B meeting with {who['name']} ({who['organisation']})"
            assert parsed.location.startswith(f"{row.room}, table {row.table}, Square")
            assert "SYNTHETIC" in parsed.description


def test_a_participant_without_meetings_gets_an_empty_calendar(schedule) -> None:
    calendar = participant_calendar(schedule, "Z", event=packaged_event(), participants=PEOPLE)
    assert calendar.walk("VEVENT") == []


def test_table_plan_names_both_sides(schedule) -> None:
    plan = table_plan(schedule, participants=PEOPLE)
    assert plan.loc[0, ["table", "name_a", "organisation_b"]].tolist() == [
        1,
        "Ana",
        "Silicon Saxony",
    ]


def test_table_plan_needs_no_organisation_id_when_organisation_names_are_given(schedule) -> None:
    named_only = PEOPLE.drop(columns="organisation_id")
    plan = table_plan(schedule, participants=named_only)
    assert plan.loc[0, ["name_a", "organisation_b"]].tolist() == ["Ana", "Silicon Saxony"]
    ids_only = PEOPLE[["participant_id", "organisation_id"]]
    plan = table_plan(schedule, participants=ids_only)
    # Without names and organisation names, the ids stand in for both.
    assert plan.loc[0, ["name_a", "organisation_b"]].tolist() == ["A", "de:silicon-saxony"]
