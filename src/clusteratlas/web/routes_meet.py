"""HTML pages of Meet for participants: events, registration, availability, whom to meet, agenda.

Also the marketplace of offers and requests and the meeting requests (accept, decline, cancel).

Interfaces only: each page calls a meet service (:mod:`clusteratlas.meet.service`,
``service_participants``, ``service_requests``, ``service_recommend``, ``service_reports``),
which checks who may read or change what; a refusal becomes a 403/404/409/422 page
(:func:`~clusteratlas.web._meet_support.refusal`). A participant sees only their own
availability, requests and agenda. The organiser's pages are in
:mod:`clusteratlas.web.routes_meet_organise`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from clusteratlas.meet import service as meet
from clusteratlas.meet import service_participants as members
from clusteratlas.meet import service_recommend as advice
from clusteratlas.meet import service_requests as asking
from clusteratlas.meet.recommend import COMPONENTS
from clusteratlas.web._meet_support import (
    DB,
    REFUSED,
    Form,
    Id,
    Slug,
    error_page,
    forged,
    form_lists,
    is_htmx,
    no_store,
    organisation_choices,
    people,
    refusal,
    slot_table,
    submit,
    to_login,
)
from clusteratlas.web._support import TEMPLATES, current_user

router = APIRouter(include_in_schema=False)
PARTS = {"text": "Text", "related": "Related clusters", "value_chain": "Value chain",
         "region": "Regional strength", "cross_border": "Cross-border"}  # fmt: skip
"""Labels of the parts of a whom-to-meet score (:data:`clusteratlas.meet.recommend.COMPONENTS`)."""


def _event(request: Request, session: Session, slug: str) -> Any:
    """Return ``(event, user)`` when the event is visible to the reader, else the 404 page."""
    try:
        event = meet.get_event(session, slug)
    except REFUSED as err:
        return refusal(request, err)
    user = current_user(request, session)
    if not meet.visible(session, event, user):
        return error_page(request, 404, "Not found", f"There is no event {slug!r}.")
    return event, user


def _mine(request: Request, session: Session, slug: str) -> Any:
    """Return ``(event, user, participant)`` of the signed-in participant, or the response."""
    found = _event(request, session, slug)
    if isinstance(found, Response):
        return found
    event, user = found
    if user is None:
        return to_login(request.url.path)
    me = meet.own_participant(session, event, user)
    if me is None:
        return error_page(
            request, 404, "Not registered",
            f"You are not registered to {event.name}; register on the event's page first.",
        )  # fmt: skip
    return event, user, me


def _render(request: Request, session: Session, name: str, context: dict[str, Any]) -> Response:
    """Render a participant's page (private: not cached), with the organiser's links if theirs."""
    if "event" in context:
        context["organiser"] = meet.is_organiser(session, context["event"], context.get("user"))
    return no_store(TEMPLATES.TemplateResponse(request, name, context))


@router.get("/events", response_class=HTMLResponse, name="events")
def events(request: Request, session: DB) -> HTMLResponse:
    """Render the events the reader may see (drafts only to their organisers)."""
    user = current_user(request, session)
    context = {"title": "Events", "events": meet.list_events(session, actor=user), "user": user}
    return TEMPLATES.TemplateResponse(request, "meet_events.html", context)


@router.get("/events/{slug}", response_model=None, name="event")
def event_page(request: Request, session: DB, slug: Slug) -> Response:
    """Render an event: facts, sessions and slots in its time zone, status, what you can do."""
    from clusteratlas.meet.participants import PARTICIPANT_TYPES

    found = _event(request, session, slug)
    if isinstance(found, Response):
        return found
    event, user = found
    me = meet.own_participant(session, event, user)
    context = {
        "title": event.name, "event": event, "user": user, "me": me,
        "definition": meet.event_definition(event),
        "slots": list(slot_table(meet.slot_rows(event)).values()),
        "organiser": meet.is_organiser(session, event, user),
        "registering": user is not None and me is None and event.status == "open",
        "participants": members.count_participants(session, event),
        "types": PARTICIPANT_TYPES, "done": request.query_params.get("done", ""),
    }  # fmt: skip
    if context["registering"]:
        context["organisations"] = organisation_choices(session)
    return TEMPLATES.TemplateResponse(request, "meet_event.html", context)


@router.post("/events/{slug}/register", response_model=None)
def register(request: Request, session: DB, slug: Slug, form: Form) -> Response:
    """Register the signed-in user, for an organisation of the registry or one proposed."""
    if (refused := forged(request, form)) is not None:
        return refused
    user = current_user(request, session)
    if user is None:
        return to_login(f"/events/{slug}")
    languages = [c.strip().lower() for c in form.get("languages", "").split(",") if c.strip()]
    try:
        chosen = form.get("organisation_id", "").strip()
        proposed = None if chosen or not form.get("new_name", "").strip() else {
            "name": form.get("new_name", ""), "country": form.get("new_country", "").strip().upper(),
            "type": form.get("new_type", ""), "website": form.get("new_website", "").strip() or None,
        }  # fmt: skip
        members.register(session, actor=user, slug=slug,
                         organisation_id=int(chosen) if chosen.isdigit() else None,
                         new_organisation=proposed, type=form.get("type", ""),
                         country=form.get("country", "").strip().upper(), languages=languages)  # fmt: skip
        session.commit()
    except REFUSED as err:
        session.rollback()
        return refusal(request, err)
    return RedirectResponse(f"/events/{slug}?done=registered", status_code=303)


@router.get("/events/{slug}/availability", response_model=None, name="meet_availability")
def availability_page(request: Request, session: DB, slug: Slug) -> Response:
    """Render your availability: one checkbox per slot (saved with HTMX)."""
    found = _mine(request, session, slug)
    if isinstance(found, Response):
        return found
    event, user, me = found
    chosen = members.availability(session, actor=user, slug=slug, participant_id=me.id)
    slots = list(slot_table(meet.slot_rows(event)).values())
    context = {
        "title": f"Your availability · {event.name}", "event": event, "user": user, "me": me,
        "slots": slots, "chosen": set(chosen) if chosen is not None else {s["slot"] for s in slots},
        "never_set": chosen is None,
    }  # fmt: skip
    return _render(request, session, "meet_availability.html", context)


@router.post("/events/{slug}/availability", response_model=None)
def save_availability(
    request: Request, session: DB, slug: Slug, form: Annotated[dict[str, list[str]], Depends(form_lists)]
) -> Response:  # fmt: skip
    """Replace your available slots with the ticked ones."""
    if (refused := forged(request, {"csrf": (form.get("csrf") or [""])[-1]})) is not None:
        return refused
    found = _mine(request, session, slug)
    if isinstance(found, Response):
        return found
    event, user, me = found
    try:
        chosen = members.set_availability(session, actor=user, slug=slug, participant_id=me.id,
                                          slots=form.get("slot", []))  # fmt: skip
        session.commit()
    except REFUSED as err:
        session.rollback()
        return refusal(request, err)
    message = f"Saved: available in {len(chosen)} of {len(meet.slots_of(event))} slots."
    if is_htmx(request):
        return _render(request, session, "meet_saved.html", {"message": message})
    return RedirectResponse(f"/events/{slug}/availability", status_code=303)


@router.get("/events/{slug}/items", response_model=None, name="meet_items")
def items_page(request: Request, session: DB, slug: Slug) -> Response:
    """Render the marketplace of the event and the form to publish an offer or a request."""
    from clusteratlas.registry.models_meet import ITEM_CATEGORIES, ITEM_KINDS

    found = _mine(request, session, slug)
    if isinstance(found, Response):
        return found
    event, user, me = found
    listed = members.list_items(session, event)
    context = {
        "title": f"Offers and requests · {event.name}", "event": event, "user": user, "me": me,
        "items": listed, "who": people(session, members.list_participants(session, event)),
        "kinds": ITEM_KINDS, "categories": ITEM_CATEGORIES,
        "done": request.query_params.get("done", ""),
    }  # fmt: skip
    return _render(request, session, "meet_items.html", context)


def _codes(text: str) -> list[str]:
    return [c.strip() for c in text.split(",") if c.strip()]


@router.post("/events/{slug}/items", response_model=None)
def add_item(request: Request, session: DB, slug: Slug, form: Form) -> Response:
    """Publish one of your offers or requests."""
    if (refused := forged(request, form)) is not None:
        return refused
    found = _mine(request, session, slug)
    if isinstance(found, Response):
        return found
    _, user, me = found
    try:
        members.add_item(session, actor=user, slug=slug, participant_id=me.id,
                         kind=form.get("kind", ""), category=form.get("category", ""),
                         title=form.get("title", "").strip(), text=form.get("text", "").strip(),
                         industries=_codes(form.get("industries", "")),
                         stages=_codes(form.get("stages", "")),
                         technologies=_codes(form.get("technologies", "")))  # fmt: skip
        session.commit()
    except REFUSED as err:
        session.rollback()
        return refusal(request, err)
    return RedirectResponse(f"/events/{slug}/items?done=published", status_code=303)


@router.get("/events/{slug}/whom-to-meet", response_model=None, name="meet_recommendations")
def recommendations(request: Request, session: DB, slug: Slug) -> Response:
    """Render whom to meet: ranked participants and marketplace items, each score's parts."""
    found = _mine(request, session, slug)
    if isinstance(found, Response):
        return found
    event, user, me = found
    try:
        table = advice.recommendations(session, actor=user, slug=slug, participant_id=me.id,
                                       top=20, kind=None)  # fmt: skip
    except REFUSED as err:
        return refusal(request, err)
    rows = [
        {"rank": int(r["rank"]), "candidate": int(r["candidate"]), "score": float(r["score"]),
         "parts": {c: float(r[c]) for c in COMPONENTS}, "explanation": str(r["explanation"]),
         "item": int(r["item_id"]) if r["kind"] == "item" else None}
        for r in table.sort_values(["kind", "rank"]).to_dict("records")
    ]  # fmt: skip
    context = {
        "title": f"Whom to meet · {event.name}", "event": event, "user": user, "me": me,
        "rows": [r for r in rows if r["item"] is None], "parts": PARTS,
        "items": [r for r in rows if r["item"] is not None],
        "market": {i.id: i for i in members.list_items(session, event)},
        "who": people(session, members.list_participants(session, event)),
        "asking": event.status in asking.REQUESTING,
    }  # fmt: skip
    return _render(request, session, "meet_recommend.html", context)


