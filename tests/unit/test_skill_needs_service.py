# ruff: noqa: F811  (pytest fixtures imported from _registry_support)
"""Skill needs on the registry: the migration, roles and audit at the service level."""

from __future__ import annotations

import pytest
from _registry_support import factory, registry_url, session  # noqa: F401
from sqlalchemy.orm import Session

from clusteratlas.errors import ConflictError, ParameterError, PermissionDeniedError
from clusteratlas.registry import create_organisation, create_user, history
from clusteratlas.registry.services_skills import (
    list_needs,
    post_need,
    update_need,
    withdraw_need,
)

LASER_CUTTING = "http://data.europa.eu/esco/skill/45bef06d-dba9-4192-9805-2f7d27523638"


def test_migration_0006_downgrades_and_upgrades(registry_url: str) -> None:
    from importlib import resources

    from alembic import command
    from alembic.config import Config
    from sqlalchemy import inspect

    from clusteratlas.registry import make_engine, migrate

    engine = make_engine(registry_url)
    config = Config()
    location = resources.files("clusteratlas.registry").joinpath("migrations")
    config.set_main_option("script_location", str(location))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0005_labels")  # the revision before this one
    assert "skill_need" not in set(inspect(engine).get_table_names())
    assert "label_assessment" in set(inspect(engine).get_table_names())
    migrate(engine=engine)
    assert "skill_need" in set(inspect(engine).get_table_names())
    engine.dispose()


def test_roles_audit_and_versions(session: Session) -> None:
    mine = create_organisation(session, actor=None, data={"name": "Mine", "country": "FR",
                                                          "region": "FRI1"})  # fmt: skip
    other = create_organisation(session, actor=None, data={"name": "Other", "country": "FR"})
    manager = create_user(session, email="m@example.org", password="x" * 12, role="manager",
                          organisation_id=mine.id)  # fmt: skip
    outsider = create_user(session, email="o@example.org", password="x" * 12, role="manager",
                           organisation_id=other.id)  # fmt: skip
    need = post_need(session, actor=manager, organisation_id=mine.id,
                     data={"skills": [LASER_CUTTING, LASER_CUTTING], "people": 3})  # fmt: skip
    assert need.skills == [LASER_CUTTING]  # a repeated URI is kept once
    assert need.region == "FRI1"
    session.commit()
    with pytest.raises(PermissionDeniedError):
        post_need(session, actor=outsider, organisation_id=mine.id, data={"text": "x"})
    with pytest.raises(PermissionDeniedError):
        update_need(session, actor=outsider, need_id=need.id, expected_version=1,
                    changes={"people": 2})  # fmt: skip
    with pytest.raises(ParameterError, match="neither"):
        update_need(session, actor=manager, need_id=need.id, expected_version=1,
                    changes={"skills": []})  # fmt: skip
    session.rollback()  # as the API does after an error: nothing of the change is kept
    assert need.skills == [LASER_CUTTING]
    changed = update_need(session, actor=manager, need_id=need.id, expected_version=1,
                          changes={"horizon": "2028"})  # fmt: skip
    assert changed.version == 2
    with pytest.raises(ConflictError):
        update_need(session, actor=manager, need_id=need.id, expected_version=1,
                    changes={"horizon": "2029"})  # fmt: skip
    withdraw_need(session, actor=manager, need_id=need.id)
    assert list_needs(session, actor=outsider, organisation_id=mine.id, status="all") == []
    assert [n.id for n in list_needs(session, actor=manager, organisation_id=mine.id,
                                     status="withdrawn")] == [need.id]  # fmt: skip
    actions = [e.action for e in history(session, entity="skill_need", entity_id=need.id)]
    assert actions == ["withdraw", "update", "create"]
    with pytest.raises(PermissionDeniedError, match="Sign in"):
        list_needs(session, actor=None, organisation_id=mine.id)
