# ruff: noqa: F811  (pytest fixtures imported from _registry_support)
"""The training offer as registry records: migration 0009, the seed written once, and the
partnership services (roles, validation naming the field, audit, both profiles).

The skills seed holds five partnerships (Systematic Paris-Region with EQL, DORANCO and
WEBFORCE3; ALPHA-RLH with PYLA; Nextmove with E-MOBILITY-INDUSTRY-ACADEMY) and seven
programmes; the tiny mirror holds Systematic Paris-Region but neither ALPHA-RLH nor
Nextmove. Expected values are read off those small tables.
"""

from __future__ import annotations

import datetime as dt
import re
from importlib import resources
from pathlib import Path

import pytest
from _registry_support import factory, mirror, registry_url, session  # noqa: F401
from sqlalchemy import func, inspect, select, text
from sqlalchemy.orm import Session, sessionmaker

from clusteratlas.errors import ConflictError, ParameterError, PermissionDeniedError
from clusteratlas.registry import (
    create_organisation,
    create_user,
    history,
    make_engine,
    migrate,
    seed_registry,
)
from clusteratlas.registry.models import (
    Organisation,
    TrainingPartnership,
    TrainingProgramme,
    User,
)
from clusteratlas.registry.seed import (
    PARTNERSHIPS_FILE,
    PROGRAMMES_FILE,
    provider_key,
    seed_training_offer,
)
from clusteratlas.registry.services_tags import training_partnerships
from clusteratlas.registry.services_training import (
    create_partnership,
    end_partnership,
    partnerships,
    update_partnership,
)

SEED_PARTNERSHIPS = 5
SEED_PROGRAMMES = 7
SYSTEMATIC = "fr:systematic-paris-region"


def _org(session: Session, key: str) -> Organisation:
    found = session.scalar(select(Organisation).where(Organisation.key == key))
    assert found is not None, key
    return found


def _manager(session: Session, organisation: Organisation, email: str) -> User:
    return create_user(
        session, email=email, password="x" * 12, role="manager", organisation_id=organisation.id
    )


def _config():  # type: ignore[no-untyped-def]
    from alembic.config import Config

    config = Config()
    location = resources.files("clusteratlas.registry").joinpath("migrations")
    config.set_main_option("script_location", str(location))
    return config


def test_migration_0009_downgrades_and_upgrades(registry_url: str) -> None:
    from alembic import command

    engine = make_engine(registry_url)
    now = dt.datetime(2026, 1, 2, tzinfo=dt.UTC)
    with engine.begin() as c:
        c.execute(
            text(
                "INSERT INTO organisation (key, name, kind, country, technologies, "
                "field_sources, version, created_at, updated_at) VALUES ('fr:a', 'A', "
                "'cluster organisation', 'FR', '[]', '{}', 1, :now, :now)"
            ),
            {"now": now},
        )
    config = _config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0008_organisation_kind")  # the revision before this one
    names = set(inspect(engine).get_table_names())
    assert not {"training_partnership", "training_programme"} & names
    assert "programme_tag_correction" in names  # 0007 untouched
    migrate(engine=engine)
    names = set(inspect(engine).get_table_names())
    assert {"training_partnership", "training_programme"} <= names
    columns = {c["name"] for c in inspect(engine).get_columns("training_programme")}
    assert {"programme_id", "provider_organisation_id", "field_sources", "url", "version"} <= (
        columns
    )
    with engine.begin() as c:  # the organisation survived the round trip
        assert c.execute(text("SELECT name FROM organisation WHERE key = 'fr:a'")).scalar() == "A"
        assert c.execute(text("SELECT version_num FROM alembic_version")).scalar() == (
            "0009_training_offer"
        )
    engine.dispose()


