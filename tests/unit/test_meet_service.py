# ruff: noqa: F811  (pytest fixtures imported from _registry_support)
"""Meet services on the registry database, on a tiny event worked out by hand (_meet_support)."""

from __future__ import annotations

import datetime as dt

import pytest
from _meet_support import SLOT1, SLOT2, SLOT3, TINY_EVENT
from _registry_support import factory, registry_url, session  # noqa: F401
from sqlalchemy.orm import Session

from clusteratlas.errors import (
    ConflictError,
    ParameterError,
    PermissionDeniedError,
    RecordNotFoundError,
    SchemaError,
)
from clusteratlas.meet.service import create_event, edit_event, grant_organiser, set_status
from clusteratlas.meet.service_participants import availability, register, set_availability
from clusteratlas.meet.service_reports import event_stats, export_table
from clusteratlas.meet.service_requests import (
    answer_request,
    cancel_request,
    list_meetings,
    list_requests,
    rate_meeting,
    request_meeting,
    set_note,
)
from clusteratlas.meet.service_scheduling import plan_schedule, schedule_event, store_schedule
from clusteratlas.registry import create_organisation, create_user, history
from clusteratlas.registry.models import User

IN_WINDOW = dt.datetime(2024, 4, 1, 12, tzinfo=dt.UTC)
AFTER = dt.datetime(2024, 5, 7, 13, tzinfo=dt.UTC)  # 15:00 in Brussels: every slot is over


def _user(session: Session, email: str, role: str = "public") -> User:
    return create_user(session, email=email, password="correct horse battery", role=role)


@pytest.fixture
def world(session: Session) -> dict[str, object]:
    admin = _user(session, "admin@example.org", "admin")
    organiser = _user(session, "org@example.org")
    people = [_user(session, f"p{k}@example.org") for k in range(1, 5)]
    org = create_organisation(session, actor=None, data={"name": "Some Cluster", "country": "BE"})
    event = create_event(session, actor=admin, definition=TINY_EVENT)
    grant_organiser(session, actor=admin, slug="tiny2024", user_id=organiser.id)
    set_status(session, actor=organiser, slug="tiny2024", status="open")
    kinds = ["SME", "SME", "start-up", "policy maker"]
    countries = ["BE", "DE", "DE", "FR"]
    parts = [
        register(session, actor=u, slug="tiny2024", organisation_id=org.id, type=k, country=c,
                 now=IN_WINDOW)
        for u, k, c in zip(people, kinds, countries, strict=True)
    ]  # fmt: skip
    return {"admin": admin, "organiser": organiser, "people": people, "parts": parts,
            "org": org, "event": event}  # fmt: skip


def test_event_round_trips_and_starts_as_draft(session: Session) -> None:
    admin = _user(session, "admin@example.org", "admin")
    event = create_event(session, actor=admin, definition=TINY_EVENT)
    assert (event.slug, event.status, event.definition) == ("tiny2024", "draft", TINY_EVENT)
    assert event.registration_closes == dt.datetime(2024, 4, 30, 23, 59)
    with pytest.raises(ConflictError, match="exists already"):
        create_event(session, actor=admin, definition=TINY_EVENT)
    with pytest.raises(SchemaError, match=r"event\.time_zone"):
        create_event(
            session, actor=admin, definition=TINY_EVENT.replace("Europe/Brussels", "Mars/Base")
        )
    public = _user(session, "x@example.org")
    with pytest.raises(PermissionDeniedError, match="administrator"):
        create_event(session, actor=public, definition=TINY_EVENT)
    assert [e.action for e in history(session, entity="meet_event")] == ["create"]


def test_status_follows_the_allowed_transitions(session: Session) -> None:
    admin = _user(session, "admin@example.org", "admin")
    create_event(session, actor=admin, definition=TINY_EVENT)
    with pytest.raises(ConflictError, match="from draft to published; allowed: open"):
        set_status(session, actor=admin, slug="tiny2024", status="published")
    for status in ("open", "scheduling", "published", "closed"):
        set_status(session, actor=admin, slug="tiny2024", status=status)
    with pytest.raises(ConflictError, match="closed is final"):
        set_status(session, actor=admin, slug="tiny2024", status="open")
    with pytest.raises(ParameterError, match="status"):
        set_status(session, actor=admin, slug="tiny2024", status="finished")


