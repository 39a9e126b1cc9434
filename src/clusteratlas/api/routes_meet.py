"""Routes of cluster events with B2B matchmaking (``/api/v1/events/...``).

Interfaces only: each route parses, calls a service of :mod:`clusteratlas.meet.service`,
:mod:`~clusteratlas.meet.service_participants`, :mod:`~clusteratlas.meet.service_requests`,
:mod:`~clusteratlas.meet.service_scheduling` or :mod:`~clusteratlas.meet.service_reports`
(which check roles and audit every change), commits and converts. Reading a draft event is
for its organisers only (404 to others, as for a missing event).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import pandas as pd
from fastapi import APIRouter, Path, Query, Request, Response

from clusteratlas.api import convert
from clusteratlas.api.deps import AdminUser, CurrentUser, OptionalUser, SessionDep
from clusteratlas.api.schemas import WRITE_RESPONSES
from clusteratlas.api.schemas_meet import (
    Answer,
    AvailabilityIn,
    AvailabilityOut,
    EventCreate,
    EventOut,
    EventPatch,
    ExportOut,
    ItemCreate,
    ItemOut,
    MeetingOut,
    NoteIn,
    OrganiserGrant,
    ParticipantOut,
    ProposalCreate,
    RatingIn,
    RatingOut,
    RecommendationOut,
    Registration,
    RequestCreate,
    RequestOut,
    ScheduleIn,
    ScheduleOut,
    SlotOut,
    StatsOut,
    StatusChange,
)
from clusteratlas.errors import RecordNotFoundError
from clusteratlas.meet import service as meet
from clusteratlas.meet import service_participants as members
from clusteratlas.meet import service_recommend as advice
from clusteratlas.meet import service_reports as reports
from clusteratlas.meet import service_requests as requests
from clusteratlas.meet import service_scheduling as planning
from clusteratlas.meet.recommend import COMPONENTS
from clusteratlas.registry.models import MeetEvent, MeetItem, MeetParticipant, MeetRequest, User

router = APIRouter(prefix="/events", tags=["events"], responses=WRITE_RESPONSES)

Slug = Annotated[str, Path(pattern=meet.SLUG.pattern, description="The event's id.")]
Id = Annotated[int, Path(ge=1, le=2_000_000_000)]
ICS: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {"text/calendar": {"schema": {"type": "string"}}},
        "description": "iCalendar (RFC 5545)",
    }
}
TABLE_FORMATS: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "JSON or CSV"}
}


def _event_out(event: MeetEvent) -> EventOut:
    return EventOut(
        slug=event.slug, name=event.name, venue=event.venue, city=event.city,
        country=event.country, time_zone=event.time_zone, start_date=event.start_date,
        end_date=event.end_date, status=event.status,
        registration_opens=event.registration_opens, registration_closes=event.registration_closes,
        request_limit=event.request_limit,
        synthetic=list(meet.event_definition(event).synthetic), definition=event.definition,
    )  # fmt: skip


def _participant_out(p: MeetParticipant) -> ParticipantOut:
    return ParticipantOut(id=p.id, organisation_id=p.organisation_id, type=p.type,
                          organisation_pending=p.organisation_id is None,
                          country=p.country, languages=list(p.languages))  # fmt: skip


def _request_out(r: MeetRequest) -> RequestOut:
    return RequestOut(
        id=r.id, from_id=r.from_id, to_id=r.to_id, status=r.status, message=r.message,
        reply=r.reply, proposed=r.proposed_by is not None, created_at=r.created_at,
        answered_at=r.answered_at,
    )  # fmt: skip


def _item_out(i: MeetItem) -> ItemOut:
    return ItemOut(id=i.id, participant_id=i.participant_id, kind=i.kind, category=i.category,
                   title=i.title, text=i.text, industries=list(i.industries),
                   stages=list(i.stages), technologies=list(i.technologies))  # fmt: skip


def _seen(session: SessionDep, slug: str, user: User | None) -> MeetEvent:
    event = meet.get_event(session, slug)
    if not meet.visible(session, event, user):
        raise RecordNotFoundError(f"There is no event {slug!r}.")
    return event


@router.get("", response_model=list[EventOut], summary="List events")
def events(session: SessionDep, user: OptionalUser) -> list[EventOut]:
    """Return the events you may see (drafts only to their organisers), by start date."""
    return [_event_out(e) for e in meet.list_events(session, actor=user)]


@router.post("", response_model=EventOut, status_code=201, summary="Create an event (admin)")
def create(body: EventCreate, session: SessionDep, user: AdminUser) -> EventOut:
    """Create an event from its TOML definition (or a packaged one); it starts as a draft."""
    text = body.definition or meet.packaged_definition(str(body.packaged))
    event = meet.create_event(session, actor=user, definition=text,
                              request_limit=body.request_limit)  # fmt: skip
    session.commit()
    return _event_out(event)


@router.get("/{slug}", response_model=EventOut, summary="One event")
def event(slug: Slug, session: SessionDep, user: OptionalUser) -> EventOut:
    """Return an event with its TOML definition."""
    return _event_out(_seen(session, slug, user))


@router.patch("/{slug}", response_model=EventOut, summary="Edit an event (organisers)")
def edit(slug: Slug, body: EventPatch, session: SessionDep, user: CurrentUser) -> EventOut:
    """Replace the definition (draft or open events) and/or the per-participant request limit."""
    found = meet.edit_event(session, actor=user, slug=slug, definition=body.definition,
                            request_limit=body.request_limit)  # fmt: skip
    session.commit()
    return _event_out(found)


@router.post("/{slug}/status", response_model=EventOut, summary="Change the status (organisers)")
def status(slug: Slug, body: StatusChange, session: SessionDep, user: CurrentUser) -> EventOut:
    """Move the event along draft → open → scheduling → published → closed (and back where allowed)."""
    found = meet.set_status(session, actor=user, slug=slug, status=body.status)
    session.commit()
    return _event_out(found)


@router.post("/{slug}/organisers", status_code=201, summary="Grant the organiser role (admin)")
def organisers(
    slug: Slug, body: OrganiserGrant, session: SessionDep, user: AdminUser
) -> dict[str, int]:
    """Make a user an organiser of the event (granting twice changes nothing)."""
    grant = meet.grant_organiser(session, actor=user, slug=slug, user_id=body.user_id)
    session.commit()
    return {"id": grant.id, "user_id": grant.user_id}


@router.get("/{slug}/slots", response_model=list[SlotOut], summary="The event's time slots")
def slots(slug: Slug, session: SessionDep, user: OptionalUser) -> list[SlotOut]:
    """Return every matchmaking slot, in time order, with its number of tables."""
    return [SlotOut(**row) for row in meet.slot_rows(_seen(session, slug, user))]


@router.get("/{slug}/calendar.ics", responses=ICS, summary="The event's sessions as iCalendar")
def calendar(slug: Slug, session: SessionDep, user: OptionalUser) -> Response:
    """Return one calendar entry per matchmaking session, in the event's time zone."""
    _seen(session, slug, user)
    return Response(reports.event_ics(session, slug=slug), media_type="text/calendar",
                    headers={"Content-Disposition": f'attachment; filename="{slug}.ics"'})  # fmt: skip


