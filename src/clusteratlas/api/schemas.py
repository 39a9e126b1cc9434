"""Request and response models of the REST API (pydantic v2).

Inputs forbid unknown fields and carry the limits of the database columns, so a bad request
is answered with a 422 that names the field, never with a database error. Every string has a
maximum length, every number a range, every list a maximum length. One-line strings refuse
every control character (NUL included: PostgreSQL text cannot store it); long texts allow
tab, line feed and carriage return only. Websites are ``http(s)://`` addresses. The web
forms validate through these same models (:mod:`clusteratlas.web.forms`).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from clusteratlas.registry.models_org import OrgKind

NO_NUL = r"^[^\x00]*$"
ONE_LINE = r"^[^\x00-\x1f\x7f]*$"
"""No control character (C0 or DEL): names, codes, keys, list items."""
TEXT = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
"""No control character but tab, line feed and carriage return: descriptions, messages."""
WEB_ADDRESS = r"^[Hh][Tt][Tt][Pp][Ss]?://[^\x00-\x20\x7f/?#@\\]+([/?#][^\x00-\x20\x7f]*)?$"
"""An ``http://`` or ``https://`` address with a host (no ``javascript:``, no user part)."""

Short = Annotated[str, StringConstraints(pattern=ONE_LINE, max_length=200)]
Name = Annotated[str, StringConstraints(pattern=ONE_LINE, min_length=1, max_length=300)]
LongText = Annotated[str, StringConstraints(pattern=TEXT, max_length=20000)]
Country = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
RegionCode = Annotated[str, StringConstraints(pattern=ONE_LINE, max_length=12)]
Website = Annotated[str, StringConstraints(pattern=WEB_ADDRESS, max_length=500)]
Count = Annotated[int, Field(ge=0, le=1_000_000_000)]
Stage = Annotated[
    str, StringConstraints(pattern=r"^[^\x00-\x1f\x7f:]+:[^\x00-\x1f\x7f]+$", max_length=200)
]


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


class _ProfileFields(_Input):
    kind: OrgKind | None = None
    acronym: Annotated[str, StringConstraints(pattern=ONE_LINE, max_length=60)] | None = None
    region: RegionCode | None = None
    region_name: Short | None = None
    website: Website | None = None
    founding_year: Annotated[int, Field(ge=1000, le=2100)] | None = None
    description: LongText | None = None
    management_fte: Annotated[float, Field(ge=0, le=1_000_000, allow_inf_nan=False)] | None = None
    members_sme: Count | None = None
    members_large: Count | None = None
    members_startup: Count | None = None
    members_research: Count | None = None
    members_public: Count | None = None
    members_other: Count | None = None
    technologies: Annotated[list[Short], Field(max_length=100)] | None = None
    categories: Annotated[list[Short], Field(max_length=100)] | None = None
    ecosystems: Annotated[list[Short], Field(max_length=100)] | None = None
    sectors: Annotated[list[Short], Field(max_length=100)] | None = None
    stages: Annotated[list[Stage], Field(max_length=100)] | None = None


class OrganisationCreate(_ProfileFields):
    """A new organisation (admin only): ``name`` and ``country`` are required."""

    name: Name
    country: Country
    key: Short | None = None


class OrganisationPatch(_ProfileFields):
    """Changes to an organisation read at ``version`` (409 when someone changed it since)."""

    version: Annotated[int, Field(ge=1, le=2_000_000_000)]
    name: Name | None = None
    country: Country | None = None


class LabelOut(BaseModel):
    """A label of an organisation (ESCA, pôle de compétitivité …)."""

    scheme: str
    level: str
    awarded: str | None = None
    valid_until: str | None = None
    duration: str | None = None
    status: str


class OrganisationSummary(BaseModel):
    """The short form of an organisation in search results."""

    id: int
    key: str
    name: str
    kind: str
    acronym: str | None
    country: str
    region: str | None
    region_name: str | None
    website: str | None
    categories: list[str]
    ecosystems: list[str]
    stages: list[str]
    labels: list[LabelOut]
    version: int
    score: float | None = None


class PartnershipOut(BaseModel):
    """A partnership (alliance, Eurocluster …) the organisation belongs to, with its role."""

    id: int
    key: str
    name: str
    kind: str
    website: str | None
    description: str | None
    sectors: list[str]
    role: str | None
    source: str | None
    status: str


class OrganisationOut(OrganisationSummary):
    """The full profile of an organisation."""

    founding_year: int | None
    description: str | None
    management_fte: float | None
    members: dict[str, int | None]
    technologies: list[str]
    sectors: list[str]
    programmes: list[str]
    partnerships: list[PartnershipOut] = []
    field_sources: dict[str, Any]
    created_at: dt.datetime | None
    updated_at: dt.datetime | None


class CheckOut(BaseModel):
    """One ECCP criterion."""

    code: str
    passed: bool
    reason: str


class ValidationOut(BaseModel):
    """The ECCP validation of a profile."""

    status: str
    checks: list[CheckOut]
    waiver: str | None
    notes: list[str]


class StatisticsOut(BaseModel):
    """The map rows of the organisation's region for its categories."""

    source: str | None
    year: int | None
    categories: str | None
    rules: str | None
    rows: list[dict[str, Any]]
    note: str


class TrainingTagOut(BaseModel):
    """An ESCO skill a training programme is tagged with (``source`` ``auto`` or ``hand``)."""

    skill_id: str
    label: str
    score: float | None
    source: str