def test_a_table_emptied_by_people_is_not_seeded_again(session: Session, mirror: Path) -> None:
    from clusteratlas.registry.services_programmes import delete_programme

    seed_registry(session, data_dir=mirror)
    admin = create_user(session, email="admin@example.org", password="x" * 12, role="admin")
    for programme_id in session.scalars(select(TrainingProgramme.programme_id)).all():
        delete_programme(session, actor=admin, programme_id=programme_id)
    # Partnerships cannot be deleted through the services; an administrator's SQL can.
    session.execute(TrainingPartnership.__table__.delete())
    session.commit()
    again = seed_training_offer(session)  # what every start of the API does
    session.commit()
    assert sum(again.created.values()) == 0
    assert session.scalar(select(func.count()).select_from(TrainingProgramme)) == 0
    assert session.scalar(select(func.count()).select_from(TrainingPartnership)) == 0


def test_the_seed_is_written_once(session: Session, mirror: Path) -> None:
    seed_registry(session, data_dir=mirror)
    session.commit()
    count = func.count()
    assert session.scalar(select(count).select_from(TrainingPartnership)) == SEED_PARTNERSHIPS
    assert session.scalar(select(count).select_from(TrainingProgramme)) == SEED_PROGRAMMES
    again = seed_training_offer(session)
    seed_registry(session, data_dir=mirror)
    session.commit()
    assert sum(again.created.values()) == 0
    assert session.scalar(select(count).select_from(TrainingPartnership)) == SEED_PARTNERSHIPS
    assert session.scalar(select(count).select_from(TrainingProgramme)) == SEED_PROGRAMMES
    imports = history(session, entity="training_partnership")
    assert len(imports) == SEED_PARTNERSHIPS and {e.action for e in imports} == {"import"}
    assert {e.note for e in imports} == {PARTNERSHIPS_FILE}
    assert len(history(session, entity="training_programme")) == SEED_PROGRAMMES
    laser = session.scalar(
        select(TrainingProgramme).where(TrainingProgramme.programme_id == "pyla-laser")
    )
    assert laser is not None and laser.title == "Laser technologies"
    assert laser.provider_organisation_id == _org(session, "provider:pyla").id
    assert laser.duration_hours is None and laser.status.startswith("UNCONFIRMED")
    assert laser.source == "Cluster Atlas issue 13 seed wording (PYLA: laser)"
    assert {v["status"] for v in laser.field_sources.values()} == {"UNCONFIRMED"}
    assert laser.field_sources["duration_hours"]["file"] == PROGRAMMES_FILE
    rows = partnerships(session)
    assert [r["provider_name"] for r in rows[:3]] == ["EQL", "DORANCO", "WEBFORCE3"]
    assert {r["status"] for r in rows} == {"active"}
    assert rows[0]["source"].startswith("Cluster Atlas issue 13 seed wording")
    assert rows[0]["cluster_id"] == _org(session, SYSTEMATIC).id
    pyla = next(r for r in rows if r["provider_id"] == "pyla")
    assert pyla["cluster_id"] is None  # ALPHA-RLH is not in the tiny mirror


def test_an_upgraded_registry_gets_the_seed_rows_once(factory: sessionmaker[Session]) -> None:
    pytest.importorskip("fastapi")
    from clusteratlas.api.app import seed_if_empty

    with factory() as s:  # a registry of an earlier release: organisations, no offer rows
        create_organisation(s, actor=None, data={"name": "Old Cluster", "country": "DE"})
        s.commit()
    assert seed_if_empty(factory) == 5  # the providers, counted as organisations
    with factory() as s:
        assert s.scalar(select(func.count()).select_from(TrainingPartnership)) == 5
        assert s.scalar(select(func.count()).select_from(TrainingProgramme)) == 7
        eql = s.scalar(select(TrainingPartnership).where(TrainingPartnership.provider_id == "eql"))
        assert eql is not None and eql.provider_organisation_id == _org(s, "provider:eql").id
        s.delete(eql)  # people's changes are kept: a non-empty table is not re-seeded
        s.commit()
    assert seed_if_empty(factory) is None
    with factory() as s:
        assert s.scalar(select(func.count()).select_from(TrainingPartnership)) == 4
        assert s.scalar(select(func.count()).select_from(TrainingProgramme)) == 7


