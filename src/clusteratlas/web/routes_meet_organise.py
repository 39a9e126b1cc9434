"""HTML pages of Meet for an event's organisers: status, scheduling, table plan, statistics.

Interfaces only: the meet services check that the reader organises the event (or is an
administrator) and raise otherwise; every page here first asks
:func:`clusteratlas.meet.service.require_organiser`, so a participant gets a 403 page.
Scheduling runs the solver in a read session, then stores the plan (as the API does).
"""

from __future__ import annotations

from contextlib import nullcontext
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from clusteratlas.meet import service as meet
from clusteratlas.meet import service_participants as members
from clusteratlas.meet import service_reports as reports
from clusteratlas.meet import service_requests as asking
from clusteratlas.meet import service_scheduling as planning
from clusteratlas.web._meet_support import (
    DB,
    REFUSED,
    Form,
    Slug,
    error_page,
    forged,
    no_store,
    people,
    refusal,
    slot_table,
    submit,
    to_login,
)
from clusteratlas.web._support import TEMPLATES, current_user

router = APIRouter(include_in_schema=False)
EXPORTS = ("participants", "availability", "requests", "meetings", "plan", "ratings", "items")
"""Tables offered as CSV (:data:`clusteratlas.meet.service_reports.EXPORT_TABLES`)."""


def _organised(request: Request, session: Session, slug: str) -> Any:
    """Return ``(event, user)`` when the reader organises the event, else the response."""
    try:
        event = meet.get_event(session, slug)
    except REFUSED as err:
        return refusal(request, err)
    user = current_user(request, session)
    if user is None:
        return to_login(request.url.path)
    if not meet.visible(session, event, user):
        return error_page(request, 404, "Not found", f"There is no event {slug!r}.")
    try:
        meet.require_organiser(session, event, user, "use the organiser's pages")
    except REFUSED as err:
        return refusal(request, err)
    return event, user


def _render(request: Request, name: str, context: dict[str, Any]) -> Response:
    context = {"organiser": True, "me": None, **context}
    return no_store(TEMPLATES.TemplateResponse(request, name, context))


def _overview(request: Request, session: Session, event: Any, user: Any, **extra: Any) -> Response:
    registered = members.list_participants(session, event)
    labels = people(session, registered)
    context = {
        "title": f"Organise · {event.name}", "event": event, "user": user,
        "next_statuses": meet.TRANSITIONS[event.status], "exports": EXPORTS,
        "stats": reports.event_stats(session, actor=user, slug=event.slug),
        "people": labels, **extra,
        "pending": [(p.id, labels[p.id]) for p in registered if p.organisation_id is None],
    }  # fmt: skip
    return _render(request, "meet_organise.html", context)


@router.get("/events/{slug}/organise", response_model=None, name="meet_organise")
def organise(request: Request, session: DB, slug: Slug) -> Response:
    """Render the organiser's page: status, the last schedule, scheduling and export links."""
    found = _organised(request, session, slug)
    if isinstance(found, Response):
        return found
    return _overview(request, session, *found)


@router.post("/events/{slug}/organise/status", response_model=None)
def change_status(request: Request, session: DB, slug: Slug, form: Form) -> Response:
    """Move the event to the chosen status (along the allowed transitions)."""
    done = submit(request, session, form, lambda: _organised(request, session, slug),
                  lambda found: meet.set_status(session, actor=found[1], slug=slug,
                                                status=form.get("status", "")))  # fmt: skip
    if isinstance(done, Response):
        return done
    return RedirectResponse(f"/events/{slug}/organise", status_code=303)


@router.post("/events/{slug}/organise/propose", response_model=None)
def propose(request: Request, session: DB, slug: Slug, form: Form) -> Response:
    """Propose a meeting between two participants (the second one accepts or declines it)."""
    a, b = (int(v) if v.isdigit() else 0 for v in (form.get("a", ""), form.get("b", "")))
    message = form.get("message", "").strip() or None
    done = submit(request, session, form, lambda: _organised(request, session, slug),
                  lambda found: (found, asking.propose_meeting(
                      session, actor=found[1], slug=slug, a_id=a, b_id=b, message=message)))  # fmt: skip
    if isinstance(done, Response):
        return done
    (event, user), made = done
    return _overview(request, session, event, user, proposed=made)


