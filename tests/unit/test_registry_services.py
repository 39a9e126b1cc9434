# ruff: noqa: F811  (pytest fixtures imported from _registry_support)
from __future__ import annotations

import threading

import pytest
from _registry_support import factory, registry_url, session  # noqa: F401
from sqlalchemy.orm import Session, sessionmaker

from clusteratlas.errors import ParameterError
from clusteratlas.registry import (
    ConflictError,
    PermissionDeniedError,
    RecordNotFoundError,
    add_comment,
    add_member_organisation,
    create_organisation,
    create_post,
    create_user,
    delete_organisation,
    express_interest,
    follow_post,
    get_organisation,
    history,
    unfollow_post,
    update_organisation,
)

PROFILE = {
    "name": "Minalogic",
    "country": "FR",
    "region": "FR71",
    "management_fte": 12.0,
    "members_sme": 300,
    "categories": ["Information Technology and Analytical Instruments"],
    "stages": ["microelectronics:design"],
    "technologies": ["photonics", "embedded software"],
}


def test_create_and_update_bump_version_and_audit(session: Session) -> None:
    org = create_organisation(session, actor=None, data=PROFILE)
    session.commit()
    assert org.version == 1
    assert org.key == "fr:minalogic"
    updated = update_organisation(
        session,
        actor=None,
        organisation_id=org.id,
        expected_version=1,
        changes={"acronym": "MINA", "categories": ["Biopharmaceuticals"]},
    )
    session.commit()
    assert updated.version == 2
    assert updated.tag_values("category") == ["Biopharmaceuticals"]
    entries = history(session, entity="organisation", entity_id=org.id)
    assert [e.action for e in entries] == ["update", "create"]
    assert entries[0].diff["acronym"] == {"before": None, "after": "MINA"}
    assert entries[0].diff["categories"]["after"] == ["Biopharmaceuticals"]
    assert entries[0].actor == "system"


def test_tag_only_update_bumps_version(session: Session) -> None:
    org = create_organisation(session, actor=None, data=PROFILE)
    update_organisation(
        session, actor=None, organisation_id=org.id, expected_version=1, changes={"stages": []}
    )
    session.commit()
    assert get_organisation(session, org.id).version == 2


def test_stale_version_raises_conflict(session: Session) -> None:
    org = create_organisation(session, actor=None, data=PROFILE)
    session.commit()
    with pytest.raises(ConflictError, match="version 1, not 7") as info:
        update_organisation(
            session,
            actor=None,
            organisation_id=org.id,
            expected_version=7,
            changes={"acronym": "X"},
        )
    assert isinstance(info.value, ValueError)
    assert info.value.current == 1


def test_invalid_values_are_all_reported(session: Session) -> None:
    bad = {"name": "", "country": "France", "members_sme": -1, "stages": ["design"], "colour": 1}
    with pytest.raises(ParameterError) as info:
        create_organisation(session, actor=None, data=bad)
    message = str(info.value)
    for part in ("'colour'", "'name'", "'country'", "'members_sme'", "'design'"):
        assert part in message


def test_unknown_organisation(session: Session) -> None:
    with pytest.raises(RecordNotFoundError):
        get_organisation(session, 999)


def test_permissions(session: Session) -> None:
    mine = create_organisation(session, actor=None, data=PROFILE)
    other = create_organisation(session, actor=None, data={"name": "Other", "country": "DE"})
    manager = create_user(session, email="m@x.eu", role="manager", organisation_id=mine.id)
    public = create_user(session, email="p@x.eu")
    with pytest.raises(PermissionDeniedError):
        create_organisation(session, actor=manager, data={"name": "New", "country": "IT"})
    with pytest.raises(PermissionDeniedError):
        update_organisation(
            session, actor=manager, organisation_id=other.id, expected_version=1, changes={}
        )
    with pytest.raises(PermissionDeniedError):
        update_organisation(
            session, actor=public, organisation_id=mine.id, expected_version=1, changes={}
        )
    update_organisation(
        session,
        actor=manager,
        organisation_id=mine.id,
        expected_version=1,
        changes={"acronym": "M"},
    )
    with pytest.raises(PermissionDeniedError):
        delete_organisation(session, actor=manager, organisation_id=mine.id)
    assert history(session, entity="organisation", entity_id=mine.id)[0].actor == "m@x.eu"