def test_registration_window_is_read_in_the_event_time_zone(session: Session) -> None:
    admin = _user(session, "admin@example.org", "admin")
    alice, bob = _user(session, "a@example.org"), _user(session, "b@example.org")
    org = create_organisation(session, actor=None, data={"name": "C", "country": "BE"})
    create_event(session, actor=admin, definition=TINY_EVENT)
    args = {"slug": "tiny2024", "organisation_id": org.id, "type": "SME", "country": "BE"}
    with pytest.raises(ConflictError, match="draft"):
        register(session, actor=alice, now=IN_WINDOW, **args)
    set_status(session, actor=admin, slug="tiny2024", status="open")
    # Closes 2024-04-30 23:59 in Brussels (UTC+2): 21:58:30 UTC (23:58:30 there) is still in,
    # 21:59:30 UTC (23:59:30 there) is out, although read as UTC it would be two hours early.
    register(session, actor=alice, now=dt.datetime(2024, 4, 30, 21, 58, 30, tzinfo=dt.UTC), **args)
    with pytest.raises(ConflictError, match="closed on 2024-04-30 23:59"):
        register(
            session, actor=bob, now=dt.datetime(2024, 4, 30, 21, 59, 30, tzinfo=dt.UTC), **args
        )
    with pytest.raises(ConflictError, match="already registered"):
        register(session, actor=alice, now=IN_WINDOW, **args)
    with pytest.raises(RecordNotFoundError, match="no organisation with id 999"):
        register(session, actor=bob, now=IN_WINDOW, **{**args, "organisation_id": 999})
    with pytest.raises(ParameterError, match="'type'"):
        register(session, actor=bob, now=IN_WINDOW, **{**args, "type": "alien"})


def test_availability_is_private_and_checked(session: Session, world: dict) -> None:
    p1, p2 = world["parts"][:2]
    u1, u2 = world["people"][:2]
    assert set_availability(session, actor=u1, slug="tiny2024", participant_id=p1.id,
                            slots=[SLOT3, SLOT1]) == [SLOT1, SLOT3]  # fmt: skip
    assert availability(
        session, actor=world["organiser"], slug="tiny2024", participant_id=p1.id
    ) == [SLOT1, SLOT3]
    with pytest.raises(PermissionDeniedError):
        availability(session, actor=u2, slug="tiny2024", participant_id=p1.id)
    with pytest.raises(PermissionDeniedError):
        set_availability(session, actor=u2, slug="tiny2024", participant_id=p1.id, slots=[SLOT1])
    with pytest.raises(ParameterError, match="not a slot of 'tiny2024'"):
        set_availability(session, actor=u1, slug="tiny2024", participant_id=p1.id,
                         slots=["2024-05-07T15:00:00+02:00"])  # fmt: skip
    assert availability(session, actor=u2, slug="tiny2024", participant_id=p2.id) is None


def test_edits_never_drop_chosen_slots(session: Session, world: dict) -> None:
    u1 = world["people"][0]
    set_availability(session, actor=u1, slug="tiny2024", participant_id=world["parts"][0].id,
                     slots=[SLOT3])  # fmt: skip
    shorter = TINY_EVENT.replace("end = 15:00:00", "end = 14:40:00")
    with pytest.raises(ConflictError, match="removes 1 slot"):
        edit_event(session, actor=world["organiser"], slug="tiny2024", definition=shorter)
    longer = TINY_EVENT.replace("end = 15:00:00", "end = 15:20:00")
    edited = edit_event(session, actor=world["organiser"], slug="tiny2024", definition=longer)
    assert edited.definition == longer
    with pytest.raises(ParameterError, match="must stay 'tiny2024'"):
        edit_event(session, actor=world["organiser"], slug="tiny2024",
                   definition=longer.replace('id = "tiny2024"', 'id = "other"'))  # fmt: skip


