# ruff: noqa: F811  (pytest fixtures imported from _registry_support)
from __future__ import annotations

import pandas as pd
import pytest
from _registry_support import factory, registry_url, session  # noqa: F401
from sqlalchemy.orm import Session

from clusteratlas.errors import ParameterError
from clusteratlas.registry import (
    create_organisation,
    organisation_statistics,
    organisations_in_region,
    recommend_partners,
)

RELATED = pd.DataFrame(
    {
        "category": ["Biopharmaceuticals", "Biopharmaceuticals"],
        "related": ["Medical Devices", "Plastics"],
        "strength": ["strong", "weak"],
    }
)
MAP = pd.DataFrame(
    {
        "region": ["DE21", "DE21", "FR10"],
        "region_name": ["Oberbayern", "Oberbayern", "Île-de-France"],
        "category": ["C21", "C32", "C22"],
        "category_label": ["Biopharmaceuticals", "Medical Devices", "Plastics"],
        "lq": [0.9, 2.4, 1.2],
        "strong": [False, True, False],
    }
)


@pytest.fixture
def orgs(session: Session) -> dict[str, int]:
    def make(name: str, **data: object) -> int:
        return create_organisation(session, actor=None, data={"name": name, **data}).id

    ids = {
        "seeker": make(
            "Seeker",
            country="FR",
            categories=["Biopharmaceuticals"],
            stages=["aerospace:materials"],
        ),
        "devices": make("Devices", country="DE", region="DE21", categories=["Medical Devices"]),
        "plastics": make("Plastics", country="FR", region="FR10", categories=["Plastics"]),
        "chain": make(
            "Chain",
            country="IT",
            stages=["aerospace:materials", "aerospace:mro", "aerospace:assembly"],
        ),
        "peer": make("Peer", country="US", categories=["Biopharmaceuticals"]),
        "none": make("Unrelated", country="US", categories=["Footwear"]),
    }
    session.commit()
    return ids


def test_ranking_and_explanations(session: Session, orgs: dict[str, int]) -> None:
    recs = recommend_partners(
        session, organisation_id=orgs["seeker"], related=RELATED, map_frame=MAP
    )
    names = [r.name for r in recs]
    assert names == ["Devices", "Plastics", "Peer", "Chain"]  # peer 0.4 * 0.25 > chain 0.35 * 2 / 8
    devices = recs[0]
    parts = {c.name: c for c in devices.components}
    assert parts["related"].score == 1.0
    assert "strongly related" in parts["related"].explanation
    assert parts["region"].score == 1.0  # LQ 2.4 -> min(1, 1.2)
    assert (
        "LQ 2.40" in parts["region"].explanation and "strong cluster" in parts["region"].explanation
    )
    assert devices.score == pytest.approx(0.4 * 1 + 0.25 * 1)
    plastics = {c.name: c for c in recs[1].components}
    assert plastics["related"].score == 0.5 and plastics["region"].score == pytest.approx(0.6)
    chain = {c.name: c for c in recs[3].components}
    assert chain["value_chain"].score == pytest.approx(2 / 8)  # 8 stages in the aerospace chain
    assert "assembly, mro" in chain["value_chain"].explanation
    assert "Unrelated" not in names and "Seeker" not in names
    assert recs[0].explanation.count(".") >= 3


def test_works_without_map_or_related(session: Session, orgs: dict[str, int]) -> None:
    recs = recommend_partners(session, organisation_id=orgs["seeker"])
    assert [r.name for r in recs] == ["Chain"]
    parts = {c.name: c for c in recs[0].components}
    assert parts["related"].explanation == "No related-cluster table was given."
    assert parts["region"].explanation == "No map was given for regional strength."


def test_weights_and_limit(session: Session, orgs: dict[str, int]) -> None:
    recs = recommend_partners(
        session,
        organisation_id=orgs["seeker"],
        related=RELATED,
        map_frame=MAP,
        weights={"related": 0, "region": 0},
        limit=1,
    )
    assert [r.name for r in recs] == ["Chain"]
    with pytest.raises(ParameterError):
        recommend_partners(session, organisation_id=orgs["seeker"], weights={"colour": 1})


def test_statistics_of_an_organisation(session: Session, orgs: dict[str, int]) -> None:
    from clusteratlas.registry import get_organisation

    devices = get_organisation(session, orgs["devices"])
    stats = organisation_statistics(devices, map_frame=MAP)
    assert stats.frame["category"].tolist() == ["C32"] and stats.note == ""
    peer = get_organisation(session, orgs["peer"])
    empty = organisation_statistics(peer, map_frame=MAP)
    assert empty.frame.empty and "region" in empty.note


def test_organisations_in_region(session: Session, orgs: dict[str, int]) -> None:
    assert [o.name for o in organisations_in_region(session, region="DE21")] == ["Devices"]
    assert organisations_in_region(session, region="DE21", category="Plastics") == []
    assert [
        o.name for o in organisations_in_region(session, region="FR10", category="Plastics")
    ] == ["Plastics"]
