"""The mail outbox as an operator drains it: list, export, mark sent.

There is no mail server: the sign-up service puts its messages in the ``mail_outbox`` table
(:func:`clusteratlas.registry.signup.send_mail`). An operator lists the messages waiting
(:func:`pending_mail`), hands them to a mailer (:func:`mail_records`, e.g. as JSON lines)
and then marks them sent (:func:`mark_sent`). Marking sent removes the messages from the
outbox, so that it only ever holds messages still to be sent and no verification token
stays stored in clear once its mail is gone; the audit log keeps who was sent what and when
(recipient and subject, never the body).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from clusteratlas.errors import ParameterError, RecordNotFoundError
from clusteratlas.registry.audit import record
from clusteratlas.registry.models import OutboxMail


def pending_mail(session: Session) -> list[OutboxMail]:
    """Return the messages waiting in the outbox, oldest first."""
    return list(session.scalars(select(OutboxMail).order_by(OutboxMail.id)))


def mark_sent(session: Session, *, ids: Sequence[int]) -> list[OutboxMail]:
    """Mark the messages ``ids`` sent: remove them from the outbox, audited (all or none).

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The caller commits.
    ids : sequence of int
        Ids of waiting messages (as :func:`pending_mail` lists them); repeats count once.

    Returns
    -------
    list of OutboxMail
        The messages marked sent, in id order.

    Raises
    ------
    ParameterError
        When ``ids`` is empty.
    RecordNotFoundError
        When any id is not a waiting message (the message names every such id); nothing
        is marked then.
    """
    wanted = sorted(set(ids))
    if not wanted:
        raise ParameterError("Give the ids of the messages to mark sent.")
    found = list(
        session.scalars(select(OutboxMail).where(OutboxMail.id.in_(wanted)).order_by(OutboxMail.id))
    )
    unknown = sorted(set(wanted) - {m.id for m in found})
    if unknown:
        raise RecordNotFoundError(
            f"No message waits in the outbox with id {', '.join(map(str, unknown))} (already "
            "sent, or never there); nothing was marked sent."
        )
    for mail in found:
        record(session, actor=None, entity="mail_outbox", entity_id=mail.id, action="sent",
               after={"recipient": mail.recipient, "subject": mail.subject})  # fmt: skip
        session.delete(mail)
    session.flush()
    return found


def _iso(moment: dt.datetime) -> str:
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)
    return aware.astimezone(dt.UTC).isoformat()


def mail_records(mails: Iterable[OutboxMail]) -> list[dict[str, Any]]:
    """Return messages as JSON-ready records: ``id``, ``recipient``, ``subject``, ``body``, ``created``.

    ``created`` is an ISO 8601 time in UTC.
    """
    return [
        {
            "id": m.id,
            "recipient": m.recipient,
            "subject": m.subject,
            "body": m.body,
            "created": _iso(m.created_at),
        }
        for m in mails
    ]


__all__ = ["mail_records", "mark_sent", "pending_mail"]
