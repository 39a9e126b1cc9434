"""Fixtures shared by the registry tests: a migrated database on SQLite or PostgreSQL.

With ``DATABASE_URL`` set (e.g. under ``pg_virtualenv``) every test gets that database,
emptied and migrated; otherwise a fresh SQLite file in ``tmp_path``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from clusteratlas.registry import make_engine, make_session_factory, migrate

US_ROWS = """org_id,org_title,cluster_name
1,Alpha Photonics Association,Information Technology and Analytical Instruments
1,Alpha Photonics Association,Education and Knowledge Creation
2,Beta Biotech Alliance,Biopharmaceuticals
"""
POLES_ROWS = """name,labelling_duration,main_region,other_regions,theme,website,source,status,note
Minalogic Auvergne-Rhône-Alpes,4 years (2023-2026),Auvergne-Rhône-Alpes (Grenoble),,Digital and electronics,https://www.minalogic.com,https://example.org/a,CONFIRMED,
Cosmetic Valley,4 years (2023-2026),Centre-Val de Loire (UNCONFIRMED),,Perfume-cosmetics industry,,https://example.org/b,"CONFIRMED (name, duration); region UNCONFIRMED",
Systematic Paris-Region,4 years (2023-2026),Île-de-France,,"Deep tech / digital (AI, cybersecurity)",https://systematic-paris-region.org,https://example.org/c,CONFIRMED,
Trimatec (candidate),4 years (2023-2026) (UNCONFIRMED),UNCONFIRMED,,UNCONFIRMED,,https://example.org/d,UNCONFIRMED,candidate
"""
SILICON_ROWS = """name,country,city_or_region,nuts2_2013,nuts2_2013_name,membership,source,nuts_status,note
Silicon Saxony,DE,Dresden,DED2,Dresden,founding cluster member,https://example.org/se,CONFIRMED-derived,
Minalogic,FR,Grenoble,FR71,Rhône-Alpes,founding cluster member,https://example.org/se,CONFIRMED-derived,NUTS 2016+: FRK2
NMI (National Microelectronics Institute),UK,United Kingdom (national),,,joined Alliance Oct 2015,https://example.org/se,n/a,
"""
EU_ROWS = """name,country,city_or_region,nuts2_2013,nuts2_2013_name,facts,source,status
Silicon Saxony,DE,Dresden,DED2,Dresden,"Micro/nanoelectronics; among the first 3 Cluster Management Excellence GOLD labels (European Cluster Conference, 18 April 2012)",https://example.org/eu,CONFIRMED; NUTS derived
Silesian Aviation Cluster,PL,Silesia,PL22,Śląskie,"Aviation; 'National Key Cluster' status (Ministry of Entrepreneurship and Technology)",https://example.org/eu,CONFIRMED; NUTS derived
"""


def write_mirror(folder: Path) -> Path:
    """Write a tiny data mirror with the columns of the real seed files."""
    for relative, content in (
        ("clusters/us_cluster_organisations.csv", US_ROWS),
        ("reference/poles_competitivite_phase5.csv", POLES_ROWS),
        ("reference/silicon_europe.csv", SILICON_ROWS),
        ("reference/eu_clusters_named.csv", EU_ROWS),
    ):
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    return folder


def _reset_postgres(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture
def registry_url(tmp_path: Path) -> str:
    """A migrated, empty registry database (``DATABASE_URL`` when set, else SQLite)."""
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{tmp_path / 'registry.sqlite'}"
    if url.startswith("postgresql"):
        _reset_postgres(url)
    migrate(url)
    return url


@pytest.fixture
def factory(registry_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(registry_url)
    yield make_session_factory(engine)
    engine.dispose()


@pytest.fixture
def session(factory: sessionmaker[Session]) -> Iterator[Session]:
    with factory() as s:
        yield s
        s.rollback()


@pytest.fixture
def mirror(tmp_path: Path) -> Path:
    return write_mirror(tmp_path / "mirror")
