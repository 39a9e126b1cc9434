"""Request and response models of the skills routes (``/api/v1/skills``, organisation needs).

Inputs forbid unknown fields and carry limits, as in :mod:`.schemas`. Every response that
shows ESCO data carries its attribution (CC BY 4.0, © European Union).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints, model_validator

from clusteratlas.api.schemas import ONE_LINE, TEXT, WRITE_RESPONSES, Message, _Input

SKILL_URI = r"^http://data\.europa\.eu/esco/skill/[A-Za-z0-9_.-]{1,80}$"
TEXT_CHARS = 5000
"""Characters a need or a text to tag may hold (a programme description fits easily)."""
SKILLS_BODY = 64 * 1024
"""Bytes a ``tag`` or ``match`` request body may hold."""

SkillUri = Annotated[str, StringConstraints(pattern=SKILL_URI, max_length=120)]
NeedText = Annotated[str, StringConstraints(pattern=TEXT, max_length=TEXT_CHARS)]
Region = Annotated[str, StringConstraints(pattern=ONE_LINE, max_length=12)]
Horizon = Annotated[str, StringConstraints(pattern=ONE_LINE, max_length=60)]
Format = Literal["in-person", "online", "blended"]

SKILLS_RESPONSES: dict[int | str, dict[str, Any]] = {
    **WRITE_RESPONSES,
    503: {"model": Message, "description": "scikit-learn missing (install the skills extra)"},
}


class Concept(BaseModel):
    """An ESCO concept found by a search or a tagging, with its score (cosine in [0, 1])."""

    rank: int
    uri: str
    kind: str
    label: str
    score: float


class ConceptList(BaseModel):
    """Ranked ESCO concepts and the attribution of ESCO."""

    query: str
    kind: str
    language: str
    results: list[Concept]
    attribution: str


class ProviderOut(BaseModel):
    """A training provider of the seed; ``*_status`` says what is CONFIRMED."""

    provider_id: str
    name: str
    name_status: str
    kind: str
    country: str
    region_name: str
    website: str
    details_status: str
    source: str


class TagOut(BaseModel):
    """An ESCO skill a programme is tagged with, ranked.

    ``source`` is ``auto`` (from the programme's text, ``score`` the cosine in [0, 1]) or
    ``hand`` (added by a person; no score).
    """

    rank: int
    skill_id: str
    label: str
    score: float | None
    source: Literal["auto", "hand"] = "auto"


class ProgrammeOut(BaseModel):
    """A training programme with its ESCO tags; ``status`` says which fields are confirmed."""

    programme_id: str
    provider_id: str
    provider_name: str
    title: str
    description: str
    duration_hours: float | None
    format: str
    location: str
    region: str
    level: str
    language: str
    status: str
    source: str
    url: str | None = None
    version: int | None = None
    provider_organisation_id: int | None = None
    tags: list[TagOut]


class ProgrammeList(BaseModel):
    """The seed programmes and the ESCO attribution of their tags."""

    programmes: list[ProgrammeOut]
    attribution: str


class PartnershipOut(BaseModel):
    """A cluster ↔ training-provider partnership recorded in the registry.

    ``cluster_id`` and ``provider_organisation_id`` are the registry ids of both sides
    (``None`` where the registry holds no such organisation); ``status`` is ``active`` or
    ``ended``; ``purpose_status`` is CONFIRMED when a source states the purpose; ``source``
    quotes the seed's wording for the seed's partnerships.
    """

    id: int
    cluster_name: str
    cluster_key: str
    cluster_id: int | None
    provider_id: str
    provider_name: str
    provider_organisation_id: int | None
    purpose: str
    purpose_status: str
    status: str
    started_on: dt.date | None
    ended_on: dt.date | None
    source: str
    version: int


PURPOSE = Annotated[str, StringConstraints(pattern=TEXT, min_length=1, max_length=1000)]
SOURCE = Annotated[str, StringConstraints(pattern=TEXT, max_length=2000)]


class PartnershipIn(_Input):
    """A partnership to record: the two organisations, its purpose and where it is stated."""

    cluster_id: Annotated[int, Field(ge=1, le=2_000_000_000)]
    provider_organisation_id: Annotated[int, Field(ge=1, le=2_000_000_000)]
    purpose: PURPOSE
    source: SOURCE | None = None
    started_on: dt.date | None = None


class PartnershipPatch(_Input):
    """Changes to a partnership; ``status: "ended"`` ends it (``ended_on`` default today).

    ``version``, when given, is the version read (409 when someone changed it since).
    """

    version: Annotated[int, Field(ge=1, le=2_000_000_000)] | None = None
    purpose: PURPOSE | None = None
    source: SOURCE | None = None
    status: Literal["active", "ended"] | None = None
    started_on: dt.date | None = None
    ended_on: dt.date | None = None


PROGRAMME_ID = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$"
"""Pattern of a programme id (the seed's ids: ``pyla-laser``)."""
TAG_CHANGES = 50
"""Skills one correction may add and remove together."""


Short = Annotated[str, StringConstraints(pattern=ONE_LINE, max_length=200)]


class _ProgrammeFields(_Input):
    description: Annotated[str, StringConstraints(pattern=TEXT, max_length=TEXT_CHARS)] | None = (
        None
    )
    duration_hours: Annotated[float, Field(ge=0, lt=100_000)] | None = None
    format: Format | Literal[""] | None = None
    location: Short | None = None
    region: Region | None = None
    level: Annotated[str, StringConstraints(pattern=ONE_LINE, max_length=60)] | None = None
    language: Annotated[str, StringConstraints(pattern=r"^([a-z]{2})?$")] | None = None
    url: Annotated[str, StringConstraints(pattern=r"^https?://[^\s]+$", max_length=500)] | None = (
        None
    )
    source: SOURCE | None = None


class ProgrammeIn(_ProgrammeFields):
    """A programme to record for a training provider's organisation.

    ``programme_id`` defaults to ``<provider_id>-<n>``; ``source`` says where the details
    are stated (without one, details recorded by an administrator stay UNCONFIRMED).
    """

    provider_organisation_id: Annotated[int, Field(ge=1, le=2_000_000_000)]
    programme_id: Annotated[str, StringConstraints(pattern=PROGRAMME_ID, max_length=100)] | None = (
        None
    )
    title: Annotated[str, StringConstraints(pattern=ONE_LINE, min_length=1, max_length=300)]


class ProgrammePatch(_ProgrammeFields):
    """Changes to a programme; ``version``, when given, is the version read (409 if stale)."""

    version: Annotated[int, Field(ge=1, le=2_000_000_000)] | None = None
    title: (
        Annotated[str, StringConstraints(pattern=ONE_LINE, min_length=1, max_length=300)] | None
    ) = None


class ProgrammeTagsIn(_Input):
    """Hand corrections of a programme's ESCO tags: skills to add and skills to remove."""

    add: Annotated[list[SkillUri], Field(default_factory=list, max_length=TAG_CHANGES)]
    remove: Annotated[list[SkillUri], Field(default_factory=list, max_length=TAG_CHANGES)]


class TagIn(_Input):
    """A text (a programme description, a job ad) to tag with its best ESCO skills."""

    text: Annotated[str, StringConstraints(pattern=TEXT, min_length=1, max_length=TEXT_CHARS)]
    top: Annotated[int, Field(ge=1, le=50)] = 5


class _NeedFields(_Input):
    text: NeedText = ""
    skills: Annotated[list[SkillUri], Field(max_length=50, default_factory=list)]
    people: Annotated[int, Field(ge=1, le=1_000_000)] = 1
    region: Region = ""
    horizon: Horizon = ""
    format: Format | None = None

    @model_validator(mode="after")
    def _text_or_skills(self) -> _NeedFields:
        if not self.text.strip() and not self.skills:
            raise ValueError("a need takes a text, ESCO skill URIs, or both")
        return self


class NeedIn(_NeedFields):
    """A skill need: free text and/or ESCO skill URIs, people, region, horizon, format."""


class MatchIn(NeedIn):
    """A need to match now (not stored), with how many programmes to return."""

    top: Annotated[int, Field(ge=1, le=50)] = 5
    lat: Annotated[float, Field(ge=-90, le=90)] | None = None
    lon: Annotated[float, Field(ge=-180, le=180)] | None = None


class NeedPatch(_Input):
    """Changes to a need read at ``version`` (409 when someone changed it since)."""

    version: Annotated[int, Field(ge=1, le=2_000_000_000)]
    text: NeedText | None = None
    skills: Annotated[list[SkillUri], Field(max_length=50)] | None = None
    people: Annotated[int, Field(ge=1, le=1_000_000)] | None = None
    region: Region | None = None
    horizon: Horizon | None = None
    format: Format | None = None


class NeededSkill(BaseModel):
    """A skill of the need: ``stated`` (an ESCO URI given) or from its ``text`` (scored)."""

    skill_id: str
    label: str
    source: str
    score: float | None


class MatchRow(BaseModel):
    """A programme for a need: coverage share, reach, distance, format and why it matched."""

    rank: int
    programme_id: str
    provider_id: str
    title: str
    coverage: float
    n_shared: int
    n_needed: int
    reachable: bool
    distance_km: float | None
    format: str
    shared_skills: list[NeededSkill]
    gap_skills: list[NeededSkill]


class MatchOut(BaseModel):
    """The need's skills, its ranked programmes, and the skills no programme covers."""

    needed: list[NeededSkill]
    matches: list[MatchRow]
    gap: list[NeededSkill]
    attribution: str


class NeedOut(BaseModel):
    """A skill need posted by a cluster organisation."""

    id: int
    organisation_id: int
    text: str
    skills: list[str]
    people: int
    region: str
    horizon: str
    format: str | None
    status: str
    version: int
    created_at: str
    updated_at: str


class GapRow(BaseModel):
    """A needed skill of the cluster, the people needing it and the programmes covering it."""

    skill_id: str
    label: str
    people: int
    n_needs: int
    n_programmes: int
    programme_ids: list[str]
    gap: bool


class NeedMatches(BaseModel):
    """One open need and its ranked programmes."""

    need: NeedOut
    result: MatchOut


class ClusterGaps(BaseModel):
    """The open needs of a cluster, each matched, and the cluster's skills with their gaps."""

    organisation_id: int
    needs: list[NeedMatches]
    skills: list[GapRow]
    attribution: str