def test_members_posts_follow_interest_comment(session: Session) -> None:
    org = create_organisation(session, actor=None, data=PROFILE)
    manager = create_user(session, email="m@x.eu", role="manager", organisation_id=org.id)
    reader = create_user(session, email="r@x.eu")
    member = add_member_organisation(
        session,
        actor=manager,
        organisation_id=org.id,
        name="STMicroelectronics Grenoble",
        member_type="large",
        classification="nace",
        industry_code="C26.11",
        region="FR71",
    )
    assert member.id is not None
    with pytest.raises(ParameterError):
        add_member_organisation(
            session, actor=manager, organisation_id=org.id, name="X", member_type="giant"
        )
    post = create_post(
        session, actor=manager, organisation_id=org.id, kind="request", title="Photonics partner"
    )
    with pytest.raises(PermissionDeniedError):
        create_post(session, actor=reader, organisation_id=org.id, kind="offer", title="x")
    with pytest.raises(ParameterError):
        create_post(session, actor=manager, organisation_id=org.id, kind="gift", title="x")
    assert follow_post(session, actor=reader, post_id=post.id).id == (
        follow_post(session, actor=reader, post_id=post.id).id
    )
    unfollow_post(session, actor=reader, post_id=post.id)
    first = express_interest(session, actor=reader, post_id=post.id, message="Interested")
    second = express_interest(session, actor=reader, post_id=post.id, message="Very interested")
    assert first.id == second.id and second.message == "Very interested"
    add_comment(session, actor=reader, post_id=post.id, body="Which wavelengths?")
    with pytest.raises(PermissionDeniedError):
        add_comment(session, actor=None, post_id=post.id, body="anonymous")
    session.commit()
    session.refresh(post)
    assert [c.body for c in post.comments] == ["Which wavelengths?"]
    actions = {(e.entity, e.action) for e in history(session, limit=50)}
    assert {("post", "create"), ("post_follow", "delete"), ("post_interest", "update")} <= actions


def test_delete_cascades(session: Session) -> None:
    org = create_organisation(session, actor=None, data=PROFILE)
    add_member_organisation(
        session, actor=None, organisation_id=org.id, name="A", member_type="sme"
    )
    session.commit()
    delete_organisation(session, actor=None, organisation_id=org.id)
    session.commit()
    with pytest.raises(RecordNotFoundError):
        get_organisation(session, org.id)


def test_twenty_concurrent_writers_lose_no_update(factory: sessionmaker[Session]) -> None:
    with factory() as setup:
        org_id = create_organisation(
            setup, actor=None, data={"name": "Counter", "country": "FR", "members_other": 0}
        ).id
        setup.commit()
    errors: list[BaseException] = []
    conflicts = [0]
    barrier = threading.Barrier(20)

    def writer() -> None:
        try:
            barrier.wait()
            for _attempt in range(500):
                with factory() as s:
                    try:
                        org = get_organisation(s, org_id)
                        update_organisation(
                            s,
                            actor=None,
                            organisation_id=org_id,
                            expected_version=org.version,
                            changes={"members_other": (org.members_other or 0) + 1},
                        )
                        s.commit()
                        return
                    except ConflictError:
                        s.rollback()
                        conflicts[0] += 1
            raise AssertionError("no success after 500 attempts")
        except BaseException as err:  # pragma: no cover - reported below
            errors.append(err)

    threads = [threading.Thread(target=writer) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with factory() as s:
        org = get_organisation(s, org_id)
        assert org.members_other == 20
        assert org.version == 21