@pytest.fixture
def seeded(session: Session, mirror: Path) -> dict[str, object]:
    seed_registry(session, data_dir=mirror)
    systematic = _org(session, SYSTEMATIC)
    pyla = _org(session, provider_key("pyla"))
    other = create_organisation(session, actor=None, data={"name": "Other", "country": "FR"})
    admin = create_user(session, email="a@example.org", password="x" * 12, role="admin")
    session.commit()
    return {
        "systematic": systematic,
        "pyla": pyla,
        "admin": admin,
        "cluster_manager": _manager(session, systematic, "m@systematic.example"),
        "pyla_manager": _manager(session, pyla, "m@pyla.example"),
        "outsider": _manager(session, other, "m@other.example"),
    }


def test_a_cluster_manager_records_a_partnership_shown_on_both_sides(
    session: Session, seeded: dict[str, object]
) -> None:
    systematic, pyla = seeded["systematic"], seeded["pyla"]
    assert isinstance(systematic, Organisation) and isinstance(pyla, Organisation)
    manager = seeded["cluster_manager"]
    assert isinstance(manager, User)
    created = create_partnership(
        session, actor=manager, cluster_id=systematic.id, provider_organisation_id=pyla.id,
        purpose="photonics courses for members", started_on="2026-09-01",
    )  # fmt: skip
    session.commit()
    assert (created.status, created.purpose_status, created.version) == ("active", "UNCONFIRMED", 1)
    assert created.started_on == dt.date(2026, 9, 1) and created.created_by == manager.id
    mine = training_partnerships(session, systematic)
    assert [r["provider_name"] for r in mine] == ["EQL", "DORANCO", "WEBFORCE3", "PYLA"]
    theirs = training_partnerships(session, pyla)
    assert [(r["cluster_name"], r["cluster_id"]) for r in theirs] == [
        (theirs[0]["cluster_name"], None),  # the seed's ALPHA-RLH, not in the mirror
        ("Systematic Paris-Region", systematic.id),
    ]
    assert theirs[1]["purpose"] == "photonics courses for members"
    (entry,) = history(session, entity="training_partnership", entity_id=created.id)
    assert (entry.action, entry.actor) == ("create", "m@systematic.example")
    assert entry.diff["purpose"]["after"] == "photonics courses for members"
    # the same pair again, while active: 409
    with pytest.raises(ConflictError, match="already have an active partnership"):
        create_partnership(
            session, actor=manager, cluster_id=systematic.id, provider_organisation_id=pyla.id,
            purpose="again",
        )  # fmt: skip
    # the provider's manager ends it
    pyla_manager = seeded["pyla_manager"]
    assert isinstance(pyla_manager, User)
    ended = end_partnership(
        session, actor=pyla_manager, partnership_id=created.id, ended_on="2026-12-31"
    )
    session.commit()
    assert (ended.status, ended.ended_on, ended.version) == ("ended", dt.date(2026, 12, 31), 2)
    row = training_partnerships(session, systematic)[-1]
    assert (row["status"], row["ended_on"]) == ("ended", dt.date(2026, 12, 31))
    entries = history(session, entity="training_partnership", entity_id=created.id)
    assert [e.action for e in entries] == ["update", "create"]
    assert entries[0].diff["status"] == {"before": "active", "after": "ended"}
    assert entries[0].actor == "m@pyla.example"
    with pytest.raises(ConflictError, match="already ended"):
        end_partnership(session, actor=pyla_manager, partnership_id=created.id)
    # ended: the pair may partner again
    create_partnership(
        session, actor=manager, cluster_id=systematic.id, provider_organisation_id=pyla.id,
        purpose="a second round", source="https://example.org/news",
    )  # fmt: skip
    assert [r["status"] for r in partnerships(session, status="active")][-1] == "active"
    assert partnerships(session)[-1]["purpose_status"] == "CONFIRMED"  # sourced