def _requests(session: Session, world: dict) -> dict[str, int]:
    u1, u2, u3, u4 = world["people"]
    _, p2, p3, p4 = world["parts"]
    ids = {}
    for name, (user, to) in {"12": (u1, p2), "13": (u1, p3), "34": (u3, p4), "24": (u2, p4),
                             "14": (u1, p4)}.items():  # fmt: skip
        ids[name] = request_meeting(
            session, actor=user, slug="tiny2024", to_id=to.id, message="hi"
        ).id
    for name, user, action in (("12", u2, "accept"), ("13", u3, "accept"), ("34", u4, "accept"),
                               ("14", u4, "decline")):  # fmt: skip
        answer_request(session, actor=user, slug="tiny2024", request_id=ids[name], action=action)
    return ids


def test_requests_limits_and_answers(session: Session, world: dict) -> None:
    u1, u2, u3, _ = world["people"]
    p1, p2, p3, p4 = world["parts"]
    edit_event(session, actor=world["organiser"], slug="tiny2024", request_limit=2)
    first = request_meeting(session, actor=u1, slug="tiny2024", to_id=p2.id)
    with pytest.raises(ConflictError, match="already have meeting request"):
        request_meeting(session, actor=u2, slug="tiny2024", to_id=p1.id)
    request_meeting(session, actor=u1, slug="tiny2024", to_id=p3.id)
    with pytest.raises(ConflictError, match="limit is 2"):
        request_meeting(session, actor=u1, slug="tiny2024", to_id=p4.id)
    with pytest.raises(PermissionDeniedError, match="Only the participant asked"):
        answer_request(session, actor=u3, slug="tiny2024", request_id=first.id, action="accept")
    answer_request(session, actor=u2, slug="tiny2024", request_id=first.id, action="accept")
    with pytest.raises(ConflictError, match="already accepted"):
        answer_request(session, actor=u2, slug="tiny2024", request_id=first.id, action="decline")
    cancel_request(session, actor=u2, slug="tiny2024", request_id=first.id)
    # A cancelled request frees a place under the limit and the pair may ask again.
    again = request_meeting(session, actor=u2, slug="tiny2024", to_id=p1.id)
    assert (again.id, again.from_id, again.status) == (first.id, p2.id, "requested")
    assert [r.id for r in list_requests(session, actor=u3, slug="tiny2024")] == [again.id + 1]