@router.post("/{slug}/participants", response_model=ParticipantOut, status_code=201,
             summary="Register for an event")  # fmt: skip
def register(
    slug: Slug, body: Registration, session: SessionDep, user: CurrentUser
) -> ParticipantOut:
    """Register yourself (open events, within the registration window).

    With ``new_organisation`` instead of ``organisation_id`` the organisation is proposed to
    the registry (pending until an administrator approves it) and you are registered with it.
    """
    proposed = body.new_organisation.model_dump() if body.new_organisation else None
    found = members.register(session, actor=user, slug=slug, organisation_id=body.organisation_id,
                             new_organisation=proposed, type=body.type, country=body.country,
                             languages=body.languages)  # fmt: skip
    session.commit()
    return _participant_out(found)


@router.get("/{slug}/participants", response_model=list[ParticipantOut], summary="Participants")
def participants(slug: Slug, session: SessionDep, user: CurrentUser) -> list[ParticipantOut]:
    """Return the participants' public profiles (signed-in users)."""
    return [
        _participant_out(p) for p in members.list_participants(session, _seen(session, slug, user))
    ]


@router.get("/{slug}/participants/me", response_model=ParticipantOut, summary="Your registration")
def me(slug: Slug, session: SessionDep, user: CurrentUser) -> ParticipantOut:
    """Return your own registration to the event (404 when not registered)."""
    found = meet.own_participant(session, _seen(session, slug, user), user)
    if found is None:
        raise RecordNotFoundError(f"You are not registered to {slug!r}.")
    return _participant_out(found)


@router.put("/{slug}/participants/{participant_id}/availability", response_model=AvailabilityOut,
            summary="Set availability (yours)")  # fmt: skip
def put_availability(
    slug: Slug, participant_id: Id, body: AvailabilityIn, session: SessionDep, user: CurrentUser
) -> AvailabilityOut:
    """Replace the slots you can meet in (private: you and the organisers read them)."""
    chosen = members.set_availability(session, actor=user, slug=slug, participant_id=participant_id,
                                   slots=body.slots)  # fmt: skip
    session.commit()
    return AvailabilityOut(participant_id=participant_id, slots=chosen)


@router.get("/{slug}/participants/{participant_id}/availability", response_model=AvailabilityOut,
            summary="Read availability (yours, or as organiser)")  # fmt: skip