@router.post("/events/{slug}/organise/schedule", response_model=None)
def schedule(request: Request, session: DB, slug: Slug, form: Form) -> Response:
    """Schedule the accepted meetings; confirmed meetings keep their slot and table."""
    if (refused := forged(request, form)) is not None:
        return refused
    found = _organised(request, session, slug)
    if isinstance(found, Response):
        return found
    _, user = found
    given = form.get("time_limit") or "10"
    try:
        limit = float(given)
    except ValueError:
        limit = float("nan")
    if not 0 < limit <= 120:
        message = f"The 'time_limit' field must be a number of seconds in (0, 120]; got {given!r}."
        return error_page(request, 422, "Please check the form", message)
    unanswered = form.get("include_unanswered") == "on"
    try:
        readers = getattr(request.app.state, "read_sessions", None)
        with readers() if readers is not None else nullcontext(session) as reader:
            plan = planning.plan_schedule(reader, actor=user, slug=slug,
                                          include_unanswered=unanswered, time_limit=limit)  # fmt: skip
        done = planning.store_schedule(session, actor=user, plan=plan)
        session.commit()
    except REFUSED as err:
        session.rollback()
        return refusal(request, err)
    return _overview(request, session, meet.get_event(session, slug), user, done=done)


@router.get("/events/{slug}/organise/plan", response_model=None, name="meet_plan")
def plan(
    request: Request, session: DB, slug: Slug,
    slot: Annotated[str, Query(max_length=40)] = "",
    table: Annotated[int | None, Query(ge=1, le=100_000)] = None,
) -> Response:  # fmt: skip
    """Render the table plan of one slot, and who sits at one table then."""
    found = _organised(request, session, slug)
    if isinstance(found, Response):
        return found
    event, user = found
    slots = slot_table(meet.slot_rows(event))
    if slot and slot not in slots:
        return error_page(request, 422, "Unknown slot",
                          f"The 'slot' parameter must be a slot of {slug!r}, such as "
                          f"{next(iter(slots))!r}; got {slot!r}.")  # fmt: skip
    _, rows = reports.export_table(session, actor=user, slug=slug, table="plan")
    chosen = slot or next(iter(slots), "")
    start = slots[chosen]["slot_start"].isoformat() if chosen else ""
    shown = [r for r in rows if r["slot_start"] == start]
    at = [r for r in shown if table is not None and int(r["table"]) == table]
    context = {
        "title": f"Table plan · {event.name}", "event": event, "user": user, "slots": slots,
        "slot": chosen, "table": table, "rows": shown, "at": at,
        "tables": slots[chosen]["tables"] if chosen else 0,
    }  # fmt: skip
    return _render(request, "meet_plan.html", context)


def bars(counts: dict[str, int], *, width: int = 360, row: int = 24) -> dict[str, Any]:
    """Lay out a horizontal bar chart of ``counts`` (label → count) for an inline SVG.

    Returns the SVG's ``height`` and, per bar, ``label``, ``count``, ``y`` and ``width``
    (proportional to the count, the largest bar ``width`` pixels wide).
    """
    top = max(counts.values(), default=0)
    items = [
        {"label": label, "count": n, "y": i * row, "width": round(width * n / top) if top else 0}
        for i, (label, n) in enumerate(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
    ]
    return {"height": max(row, row * len(items)), "bars": items, "width": width}


@router.get("/events/{slug}/organise/stats", response_model=None, name="meet_stats")
def stats(request: Request, session: DB, slug: Slug) -> Response:
    """Render the figures: registrations by type and country, requests, meetings, coverage, gap."""
    found = _organised(request, session, slug)
    if isinstance(found, Response):
        return found
    event, user = found
    figures = reports.event_stats(session, actor=user, slug=slug)
    context = {
        "title": f"Statistics · {event.name}", "event": event, "user": user, "s": figures,
        "by_type": bars(figures["by_type"]), "by_country": bars(figures["by_country"]),
        "exports": EXPORTS,
    }  # fmt: skip
    return _render(request, "meet_stats.html", context)


@router.get("/events/{slug}/organise/export/{table}.csv", response_model=None)
def export(request: Request, session: DB, slug: Slug, table: str) -> Response:
    """Download one of the event's tables as CSV (spreadsheet formulas neutralised)."""
    from clusteratlas.api.convert import to_csv

    found = _organised(request, session, slug)
    if isinstance(found, Response):
        return found
    _, user = found
    try:
        columns, rows = reports.export_table(session, actor=user, slug=slug, table=table)
    except REFUSED as err:
        return refusal(request, err)
    disposition = {"Content-Disposition": f'attachment; filename="{slug}-{table}.csv"'}
    return no_store(Response(to_csv(rows, columns), media_type="text/csv", headers=disposition))
