# ruff: noqa: F811  (pytest fixtures imported from _registry_support)
"""Full text over the labels around an organisation: tags, classifications, partnerships.

Runs on SQLite (FTS5) and, with ``DATABASE_URL``, on PostgreSQL (tsvector). The labels are
those of the shipped classifications (NACE Rev. 2 C26 "Manufacture of computer, electronic and
optical products" / "Fabrication de produits informatiques, électroniques et optiques"; NACE
C29 "Manufacture of motor vehicles, trailers and semi-trailers") and value chains.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from _registry_support import factory, mirror, registry_url, session  # noqa: F401
from sqlalchemy import select
from sqlalchemy.orm import Session

from clusteratlas.registry import (
    Partnership,
    PartnershipMember,
    create_organisation,
    get_organisation,
    search_organisations,
    seed_registry,
)
from clusteratlas.registry.search import query_terms, synonyms
from clusteratlas.registry.search_index import code_labels

SILICON_EUROPE_CLUSTERS = {
    "Minalogic Auvergne-Rhône-Alpes",  # the pôle and the Silicon Europe member are one record
    "NMI (National Microelectronics Institute)",
    "Silicon Saxony",
}


@pytest.fixture
def seeded(session: Session, mirror: Path) -> Session:
    seed_registry(session, data_dir=mirror)

    def make(name: str, **data: object) -> None:
        create_organisation(session, actor=None, data={"name": name, "country": "FR", **data})

    make("Detroit Auto Cluster", country="US", categories=["Automotive"])
    make("Pôle Voitures", description="Véhicules et mobilité")  # a pôle's theme in French
    make("Motor Makers", country="DE", sectors=["nace:C29"])
    make("Sky Makers", country="US", categories=["Aerospace Vehicles and Defense"])
    make("Hangar Services", stages=["aerospace:mro"])
    session.commit()
    return session


def _names(session: Session, text: str) -> set[str]:
    page = search_organisations(session, text=text, fuzzy=False, limit=100)
    assert page.mode == "fulltext"
    return {o.name for o in page.items}


@pytest.mark.parametrize("word", ["semiconductor", "microelectronics", "chips", "Semiconducteurs"])
def test_silicon_europe_members_are_found_by_their_field(seeded: Session, word: str) -> None:
    # None of these words is in the members' names or profiles: the alliance's description
    # (micro- and nanoelectronics clusters, Europe's semiconductor industry) and its sector
    # (NACE C26) are indexed with each member.
    assert _names(seeded, word) >= SILICON_EUROPE_CLUSTERS
    assert "Beta Biotech Alliance" not in _names(seeded, word)


def test_automotive_finds_categories_sectors_and_french_themes(seeded: Session) -> None:
    found = _names(seeded, "automotive")
    assert {"Detroit Auto Cluster", "Pôle Voitures", "Motor Makers"} <= found
    assert "Sky Makers" not in found  # "Aerospace Vehicles" is not automotive
    assert _names(seeded, "cars") == found


def test_nace_codes_and_french_labels(seeded: Session, data_dir: Path) -> None:
    assert "Silicon Saxony" in _names(seeded, "C26")
    assert "Silicon Saxony" in _names(seeded, "électroniques optiques")  # French C26 label
    assert "Motor Makers" in _names(seeded, "industrie automobile")  # C29 in French
    assert "Motor Makers" in _names(seeded, "trailers")


def test_value_chain_partnership_and_label_names(seeded: Session) -> None:
    assert _names(seeded, "overhaul") == {"Hangar Services"}  # aerospace:mro stage title
    assert _names(seeded, "Silicon Europe") == SILICON_EUROPE_CLUSTERS
    assert _names(seeded, "pole competitivite digital") == {
        "Minalogic Auvergne-Rhône-Alpes",
        "Systematic Paris-Region",
    }


def test_index_follows_partnership_changes_without_touching_versions(seeded: Session) -> None:
    org = create_organisation(seeded, actor=None, data={"name": "Quiet Lab", "country": "IT"})
    seeded.commit()
    version, updated = org.version, org.updated_at
    alliance = seeded.scalar(select(Partnership).where(Partnership.key == "silicon-europe"))
    assert alliance is not None
    seeded.add(PartnershipMember(partnership_id=alliance.id, organisation_id=org.id))
    seeded.commit()
    assert "Quiet Lab" in _names(seeded, "strengthen")  # a word of the alliance's description
    alliance.description = "An alliance for graphene."
    seeded.commit()
    assert "Quiet Lab" in _names(seeded, "graphene")
    assert "Quiet Lab" not in _names(seeded, "strengthen")
    fresh = get_organisation(seeded, org.id)
    seeded.refresh(fresh)
    assert fresh.version == version
    assert fresh.updated_at.replace(tzinfo=None) == updated.replace(tzinfo=None)  # SQLite drops tz


def test_search_sees_the_sessions_own_writes(seeded: Session) -> None:
    create_organisation(
        seeded, actor=None, data={"name": "Fresh", "country": "FR", "sectors": ["nace:C29"]}
    )
    assert "Fresh" in _names(seeded, "automotive")  # not committed yet


def test_synonyms_are_data() -> None:
    table = synonyms()
    assert ("c26",) in table[("chips",)]
    assert ("micro", "electronics") in table[("semiconductor",)]
    # one-way: "mobility" is an expansion of "automotive", not a synonym of it
    assert ("mobility",) in table[("automotive",)] and ("mobility",) not in table
    assert query_terms("Rhône-Alpes") == [(("rhone", "alpes"),)]


def test_code_labels(data_dir: Path) -> None:
    assert code_labels("nace:C26")[:2] == [
        "C26",
        "Manufacture of computer, electronic and optical products",
    ]
    assert code_labels("C2611")[1].startswith("Manufacture of computer")  # by its division
    assert code_labels("naics:336111")[0] == "336111"
    assert len(code_labels("naics:336111")) == 2
    assert code_labels("Automotive") == ["Automotive"]


def test_upgrade_from_0001_indexes_existing_organisations(tmp_path: Path) -> None:
    from sqlalchemy import text

    from clusteratlas.registry import make_engine, migrate

    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    migrate(url, revision="0001_initial")
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO organisation (id, key, name, country, technologies, field_sources,"
                " version, updated_at) VALUES (1, 'de:x', 'Old Cluster', 'DE', '[]', '{}', 3,"
                " '2020-01-01 00:00:00')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO organisation_tag (organisation_id, kind, value, status)"
                " VALUES (1, 'sector', 'nace:C29', 'CONFIRMED')"
            )
        )
    migrate(url)
    with engine.connect() as connection:
        found = connection.execute(
            text("SELECT rowid FROM organisation_fts WHERE organisation_fts MATCH 'c29'")
        ).all()
        version = connection.execute(text("SELECT version FROM organisation")).scalar()
    engine.dispose()
    assert found == [(1,)] and version == 3
