# ruff: noqa: F811  (pytest fixtures imported from _registry_support)
from __future__ import annotations

from pathlib import Path

import pytest
from _registry_support import _reset_postgres, factory, mirror, registry_url, session  # noqa: F401
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from clusteratlas.errors import DataNotFoundError, ParameterError
from clusteratlas.registry import (
    create_organisation,
    export_registry,
    import_registry,
    make_engine,
    make_session_factory,
    migrate,
    seed_registry,
    validate_organisation,
)
from clusteratlas.registry.exchange import dump_tables
from clusteratlas.registry.models import AuditEntry, Organisation, Partnership
from clusteratlas.registry.seed import natural_key, slug


def _by_key(session: Session, key: str) -> Organisation:
    org = session.scalar(select(Organisation).where(Organisation.key == key))
    assert org is not None, key
    return org


def test_slug_and_keys() -> None:
    assert slug("Pôle Mer Méditerranée") == "pole-mer-mediterranee"
    assert natural_key("FR", "Minalogic") == "fr:minalogic-auvergne-rhone-alpes"


def test_seed_keeps_sources_and_statuses(session: Session, mirror: Path) -> None:
    report = seed_registry(session, data_dir=mirror)
    session.commit()
    # the mirror's 9 organisations and the 5 training providers of the packaged skills seed
    assert session.scalar(select(func.count()).select_from(Organisation)) == 9 + 5
    assert report.created["clusters/us_cluster_organisations.csv"] == 2
    alpha = _by_key(session, "us:1")
    assert alpha.country == "US" and alpha.region is None
    assert alpha.tag_values("category") == [
        "Education and Knowledge Creation",
        "Information Technology and Analytical Instruments",
    ]
    assert alpha.field_sources["name"]["status"] == "CONFIRMED"
    # Minalogic: the pôle row and the Silicon Europe row are one organisation; the région
    # Auvergne-Rhône-Alpes has no single NUTS-2 2013 code, Silicon Europe gives FR71.
    mina = _by_key(session, "fr:minalogic-auvergne-rhone-alpes")
    assert mina.region_name == "Auvergne-Rhône-Alpes"
    assert mina.region == "FR71"
    assert mina.field_sources["region"]["file"] == "reference/silicon_europe.csv"
    assert [(lab.scheme, lab.level, lab.duration) for lab in mina.labels] == [
        ("pôle de compétitivité", "phase V", "4 years (2023-2026)")
    ]
    cosmetic = _by_key(session, "fr:cosmetic-valley")
    assert cosmetic.region_name == "Centre-Val de Loire"
    assert cosmetic.field_sources["region_name"]["status"] == "UNCONFIRMED"
    assert _by_key(session, "fr:systematic-paris-region").region == "FR10"
    trimatec = _by_key(session, "fr:trimatec-candidate")
    assert trimatec.region_name is None and trimatec.labels[0].status == "UNCONFIRMED"
    assert _by_key(session, "gb:nmi-national-microelectronics-institute").country == "GB"
    saxony = _by_key(session, "de:silicon-saxony")
    assert [(lab.scheme, lab.level, lab.awarded) for lab in saxony.labels] == [
        ("ESCA", "Gold", "2012-04-18")
    ]
    silesia = _by_key(session, "pl:silesian-aviation-cluster")
    assert validate_organisation(silesia).status == "waived"
    alliance = session.scalar(select(Partnership).where(Partnership.key == "silicon-europe"))
    assert alliance is not None and len(alliance.members) == 3


def test_reimport_changes_nothing(factory: sessionmaker[Session], mirror: Path) -> None:
    with factory() as s:
        seed_registry(s, data_dir=mirror)
        s.commit()
        before = dump_tables(s)
        audits = s.scalar(select(func.count()).select_from(AuditEntry))
    with factory() as s:
        report = seed_registry(s, data_dir=mirror)
        s.commit()
        assert report.changed == 0
        assert sum(report.unchanged.values()) > 0
        assert dump_tables(s) == before
        assert s.scalar(select(func.count()).select_from(AuditEntry)) == audits


def test_missing_mirror(session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A folder given explicitly must hold the seed files.
    monkeypatch.delenv("CLUSTERATLAS_DATA", raising=False)
    with pytest.raises(DataNotFoundError, match="us_cluster_organisations"):
        seed_registry(session, data_dir=tmp_path)


def test_without_a_mirror_the_packaged_seeds_are_used(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No data directory at all: the seed tables shipped in the package are enough. The
    # mirror's CATALOG.md counts 145 US cluster organisations in the registry file.
    monkeypatch.delenv("CLUSTERATLAS_DATA", raising=False)
    report = seed_registry(session)
    session.commit()
    assert report.created["clusters/us_cluster_organisations.csv"] == 145


def test_the_saved_data_directory_is_used_without_the_variable(
    session: Session, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # After `clusteratlas data use DIR` no variable is needed. The mirror's CATALOG.md counts
    # 145 US cluster organisations in the registry file.
    from clusteratlas.data.catalog import locate
    from clusteratlas.paths import set_data_directory

    monkeypatch.delenv("CLUSTERATLAS_DATA", raising=False)
    set_data_directory(data_dir)
    # The saved directory is read, not the copy that ships in the package.
    assert locate("us_cluster_organisations") == (
        data_dir.resolve() / "clusters/us_cluster_organisations.csv",
        "mirror",
    )
    report = seed_registry(session)
    session.commit()
    assert report.created["clusters/us_cluster_organisations.csv"] == 145
    assert _by_key(session, "us:103").name == "GrowFL"  # the file's first row
    assert session.scalar(select(func.count()).select_from(Partnership)) == 1


@pytest.mark.parametrize("target", ["folder", "export.zip", "export.json"])
def test_export_import_round_trip(
    session: Session, mirror: Path, tmp_path: Path, target: str, registry_url: str
) -> None:
    seed_registry(session, data_dir=mirror)
    session.commit()
    original = dump_tables(session)
    path = export_registry(
        session, tmp_path / target, format="json" if target.endswith("json") else "csv"
    )
    with pytest.raises(ParameterError, match="empty registry"):
        import_registry(session, path)
    session.close()
    if registry_url.startswith("postgresql"):
        _reset_postgres(registry_url)  # import into the emptied database; sequences move on
        other = registry_url
    else:
        other = f"sqlite:///{tmp_path / 'copy.sqlite'}"
    migrate(other)
    engine = make_engine(other)
    with make_session_factory(engine)() as copy:
        counts = import_registry(copy, path)
        copy.commit()
        assert counts["organisation"] == 9 + 5  # the mirror's and the 5 training providers
        assert dump_tables(copy) == original
        created = create_organisation(copy, actor=None, data={"name": "After", "country": "FR"})
        assert created.id == max(row["id"] for row in original["organisation"]) + 1
        copy.rollback()
    engine.dispose()


def test_real_sources(session: Session, data_dir: Path) -> None:
    report = seed_registry(session, data_dir=data_dir)
    session.commit()
    assert report.created["clusters/us_cluster_organisations.csv"] == 145
    us = session.scalar(select(func.count()).where(Organisation.country == "US"))
    assert us == 145
    assert (
        session.scalar(
            select(func.count()).where(
                Organisation.country == "US", Organisation.region.is_not(None)
            )
        )
        == 0
    )
    assert seed_registry(session, data_dir=data_dir).changed == 0
