"""The registry of cluster organisations (Connect pillar II): storage, search, partners.

Service layer for the REST API and the dashboard: :mod:`.db` (engines, sessions, migrations),
:mod:`.services` (writes with optimistic concurrency and audit), :mod:`.search`,
:mod:`.recommend`, :mod:`.stats`, :mod:`.validation` (ECCP criteria), :mod:`.auth`,
:mod:`.seed` (import from the real sources; CSV/JSON export and import).
SQLAlchemy, Alembic, argon2-cffi and rapidfuzz come with the ``web`` extra.
"""

from __future__ import annotations

from clusteratlas.errors import ConflictError, PermissionDeniedError, RecordNotFoundError
from clusteratlas.registry.audit import actor_labels, history, record
from clusteratlas.registry.auth import (
    authenticate_password,
    authenticate_token,
    can_edit,
    create_token,
    create_user,
    list_tokens,
    require_edit,
    revoke_token,
)
from clusteratlas.registry.auth_config import AuthSettings
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
    UserSession,
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
from clusteratlas.registry.sessions import (
    Credential,
    authenticate,
    create_session,
    list_sessions,
    revoke_session,
    revoke_user_sessions,
)
from clusteratlas.registry.signin import SignIn, SignInThrottle, sign_in
from clusteratlas.registry.stats import (
    OrganisationStatistics,
    organisation_statistics,
    organisations_in_region,
    regional_prefill,
)
from clusteratlas.registry.users import find_user, list_users, set_active, set_password, set_role
from clusteratlas.registry.validation import Check, ValidationResult, validate_organisation

__all__ = [
    "NO_PROFILE_NOTE",
    "ApiToken",
    "AuditEntry",
    "AuthSettings",
    "Check",
    "Comment",
    "Component",
    "ConflictError",
    "Credential",
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
    "SignIn",
    "SignInThrottle",
    "SupportProgramme",
    "Tag",
    "User",
    "UserSession",
    "ValidationResult",
    "actor_labels",
    "add_comment",
    "add_member_organisation",
    "authenticate",
    "authenticate_password",
    "authenticate_token",
    "can_edit",
    "create_organisation",
    "create_post",
    "create_session",
    "create_token",
    "create_user",
    "database_url",
    "delete_organisation",
    "export_registry",
    "express_interest",
    "find_user",
    "follow_post",
    "fuzzy_names",
    "get_organisation",
    "get_post",
    "history",
    "import_registry",
    "list_posts",
    "list_sessions",
    "list_tokens",
    "list_users",
    "make_engine",
    "make_session_factory",
    "migrate",
    "missing_profile",
    "organisation_statistics",
    "organisations_in_region",
    "recommend_partners",
    "record",
    "regional_prefill",
    "require_edit",
    "revoke_session",
    "revoke_token",
    "revoke_user_sessions",
    "search_organisations",
    "seed_registry",
    "session_scope",
    "set_active",
    "set_password",
    "set_role",
    "sign_in",
    "unfollow_post",
    "update_organisation",
    "validate_organisation",
]