def test_who_may_record_and_change_a_partnership(
    session: Session, seeded: dict[str, object]
) -> None:
    systematic, pyla = seeded["systematic"], seeded["pyla"]
    assert isinstance(systematic, Organisation) and isinstance(pyla, Organisation)
    outsider, admin = seeded["outsider"], seeded["admin"]
    assert isinstance(outsider, User) and isinstance(admin, User)
    with pytest.raises(PermissionDeniedError, match="only administrators and the managers"):
        create_partnership(
            session, actor=outsider, cluster_id=systematic.id,
            provider_organisation_id=pyla.id, purpose="x",
        )  # fmt: skip
    eql_row = partnerships(session)[0]
    with pytest.raises(PermissionDeniedError, match=r"m@other\.example may not change"):
        update_partnership(
            session, actor=outsider, partnership_id=eql_row["id"], changes={"purpose": "y"}
        )
    outsider.active = False
    with pytest.raises(PermissionDeniedError, match="Sign in"):
        end_partnership(session, actor=outsider, partnership_id=eql_row["id"])
    changed = update_partnership(
        session, actor=admin, partnership_id=eql_row["id"], expected_version=1,
        changes={"purpose": "digital conversion courses", "source": ""},
    )  # fmt: skip
    assert (changed.purpose, changed.purpose_status, changed.version) == (
        "digital conversion courses", "UNCONFIRMED", 2,
    )  # fmt: skip
    with pytest.raises(ConflictError, match="at version 2, not 1"):
        update_partnership(
            session, actor=admin, partnership_id=eql_row["id"], expected_version=1,
            changes={"purpose": "z"},
        )  # fmt: skip
    assert history(session, entity="training_partnership", entity_id=eql_row["id"])[0].diff[
        "purpose"
    ] == {"before": "conversion to digital jobs", "after": "digital conversion courses"}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"cluster_id": 999_999}, "'cluster_id'"),
        ({"provider_organisation_id": 999_999}, "'provider_organisation_id'"),
        ({"swap": True}, "'cluster_id' field must name a cluster organisation"),
        ({"cluster_as_provider": True}, "'provider_organisation_id' field must name a training"),
        ({"purpose": "  "}, "'purpose' field must not be empty"),
        ({"purpose": "x" * 1001}, "'purpose' field must be at most 1000"),
        ({"started_on": "2026-13-01"}, "'started_on' field must be a date"),
    ],
)
def test_a_bad_field_is_named(
    session: Session, seeded: dict[str, object], changes: dict[str, object], field: str
) -> None:
    systematic, pyla, admin = seeded["systematic"], seeded["pyla"], seeded["admin"]
    assert isinstance(systematic, Organisation) and isinstance(pyla, Organisation)
    assert isinstance(admin, User)
    values: dict[str, object] = {
        "cluster_id": systematic.id, "provider_organisation_id": pyla.id, "purpose": "ok",
    }  # fmt: skip
    if changes.pop("swap", None):
        values["cluster_id"], values["provider_organisation_id"] = pyla.id, pyla.id
    if changes.pop("cluster_as_provider", None):
        values["provider_organisation_id"] = systematic.id
    values.update(changes)
    with pytest.raises(ParameterError, match=field):
        create_partnership(session, actor=admin, **values)  # type: ignore[arg-type]


def test_bad_changes_are_named(session: Session, seeded: dict[str, object]) -> None:
    admin = seeded["admin"]
    assert isinstance(admin, User)
    first = partnerships(session)[0]["id"]
    for changes, message in (
        ({"cluster_id": 1}, "Unknown field(s) 'cluster_id'"),
        ({"status": "paused"}, "'status' field must be one of active, ended"),
        ({"started_on": "2026-05-01", "ended_on": "2026-04-01"}, "'ended_on' field"),
        ({}, "at least one field"),
    ):
        with pytest.raises(ParameterError, match=re.escape(message)):
            update_partnership(session, actor=admin, partnership_id=first, changes=changes)