def get_availability(
    slug: Slug, participant_id: Id, session: SessionDep, user: CurrentUser
) -> AvailabilityOut:
    """Return a participant's slots; ``null`` when never set (every slot is then available)."""
    found = members.availability(session, actor=user, slug=slug, participant_id=participant_id)
    return AvailabilityOut(participant_id=participant_id, slots=found)


@router.post("/{slug}/participants/{participant_id}/items", response_model=ItemOut, status_code=201,
             summary="Publish a marketplace item (yours)")  # fmt: skip
def add_item(
    slug: Slug, participant_id: Id, body: ItemCreate, session: SessionDep, user: CurrentUser
) -> ItemOut:
    """Publish an offer or a request in the event's marketplace."""
    item = members.add_item(session, actor=user, slug=slug, participant_id=participant_id,
                         **body.model_dump())  # fmt: skip
    session.commit()
    return _item_out(item)


@router.get("/{slug}/participants/{participant_id}/recommendations",
            response_model=list[RecommendationOut], summary="Whom to meet (yours, or as organiser)")  # fmt: skip
def recommendations(
    slug: Slug, participant_id: Id, session: SessionDep, user: CurrentUser,
    top: Annotated[int, Query(ge=1, le=100)] = 10,
    kind: Annotated[Literal["participant", "item"] | None, Query()] = None,
) -> list[RecommendationOut]:  # fmt: skip
    """Rank other participants and marketplace items for a participant, each score explained.

    Text relevance of requests and offers, related clusters, adjacent value-chain stages,
    regional strength and an optional cross-border part; people already asked and colleagues
    are left out. Only the participant and the organisers may read them.
    """
    table = advice.recommendations(session, actor=user, slug=slug, participant_id=participant_id,
                                   top=top, kind=kind)  # fmt: skip
    return [_recommendation_out(row) for row in table.to_dict("records")]


def _recommendation_out(row: dict[Any, Any]) -> RecommendationOut:
    item = row["item_id"]
    return RecommendationOut(
        rank=int(row["rank"]),
        kind=row["kind"],
        candidate=int(row["candidate"]),
        item_id=None if item is None or pd.isna(item) or item == "" else int(item),
        score=float(row["score"]),
        parts={c: float(row[c]) for c in COMPONENTS},
        weights={c: float(row[f"w_{c}"]) for c in COMPONENTS},
        explanation=str(row["explanation"]),
    )


@router.get("/{slug}/items", response_model=list[ItemOut], summary="The marketplace")
def items(
    slug: Slug, session: SessionDep, user: CurrentUser,
    kind: Annotated[Literal["offer", "request"] | None, Query()] = None,
) -> list[ItemOut]:  # fmt: skip
    """Return the event's offers and requests, newest first (signed-in users)."""
    return [
        _item_out(i) for i in members.list_items(session, _seen(session, slug, user), kind=kind)
    ]


@router.post(
    "/{slug}/requests", response_model=RequestOut, status_code=201, summary="Request a meeting"
)
def request(slug: Slug, body: RequestCreate, session: SessionDep, user: CurrentUser) -> RequestOut:
    """Ask another participant for a meeting (within the organisers' limit)."""
    found = requests.request_meeting(
        session, actor=user, slug=slug, to_id=body.to, message=body.message
    )
    session.commit()
    return _request_out(found)


@router.post("/{slug}/proposals", response_model=RequestOut, status_code=201,
             summary="Propose a meeting (organisers)")  # fmt: skip
def propose(slug: Slug, body: ProposalCreate, session: SessionDep, user: CurrentUser) -> RequestOut:
    """Propose a meeting between ``a`` and ``b``; ``b`` accepts or declines it."""
    found = requests.propose_meeting(session, actor=user, slug=slug, a_id=body.a, b_id=body.b,
                                     message=body.message)  # fmt: skip
    session.commit()
    return _request_out(found)


@router.get("/{slug}/requests", response_model=list[RequestOut], summary="Meeting requests")
def list_requests(slug: Slug, session: SessionDep, user: CurrentUser) -> list[RequestOut]:
    """Return your requests (sent and received), or all of them for an organiser."""
    return [_request_out(r) for r in requests.list_requests(session, actor=user, slug=slug)]


@router.post("/{slug}/requests/{request_id}/{action}", response_model=RequestOut,
             summary="Accept, decline or cancel a request")  # fmt: skip
def answer(
    slug: Slug, request_id: Id, action: Literal["accept", "decline", "cancel"], body: Answer,
    session: SessionDep, user: CurrentUser,
) -> RequestOut:  # fmt: skip
    """Accept or decline a request made to you (once), or cancel one of yours."""
    if action == "cancel":
        found = requests.cancel_request(session, actor=user, slug=slug, request_id=request_id,
                                        message=body.message)  # fmt: skip
    else:
        found = requests.answer_request(session, actor=user, slug=slug, request_id=request_id,
                                        action=action, message=body.message)  # fmt: skip
    session.commit()
    return _request_out(found)


