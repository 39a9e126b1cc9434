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
    # peer 0.4 * 0.25 = 0.1 > chain 0.35 * 0.1736 (below)
    assert names == ["Devices", "Plastics", "Peer", "Chain"]
    devices = recs[0]
    parts = {c.name: c for c in devices.components}
    assert parts["related"].score == 1.0
    assert "strongly related" in parts["related"].explanation
    assert parts["region"].score == 1.0  # LQ 2.4 -> min(1, 1.2)
    assert (
        "LQ 2.40" in parts["region"].explanation and "strong cluster" in parts["region"].explanation
    )
    # The weighted mean of the components: (0.4 * 1 + 0.25 * 1) / (0.4 + 0.35 + 0.25 + 0.2).
    assert devices.score == pytest.approx((0.4 * 1 + 0.25 * 1) / 1.2)
    plastics = {c.name: c for c in recs[1].components}
    assert plastics["related"].score == 0.5 and plastics["region"].score == pytest.approx(0.6)
    chain = {c.name: c for c in recs[3].components}
    # Aerospace chain: materials, precision_parts, systems, components, assembly, mro,
    # engineering, air_transport. The seeker holds materials; the stages it lacks are 1..7 steps
    # downstream (sum of 1/d = H7 = 363/140); the candidate adds assembly (d=4) and mro (d=5).
    assert chain["value_chain"].score == pytest.approx((1 / 4 + 1 / 5) / (363 / 140))
    assert "assembly, mro" in chain["value_chain"].explanation
    assert "4 steps downstream" in chain["value_chain"].explanation
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
    # Only value chain (0.35) and technology (0.2) weigh: the score is the chain component.
    chain = {c.name: c.score for c in recs[0].components}
    assert recs[0].score == pytest.approx(
        (0.35 * chain["value_chain"] + 0.2 * chain["technology"]) / 0.55, abs=1e-6
    )
    with pytest.raises(ParameterError):
        recommend_partners(session, organisation_id=orgs["seeker"], weights={"colour": 1})
    zero = dict.fromkeys(("related", "value_chain", "region", "technology"), 0)
    with pytest.raises(ParameterError, match="not all zero"):
        recommend_partners(session, organisation_id=orgs["seeker"], weights=zero)


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


def test_regions_are_named(session: Session, orgs: dict[str, int]) -> None:
    recs = recommend_partners(
        session, organisation_id=orgs["seeker"], related=RELATED, map_frame=MAP
    )
    devices = {c.name: c for c in recs[0].components}
    assert devices["region"].explanation.startswith("Oberbayern (DE21) has LQ 2.40")


def test_regional_strength_alone_recommends_nobody(session: Session, orgs: dict[str, int]) -> None:
    # Without the related-cluster table, Devices has only its region's strength (LQ 2.4).
    recs = recommend_partners(session, organisation_id=orgs["seeker"], map_frame=MAP)
    assert [r.name for r in recs] == ["Chain"]


def test_no_profile_asks_for_categories_or_technologies(
    session: Session, orgs: dict[str, int]
) -> None:
    from clusteratlas.registry import NO_PROFILE_NOTE, get_organisation, missing_profile

    bare = create_organisation(session, actor=None, data={"name": "Bare", "country": "FR"})
    assert (
        recommend_partners(session, organisation_id=bare.id, related=RELATED, map_frame=MAP) == []
    )
    assert missing_profile(bare) == NO_PROFILE_NOTE
    assert "add categories or technologies" in NO_PROFILE_NOTE.lower()
    assert missing_profile(get_organisation(session, orgs["seeker"])) is None


def test_adjacent_stages_weigh_more(session: Session) -> None:
    def make(name: str, **data: object) -> int:
        return create_organisation(session, actor=None, data={"name": name, **data}).id

    seeker = make("Maker", country="FR", stages=["aerospace:materials"])
    make("Next door", country="DE", stages=["aerospace:precision_parts"])  # 1 step down
    make("Far away", country="IT", stages=["aerospace:air_transport"])  # 7 steps down
    recs = {r.name: r for r in recommend_partners(session, organisation_id=seeker)}
    h7 = 363 / 140
    near = {c.name: c for c in recs["Next door"].components}["value_chain"]
    far = {c.name: c for c in recs["Far away"].components}["value_chain"]
    assert near.score == pytest.approx(1 / h7)
    assert far.score == pytest.approx((1 / 7) / h7)
    assert "1 step downstream" in near.explanation
    assert list(recs) == ["Next door", "Far away"]


def test_shared_technologies(session: Session) -> None:
    def make(name: str, technologies: list[str]) -> int:
        data = {"name": name, "country": "DE", "technologies": technologies}
        return create_organisation(session, actor=None, data=data).id

    seeker = make("Sensing", ["Quantum sensing", "LiDAR"])
    make("Peer lab", ["quantum sensing", "MEMS"])
    make("Other", ["textiles"])
    recs = recommend_partners(session, organisation_id=seeker)
    assert [r.name for r in recs] == ["Peer lab"]
    tech = {c.name: c for c in recs[0].components}["technology"]
    assert tech.score == pytest.approx(1 / 3)  # {quantum sensing} / {quantum sensing, lidar, mems}
    # 0.2 * 1/3 over the sum of the weights, 1.2; scores are rounded to 6 places.
    assert recs[0].score == pytest.approx(0.2 / 3 / 1.2, abs=1e-6)
