# ruff: noqa: F811  (pytest fixtures imported from _registry_support)
from __future__ import annotations

from pathlib import Path

import pytest
from _registry_support import factory, mirror, registry_url, session  # noqa: F401
from sqlalchemy import inspect
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Session

from clusteratlas.errors import ParameterError
from clusteratlas.registry import (
    create_organisation,
    fuzzy_names,
    search_organisations,
    seed_registry,
    update_organisation,
)


@pytest.fixture
def seeded(session: Session, mirror: Path) -> Session:
    seed_registry(session, data_dir=mirror)
    create_organisation(
        session,
        actor=None,
        data={
            "name": "Photonics Bavaria",
            "acronym": "PhoBa",
            "country": "DE",
            "region": "DE21",
            "description": "Laser and optical technologies for industry.",
            "technologies": ["ultrafast lasers", "quantum sensing"],
            "ecosystems": ["Electronics"],
            "stages": ["microelectronics:design", "microelectronics:equipment"],
        },
    )
    session.commit()
    return session


def _names(page) -> list[str]:  # type: ignore[no-untyped-def]
    return [o.name for o in page.items]


def test_filters(seeded: Session) -> None:
    assert search_organisations(seeded, country="us").total == 2
    assert _names(search_organisations(seeded, category="Biopharmaceuticals")) == [
        "Beta Biotech Alliance"
    ]
    assert _names(search_organisations(seeded, region="DED2")) == ["Silicon Saxony"]
    assert _names(search_organisations(seeded, region="Île-de-France")) == [
        "Systematic Paris-Region"
    ]
    assert _names(search_organisations(seeded, label="ESCA Gold")) == ["Silicon Saxony"]
    assert search_organisations(seeded, label="pôle de compétitivité").total == 4
    assert _names(search_organisations(seeded, ecosystem="Electronics")) == ["Photonics Bavaria"]
    assert search_organisations(seeded, stage="microelectronics").total == 1
    assert search_organisations(seeded, stage="microelectronics:design").total == 1
    assert search_organisations(seeded, stage="aerospace").total == 0
    assert search_organisations(seeded, country="FR", label="ESCA Gold").total == 0


def test_full_text_over_description_and_technologies(seeded: Session) -> None:
    page = search_organisations(seeded, text="quantum")
    assert page.mode == "fulltext" and _names(page) == ["Photonics Bavaria"]
    assert _names(search_organisations(seeded, text="Optical LASER")) == ["Photonics Bavaria"]
    assert _names(search_organisations(seeded, text="ultrafas", fuzzy=False)) == []  # whole words
    assert (
        _names(search_organisations(seeded, text="optical graphene", fuzzy=False)) == []
    )  # all words
    assert _names(search_organisations(seeded, text="phoba")) == ["Photonics Bavaria"]
    assert _names(search_organisations(seeded, text="cybersecurity")) == ["Systematic Paris-Region"]
    assert search_organisations(seeded, text="quantum", country="FR", fuzzy=False).total == 0


def test_full_text_follows_updates(seeded: Session) -> None:
    org = search_organisations(seeded, text="quantum").items[0]
    update_organisation(
        seeded,
        actor=None,
        organisation_id=org.id,
        expected_version=org.version,
        changes={"technologies": ["graphene"]},
    )
    seeded.commit()
    assert search_organisations(seeded, text="quantum", fuzzy=False).total == 0
    assert search_organisations(seeded, text="graphene").total == 1


def test_fuzzy_fallback_for_typos(seeded: Session) -> None:
    page = search_organisations(seeded, text="Minalgic")
    assert page.mode == "fuzzy"
    assert _names(page)[0] == "Minalogic Auvergne-Rhône-Alpes"
    assert page.scores[page.items[0].id] >= 75
    best = fuzzy_names(seeded, "Silicon Saxonny")
    assert best[0][0].name == "Silicon Saxony"
    assert search_organisations(seeded, text="zzzzqqq").total == 0


def test_pagination_and_total(seeded: Session) -> None:
    first = search_organisations(seeded, limit=3, offset=0)
    second = search_organisations(seeded, limit=3, offset=3)
    # the mirror's 9, the skills seed's 5 training providers and Photonics Bavaria
    assert first.total == second.total == 15
    assert len(first.items) == 3
    assert not {o.id for o in first.items} & {o.id for o in second.items}
    assert len(search_organisations(seeded, limit=3, offset=14).items) == 1
    with pytest.raises(ParameterError):
        search_organisations(seeded, limit=0)


def test_kind_filter(seeded: Session) -> None:
    # The five providers named in the skills seed are the only training providers; the
    # mirror's 9 organisations and Photonics Bavaria are cluster organisations.
    providers = search_organisations(seeded, kind="training provider", limit=100)
    assert _names(providers) == [
        "DORANCO", "E-MOBILITY-INDUSTRY-ACADEMY", "EQL", "PYLA", "WEBFORCE3",
    ]  # fmt: skip
    clusters = search_organisations(seeded, kind="cluster organisation", limit=100)
    assert clusters.total == 10 and "Photonics Bavaria" in _names(clusters)
    assert _names(search_organisations(seeded, text="PYLA", kind="training provider")) == ["PYLA"]
    assert search_organisations(seeded, text="PYLA", kind="cluster organisation").items == []
    with pytest.raises(ParameterError, match=r"'kind' must be one of 'cluster organisation'"):
        search_organisations(seeded, kind="school")


def test_special_characters_are_safe(seeded: Session) -> None:
    names = set(_names(search_organisations(seeded, limit=100)))
    assert len(names) == 15  # 9 of the mirror, 5 training providers, Photonics Bavaria
    queries = ['"', "AND OR NOT", "a*b(c)", "Île-de-France:", "'; DROP TABLE organisation; --"]
    queries += ['"quantum', "quantum:", "(quantum)"]
    pages = {query: search_organisations(seeded, text=query) for query in queries}
    for query, page in pages.items():
        # Sane pages: only seeded organisations, a total that counts them, no error.
        assert set(_names(page)) <= names, query
        assert page.total == len(page.items), query  # fewer than the page limit of 20
    # Query syntax around a real word is taken as text: the word is still found.
    for query in ('"quantum', "quantum:", "(quantum)"):
        assert _names(pages[query]) == ["Photonics Bavaria"], query
    # The injection attempt was a search, not SQL: the table and every row are still there.
    assert "organisation" in inspect(seeded.connection()).get_table_names()
    assert search_organisations(seeded, limit=100).total == 15
    assert seeded.execute(sql_text("SELECT COUNT(*) FROM organisation")).scalar() == 15
