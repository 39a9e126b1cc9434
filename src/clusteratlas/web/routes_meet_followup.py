"""Meet pages after the matchmaking: your meetings, private notes and ratings.

Each meeting of the signed-in participant has a private note (only its author reads it:
:func:`clusteratlas.meet.service_requests.set_note`) and, once the meeting is over, a rating
(1–5, whether it took place, whether it may lead to cooperation:
:func:`~clusteratlas.meet.service_requests.rate_meeting`). The pages only parse, call the
service and render; its refusals are shown as they are.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from clusteratlas.meet import service as meet
from clusteratlas.meet import service_participants as members
from clusteratlas.meet import service_requests as asking
from clusteratlas.web._meet_support import DB, Form, Id, Slug, people, slot_table, submit
from clusteratlas.web.routes_meet import _mine, _render

router = APIRouter(include_in_schema=False)
SCORES = {1: "1 – poor", 2: "2", 3: "3 – fair", 4: "4", 5: "5 – excellent"}


@router.get("/events/{slug}/meetings", response_model=None, name="meet_meetings")
def meetings(request: Request, session: DB, slug: Slug, saved: str = "") -> Response:
    """Render your meetings with your private note and your rating of each."""
    found = _mine(request, session, slug)
    if isinstance(found, Response):
        return found
    event, user, me = found
    slots = slot_table(meet.slot_rows(event))
    who = people(session, members.list_participants(session, event))
    rated = asking.my_ratings(session, actor=user, slug=slug)
    rows = [
        {"id": m.id, "time": slots[m.slot]["label"] if m.slot in slots else m.slot,
         "table": m.table, "status": m.status, "note": m.note or "", "rating": rated.get(m.id),
         "with": who.get(m.b_id if m.a_id == me.id else m.a_id, "")}
        for m in asking.list_meetings(session, actor=user, slug=slug)
        if me.id in (m.a_id, m.b_id)
    ]  # fmt: skip
    context = {"title": f"Your meetings · {event.name}", "event": event, "user": user, "me": me,
               "rows": rows, "scores": SCORES, "saved": saved[:20]}  # fmt: skip
    return _render(request, session, "meet_meetings.html", context)


def _save(request: Request, session: Session, slug: str, form: dict[str, str], call: str,
          meeting_id: int) -> Response:  # fmt: skip
    """Check the form's CSRF token, run the service call, commit or show its refusal."""

    def act(found: Any) -> object:
        if call == "note":
            return asking.set_note(session, actor=found[1], slug=slug, meeting_id=meeting_id,
                                   note=form.get("note", "")[:5000])  # fmt: skip
        score = form.get("score", "")
        return asking.rate_meeting(
            session, actor=found[1], slug=slug, meeting_id=meeting_id,
            score=int(score) if score.isdigit() else 0, held=form.get("held") == "on",
            cooperation=form.get("cooperation") == "on",
            comment=form.get("comment", "").strip()[:2000] or None,
        )  # fmt: skip

    done = submit(request, session, form, lambda: _mine(request, session, slug), act)
    if isinstance(done, Response):
        return done
    return RedirectResponse(f"/events/{slug}/meetings?saved={call}#meeting-{meeting_id}", 303)


@router.post("/events/{slug}/meetings/{meeting_id}/note", response_model=None)
def save_note(request: Request, session: DB, slug: Slug, meeting_id: Id, form: Form) -> Response:
    """Save your private note on one of your meetings (nobody else reads it)."""
    return _save(request, session, slug, form, "note", meeting_id)


@router.post("/events/{slug}/meetings/{meeting_id}/rating", response_model=None)
def save_rating(request: Request, session: DB, slug: Slug, meeting_id: Id, form: Form) -> Response:
    """Rate one of your meetings once it is over, and say whether it may lead to cooperation."""
    return _save(request, session, slug, form, "rating", meeting_id)
