"""Request and response models of the events (Meet) routes, as :mod:`.schemas`' conventions."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints, model_validator

from clusteratlas.api.schemas import ONE_LINE, TEXT, WEB_ADDRESS, Country, Name, Short, _Input

Message = Annotated[str, StringConstraints(pattern=TEXT, max_length=2000)]
Slot = Annotated[str, StringConstraints(pattern=ONE_LINE, max_length=40)]
PersonId = Annotated[int, Field(ge=1, le=2_000_000_000)]
Definition = Annotated[str, StringConstraints(pattern=TEXT, min_length=1, max_length=100_000)]
ParticipantType = Literal[
    "cluster organisation", "SME", "large company", "start-up",
    "research/technology organisation", "policy maker", "investor", "other",
]  # fmt: skip
Language = Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")]


class EventCreate(_Input):
    """A new event: its TOML definition, or the name of an event shipped with the package."""

    definition: Definition | None = Field(
        None, description="The event's TOML text ([event], [[sessions]] …)."
    )
    packaged: Literal["ecc2024"] | None = Field(
        None,
        description="Instead of a definition: 'ecc2024', the European Cluster Conference 2024 "
        "(real name, dates, venue and city; synthetic matchmaking sessions, labelled so).",
    )
    request_limit: Annotated[int, Field(ge=1, le=1000)] = 20

    @model_validator(mode="after")
    def _one_source(self) -> EventCreate:
        if (self.definition is None) == (self.packaged is None):
            raise ValueError("give exactly one of 'definition' and 'packaged'")
        return self


class EventPatch(_Input):
    """A new TOML definition (draft or open events) and/or request limit."""

    definition: Definition | None = None
    request_limit: Annotated[int, Field(ge=1, le=1000)] | None = None


class StatusChange(_Input):
    """The new status (draft → open → scheduling → published → closed; see the docs)."""

    status: Literal["draft", "open", "scheduling", "published", "closed"]


class OrganiserGrant(_Input):
    """The user to make an organiser of the event."""

    user_id: PersonId


class EventOut(BaseModel):
    """An event as listed (the definition is the TOML text)."""

    slug: str
    name: str
    venue: str
    city: str
    country: str
    time_zone: str
    start_date: dt.date
    end_date: dt.date
    status: str
    registration_opens: dt.datetime | None
    registration_closes: dt.datetime | None
    request_limit: int
    synthetic: list[str] = Field(description="Parts of the event that are SYNTHETIC (UNCONFIRMED).")
    definition: str


class SlotOut(BaseModel):
    """A time slot of a matchmaking session (``slot`` is its id)."""

    slot: str
    session: str
    slot_start: dt.datetime
    slot_end: dt.datetime
    tables: int


class NewOrganisation(_Input):
    """An organisation not in the registry, proposed at registration.

    It stays pending until an administrator approves it.
    """

    name: Name
    country: Country
    type: ParticipantType
    website: Annotated[str, StringConstraints(pattern=WEB_ADDRESS, max_length=500)] | None = None


class Registration(_Input):
    """Register yourself for an event, for an organisation of the registry or a new one.

    Give ``organisation_id`` or ``new_organisation``, not both.
    """

    organisation_id: PersonId | None = None
    new_organisation: NewOrganisation | None = None
    type: ParticipantType
    country: Country
    languages: Annotated[list[Language], Field(max_length=30)] = Field(default_factory=list)


class ParticipantOut(BaseModel):
    """A participant's public profile.

    ``organisation_id`` is empty while the organisation they proposed awaits an
    administrator (``organisation_pending``).
    """

    id: int
    organisation_id: int | None
    organisation_pending: bool = False
    type: str
    country: str
    languages: list[str]


class AvailabilityIn(_Input):
    """The slots you can meet in (ids from ``GET /events/{slug}/slots``)."""

    slots: Annotated[list[Slot], Field(max_length=500)]


class AvailabilityOut(BaseModel):
    """A participant's slots; ``null``: never set, every slot counts as available."""

    participant_id: int
    slots: list[str] | None


