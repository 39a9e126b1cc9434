"""All registry models in one import.

From :mod:`.models_org`, :mod:`.models_social`, :mod:`.models_auth`, :mod:`.models_labels`,
:mod:`.models_meet`, :mod:`.models_skills` and :mod:`.models_training`.
"""

from __future__ import annotations

from clusteratlas.registry.models_auth import UserSession
from clusteratlas.registry.models_labels import (
    LabelAnswer,
    LabelAssessment,
    LabelAward,
    LabelEvidence,
    LabelReview,
    ReviewerGrant,
)
from clusteratlas.registry.models_meet import (
    MeetAvailability,
    MeetEvent,
    MeetItem,
    MeetMeeting,
    MeetOrganiser,
    MeetParticipant,
    MeetRating,
    MeetRequest,
)
from clusteratlas.registry.models_org import (
    CONFIRMED,
    MEMBER_TYPES,
    ORG_KINDS,
    TAG_KINDS,
    UNCONFIRMED,
    Base,
    Label,
    MemberOrganisation,
    Organisation,
    Partnership,
    PartnershipMember,
    SupportProgramme,
    Tag,
)
from clusteratlas.registry.models_signup import (
    PROPOSAL_STATUSES,
    EmailVerification,
    OrganisationProposal,
    OutboxMail,
)
from clusteratlas.registry.models_skills import ProgrammeTagCorrection, SkillNeed
from clusteratlas.registry.models_social import (
    POST_KINDS,
    ROLES,
    ApiToken,
    AuditEntry,
    Comment,
    Follow,
    Interest,
    Post,
    User,
)
from clusteratlas.registry.models_training import (
    PARTNERSHIP_STATUSES,
    TrainingPartnership,
    TrainingProgramme,
)

__all__ = [
    "CONFIRMED",
    "MEMBER_TYPES",
    "ORG_KINDS",
    "PARTNERSHIP_STATUSES",
    "POST_KINDS",
    "PROPOSAL_STATUSES",
    "ROLES",
    "TAG_KINDS",
    "UNCONFIRMED",
    "ApiToken",
    "AuditEntry",
    "Base",
    "Comment",
    "EmailVerification",
    "Follow",
    "Interest",
    "Label",
    "LabelAnswer",
    "LabelAssessment",
    "LabelAward",
    "LabelEvidence",
    "LabelReview",
    "MeetAvailability",
    "MeetEvent",
    "MeetItem",
    "MeetMeeting",
    "MeetOrganiser",
    "MeetParticipant",
    "MeetRating",
    "MeetRequest",
    "MemberOrganisation",
    "Organisation",
    "OrganisationProposal",
    "OutboxMail",
    "Partnership",
    "PartnershipMember",
    "Post",
    "ProgrammeTagCorrection",
    "ReviewerGrant",
    "SkillNeed",
    "SupportProgramme",
    "Tag",
    "TrainingPartnership",
    "TrainingProgramme",
    "User",
    "UserSession",
]
