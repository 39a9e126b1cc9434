"""HTML page of the administrators' queue of proposed organisations (``/organisations/proposals``).

A participant registering to an event for an organisation that is not in the registry
proposes it (:func:`clusteratlas.registry.proposals.propose_organisation`); the page lists
the pending proposals with who proposed them, when, for which events and the registry
organisations they may duplicate, and lets an administrator approve one (creating the
organisation, or merging the proposal into one already there) or reject it with a reason.
Decided proposals are listed below. Interfaces only: every decision is
:mod:`clusteratlas.registry.proposals` (administrators only, audited there).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from clusteratlas.errors import (
    ConflictError,
    ParameterError,
    PermissionDeniedError,
    RecordNotFoundError,
)
from clusteratlas.web._support import (
    TEMPLATES,
    csrf_ok,
    current_user,
    db_session,
    refusal_status,
)

router = APIRouter(include_in_schema=False)
DB = Annotated[Session, Depends(db_session)]
Id = Annotated[int, Path(ge=1, le=2_000_000_000)]
REFUSED = (RecordNotFoundError, PermissionDeniedError, ConflictError, ParameterError)
PAGE = "/organisations/proposals"
NOT_ALLOWED = "{email} does not administer the registry; only administrators decide proposals."
DECIDED_SHOWN = 50
"""Decided proposals listed on the page (newest decision first); the API lists them all."""


async def _form(request: Request) -> dict[str, str]:
    return {k: str(v) for k, v in (await request.form()).items()}


Form = Annotated[dict[str, str], Depends(_form)]


def _page(
    request: Request, session: Session, user: Any, *, status: int = 200, error: str = ""
) -> Response:
    from clusteratlas.registry.proposals import review_proposals

    context = {
        "title": "Proposed organisations",
        "user": user,
        "pending": review_proposals(session, actor=user, status="pending"),
        "decided": review_proposals(session, actor=user, status="decided", limit=DECIDED_SHOWN),
        "decided_shown": DECIDED_SHOWN,
        "done": request.query_params.get("done", ""),
        "error": error,
    }
    return TEMPLATES.TemplateResponse(
        request, "organisation_proposals.html", context, status_code=status
    )


def _allowed(request: Request, session: Session) -> tuple[Any, Response | None]:
    """Return the signed-in administrator, or the response refusing the page."""
    from clusteratlas.web.routes_labels import error_page, sign_in_first

    user = current_user(request, session)
    if user is None:
        return None, sign_in_first(PAGE)
    if user.role != "admin":
        return user, error_page(request, 403, "Not allowed", NOT_ALLOWED.format(email=user.email))
    return user, None


def _organisation_id(form: dict[str, str]) -> int | None:
    """Return the organisation to merge into: the id typed, else the duplicate chosen, or none."""
    value = form.get("other_id", "").strip() or form.get("organisation_id", "").strip()
    if not value:
        return None
    if not value.isdigit() or not 1 <= int(value) <= 2_000_000_000:
        raise ParameterError(
            f"Organisation to merge into: give an organisation's id (a whole number, as in "
            f"/organisations/<id>); got {value!r}."
        )
    return int(value)


def _change(
    request: Request, session: Session, form: dict[str, str], action: Any, done: str
) -> Response:
    """Check the user and the form, run one service call, commit; a refusal says why."""
    from clusteratlas.web.routes_labels import FORGED, error_page

    user, refused = _allowed(request, session)
    if refused is not None:
        return refused
    if not csrf_ok(request, form):
        return error_page(request, 403, "Form refused", FORGED)
    try:
        action(user)
        session.commit()
    except REFUSED as err:
        session.rollback()
        status, _ = refusal_status(err)
        return _page(request, session, user, status=status, error=str(err))
    return RedirectResponse(f"{PAGE}?done={done}", status_code=303)


@router.get(PAGE, response_model=None, name="organisation_proposals")
def proposals_page(request: Request, session: DB) -> Response:
    """Render the pending proposals (with possible duplicates) and the decided ones."""
    user, refused = _allowed(request, session)
    return refused if refused is not None else _page(request, session, user)


@router.post(PAGE + "/{proposal_id}/approve", response_model=None)
def approve(request: Request, session: DB, proposal_id: Id, form: Form) -> Response:
    """Approve: create the organisation, or merge the proposal into an existing one."""
    from clusteratlas.registry.proposals import approve_proposal

    def action(user: Any) -> None:
        merge_into = _organisation_id(form)
        approve_proposal(session, actor=user, proposal_id=proposal_id, organisation_id=merge_into)

    done = "merged" if _has_target(form) else "approved"
    return _change(request, session, form, action, done)


def _has_target(form: dict[str, str]) -> bool:
    return bool(form.get("other_id", "").strip() or form.get("organisation_id", "").strip())


@router.post(PAGE + "/{proposal_id}/reject", response_model=None)
def reject(request: Request, session: DB, proposal_id: Id, form: Form) -> Response:
    """Reject the proposal, saying why (its participants stay registered, flagged)."""
    from clusteratlas.registry.proposals import reject_proposal

    def action(user: Any) -> None:
        reject_proposal(session, actor=user, proposal_id=proposal_id,
                        reason=form.get("reason", ""))  # fmt: skip

    return _change(request, session, form, action, "rejected")