@router.post("/events/{slug}/requests", response_model=None)
def request_meeting(request: Request, session: DB, slug: Slug, form: Form) -> Response:
    """Ask another participant for a meeting (a row of whom-to-meet posts here with HTMX)."""
    if (refused := forged(request, form)) is not None:
        return refused
    found = _mine(request, session, slug)
    if isinstance(found, Response):
        return found
    _, user, _me = found
    try:
        made = asking.request_meeting(session, actor=user, slug=slug, to_id=int(form.get("to") or "0"),
                                      message=form.get("message", "").strip() or None)  # fmt: skip
        session.commit()
    except REFUSED as err:
        session.rollback()
        return refusal(request, err)
    if is_htmx(request):
        return _render(
            request, session, "meet_saved.html", {"message": f"Requested (request {made.id})."}
        )
    return RedirectResponse(f"/events/{slug}/requests", status_code=303)


@router.get("/events/{slug}/requests", response_model=None, name="meet_requests")
def requests_page(request: Request, session: DB, slug: Slug) -> Response:
    """Render your meeting requests, sent and received, with accept/decline/cancel forms."""
    found = _mine(request, session, slug)
    if isinstance(found, Response):
        return found
    event, user, me = found
    mine = asking.list_requests(session, actor=user, slug=slug)
    mine = [r for r in mine if me.id in (r.from_id, r.to_id)]  # an organiser's own, too
    context = {
        "title": f"Your meeting requests · {event.name}", "event": event, "user": user, "me": me,
        "received": [r for r in mine if r.to_id == me.id],
        "sent": [r for r in mine if r.from_id == me.id],
        "who": people(session, members.list_participants(session, event)),
        "asking": event.status in asking.REQUESTING,
    }  # fmt: skip
    return _render(request, session, "meet_requests.html", context)