def test_a_deleted_provider_keeps_its_partnership_unlinked(
    session: Session, seeded: dict[str, object]
) -> None:
    from clusteratlas.registry import delete_organisation

    systematic = seeded["systematic"]
    assert isinstance(systematic, Organisation)
    eql = _org(session, provider_key("eql"))
    delete_organisation(session, actor=None, organisation_id=eql.id)
    session.commit()
    rows = training_partnerships(session, systematic)
    assert [(r["provider_name"], r["provider_organisation_id"] is None) for r in rows] == [
        ("EQL", True), ("DORANCO", False), ("WEBFORCE3", False),
    ]  # fmt: skip


# --- programmes -------------------------------------------------------------------------


def test_programme_rights_fields_audit_and_corrections(
    session: Session, seeded: dict[str, object]
) -> None:
    from clusteratlas.registry.services_programmes import (
        create_programme,
        delete_programme,
        programme_table,
        update_programme,
    )
    from clusteratlas.registry.services_tags import correct_programme_tags, programme_corrections

    pyla, systematic = seeded["pyla"], seeded["systematic"]
    admin, pyla_manager = seeded["admin"], seeded["pyla_manager"]
    cluster_manager = seeded["cluster_manager"]
    assert isinstance(pyla, Organisation) and isinstance(systematic, Organisation)
    assert isinstance(admin, User) and isinstance(pyla_manager, User)
    assert isinstance(cluster_manager, User)
    with pytest.raises(PermissionDeniedError, match="training provider's organisation may"):
        create_programme(
            session, actor=cluster_manager, provider_organisation_id=pyla.id,
            data={"title": "Fibre optics"},
        )  # fmt: skip
    with pytest.raises(ParameterError, match="'provider_organisation_id' field must name"):
        create_programme(
            session, actor=admin, provider_organisation_id=systematic.id, data={"title": "X"}
        )
    for data, message in (
        ({}, "'title' field must not be empty"),
        ({"title": "X", "duration_hours": -2}, "'duration_hours' field"),
        ({"title": "X", "format": "by post"}, "'format' field must be one of"),
        ({"title": "X", "language": "fra"}, "'language' field"),
        ({"title": "X", "programme_id": "a b"}, "'programme_id' field"),
        ({"title": "X", "colour": "red"}, "Unknown field(s) 'colour'"),
    ):
        with pytest.raises(ParameterError, match=re.escape(message)):
            create_programme(session, actor=admin, provider_organisation_id=pyla.id, data=data)
    created = create_programme(
        session, actor=admin, provider_organisation_id=pyla.id,
        data={"title": "Fibre optics", "description": "optical fibres", "duration_hours": 14},
    )  # fmt: skip
    session.commit()
    assert (created.programme_id, created.provider_id, created.version) == ("pyla-1", "pyla", 1)
    # an administrator without a source: recorded, UNCONFIRMED
    assert created.field_sources["title"]["status"] == "UNCONFIRMED"
    assert created.status.startswith("UNCONFIRMED")
    with pytest.raises(ConflictError, match="'pyla-1' is taken"):
        create_programme(
            session, actor=admin, provider_organisation_id=pyla.id,
            data={"title": "Again", "programme_id": "pyla-1"},
        )  # fmt: skip
    changed = update_programme(
        session, actor=pyla_manager, programme_id="pyla-1", expected_version=1,
        changes={"level": "EQF 4", "source": "https://pyla.example/fibre"},
    )  # fmt: skip
    assert changed.field_sources["level"] == {
        "source": "https://pyla.example/fibre", "status": "CONFIRMED",
    }  # fmt: skip
    assert changed.field_sources["title"]["status"] == "UNCONFIRMED"  # not restated
    with pytest.raises(ConflictError, match="at version 2, not 1"):
        update_programme(
            session, actor=admin, programme_id="pyla-1", expected_version=1,
            changes={"level": "EQF 5"},
        )  # fmt: skip
    with pytest.raises(PermissionDeniedError):
        update_programme(
            session, actor=cluster_manager, programme_id="pyla-1", changes={"level": "x"}
        )
    table = programme_table(session)
    assert list(table["programme_id"])[-1] == "pyla-1" and len(table) == 8
    assert table.iloc[-1]["provider_name"] == "PYLA"
    correct_programme_tags(
        session, user=pyla_manager, programme_id="pyla-1",
        add=["http://data.europa.eu/esco/skill/84cc8c9d-db57-42ec-8948-9b632bf06124"],
    )  # fmt: skip
    assert len(programme_corrections(session, programme_id="pyla-1")) == 1
    delete_programme(session, actor=pyla_manager, programme_id="pyla-1")
    session.commit()
    assert programme_corrections(session, programme_id="pyla-1").empty
    assert "pyla-1" not in set(programme_table(session)["programme_id"])
    actions = [e.action for e in history(session, entity="training_programme", limit=3)]
    assert actions == ["delete", "update", "create"]
    removed = history(session, entity="programme_tag_correction", limit=1)[0]
    assert (removed.action, removed.note) == ("delete", "programme pyla-1 deleted")


