# ruff: noqa: F811  (pytest fixtures imported from _registry_support)
"""Hand corrections of programme ESCO tags on the registry: roles, audit, and matching.

The matching cases are worked by hand from the definition of coverage (shared / needed):
a need stating one skill is covered at 1/1 by a programme tagged with it and not matched at
all by a programme without it. "use laser therapy for skin conditions" is a wrong automatic
tag of the industrial laser programme (a medical skill); "battery chemistry" is a skill the
e-mobility course teaches but its text does not name.
"""

from __future__ import annotations

import math
import re

import pytest
from _registry_support import factory, registry_url, session  # noqa: F401
from sqlalchemy.orm import Session

from clusteratlas.errors import ParameterError, PermissionDeniedError, RecordNotFoundError
from clusteratlas.registry import create_organisation, create_user, history
from clusteratlas.registry.models import User
from clusteratlas.registry.seed import seed_training_offer
from clusteratlas.registry.services_skills import cluster_gaps, post_need
from clusteratlas.registry.services_tags import (
    correct_programme_tags,
    programme,
    programme_corrections,
)
from clusteratlas.skills import offer

pytest.importorskip("sklearn")

SKIN_LASER = "http://data.europa.eu/esco/skill/09e8e770-b467-4fba-80dd-7e896ada0d5e"
"""ESCO skill 'use laser therapy for skin conditions'."""
BATTERY_CHEMISTRY = "http://data.europa.eu/esco/skill/84cc8c9d-db57-42ec-8948-9b632bf06124"
"""ESCO skill 'battery chemistry'."""
LASER = "pyla-laser"
EMOBILITY = "emia-emobility-products"


@pytest.fixture(autouse=True)
def _offer(session: Session) -> None:
    """The programmes are registry rows since 0009: write the seed's (no providers)."""
    seed_training_offer(session)
    session.commit()


def _admin(session: Session) -> User:
    return create_user(session, email="admin@example.org", password="x" * 12, role="admin")


def _tags(session: Session, programme_id: str) -> dict[str, dict[str, object]]:
    return {t["skill_id"]: t for t in programme(session, programme_id)["tags"]}


def _matched(session: Session, skill: str) -> dict[str, float]:
    from clusteratlas.registry.services_tags import match_needs

    need = offer.needs_frame([{"need_id": "n", "skills": [skill], "people": 2}])
    result = match_needs(session, need, top=20)
    return dict(zip(result.matches["programme_id"], result.matches["coverage"], strict=True))


def test_labels_of_the_chosen_skills() -> None:
    labels = offer.skill_labels()
    assert labels[SKIN_LASER].startswith("use laser therapy for skin conditions")
    assert labels[BATTERY_CHEMISTRY].startswith("battery chemistry")


def test_remove_an_automatic_tag_drops_the_programme_from_a_match(session: Session) -> None:
    admin = _admin(session)
    assert _tags(session, LASER)[SKIN_LASER]["source"] == "auto"  # the premise
    before = _matched(session, SKIN_LASER)
    assert before.get(LASER) == 1.0  # 1 shared of 1 needed
    correct_programme_tags(session, user=admin, programme_id=LASER, remove=[SKIN_LASER])
    session.commit()
    assert SKIN_LASER not in _tags(session, LASER)
    after = _matched(session, SKIN_LASER)
    assert LASER not in after
    assert set(after) == set(before) - {LASER}  # the other programmes are unchanged


def test_add_makes_a_programme_match_a_new_need_then_remove_undoes_it(session: Session) -> None:
    admin = _admin(session)
    assert _matched(session, BATTERY_CHEMISTRY) == {}  # the premise: no programme has it
    current = correct_programme_tags(
        session, user=admin, programme_id=EMOBILITY, add=[BATTERY_CHEMISTRY]
    )
    session.commit()
    assert current[["programme_id", "skill_id", "action"]].values.tolist() == [
        [EMOBILITY, BATTERY_CHEMISTRY, "add"]
    ]
    tag = _tags(session, EMOBILITY)[BATTERY_CHEMISTRY]
    assert tag["source"] == "hand" and tag["score"] is None and tag["rank"] == 1
    assert _matched(session, BATTERY_CHEMISTRY) == {EMOBILITY: 1.0}
    # the later correction of the same pair replaces the earlier one
    correct_programme_tags(session, user=admin, programme_id=EMOBILITY, remove=[BATTERY_CHEMISTRY])
    session.commit()
    rows = programme_corrections(session, programme_id=EMOBILITY)
    assert rows[["skill_id", "action"]].values.tolist() == [[BATTERY_CHEMISTRY, "remove"]]
    assert BATTERY_CHEMISTRY not in _tags(session, EMOBILITY)
    assert _matched(session, BATTERY_CHEMISTRY) == {}
    entries = history(session, entity="programme_tag_correction", entity_id=int(rows["id"][0]))
    assert [e.action for e in entries] == ["update", "create"]
    assert entries[0].user_id == admin.id
    assert entries[0].diff == {"action": {"before": "add", "after": "remove"}}
    assert entries[0].note == f"programme {EMOBILITY}"


