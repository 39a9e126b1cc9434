"""Meet services: whom to meet at a stored event (the registry's side of :mod:`.recommend`).

Builds the tables :func:`clusteratlas.meet.recommend.recommend_all` takes from the event's
stored participants, marketplace items and requests, and the registry's organisations: an
organisation's clusters and region come from the packaged seed it was loaded from
(:func:`clusteratlas.meet.synthetic.registry_organisations`, matched on the registry's
natural key). Related clusters are the packaged Delgado-Porter-Stern (2016) pairs.
"""

from __future__ import annotations

import functools

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from clusteratlas.meet.recommend import recommend_all
from clusteratlas.meet.service import get_event, get_participant, require_self_or_organiser
from clusteratlas.meet.service_participants import list_items, list_participants
from clusteratlas.registry.models import MeetParticipant, MeetRequest, Organisation, User

RECOMMENDATION_KINDS = ("participant", "item")


def _organisation_key(keys: dict[int, str], participant: MeetParticipant) -> str:
    """Return the registry key of a participant's organisation.

    A pending proposal has none: no registry signals, text relevance only.
    """
    if participant.organisation_id is None:
        return f"proposal:{participant.proposal_id}"
    return keys.get(participant.organisation_id, str(participant.organisation_id))


@functools.cache
def _seed_organisations() -> pd.DataFrame:
    from clusteratlas.meet.synthetic import registry_organisations

    return registry_organisations().set_index("organisation_id")


@functools.cache
def _related_pairs() -> pd.DataFrame:
    from clusteratlas.data.definitions import related_clusters

    return related_clusters()


def recommendations(
    session: Session,
    *,
    actor: User | None,
    slug: str,
    participant_id: int,
    top: int = 10,
    kind: str | None = None,
) -> pd.DataFrame:
    """Return the ranked, explained recommendations of one participant of an event.

    Only the participant and the event's organisers may read them (they reveal what the
    participant asked for). Participants already asked are left out, as are colleagues.

    Returns
    -------
    pandas.DataFrame
        :data:`clusteratlas.meet.recommend.RESULT_COLUMNS`; ``participant_id``,
        ``candidate`` and ``item_id`` are the database ids as text.
    """
    event = get_event(session, slug)
    participant = get_participant(session, event, participant_id)
    require_self_or_organiser(session, event, participant, actor, "see these recommendations")
    people = list_participants(session, event)
    keys: dict[int, str] = dict(
        session.execute(
            select(Organisation.id, Organisation.key).where(
                Organisation.id.in_({p.organisation_id for p in people} - {None})
            )
        ).all()
    )
    participants = pd.DataFrame(
        [(str(p.id), _organisation_key(keys, p), p.type, p.country) for p in people],
        columns=["participant_id", "organisation_id", "type", "country"],
    )  # fmt: skip
    items = pd.DataFrame(
        [(str(i.participant_id), str(i.id), i.kind, i.category,
          ". ".join(part for part in (i.title, i.text) if part) or i.title,
          ";".join(i.industries), ";".join(i.stages), ";".join(i.technologies))
         for i in reversed(list_items(session, event))],
        columns=["participant_id", "item_id", "kind", "category", "text", "industries",
                 "stages", "technologies"],
    )  # fmt: skip
    seed = _seed_organisations()
    known = [key for key in dict.fromkeys(keys.values()) if key in seed.index]
    organisations = seed.loc[known, ["industries", "region"]].reset_index()
    asked = pd.DataFrame(
        [(str(a), str(b)) for a, b in session.execute(
            select(MeetRequest.from_id, MeetRequest.to_id).where(MeetRequest.event_id == event.id)
        ).all()],
        columns=["from", "to"],
    )  # fmt: skip
    kinds = RECOMMENDATION_KINDS if kind is None else (kind,)
    return recommend_all(
        participants=participants, items=items, organisations=organisations,
        related=_related_pairs(), requests=asked, top=top, kinds=kinds,
        only=[str(participant.id)],
    )  # fmt: skip


__all__ = ["RECOMMENDATION_KINDS", "recommendations"]