class ItemCreate(_Input):
    """A marketplace offer or request."""

    kind: Literal["offer", "request"]
    category: Literal[
        "cooperation", "product", "service", "expertise", "investment", "project_partner"
    ]
    title: Name
    text: Annotated[str, StringConstraints(pattern=TEXT, max_length=20000)] = ""
    industries: Annotated[list[Short], Field(max_length=50)] = Field(default_factory=list)
    stages: Annotated[list[Short], Field(max_length=50)] = Field(default_factory=list)
    technologies: Annotated[list[Short], Field(max_length=50)] = Field(default_factory=list)


class ItemOut(BaseModel):
    """A marketplace item."""

    id: int
    participant_id: int
    kind: str
    category: str
    title: str
    text: str
    industries: list[str]
    stages: list[str]
    technologies: list[str]


class RecommendationOut(BaseModel):
    """One recommended participant or marketplace item, its score broken into its parts.

    ``parts`` holds each component in [0, 1] and ``weights`` its normalised weight: the
    score is the sum of part x weight (see :mod:`clusteratlas.meet.recommend`).
    """

    rank: int
    kind: Literal["participant", "item"]
    candidate: int
    item_id: int | None
    score: float
    parts: dict[str, float]
    weights: dict[str, float]
    explanation: str


class RequestCreate(_Input):
    """Ask a participant for a meeting."""

    to: PersonId
    message: Message | None = None


class ProposalCreate(_Input):
    """An organiser's proposal: ``b`` is asked to accept a meeting with ``a``."""

    a: PersonId
    b: PersonId
    message: Message | None = None


class Answer(_Input):
    """An optional message with an answer or a cancellation."""

    message: Message | None = None


class RequestOut(BaseModel):
    """A meeting request."""

    id: int
    from_id: int = Field(serialization_alias="from")
    to_id: int = Field(serialization_alias="to")
    status: str
    message: str | None
    reply: str | None
    proposed: bool
    created_at: dt.datetime
    answered_at: dt.datetime | None


class ScheduleIn(_Input):
    """Options of a scheduling run (HiGHS)."""

    include_unanswered: bool = False
    fairness: Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)] = 1.0
    time_limit: Annotated[float, Field(gt=0, le=120, allow_inf_nan=False)] = 10.0


class ScheduleOut(BaseModel):
    """What a scheduling run stored."""

    wanted: int
    meetings: int
    kept: int = Field(description="Confirmed meetings kept in their slot and table.")
    status: str
    objective: float
    upper_bound: float | None
    gap: float | None
    min_meetings: int


class MeetingOut(BaseModel):
    """A meeting; ``note`` is the reader's own private note."""

    id: int
    request_id: int
    a: int
    b: int
    slot: str
    table: int
    status: str
    note: str | None


class NoteIn(_Input):
    """Your private note on a meeting."""

    note: Annotated[str, StringConstraints(pattern=TEXT, max_length=20000)]


class RatingIn(_Input):
    """Your rating of a meeting, after it."""

    score: Annotated[int, Field(ge=1, le=5)]
    held: bool = True
    cooperation: bool = Field(False, description="The meeting may lead to cooperation.")
    comment: Message | None = None


class RatingOut(BaseModel):
    """A stored rating."""

    id: int
    meeting_id: int
    score: int
    held: bool
    cooperation: bool


class StatsOut(BaseModel):
    """The organiser's figures (see ``clusteratlas.meet.service_reports.event_stats``)."""

    event: str
    status: str
    participants: int
    by_type: dict[str, int]
    by_country: dict[str, int]
    requests: int
    requests_by_status: dict[str, int]
    acceptance_rate: float | None
    meetings_scheduled: int
    meetings_confirmed: int
    meetings_held: int
    coverage: float | None
    mean_score: float | None
    cooperation_share: float | None
    solver_status: str | None
    objective: float | None
    upper_bound: float | None
    gap: float | None


class ExportOut(BaseModel):
    """One exported table."""

    table: str
    columns: list[str]
    rows: list[dict[str, Any]]