@router.post("/events/{slug}/requests/{request_id}/{action}", response_model=None)
def answer(
    request: Request, session: DB, slug: Slug, request_id: Id, action: str, form: Form
) -> Response:
    """Accept or decline a request made to you, or cancel one of yours, with a message."""
    if action not in ("accept", "decline", "cancel") and forged(request, form) is None:
        return error_page(request, 404, "Not found",
                          f"The action must be accept, decline or cancel; got {action!r}.")  # fmt: skip
    message = form.get("message", "").strip() or None

    def act(found: Any) -> object:
        if action == "cancel":
            return asking.cancel_request(session, actor=found[1], slug=slug,
                                         request_id=request_id, message=message)  # fmt: skip
        return asking.answer_request(session, actor=found[1], slug=slug, request_id=request_id,
                                     action=action, message=message)  # fmt: skip

    done = submit(request, session, form, lambda: _mine(request, session, slug), act)
    if isinstance(done, Response):
        return done
    return RedirectResponse(f"/events/{slug}/requests", status_code=303)


@router.get("/events/{slug}/agenda", response_model=None, name="meet_agenda")
def agenda(request: Request, session: DB, slug: Slug) -> Response:
    """Render your printable agenda: time, table (and room), whom you meet."""
    found = _mine(request, session, slug)
    if isinstance(found, Response):
        return found
    event, user, me = found
    slots = slot_table(meet.slot_rows(event))
    definition = meet.event_definition(event)
    mine = [m for m in asking.list_meetings(session, actor=user, slug=slug)
            if me.id in (m.a_id, m.b_id)]  # fmt: skip
    who = people(session, members.list_participants(session, event))
    rows = [
        {"time": slots[m.slot]["label"] if m.slot in slots else m.slot,
         "until": slots[m.slot]["until"] if m.slot in slots else "",
         "table": m.table, "status": m.status,
         "room": definition.session(slots[m.slot]["session"]).room_of(m.table) if m.slot in slots else None,
         "with": who.get(m.b_id if m.a_id == me.id else m.a_id, "")}
        for m in mine
    ]  # fmt: skip
    context = {
        "title": f"Your agenda · {event.name}", "event": event, "user": user, "me": me,
        "rows": rows, "published": event.status in ("published", "closed"),
    }  # fmt: skip
    return _render(request, session, "meet_agenda.html", context)


@router.get("/events/{slug}/agenda.ics", response_model=None, name="meet_agenda_ics")
def agenda_ics(request: Request, session: DB, slug: Slug) -> Response:
    """Download your agenda as an iCalendar file (in the event's time zone)."""
    from clusteratlas.meet.service_reports import agenda_ics as calendar

    found = _mine(request, session, slug)
    if isinstance(found, Response):
        return found
    _, user, _me = found
    try:
        data = calendar(session, actor=user, slug=slug)
    except REFUSED as err:
        return refusal(request, err)
    disposition = {"Content-Disposition": f'attachment; filename="{slug}-agenda.ics"'}
    return no_store(Response(data, media_type="text/calendar", headers=disposition))