def test_tags_are_computed_once_per_programme_text(
    session: Session, seeded: dict[str, object], monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("sklearn")
    from clusteratlas.registry import services_tags
    from clusteratlas.registry.services_programmes import (
        create_programme,
        programme_table,
        update_programme,
    )
    from clusteratlas.skills import offer, tagging

    offer._TEXT_TAGS.clear()
    texts: list[int] = []
    real = tagging.tag_programmes

    def counted(frame, **kwargs):  # type: ignore[no-untyped-def]
        texts.append(len(frame))
        return real(frame, **kwargs)

    monkeypatch.setattr(tagging, "tag_programmes", counted)
    table = programme_table(session)
    distinct = len(table[["title", "description"]].drop_duplicates())
    assert distinct == 5  # the three digital-conversion placeholders share one text
    first = services_tags.programmes(session)
    assert texts == [distinct]  # each seed text once
    assert services_tags.programmes(session) == first
    assert texts == [distinct]  # nothing tagged again
    pyla = seeded["pyla"]
    assert isinstance(pyla, Organisation)
    create_programme(session, actor=None, provider_organisation_id=pyla.id,
                     data={"title": "Fibre optics", "description": "optical fibres"})  # fmt: skip
    update_programme(session, actor=None, programme_id="pyla-laser",
                     changes={"level": "EQF 5"})  # fmt: skip  # the text is unchanged
    rows = services_tags.programmes(session)
    assert texts == [distinct, 1]  # only the new programme's text
    assert rows[-1]["programme_id"] == "pyla-1" and rows[-1]["tags"]
    assert rows[0]["tags"] == first[0]["tags"] and rows[0]["level"] == "EQF 5"


@pytest.mark.parametrize("suffix", ["zip", "json"])
def test_export_and_import_keep_the_offer(
    session: Session, seeded: dict[str, object], tmp_path: Path, suffix: str
) -> None:
    from clusteratlas.registry import export_registry, import_registry

    systematic, pyla, admin = seeded["systematic"], seeded["pyla"], seeded["admin"]
    assert isinstance(systematic, Organisation) and isinstance(pyla, Organisation)
    create_partnership(
        session, actor=admin if isinstance(admin, User) else None, cluster_id=systematic.id,
        provider_organisation_id=pyla.id, purpose="dated", started_on="2026-09-01",
    )  # fmt: skip
    session.commit()
    path = export_registry(
        session, tmp_path / f"export.{suffix}", format="json" if suffix == "json" else "csv"
    )
    engine = make_engine(f"sqlite:///{tmp_path / 'copy.sqlite'}")
    migrate(engine=engine)
    with sessionmaker(bind=engine)() as copy:
        counts = import_registry(copy, path)
        copy.commit()
        assert counts["training_partnership"] == SEED_PARTNERSHIPS + 1
        assert counts["training_programme"] == SEED_PROGRAMMES
        last = partnerships(copy)[-1]
        assert (last["purpose"], last["started_on"]) == ("dated", dt.date(2026, 9, 1))
    engine.dispose()
