# ruff: noqa: F811  (pytest fixtures imported from _registry_support)
"""Training providers as registry organisations: kind, migration, seeding, tag rights.

The skills seed (``clusteratlas/skills/files/``) names five providers: EQL, DORANCO and
WEBFORCE3 (partners of Systematic Paris-Region; one programme each,
``<provider>-digital-conversion``), PYLA (ALPHA-RLH; three programmes: pyla-laser,
pyla-optics-photonics, pyla-electronics-microwave) and E-MOBILITY-INDUSTRY-ACADEMY
(Nextmove; one programme, emia-emobility-products): seven programmes in all. Expected
values below are read off those small tables.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import zipfile
from pathlib import Path

import pytest
from _registry_support import _reset_postgres, factory, mirror, registry_url, session  # noqa: F401
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker

from clusteratlas.errors import ParameterError, PermissionDeniedError
from clusteratlas.registry import (
    create_organisation,
    create_user,
    export_registry,
    import_registry,
    make_engine,
    migrate,
    search_organisations,
    seed_registry,
    update_organisation,
)
from clusteratlas.registry.exchange import dump_tables
from clusteratlas.registry.models import ORG_KINDS, Organisation, Tag, User
from clusteratlas.registry.seed import PROVIDER_COUNTRY_NOTE, PROVIDERS_FILE, provider_key
from clusteratlas.registry.services_tags import (
    can_correct_tags,
    correct_programme_tags,
    correctable_programmes,
    provider_organisation,
    training_partnerships,
)

PYLA_PROGRAMMES = {"pyla-laser", "pyla-optics-photonics", "pyla-electronics-microwave"}
EMOBILITY = "emia-emobility-products"
DIGITAL = {"eql-digital-conversion", "doranco-digital-conversion", "webforce3-digital-conversion"}
BATTERY_CHEMISTRY = "http://data.europa.eu/esco/skill/84cc8c9d-db57-42ec-8948-9b632bf06124"
"""ESCO skill 'battery chemistry' (no programme is tagged with it automatically)."""
PROVIDER_KEYS = {
    "provider:eql",
    "provider:doranco",
    "provider:webforce3",
    "provider:pyla",
    "provider:e-mobility-industry-academy",
}


def _providers(session: Session) -> list[Organisation]:
    query = select(Organisation).where(Organisation.kind == "training provider")
    return list(session.scalars(query.order_by(Organisation.key)))


def _manager(session: Session, organisation: Organisation, email: str) -> User:
    return create_user(
        session, email=email, password="x" * 12, role="manager", organisation_id=organisation.id
    )


def test_the_kinds() -> None:
    assert ORG_KINDS == ("cluster organisation", "training provider")
    assert provider_key("pyla") == "provider:pyla"


def test_migration_from_0007_keeps_the_organisations_as_clusters(tmp_path: Path) -> None:
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{tmp_path / 'old.sqlite'}"
    if url.startswith("postgresql"):
        _reset_postgres(url)
    migrate(url, revision="0007_programme_tags")
    engine = make_engine(url)
    now = dt.datetime(2026, 1, 2, tzinfo=dt.UTC)
    with engine.begin() as c:
        for key, name in (("de:alpha", "Alpha Optics Cluster"), ("fr:beta", "Beta Pôle")):
            c.execute(
                text(
                    "INSERT INTO organisation (key, name, country, technologies, field_sources, "
                    "version, created_at, updated_at) "
                    "VALUES (:key, :name, 'DE', '[]', '{}', 3, :now, :now)"
                ),
                {"key": key, "name": name, "now": now},
            )
        c.execute(
            text(
                "INSERT INTO organisation_tag (organisation_id, kind, value, status) "
                "SELECT id, 'category', 'Photonics', 'CONFIRMED' FROM organisation "
                "WHERE key = 'de:alpha'"
            )
        )
        before = dict(c.execute(text("SELECT key, id FROM organisation")).all())
    engine.dispose()
    migrate(url)
    engine = make_engine(url)
    with engine.begin() as c:
        rows = c.execute(
            text("SELECT key, id, name, kind, version FROM organisation ORDER BY key")
        ).all()
        assert [tuple(r) for r in rows] == [
            ("de:alpha", before["de:alpha"], "Alpha Optics Cluster", "cluster organisation", 3),
            ("fr:beta", before["fr:beta"], "Beta Pôle", "cluster organisation", 3),
        ]
        # the server default also serves rows inserted later without a kind
        c.execute(
            text(
                "INSERT INTO organisation (key, name, country, technologies, field_sources, "
                "version, created_at, updated_at) "
                "VALUES ('it:gamma', 'Gamma', 'IT', '[]', '{}', 1, :now, :now)"
            ),
            {"now": now},
        )
        kind = c.execute(text("SELECT kind FROM organisation WHERE key = 'it:gamma'")).scalar()
        assert kind == "cluster organisation"
    with sessionmaker(bind=engine)() as s:
        alpha = s.scalar(select(Organisation).where(Organisation.key == "de:alpha"))
        assert alpha is not None and alpha.tag_values("category") == ["Photonics"]
        assert s.scalar(select(func.count()).select_from(Tag)) == 1
        # the full-text index still follows the table (its triggers survived)
        assert [o.name for o in search_organisations(s, text="Optics").items] == [
            "Alpha Optics Cluster"
        ]
    engine.dispose()


def test_a_bad_kind_is_refused_naming_the_field(session: Session) -> None:
    expected = r"'kind' must be one of 'cluster organisation', 'training provider'; got 'school'"
    with pytest.raises(ParameterError, match=expected):
        create_organisation(
            session, actor=None, data={"name": "A School", "country": "FR", "kind": "school"}
        )
    org = create_organisation(session, actor=None, data={"name": "Academy", "country": "FR"})
    assert org.kind == "cluster organisation"  # the default
    with pytest.raises(ParameterError, match=expected):
        update_organisation(
            session, actor=None, organisation_id=org.id, expected_version=1,
            changes={"kind": "school"},
        )  # fmt: skip
    changed = update_organisation(
        session, actor=None, organisation_id=org.id, expected_version=1,
        changes={"kind": "training provider"},
    )  # fmt: skip
    assert changed.kind == "training provider" and changed.version == 2


def test_only_an_administrator_changes_the_kind(session: Session) -> None:
    org = create_organisation(session, actor=None, data={"name": "Academy", "country": "FR"})
    manager = _manager(session, org, "manager@academy.example")
    admin = create_user(session, email="admin@academy.example", password="x" * 12, role="admin")
    with pytest.raises(PermissionDeniedError, match="only an administrator may"):
        update_organisation(
            session, actor=manager, organisation_id=org.id, expected_version=1,
            changes={"kind": "training provider", "acronym": "AC"},
        )  # fmt: skip
    assert (org.kind, org.acronym, org.version) == ("cluster organisation", None, 1)
    same = update_organisation(
        session, actor=manager, organisation_id=org.id, expected_version=1,
        changes={"kind": "cluster organisation", "acronym": "AC"},
    )  # fmt: skip
    assert (same.kind, same.acronym, same.version) == ("cluster organisation", "AC", 2)
    changed = update_organisation(
        session, actor=admin, organisation_id=org.id, expected_version=2,
        changes={"kind": "training provider"},
    )  # fmt: skip
    assert changed.kind == "training provider"
    with pytest.raises(PermissionDeniedError, match="from 'training provider' to"):
        update_organisation(
            session, actor=manager, organisation_id=org.id, expected_version=3,
            changes={"kind": "cluster organisation"},
        )  # fmt: skip


def test_seeding_twice_creates_the_providers_once(session: Session, mirror: Path) -> None:
    first = seed_registry(session, data_dir=mirror)
    session.commit()
    assert first.created[PROVIDERS_FILE] == 5
    second = seed_registry(session, data_dir=mirror)
    session.commit()
    assert second.created[PROVIDERS_FILE] == 0 and second.updated[PROVIDERS_FILE] == 0
    assert second.unchanged[PROVIDERS_FILE] == 5
    providers = _providers(session)
    assert {p.key for p in providers} == PROVIDER_KEYS
    assert sorted(p.name for p in providers) == [
        "DORANCO", "E-MOBILITY-INDUSTRY-ACADEMY", "EQL", "PYLA", "WEBFORCE3",
    ]  # fmt: skip
    pyla = provider_organisation(session, "pyla")
    assert pyla is not None and pyla.name == "PYLA" and pyla.kind == "training provider"
    sources = pyla.field_sources
    assert sources["name"]["status"] == "CONFIRMED"
    assert sources["name"]["source"].startswith("Cluster Atlas issue 13 seed wording")
    assert "PYLA training centre" in sources["name"]["source"]
    assert pyla.country == "FR"
    assert sources["country"]["status"] == "UNCONFIRMED"
    assert sources["country"]["note"] == PROVIDER_COUNTRY_NOTE
    assert pyla.website is None and "website" not in sources  # unknown, left empty
    # the mirror's pôles stay cluster organisations
    systematic = session.scalar(
        select(Organisation).where(Organisation.key == "fr:systematic-paris-region")
    )
    assert systematic is not None and systematic.kind == "cluster organisation"


def test_who_may_correct_which_programme(session: Session, mirror: Path) -> None:
    seed_registry(session, data_dir=mirror)
    pyla = provider_organisation(session, "pyla")
    emia = provider_organisation(session, "e-mobility-industry-academy")
    systematic = session.scalar(
        select(Organisation).where(Organisation.key == "fr:systematic-paris-region")
    )
    assert pyla is not None and emia is not None and systematic is not None
    admin = create_user(session, email="a@example.org", password="x" * 12, role="admin")
    pyla_manager = _manager(session, pyla, "m@pyla.example")
    cluster_manager = _manager(session, systematic, "m@systematic.example")
    assert correctable_programmes(session, admin) == PYLA_PROGRAMMES | {EMOBILITY} | DIGITAL
    assert correctable_programmes(session, pyla_manager) == PYLA_PROGRAMMES
    assert correctable_programmes(session, cluster_manager) == set()
    assert correctable_programmes(session, None) == set()
    assert can_correct_tags(pyla_manager, pyla) and not can_correct_tags(pyla_manager, emia)
    assert can_correct_tags(admin) and not can_correct_tags(pyla_manager)
    with pytest.raises(PermissionDeniedError, match="'provider:e-mobility-industry-academy'"):
        correct_programme_tags(
            session, user=pyla_manager, programme_id=EMOBILITY, add=[BATTERY_CHEMISTRY]
        )
    with pytest.raises(PermissionDeniedError, match="only administrators and the managers"):
        correct_programme_tags(
            session, user=cluster_manager, programme_id="pyla-laser", add=[BATTERY_CHEMISTRY]
        )
    # partnering with EQL does not make Systematic's manager an editor of EQL's programme
    with pytest.raises(PermissionDeniedError, match="'provider:eql'"):
        correct_programme_tags(
            session, user=cluster_manager, programme_id="eql-digital-conversion",
            add=[BATTERY_CHEMISTRY],
        )  # fmt: skip
    with pytest.raises(PermissionDeniedError, match="Sign in"):
        correct_programme_tags(
            session, user=None, programme_id="pyla-laser", add=[BATTERY_CHEMISTRY]
        )
    pyla_manager.active = False
    assert correctable_programmes(session, pyla_manager) == set()
    # a cluster organisation whose kind changes to provider gets no programmes: the link
    # is the provider key, not the kind alone
    assert not can_correct_tags(cluster_manager, systematic)


def test_a_provider_manager_corrects_their_own_programme(session: Session, mirror: Path) -> None:
    pytest.importorskip("sklearn")
    from clusteratlas.registry.services_tags import programme, programme_corrections

    seed_registry(session, data_dir=mirror)
    pyla = provider_organisation(session, "pyla")
    assert pyla is not None
    manager = _manager(session, pyla, "m@pyla.example")
    assert BATTERY_CHEMISTRY not in {
        t["skill_id"] for t in programme(session, "pyla-laser")["tags"]
    }
    current = correct_programme_tags(
        session, user=manager, programme_id="pyla-laser", add=[BATTERY_CHEMISTRY]
    )
    session.commit()
    assert list(
        zip(current["skill_id"], current["action"], current["created_by"], strict=True)
    ) == [(BATTERY_CHEMISTRY, "add", manager.id)]
    tags = programme(session, "pyla-laser")["tags"]
    assert (tags[0]["skill_id"], tags[0]["source"]) == (BATTERY_CHEMISTRY, "hand")
    assert programme_corrections(session, programme_id=EMOBILITY).empty


def test_training_partnerships_link_both_sides(session: Session, mirror: Path) -> None:
    seed_registry(session, data_dir=mirror)
    systematic = session.scalar(
        select(Organisation).where(Organisation.key == "fr:systematic-paris-region")
    )
    pyla = provider_organisation(session, "pyla")
    eql = provider_organisation(session, "eql")
    assert systematic is not None and pyla is not None and eql is not None
    rows = training_partnerships(session, systematic)
    assert [(r["provider_name"], r["cluster_id"]) for r in rows] == [
        ("EQL", systematic.id), ("DORANCO", systematic.id), ("WEBFORCE3", systematic.id),
    ]  # fmt: skip
    assert rows[0]["provider_organisation_id"] == eql.id
    # ALPHA-RLH is not in the tiny mirror: PYLA's partner is shown without a link
    (row,) = training_partnerships(session, pyla)
    assert row["cluster_name"].startswith("ALPHA-RLH")
    assert (row["cluster_id"], row["provider_organisation_id"]) == (None, pyla.id)


def test_a_provider_missing_from_the_registry_is_shown_without_a_link(
    session: Session, mirror: Path
) -> None:
    from clusteratlas.registry import delete_organisation

    seed_registry(session, data_dir=mirror)
    eql = provider_organisation(session, "eql")
    systematic = session.scalar(
        select(Organisation).where(Organisation.key == "fr:systematic-paris-region")
    )
    assert eql is not None and systematic is not None
    delete_organisation(session, actor=None, organisation_id=eql.id)
    session.commit()
    rows = training_partnerships(session, systematic)
    assert [(r["provider_name"], r["provider_organisation_id"] is None) for r in rows] == [
        ("EQL", True), ("DORANCO", False), ("WEBFORCE3", False),
    ]  # fmt: skip
    assert provider_organisation(session, "eql") is None


def test_a_registry_seeded_before_gets_the_providers_once(
    factory: sessionmaker[Session],
) -> None:
    pytest.importorskip("fastapi")
    from clusteratlas.api.app import seed_if_empty

    with factory() as s:  # a registry of an earlier release: organisations, no provider
        create_organisation(s, actor=None, data={"name": "Old Cluster", "country": "DE"})
        s.commit()
    assert seed_if_empty(factory) == 5
    assert seed_if_empty(factory) is None  # providers there: nothing more
    with factory() as s:
        assert {p.key for p in _providers(s)} == PROVIDER_KEYS
        assert s.scalar(select(func.count()).select_from(Organisation)) == 1 + 5


def _drop_kind(path: Path, *, empty: bool = False) -> None:
    """Make ``path`` (an export) look written before migration 0008: no ``kind``.

    ``empty=True`` keeps the column with every cell empty (a spreadsheet that cleared it).
    """
    if path.suffix == ".json":
        document = json.loads(path.read_text(encoding="utf-8"))
        for row in document["tables"]["organisation"]:
            if empty:
                row["kind"] = None
            else:
                del row["kind"]
        path.write_text(json.dumps(document), encoding="utf-8")
        return
    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as archive:
            files = {name: archive.read(name).decode("utf-8") for name in archive.namelist()}
    else:
        files = {p.name: p.read_text(encoding="utf-8") for p in path.glob("*.csv")}
    rows = list(csv.DictReader(io.StringIO(files["organisation.csv"])))
    names = [n for n in rows[0] if empty or n != "kind"]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, names, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows({**row, "kind": ""} if empty else row for row in rows)
    files["organisation.csv"] = buffer.getvalue()
    if path.suffix == ".zip":
        with zipfile.ZipFile(path, "w") as archive:
            for name, content in files.items():
                archive.writestr(name, content)
    else:
        (path / "organisation.csv").write_text(files["organisation.csv"], encoding="utf-8")


@pytest.mark.parametrize("empty", [False, True], ids=["no-column", "empty-cells"])
@pytest.mark.parametrize("target", ["folder", "export.zip", "export.json"])
def test_an_export_from_before_0008_imports_as_cluster_organisations(
    session: Session, tmp_path: Path, registry_url: str, target: str, empty: bool
) -> None:
    for name, country in [("Alpha Cluster", "FR"), ("Beta Cluster", "DE")]:
        create_organisation(session, actor=None, data={"name": name, "country": country})
    session.commit()
    original = dump_tables(session)
    path = export_registry(
        session, tmp_path / target, format="json" if target.endswith("json") else "csv"
    )
    session.close()
    _drop_kind(path, empty=empty)
    if registry_url.startswith("postgresql"):
        _reset_postgres(registry_url)
        other = registry_url
    else:
        other = f"sqlite:///{tmp_path / 'copy.sqlite'}"
    migrate(other)
    engine = make_engine(other)
    with sessionmaker(engine)() as copy:
        counts = import_registry(copy, path)
        copy.commit()
        assert counts["organisation"] == 2
        kinds = copy.execute(select(Organisation.name, Organisation.kind).order_by("name"))
        assert kinds.all() == [
            ("Alpha Cluster", "cluster organisation"),
            ("Beta Cluster", "cluster organisation"),
        ]
        assert dump_tables(copy) == original  # everything else as exported
        found = search_organisations(copy, kind="cluster organisation")
        assert found.total == 2
    engine.dispose()


def test_an_import_refuses_an_unknown_kind(
    session: Session, tmp_path: Path, registry_url: str
) -> None:
    create_organisation(session, actor=None, data={"name": "Alpha Cluster", "country": "FR"})
    session.commit()
    path = export_registry(session, tmp_path / "export.json", format="json")
    session.close()
    document = json.loads(path.read_text(encoding="utf-8"))
    document["tables"]["organisation"][0]["kind"] = "school"
    path.write_text(json.dumps(document), encoding="utf-8")
    if registry_url.startswith("postgresql"):
        _reset_postgres(registry_url)
        other = registry_url
    else:
        other = f"sqlite:///{tmp_path / 'copy.sqlite'}"
    migrate(other)
    engine = make_engine(other)
    with sessionmaker(engine)() as copy:
        with pytest.raises(ParameterError, match=r"organisation 1 .*'school'.*'training provider'"):
            import_registry(copy, path)
        copy.rollback()
        assert copy.scalar(select(func.count()).select_from(Organisation)) == 0
    engine.dispose()
