# ruff: noqa: F811  (pytest fixtures imported from _registry_support)
"""The review of proposed organisations: who, when, possible duplicates, decided ones."""

from __future__ import annotations

import datetime as dt

import pytest
from _registry_support import factory, registry_url, session  # noqa: F401
from sqlalchemy.orm import Session

from clusteratlas.errors import ParameterError, PermissionDeniedError
from clusteratlas.registry import create_organisation, create_user
from clusteratlas.registry.proposals import (
    approve_proposal,
    possible_duplicates,
    propose_organisation,
    reject_proposal,
    review_proposals,
)
from clusteratlas.registry.services import check_profile

PASSWORD = "correct horse battery"


@pytest.fixture
def people(session: Session) -> dict[str, object]:
    admin = create_user(session, email="admin@example.org", password=PASSWORD, role="admin")
    user = create_user(session, email="p@example.org", password=PASSWORD, role="participant")
    minalogic = create_organisation(session, actor=None, data={
        "name": "Minalogic", "country": "FR", "website": "https://www.minalogic.com/fr"})  # fmt: skip
    other = create_organisation(
        session, actor=None, data={"name": "Cosmetic Valley", "country": "FR"}
    )
    return {"admin": admin, "user": user, "minalogic": minalogic, "other": other}


def test_check_profile_is_public_and_names_every_problem() -> None:
    with pytest.raises(ParameterError, match=r"'name' must not be empty.*'country' must be"):
        check_profile({"name": " ", "country": "France"})


def test_duplicates_by_similar_name_and_by_website(session: Session, people: dict) -> None:
    typo = propose_organisation(session, actor=people["user"], name="Minalogik", country="FR",
                                type="cluster organisation")  # fmt: skip
    found = [(o.name, s) for o, s in possible_duplicates(session, typo)]
    assert [name for name, _ in found] == ["Minalogic"]
    assert 75 <= found[0][1] < 100  # a fuzzy name, not an identical one
    renamed = propose_organisation(session, actor=people["user"], name="Pôle Micro-Nano",
                                   country="FR", type="cluster organisation",
                                   website="http://minalogic.com/")  # fmt: skip
    assert [(o.name, s) for o, s in possible_duplicates(session, renamed)] == [("Minalogic", 100.0)]
    unrelated = propose_organisation(session, actor=people["user"], name="Zzyzx Works",
                                     country="US", type="start-up")  # fmt: skip
    assert possible_duplicates(session, unrelated) == []
    # One shared generic word is no duplicate (token-set ratio 57 < 80) ...
    generic = propose_organisation(session, actor=people["user"], name="Quantum Valley Start-up",
                                   country="FR", type="start-up")  # fmt: skip
    assert possible_duplicates(session, generic) == []
    # ... but a name containing the other's words is (token-set ratio 100).
    longer = propose_organisation(session, actor=people["user"], name="Pôle Cosmetic Valley",
                                  country="FR", type="cluster organisation")  # fmt: skip
    assert [(o.name, s) for o, s in possible_duplicates(session, longer)] == [
        ("Cosmetic Valley", 100.0)
    ]


def test_review_lists_pending_and_decided(session: Session, people: dict) -> None:
    admin, user = people["admin"], people["user"]
    first = propose_organisation(session, actor=user, name="Minalogik", country="FR", type="sme")
    second = propose_organisation(session, actor=user, name="New GmbH", country="DE", type="sme")
    third = propose_organisation(session, actor=user, name="Third AB", country="SE", type="sme")
    pending = review_proposals(session, actor=admin)
    assert [r.proposal.id for r in pending] == [first.id, second.id, third.id]
    assert {r.proposed_by for r in pending} == {"p@example.org"}
    assert [o.name for o, _ in pending[0].duplicates] == ["Minalogic"]
    approve_proposal(session, actor=admin, proposal_id=second.id,
                     now=dt.datetime(2026, 12, 1, tzinfo=dt.UTC))  # fmt: skip
    reject_proposal(session, actor=admin, proposal_id=first.id, reason="Already in the registry",
                    now=dt.datetime(2026, 12, 2, tzinfo=dt.UTC))  # fmt: skip
    assert [r.proposal.id for r in review_proposals(session, actor=admin)] == [third.id]
    decided = review_proposals(session, actor=admin, status="decided")
    assert [(r.proposal.id, r.proposal.status) for r in decided] == [
        (first.id, "rejected"),  # newest decision first
        (second.id, "approved"),
    ]
    assert all(r.decided_by == "admin@example.org" and r.duplicates == () for r in decided)
    assert len(review_proposals(session, actor=admin, status="decided", limit=1)) == 1
    with pytest.raises(PermissionDeniedError, match="administrator"):
        review_proposals(session, actor=user)