def test_schedule_reschedule_stats_by_hand(session: Session, world: dict) -> None:
    organiser = world["organiser"]
    u1, u2, u3, u4 = world["people"]
    p1, p2, p3, p4 = world["parts"]
    set_availability(session, actor=u2, slug="tiny2024", participant_id=p2.id, slots=[SLOT1])
    set_availability(session, actor=u3, slug="tiny2024", participant_id=p3.id, slots=[SLOT1, SLOT2])
    ids = _requests(session, world)
    set_status(session, actor=organiser, slug="tiny2024", status="scheduling")
    # Accepted: 1-2 (P2 only at 14:00), 1-3 and 3-4 (P3 only at 14:00, 14:20); one table.
    # 1-2 takes 14:00; 14:20 holds one of 1-3 and 3-4: 3-4 gives everyone a meeting (z = 1),
    # so the optimum is 2 x 100 + 1 x 1 = 201.
    done = schedule_event(session, actor=organiser, slug="tiny2024", time_limit=20)
    assert (done.wanted, done.meetings, done.kept, done.status) == (3, 2, 0, "optimal")
    assert done.objective == pytest.approx(201) and done.bound == pytest.approx(201)
    placed = {
        (m.a_id, m.b_id, m.slot, m.table)
        for m in list_meetings(session, actor=organiser, slug="tiny2024")
    }
    assert placed == {(p1.id, p2.id, SLOT1, 1), (p3.id, p4.id, SLOT2, 1)}
    # P3 calls off 3-4: 1-2 stays where it is, 1-3 fills 14:20.
    cancel_request(session, actor=u3, slug="tiny2024", request_id=ids["34"])
    again = schedule_event(session, actor=organiser, slug="tiny2024", time_limit=20)
    assert (again.meetings, again.kept, again.objective) == (2, 1, pytest.approx(201))
    placed = {
        (m.a_id, m.b_id, m.slot, m.table)
        for m in list_meetings(session, actor=organiser, slug="tiny2024")
    }
    assert placed == {(p1.id, p2.id, SLOT1, 1), (p1.id, p3.id, SLOT2, 1)}
    # Notes are private to each side.
    mine = list_meetings(session, actor=u2, slug="tiny2024")
    assert len(mine) == 1
    set_note(session, actor=u2, slug="tiny2024", meeting_id=mine[0].id, note="bring samples")
    assert list_meetings(session, actor=u2, slug="tiny2024")[0].note == "bring samples"
    assert all(m.note is None for m in list_meetings(session, actor=u1, slug="tiny2024"))
    assert all(m.note is None for m in list_meetings(session, actor=organiser, slug="tiny2024"))
    with pytest.raises(PermissionDeniedError):
        set_note(session, actor=u4, slug="tiny2024", meeting_id=mine[0].id, note="x")
    set_status(session, actor=organiser, slug="tiny2024", status="published")
    with pytest.raises(ConflictError, match="once it is over"):
        rate_meeting(session, actor=u1, slug="tiny2024", meeting_id=mine[0].id, score=4,
                     now=dt.datetime(2024, 5, 7, 12, 10, tzinfo=dt.UTC))  # fmt: skip
    rate_meeting(session, actor=u1, slug="tiny2024", meeting_id=mine[0].id, score=4,
                 cooperation=True, now=AFTER)  # fmt: skip
    rate_meeting(session, actor=u2, slug="tiny2024", meeting_id=mine[0].id, score=2, now=AFTER)
    stats = event_stats(session, actor=organiser, slug="tiny2024")
    # 5 requests: 1-2, 1-3 accepted; 1-4 declined; 3-4 cancelled; 2-4 unanswered.
    assert stats["requests_by_status"] == {
        "accepted": 2,
        "cancelled": 1,
        "declined": 1,
        "requested": 1,
    }
    assert stats["acceptance_rate"] == pytest.approx(2 / 3)
    assert stats["by_type"] == {"SME": 2, "policy maker": 1, "start-up": 1}
    assert stats["by_country"] == {"BE": 1, "DE": 2, "FR": 1}
    assert (stats["meetings_scheduled"], stats["meetings_held"]) == (2, 1)
    assert stats["coverage"] == pytest.approx(3 / 4)
    assert stats["mean_score"] == pytest.approx(3.0) and stats[
        "cooperation_share"
    ] == pytest.approx(0.5)
    assert stats["gap"] == pytest.approx(0.0) and stats["upper_bound"] == pytest.approx(201)
    with pytest.raises(PermissionDeniedError):
        event_stats(session, actor=u1, slug="tiny2024")
    columns, rows = export_table(session, actor=organiser, slug="tiny2024", table="meetings")
    assert "note_a" not in columns and len(rows) == 2
    actions = {e.action for e in history(session, entity="meet_request")}
    assert {"create", "accept", "decline", "cancel"} <= actions