@router.post(
    "/{slug}/schedule", response_model=ScheduleOut, summary="Schedule meetings (organisers)"
)
def schedule(
    slug: Slug, body: ScheduleIn, request: Request, session: SessionDep, user: CurrentUser
) -> ScheduleOut:
    """Place the accepted meetings with HiGHS; confirmed meetings keep their slot and table.

    The solver runs in a read session, so other writes go on meanwhile; the schedule is then
    stored only if none of its inputs changed (409 otherwise: schedule again).
    """
    with request.app.state.read_sessions() as reader:
        plan = planning.plan_schedule(reader, actor=user, slug=slug, **body.model_dump())
    done = planning.store_schedule(session, actor=user, plan=plan)
    session.commit()
    found = meet.get_event(session, slug)
    return ScheduleOut(wanted=done.wanted, meetings=done.meetings, kept=done.kept, status=done.status,
                       objective=done.objective, upper_bound=found.schedule_bound,
                       gap=found.schedule_gap, min_meetings=done.min_meetings)  # fmt: skip


@router.get("/{slug}/meetings", response_model=list[MeetingOut], summary="Meetings")
def meetings(slug: Slug, session: SessionDep, user: CurrentUser) -> list[MeetingOut]:
    """Return your meetings with your private note, or all (without notes) for an organiser."""
    return [MeetingOut(id=m.id, request_id=m.request_id, a=m.a_id, b=m.b_id, slot=m.slot,
                       table=m.table, status=m.status, note=m.note)
            for m in requests.list_meetings(session, actor=user, slug=slug)]  # fmt: skip


@router.put(
    "/{slug}/meetings/{meeting_id}/note", response_model=MeetingOut, summary="Your private note"
)
def note(
    slug: Slug, meeting_id: Id, body: NoteIn, session: SessionDep, user: CurrentUser
) -> MeetingOut:
    """Write your private note on one of your meetings (nobody else reads it)."""
    m = requests.set_note(session, actor=user, slug=slug, meeting_id=meeting_id, note=body.note)
    session.commit()
    return MeetingOut(id=m.id, request_id=m.request_id, a=m.a_id, b=m.b_id, slot=m.slot,
                      table=m.table, status=m.status, note=m.note)  # fmt: skip


@router.post(
    "/{slug}/meetings/{meeting_id}/rating", response_model=RatingOut, summary="Rate a meeting"
)
def rate(
    slug: Slug, meeting_id: Id, body: RatingIn, session: SessionDep, user: CurrentUser
) -> RatingOut:
    """Rate one of your meetings once it is over (a second rating replaces the first)."""
    r = requests.rate_meeting(
        session, actor=user, slug=slug, meeting_id=meeting_id, **body.model_dump()
    )
    session.commit()
    return RatingOut(
        id=r.id, meeting_id=r.meeting_id, score=r.score, held=r.held, cooperation=r.cooperation
    )


@router.get("/{slug}/agenda.ics", responses=ICS, summary="Your agenda as iCalendar")
def agenda(slug: Slug, session: SessionDep, user: CurrentUser) -> Response:
    """Return your meetings as an iCalendar file (once the event is published)."""
    data = reports.agenda_ics(session, actor=user, slug=slug)
    return Response(data, media_type="text/calendar",
                    headers={"Content-Disposition": f'attachment; filename="{slug}-agenda.ics"'})  # fmt: skip


@router.get("/{slug}/stats", response_model=StatsOut, summary="Organiser statistics")
def stats(slug: Slug, session: SessionDep, user: CurrentUser) -> StatsOut:
    """Registrations by type and country, requests, acceptance rate, meetings, coverage, solver gap."""
    return StatsOut(**reports.event_stats(session, actor=user, slug=slug))


@router.get("/{slug}/export/{table}", response_model=ExportOut, responses=TABLE_FORMATS,
            summary="Export organiser data (JSON or CSV)")  # fmt: skip
def export(
    slug: Slug, table: Literal["participants", "availability", "requests", "meetings", "plan", "ratings", "items"],
    session: SessionDep, user: CurrentUser, format: Literal["json", "csv"] = "json",
) -> ExportOut | Response:  # fmt: skip
    """Return one table of the event; ``format=csv`` neutralises spreadsheet formulas."""
    columns, rows = reports.export_table(session, actor=user, slug=slug, table=table)
    if format == "csv":
        return Response(convert.to_csv(rows, columns), media_type="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="{slug}-{table}.csv"'})  # fmt: skip
    return ExportOut(table=table, columns=columns, rows=rows)
