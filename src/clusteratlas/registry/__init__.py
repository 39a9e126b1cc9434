"""The registry of cluster organisations (Connect pillar II): storage, search, partners.

Service layer for the REST API and the dashboard: :mod:`.db` (engines, sessions, migrations),
:mod:`.services` (writes with optimistic concurrency and audit), :mod:`.search`,
:mod:`.recommend`, :mod:`.stats`, :mod:`.validation` (ECCP criteria), :mod:`.auth`,
:mod:`.seed` (import from the real sources; CSV/JSON export and import).
SQLAlchemy, Alembic, argon2-cffi and rapidfuzz come with the ``web`` extra.
"""

from __future__ import annotations

from clusteratlas.errors import ConflictError, PermissionDeniedError, RecordNotFoundError
from clusteratlas.registry.audit import history, record
from clusteratlas.registry.auth import (
    authenticate_password,
    authenticate_token,
    can_edit,
    create_token,
    create_user,
    require_edit,
    revoke_token,
)
from clusteratlas.registry.db import (
    database_url,
    make_engine,
    make_session_factory,
    migrate,
    session_scope,
)
from clusteratlas.registry.exchange import export_registry, import_registry
from clusteratlas.registry.models import (
    ApiToken,
    AuditEntry,
    Comment,
    Follow,
    Interest,
    Label,
    MemberOrganisation,
    Organisation,
    Partnership,
    PartnershipMember,
    Post,
    SupportProgramme,
    Tag,
    User,
)
from clusteratlas.registry.recommend import (
    NO_PROFILE_NOTE,
    Component,
    Recommendation,
    missing_profile,
    recommend_partners,
)
from clusteratlas.registry.search import SearchPage, fuzzy_names, search_organisations
from clusteratlas.registry.seed import SeedReport, seed_registry
from clusteratlas.registry.services import (
    add_comment,
    add_member_organisation,
    create_organisation,
    create_post,
    delete_organisation,
    express_interest,
    follow_post,
    get_organisation,
    get_post,
    list_posts,
    unfollow_post,
    update_organisation,
)
from clusteratlas.registry.stats import (
    OrganisationStatistics,
    organisation_statistics,
    organisations_in_region,
)
from clusteratlas.registry.validation import Check, ValidationResult, validate_organisation

__all__ = [
    "NO_PROFILE_NOTE",
    "ApiToken",
    "AuditEntry",
    "Check",
    "Comment",
    "Component",
    "ConflictError",
    "Follow",
    "Interest",
    "Label",
    "MemberOrganisation",
    "Organisation",
    "OrganisationStatistics",
    "Partnership",
    "PartnershipMember",
    "PermissionDeniedError",
    "Post",
    "Recommendation",
    "RecordNotFoundError",
    "SearchPage",
    "SeedReport",
    "SupportProgramme",
    "Tag",
    "User",
    "ValidationResult",
    "add_comment",
    "add_member_organisation",
    "authenticate_password",
    "authenticate_token",
    "can_edit",
    "create_organisation",
    "create_post",
    "create_token",
    "create_user",
    "database_url",
    "delete_organisation",
    "export_registry",
    "express_interest",
    "follow_post",
    "fuzzy_names",
    "get_organisation",
    "get_post",
    "history",
    "import_registry",
    "list_posts",
    "make_engine",
    "make_session_factory",
    "migrate",
    "missing_profile",
    "organisation_statistics",
    "organisations_in_region",
    "recommend_partners",
    "record",
    "require_edit",
    "revoke_token",
    "search_organisations",
    "seed_registry",
    "session_scope",
    "unfollow_post",
    "update_organisation",
    "validate_organisation",
]