class TrainingProgrammeOut(BaseModel):
    """A programme of a training provider, with its ESCO tags as corrected by hand.

    ``tagged`` is ``False`` (and ``tags`` empty) where the tags cannot be computed (no
    scikit-learn).
    """

    programme_id: str
    title: str
    format: str
    tags: list[TrainingTagOut]
    tagged: bool


class TrainingPartnershipOut(BaseModel):
    """A cluster ↔ training-provider partnership with the registry ids of both sides.

    ``cluster_id`` and ``provider_organisation_id`` are ``None`` where the registry holds no
    such organisation (e.g. the providers not seeded); ``status`` is ``active`` or
    ``ended``.
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
    started_on: dt.date | None = None
    ended_on: dt.date | None = None
    source: str


class OrganisationProfile(BaseModel):
    """An organisation with its validation, region statistics and training.

    ``validation`` and ``statistics`` are those of a cluster organisation, ``None`` for a
    training provider; ``training_programmes``: a training provider's programmes;
    ``training_partnerships``: the cluster ↔ provider partnerships of either side.
    """

    organisation: OrganisationOut
    validation: ValidationOut | None
    statistics: StatisticsOut | None
    training_programmes: list[TrainingProgrammeOut] = []
    training_partnerships: list[TrainingPartnershipOut] = []


class Page(BaseModel):
    """Pagination fields shared by every list."""

    total: int
    limit: int
    offset: int
    next: str | None


class SearchOut(Page):
    """One page of organisations."""

    mode: str
    items: list[OrganisationSummary]


class ComponentOut(BaseModel):
    """One component of a recommendation score."""

    name: str
    score: float
    explanation: str


class RecommendationOut(BaseModel):
    """A recommended partner."""

    organisation_id: int
    name: str
    score: float
    explanation: str
    components: list[ComponentOut]


class AuditOut(BaseModel):
    """An audit-log entry."""

    id: int
    at: dt.datetime
    actor: str
    user_id: int | None
    entity: str
    entity_id: int | None
    action: str
    diff: dict[str, Any]
    note: str | None


class PostCreate(_Input):
    """A partner-search post."""

    kind: Literal["offer", "request"]
    title: Name
    body: LongText = ""


class PostOut(BaseModel):
    """A partner-search post as stored."""

    id: int
    organisation_id: int
    author_id: int | None
    kind: str
    title: str
    body: str
    status: str
    created_at: dt.datetime | None


class CommentOut(BaseModel):
    """A comment on a post."""

    id: int
    author_id: int | None
    body: str
    created_at: dt.datetime | None


class PostDetail(PostOut):
    """A post with its comments and how many follow it or expressed interest."""

    comments: list[CommentOut]
    followers: int
    interests: int


class PostsOut(Page):
    """One page of partner-search posts, newest first."""

    items: list[PostOut]


class InterestCreate(_Input):
    """Interest in a post, with an optional message."""

    message: LongText | None = None


class CommentCreate(_Input):
    """A comment on a post."""

    body: Annotated[str, StringConstraints(pattern=TEXT, min_length=1, max_length=20000)]


class Created(BaseModel):
    """The id of a record created (follow, interest, comment)."""

    id: int
    post_id: int


class LoginIn(_Input):
    """E-mail and password."""

    email: Annotated[str, StringConstraints(pattern=NO_NUL, min_length=3, max_length=320)]
    password: Annotated[str, StringConstraints(pattern=NO_NUL, min_length=1, max_length=1000)]


class TokenCreate(_Input):
    """A name for a new API token."""

    name: Short | None = None


class UserOut(BaseModel):
    """A signed-in user."""

    id: int
    email: str
    name: str | None
    role: str
    organisation_id: int | None


class TokenOut(BaseModel):
    """A token, shown once: send it as ``Authorization: Bearer <token>``."""

    token: str
    token_type: Literal["bearer"] = "bearer"
    user: UserOut


class Message(BaseModel):
    """A plain answer or error: ``{"detail": "..."}``."""

    detail: str


class Health(BaseModel):
    """Liveness and versions."""

    status: Literal["ok"]
    version: str
    database: str
    data: bool


class SourceOut(BaseModel):
    """A statistics source and what a map of it can be built from."""

    name: str
    title: str
    region_label: str
    years: list[int]
    default_year: int
    categories: list[str]
    default_rules: str


class SourcesOut(BaseModel):
    """Every source and the built-in rule-sets."""

    sources: list[SourceOut]
    rulesets: list[str]


class RowsOut(Page):
    """Rows of a table (a map, a portfolio, a ranking)."""

    source: str
    year: int
    categories: str
    rules: str | None
    attribution: list[str]
    notes: list[str]
    warnings: list[str] = Field(
        default_factory=list,
        description="Reasons the map may mislead (a partial year, a rule-set meant for "
        "another source), as the CLI prints them.",
    )
    rows: list[dict[str, Any]]


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": Message, "description": "Bad request"},
    404: {"model": Message, "description": "Not found"},
    422: {"model": Message, "description": "Invalid parameters"},
    503: {"model": Message, "description": "Database busy: try again after Retry-After seconds"},
}
WRITE_RESPONSES: dict[int | str, dict[str, Any]] = {
    **ERROR_RESPONSES,
    401: {"model": Message, "description": "Not signed in"},
    403: {"model": Message, "description": "Not allowed"},
    409: {"model": Message, "description": "Conflict (stale version or duplicate)"},
    413: {"model": Message, "description": "Request body over the size limit"},
}