def test_stored_schedule_obeys_every_constraint(session: Session) -> None:
    """A seeded random event of 16 participants, 3 slots x 2 tables, then a reschedule."""
    import numpy as np

    from clusteratlas.registry.models import MeetMeeting

    rng = np.random.default_rng(7)
    admin = _user(session, "admin@example.org", "admin")
    org = create_organisation(session, actor=None, data={"name": "C", "country": "BE"})
    create_event(session, actor=admin, definition=TINY_EVENT.replace("tables = 1", "tables = 2"))
    set_status(session, actor=admin, slug="tiny2024", status="open")
    users = [_user(session, f"q{k}@example.org") for k in range(16)]
    parts = [register(session, actor=u, slug="tiny2024", organisation_id=org.id, type="SME",
                      country="BE", now=IN_WINDOW) for u in users]  # fmt: skip
    free: dict[int, set[str]] = {}
    for user, part in zip(users, parts, strict=True):
        chosen = [s for s in (SLOT1, SLOT2, SLOT3) if rng.random() < 0.7] or [SLOT1]
        set_availability(session, actor=user, slug="tiny2024", participant_id=part.id, slots=chosen)
        free[part.id] = set(chosen)
    pairs = set()
    while len(pairs) < 24:
        a, b = sorted(rng.choice(16, size=2, replace=False).tolist())
        pairs.add((a, b))
    accepted = set()
    for a, b in sorted(pairs):
        r = request_meeting(session, actor=users[a], slug="tiny2024", to_id=parts[b].id)
        if rng.random() < 0.8:
            answer_request(
                session, actor=users[b], slug="tiny2024", request_id=r.id, action="accept"
            )
            accepted.add(frozenset((parts[a].id, parts[b].id)))
    set_status(session, actor=admin, slug="tiny2024", status="scheduling")

    def check() -> list[MeetMeeting]:
        rows = list(session.query(MeetMeeting).all())
        seen_people, seen_tables, seen_pairs = set(), set(), set()
        for m in rows:
            assert frozenset((m.a_id, m.b_id)) in accepted  # only accepted pairs
            assert m.slot in free[m.a_id] and m.slot in free[m.b_id]  # availability
            assert 1 <= m.table_no <= 2  # the session's tables
            for person in (m.a_id, m.b_id):  # nobody in two places at once
                assert (person, m.slot) not in seen_people
                seen_people.add((person, m.slot))
            assert (m.slot, m.table_no) not in seen_tables
            seen_tables.add((m.slot, m.table_no))
            assert frozenset((m.a_id, m.b_id)) not in seen_pairs  # each pair once
            seen_pairs.add(frozenset((m.a_id, m.b_id)))
        return rows

    done = schedule_event(session, actor=admin, slug="tiny2024", time_limit=30)
    before = check()
    assert done.meetings == len(before) > 0 and done.meetings <= 6  # 3 slots x 2 tables
    assert done.objective <= done.bound + 1e-6
    # Cancel one scheduled meeting: every other one keeps its slot and table.
    gone = before[0]
    cancel_request(session, actor=next(u for u, p in zip(users, parts, strict=True) if p.id == gone.a_id),
                   slug="tiny2024", request_id=gone.request_id)  # fmt: skip
    accepted.discard(frozenset((gone.a_id, gone.b_id)))
    places = {(m.a_id, m.b_id): (m.slot, m.table_no) for m in before if m.id != gone.id}
    schedule_event(session, actor=admin, slug="tiny2024", time_limit=30)
    after = check()
    assert {
        (m.a_id, m.b_id): (m.slot, m.table_no) for m in after if (m.a_id, m.b_id) in places
    } == places


def test_a_plan_made_on_stale_inputs_is_not_stored(session: Session, world: dict) -> None:
    ids = _requests(session, world)
    set_status(session, actor=world["organiser"], slug="tiny2024", status="scheduling")
    plan = plan_schedule(session, actor=world["organiser"], slug="tiny2024", time_limit=20)
    assert plan.summary.meetings == 3  # 1-2, 1-3, 3-4: everyone free in every slot
    # While the solver ran, p3 called off 3-4: the plan would place a cancelled meeting.
    cancel_request(session, actor=world["people"][2], slug="tiny2024", request_id=ids["34"])
    with pytest.raises(ConflictError, match="changed while the solver ran"):
        store_schedule(session, actor=world["organiser"], plan=plan)
    assert list_meetings(session, actor=world["organiser"], slug="tiny2024") == []


def test_stored_items_take_the_categories_of_csv_marketplaces() -> None:
    from clusteratlas.meet.marketplace import ITEM_CATEGORIES as CSV_CATEGORIES
    from clusteratlas.registry.models_meet import ITEM_CATEGORIES as STORED_CATEGORIES

    # An item exported from the API must read back with read_items, and the other way round.
    assert STORED_CATEGORIES == CSV_CATEGORIES