def test_cluster_gaps_use_the_corrected_tags(session: Session) -> None:
    admin = _admin(session)
    cluster = create_organisation(session, actor=None, data={"name": "Batteries", "country": "FR"})
    post_need(session, actor=admin, organisation_id=cluster.id,
              data={"skills": [BATTERY_CHEMISTRY], "people": 4})  # fmt: skip
    session.commit()
    # no programme is online or in the need's region in the seed, so even a covered skill
    # stays a gap; the count of covering programmes is what changes
    gaps = cluster_gaps(session, actor=admin, organisation_id=cluster.id)
    assert gaps.result is not None and gaps.result.matches.empty
    correct_programme_tags(session, user=admin, programme_id=EMOBILITY, add=[BATTERY_CHEMISTRY])
    session.commit()
    gaps = cluster_gaps(session, actor=admin, organisation_id=cluster.id)
    assert gaps.result is not None
    assert gaps.result.matches["programme_id"].tolist() == [EMOBILITY]
    assert gaps.result.uncovered.empty


def test_refusals(session: Session) -> None:
    admin = _admin(session)
    org = create_organisation(session, actor=None, data={"name": "Mine", "country": "FR"})
    manager = create_user(session, email="m@example.org", password="x" * 12, role="manager",
                          organisation_id=org.id)  # fmt: skip
    with pytest.raises(PermissionDeniedError, match="Sign in"):
        correct_programme_tags(session, user=None, programme_id=LASER, add=[BATTERY_CHEMISTRY])
    with pytest.raises(PermissionDeniedError, match="only administrators"):
        correct_programme_tags(session, user=manager, programme_id=LASER, add=[BATTERY_CHEMISTRY])
    with pytest.raises(RecordNotFoundError, match="'no-such-programme'"):
        correct_programme_tags(session, user=admin, programme_id="no-such-programme",
                               add=[BATTERY_CHEMISTRY])  # fmt: skip
    unknown = "http://data.europa.eu/esco/skill/00000000-0000-0000-0000-000000000000"
    with pytest.raises(ParameterError, match=f"'add'.*{re.escape(unknown)}"):
        correct_programme_tags(session, user=admin, programme_id=LASER, add=[unknown])
    occupation = "http://data.europa.eu/esco/occupation/00000000-0000-0000-0000-000000000000"
    with pytest.raises(ParameterError, match=r"'remove'.*occupation"):
        correct_programme_tags(session, user=admin, programme_id=LASER, remove=[occupation])
    with pytest.raises(ParameterError, match="both"):
        correct_programme_tags(session, user=admin, programme_id=LASER,
                               add=[SKIN_LASER], remove=[SKIN_LASER])  # fmt: skip
    with pytest.raises(ParameterError, match="at least one"):
        correct_programme_tags(session, user=admin, programme_id=LASER)
    session.rollback()
    assert programme_corrections(session).empty  # nothing was stored
    assert history(session, entity="programme_tag_correction") == []


def test_hand_tags_have_no_score_and_automatic_ones_keep_theirs(session: Session) -> None:
    admin = _admin(session)
    correct_programme_tags(session, user=admin, programme_id=LASER, add=[BATTERY_CHEMISTRY],
                           remove=[SKIN_LASER])  # fmt: skip
    session.commit()
    tags = programme(session, LASER)["tags"]
    assert [t["rank"] for t in tags] == list(range(1, len(tags) + 1))
    assert tags[0]["skill_id"] == BATTERY_CHEMISTRY  # hand tags first
    auto = [t for t in tags if t["source"] == "auto"]
    assert len(auto) == offer.PROGRAMME_TAGS - 1  # ten automatic tags, one removed
    assert all(isinstance(t["score"], float) and not math.isnan(t["score"]) for t in auto)
    with pytest.raises(RecordNotFoundError):
        programme(session, "nope")
