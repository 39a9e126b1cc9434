# ruff: noqa: F811  (pytest fixtures imported from _registry_support)
"""The label workflow on the registry: draft → submit → changes → accept → award.

Validity dates and scores are worked out by hand from the scheme rules (ESCA Gold: one
point per indicator, Gold at >= 80 % of 31 points, i.e. 25 points; valid 24 months from
the award day; ESCA Bronze: every indicator answered, valid to the end of the interview
month 2 years on).
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from _registry_support import factory, registry_url, session  # noqa: F401
from sqlalchemy import select
from sqlalchemy.orm import Session

from clusteratlas.errors import (
    AssessmentError,
    ConflictError,
    ParameterError,
    PermissionDeniedError,
    RecordNotFoundError,
)
from clusteratlas.registry import create_organisation, create_user, history
from clusteratlas.registry.models import AuditEntry, Organisation, User
from clusteratlas.registry.services_awards import (
    add_award,
    benchmark,
    end_award,
    expiring_awards,
    list_awards,
    min_peers,
)
from clusteratlas.registry.services_evidence import (
    add_evidence_file,
    add_evidence_url,
    get_evidence,
)
from clusteratlas.registry.services_labels import (
    clear_answers,
    create_assessment,
    get_assessment,
    list_assessments,
    save_answers,
    submit_assessment,
)
from clusteratlas.registry.services_reviews import grant_reviewer, review_assessment

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"

# 25 of the 31 Gold indicators answered at their threshold (25/31 = 80.6 % >= 80 %): the
# scale and number indicators at the threshold value, the yes/no ones "yes".
GOLD_PASS = {
    "G01": 3, "G02": 2, "G03": 2, "G04": 2, "G05": "yes", "G06": "yes", "G07": 2, "G08": 2,
    "G14": 60, "G15": 4, "G16": "yes", "G17": 30, "G18": 3, "G19": 6, "G20": 60, "G21": 5,
    "G22": 4, "G23": 3, "G24": 75, "G25": 8, "G26": 3, "G27": "yes", "G28": 15, "G29": 6,
    "G30": "yes",
}  # fmt: skip


def _org(session: Session, name: str, **extra: object) -> Organisation:
    data = {"name": name, "country": "FR", "region": "FR71", **extra}
    return create_organisation(session, actor=None, data=data)


@pytest.fixture
def world(session: Session) -> dict[str, object]:
    org = _org(
        session,
        "Minalogic",
        founding_year=2005,
        management_fte=12.0,
        members_sme=300,
        members_large=40,
        members_startup=10,
        members_research=20,
        members_public=5,
        members_other=0,
    )
    other = _org(session, "Other cluster")
    admin = create_user(session, email="admin@example.org", role="admin")
    manager = create_user(session, email="m@example.org", role="manager", organisation_id=org.id)
    stranger = create_user(session, email="s@example.org", role="manager", organisation_id=other.id)
    reviewer = create_user(session, email="r@example.org")
    grant_reviewer(session, actor=admin, user_id=reviewer.id, scheme="esca-gold")
    session.flush()
    return {
        "org": org,
        "other": other,
        "admin": admin,
        "manager": manager,
        "stranger": stranger,
        "reviewer": reviewer,
    }


def _answers(values: dict[str, object]) -> list[dict[str, object]]:
    return [{"indicator": k, "value": v} for k, v in values.items()]


def test_whole_workflow_to_an_award(session: Session, world: dict[str, object]) -> None:
    org, manager, reviewer = world["org"], world["manager"], world["reviewer"]
    assert isinstance(org, Organisation) and isinstance(manager, User)
    assert isinstance(reviewer, User)
    draft = create_assessment(
        session,
        actor=manager,
        organisation_id=org.id,
        scheme="esca-gold",
        today=dt.date(2026, 3, 1),
    )
    prefilled = {a.indicator: a for a in draft.answers}
    # members 300+40+10+20+5+0 = 375, 5 types with members, SME share 300/375 = 80 %,
    # 2026 - 2005 = 21 years, 12 FTE: pre-filled with their registry source.
    assert {k: a.value for k, a in prefilled.items()} == {
        "G09": 375.0, "G10": 5.0, "G11": 80.0, "G12": 12.0, "G13": 21.0,
    }  # fmt: skip
    assert all(a.origin == "prefilled" and a.source.startswith("registry:") for a in draft.answers)
    assert draft.peer_size_band == "150-499" and draft.peer_country == "FR"

    # 20 of the 25 passing answers first (20 + 5 prefilled = 25 points), then a wrong one.
    first = dict(list(GOLD_PASS.items())[:20])
    save_answers(session, actor=manager, assessment_id=draft.id, answers=_answers(first))
    with pytest.raises(AssessmentError, match=r"answers\[0\].*'G01'.*level index 0..3"):
        save_answers(session, actor=manager, assessment_id=draft.id, answers=_answers({"G01": 4}))
    with pytest.raises(AssessmentError, match="has no indicator 'G99'"):
        save_answers(session, actor=manager, assessment_id=draft.id, answers=_answers({"G99": 1}))
    # The manager overrides a pre-filled answer (FTE 2 misses the threshold of 3).
    save_answers(session, actor=manager, assessment_id=draft.id, answers=_answers({"G12": 2}))
    submit_assessment(session, actor=manager, assessment_id=draft.id)
    assert draft.status == "submitted"
    with pytest.raises(ConflictError, match="only a draft"):
        save_answers(session, actor=manager, assessment_id=draft.id, answers=_answers({"G12": 3}))

    # 24 points (20 answers + 4 prefilled passing): 24/31 = 77.4 % < 80 %: no Gold.
    with pytest.raises(AssessmentError, match="reaches no level"):
        review_assessment(session, actor=reviewer, assessment_id=draft.id, decision="accept")
    with pytest.raises(AssessmentError, match="needs a comment"):
        review_assessment(
            session, actor=reviewer, assessment_id=draft.id, decision="request_changes"
        )
    review_assessment(
        session,
        actor=reviewer,
        assessment_id=draft.id,
        decision="request_changes",
        indicator_comments={"G12": "Count the staff paid by the cluster organisation."},
    )
    assert draft.status == "changes_requested"

    rest = dict(list(GOLD_PASS.items())[20:])
    save_answers(
        session, actor=manager, assessment_id=draft.id, answers=_answers({**rest, "G12": 3})
    )
    submit_assessment(session, actor=manager, assessment_id=draft.id)
    review, award = review_assessment(
        session,
        actor=reviewer,
        assessment_id=draft.id,
        decision="accept",
        comment="Evidence checked on site.",
        awarded_on=dt.date(2026, 3, 15),
    )
    assert draft.status == "accepted" and review.decision == "accept"
    assert award is not None and award.level == "Gold"
    # 25 + 5 = 30 points of 31 (G12 now passes): 30/31.
    assert award.score_share == pytest.approx(30 / 31)
    # 24 months from 15 Mar 2026: to the day before 15 Mar 2028.
    assert award.valid_until == dt.date(2028, 3, 14)
    actions = [e.action for e in history(session, entity="label_assessment", entity_id=draft.id)]
    assert actions == [
        "review",
        "submit",
        "update",
        "review",
        "submit",
        "update",
        "update",
        "create",
    ]
    assert history(session, entity="label_award", entity_id=award.id)[0].action == "create"


def test_clearing_answers_makes_them_missing_again(
    session: Session, world: dict[str, object]
) -> None:
    org, manager, stranger = world["org"], world["manager"], world["stranger"]
    assert isinstance(org, Organisation) and isinstance(manager, User)
    assert isinstance(stranger, User)
    draft = create_assessment(
        session,
        actor=manager,
        organisation_id=org.id,
        scheme="esca-gold",
        today=dt.date(2026, 3, 1),
    )
    save_answers(session, actor=manager, assessment_id=draft.id, answers=_answers(GOLD_PASS))
    # 25 passing answers + the 5 pre-filled (G09-G13) = 30 of 31 indicators answered.
    assert len(draft.answers) == 30
    # Nothing is cleared when one indicator is unknown (all or none).
    with pytest.raises(AssessmentError, match=r"indicators\[1\]: 'G99' is not an indicator"):
        clear_answers(session, actor=manager, assessment_id=draft.id, indicators=["G01", "G99"])
    with pytest.raises(AssessmentError, match=r"indicators\[1\].*given twice"):
        clear_answers(session, actor=manager, assessment_id=draft.id, indicators=["G01", "G01"])
    assert len(draft.answers) == 30
    with pytest.raises(RecordNotFoundError):
        clear_answers(session, actor=stranger, assessment_id=draft.id, indicators=["G01"])
    # A given answer and a pre-filled one cleared; G31 (never answered) is accepted as is.
    clear_answers(session, actor=manager, assessment_id=draft.id, indicators=["G01", "G12", "G31"])
    remaining = {
        a.indicator for a in get_assessment(session, actor=manager, assessment_id=draft.id).answers
    }
    assert len(remaining) == 28 and not remaining & {"G01", "G12", "G31"}
    entry = history(session, entity="label_assessment", entity_id=draft.id)[0]
    assert entry.note == "answers cleared"
    submit_assessment(session, actor=manager, assessment_id=draft.id)
    with pytest.raises(ConflictError, match="only a draft"):
        clear_answers(session, actor=manager, assessment_id=draft.id, indicators=["G02"])


def test_bronze_validity_runs_to_the_end_of_the_month(
    session: Session, world: dict[str, object]
) -> None:
    admin, org = world["admin"], world["org"]
    assert isinstance(admin, User) and isinstance(org, Organisation)
    award = add_award(
        session,
        actor=admin,
        organisation_id=org.id,
        scheme="esca-bronze",
        level="bronze",
        awarded_on=dt.date(2026, 3, 12),
    )
    # Interview 12 Mar 2026, valid 2 years from the interview month: to 31 Mar 2028.
    assert (award.level, award.valid_until) == ("Bronze", dt.date(2028, 3, 31))


def test_award_ended_early_and_expiring(session: Session, world: dict[str, object]) -> None:
    admin, reviewer, manager, org = (world[k] for k in ("admin", "reviewer", "manager", "org"))
    assert isinstance(org, Organisation)
    gold = add_award(
        session,
        actor=reviewer,  # type: ignore[arg-type]
        organisation_id=org.id,
        scheme="esca-gold",
        level="Gold",
        awarded_on=dt.date(2025, 1, 10),
    )
    assert gold.valid_until == dt.date(2027, 1, 9)
    with pytest.raises(PermissionDeniedError):
        end_award(
            session, actor=manager, award_id=gold.id, ended_on=dt.date(2026, 1, 1), reason="x"
        )  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="reason"):
        end_award(session, actor=admin, award_id=gold.id, ended_on=dt.date(2026, 1, 1), reason=" ")  # type: ignore[arg-type]
    # 9 Jan 2027 is 183 days after 10 Jul 2026: within 6 months, listed.
    soon = expiring_awards(session, today=dt.date(2026, 7, 10), within_months=6)
    assert [(a.id, days) for a, days in soon] == [(gold.id, 183)]
    assert expiring_awards(session, today=dt.date(2026, 7, 8), within_months=6) == []
    end_award(
        session,
        actor=admin,  # type: ignore[arg-type]
        award_id=gold.id,
        ended_on=dt.date(2026, 6, 30),
        reason="The organisation was dissolved.",
    )
    assert (gold.ended_on, gold.end_reason) == (
        dt.date(2026, 6, 30),
        "The organisation was dissolved.",
    )
    assert list_awards(session, current_on=dt.date(2026, 6, 29)) == [gold]
    assert list_awards(session, current_on=dt.date(2026, 6, 30)) == []
    assert expiring_awards(session, today=dt.date(2026, 7, 10)) == []
    with pytest.raises(ConflictError, match="already ended"):
        end_award(
            session, actor=admin, award_id=gold.id, ended_on=dt.date(2026, 7, 1), reason="again"
        )  # type: ignore[arg-type]
    entry = session.scalars(
        select(AuditEntry).where(AuditEntry.entity == "label_award", AuditEntry.action == "end")
    ).one()
    assert entry.diff["end_reason"]["after"] == "The organisation was dissolved."


def test_another_organisation_cannot_read_or_write(
    session: Session, world: dict[str, object], tmp_path
) -> None:  # type: ignore[no-untyped-def]
    org, manager, stranger, reviewer = (
        world[k] for k in ("org", "manager", "stranger", "reviewer")
    )
    assert isinstance(org, Organisation)
    draft = create_assessment(session, actor=manager, organisation_id=org.id, scheme="esca-gold")  # type: ignore[arg-type]
    evidence = add_evidence_file(
        session,
        actor=manager,  # type: ignore[arg-type]
        assessment_id=draft.id,
        indicator="G01",
        stream=io.BytesIO(PDF),
        filename="strategy.pdf",
        folder=tmp_path,
    )
    for who in (stranger, reviewer, None):  # a reviewer sees nothing before submission
        with pytest.raises(RecordNotFoundError):
            get_assessment(session, actor=who, assessment_id=draft.id)  # type: ignore[arg-type]
        with pytest.raises(RecordNotFoundError):
            get_evidence(session, actor=who, evidence_id=evidence.id, folder=tmp_path)  # type: ignore[arg-type]
        with pytest.raises(RecordNotFoundError):
            save_answers(session, actor=who, assessment_id=draft.id, answers=_answers({"G01": 1}))  # type: ignore[arg-type]
        assert draft not in list_assessments(session, actor=who)  # type: ignore[arg-type]
    with pytest.raises(PermissionDeniedError):
        create_assessment(session, actor=stranger, organisation_id=org.id, scheme="esca-gold")  # type: ignore[arg-type]
    _found, path = get_evidence(session, actor=manager, evidence_id=evidence.id, folder=tmp_path)  # type: ignore[arg-type]
    assert path is not None and path.read_bytes() == PDF
    submit_assessment(session, actor=manager, assessment_id=draft.id)  # type: ignore[arg-type]
    assert get_assessment(session, actor=reviewer, assessment_id=draft.id) is draft  # type: ignore[arg-type]
    assert list_assessments(session, actor=reviewer, status="submitted") == [draft]  # type: ignore[arg-type]
    with pytest.raises(RecordNotFoundError):
        get_assessment(session, actor=stranger, assessment_id=draft.id)  # type: ignore[arg-type]


def test_one_open_assessment_per_scheme_and_evidence_url(
    session: Session, world: dict[str, object]
) -> None:
    org, manager = world["org"], world["manager"]
    assert isinstance(org, Organisation)
    draft = create_assessment(session, actor=manager, organisation_id=org.id, scheme="esca-gold")  # type: ignore[arg-type]
    with pytest.raises(ConflictError, match="in progress"):
        create_assessment(session, actor=manager, organisation_id=org.id, scheme="esca-gold")  # type: ignore[arg-type]
    with pytest.raises(RecordNotFoundError, match="no label scheme 'esca-platinum'"):
        create_assessment(session, actor=manager, organisation_id=org.id, scheme="esca-platinum")  # type: ignore[arg-type]
    url = add_evidence_url(
        session,
        actor=manager,
        assessment_id=draft.id,
        indicator="G01",
        url="https://example.org/strategy",  # type: ignore[arg-type]
    )
    assert url.url == "https://example.org/strategy"
    with pytest.raises(AssessmentError, match="http"):
        add_evidence_url(
            session, actor=manager, assessment_id=draft.id, indicator="G01", url="ftp://x"
        )  # type: ignore[arg-type]
    with pytest.raises(AssessmentError, match="no indicator 'G77'"):
        add_evidence_url(
            session, actor=manager, assessment_id=draft.id, indicator="G77", url="https://e.org"
        )  # type: ignore[arg-type]


MANAGEMENT_EXTRA = {"G09": 50, "G10": 3, "G11": 50, "G12": 3, "G13": 5}


def _peer(session: Session, admin: User, i: int, *, accept: bool) -> None:
    org = _org(session, f"Peer {i}", country="DE")
    boss = create_user(session, email=f"p{i}@example.org", role="manager", organisation_id=org.id)
    a = create_assessment(session, actor=boss, organisation_id=org.id, scheme="esca-gold")
    chosen = {**GOLD_PASS, **dict(list(MANAGEMENT_EXTRA.items())[:i])}
    save_answers(session, actor=boss, assessment_id=a.id, answers=_answers(chosen))
    submit_assessment(session, actor=boss, assessment_id=a.id)
    decision = "accept" if accept else "reject"
    review_assessment(session, actor=admin, assessment_id=a.id, decision=decision, comment="ok")


def test_benchmark_counts_accepted_only_and_needs_n_peers(
    session: Session, world: dict[str, object]
) -> None:
    admin = world["admin"]
    assert isinstance(admin, User)
    for i in range(5):  # accepted: management answered 5 + i of its 10 indicators
        _peer(session, admin, i, accept=True)
    for i in range(5, 8):  # rejected: never counted
        _peer(session, admin, i, accept=False)
    shown = benchmark(session, scheme="esca-gold", peers=5)
    assert shown.shown and shown.n == 5
    # Management shares 0.5, 0.6, 0.7, 0.8, 0.9: linear percentiles 25/50/75 are the 2nd,
    # 3rd and 4th values.
    table = shown.percentiles.set_index("group")  # type: ignore[union-attr]
    assert table.loc["management", ["p25", "p50", "p75"]].tolist() == pytest.approx([0.6, 0.7, 0.8])
    assert table.loc["strategy", "p50"] == pytest.approx(1.0)
    assert benchmark(session, scheme="esca-gold", peers=6).shown is False
    hidden = benchmark(session, scheme="esca-gold", filters={"country": "FR"}, peers=5)
    assert hidden.shown is False and hidden.n is None and hidden.percentiles is None


def test_renewal_within_the_window_gets_the_renewal_validity(
    session: Session, world: dict[str, object]
) -> None:
    admin, org = world["admin"], world["org"]
    assert isinstance(admin, User) and isinstance(org, Organisation)
    first = add_award(
        session,
        actor=admin,
        organisation_id=org.id,
        scheme="esca-bronze",
        level="Bronze",
        awarded_on=dt.date(2024, 3, 12),
    )
    assert first.valid_until == dt.date(2026, 3, 31)
    # Renewed on 10 May 2026, within 12 months after the expiry: valid 3 years from the
    # interview month, to 31 May 2029 (not 2 years, to 31 May 2028).
    renewed = add_award(
        session,
        actor=admin,
        organisation_id=org.id,
        scheme="esca-bronze",
        level="Bronze",
        awarded_on=dt.date(2026, 5, 10),
    )
    assert renewed.valid_until == dt.date(2029, 5, 31)


def test_a_reviewer_never_reviews_its_own_organisation(
    session: Session, world: dict[str, object]
) -> None:
    admin, org, manager = world["admin"], world["org"], world["manager"]
    assert isinstance(admin, User) and isinstance(org, Organisation) and isinstance(manager, User)
    grant_reviewer(session, actor=admin, user_id=manager.id, scheme="esca-gold")
    draft = create_assessment(session, actor=manager, organisation_id=org.id, scheme="esca-gold")
    save_answers(session, actor=manager, assessment_id=draft.id, answers=_answers(GOLD_PASS))
    submit_assessment(session, actor=manager, assessment_id=draft.id)
    with pytest.raises(PermissionDeniedError, match="organisation it manages"):
        review_assessment(session, actor=manager, assessment_id=draft.id, decision="accept")
    with pytest.raises(PermissionDeniedError, match="administrator"):
        grant_reviewer(session, actor=manager, user_id=manager.id, scheme="esca-bronze")
    assert draft.status == "submitted"


def test_a_training_provider_is_not_assessed_for_a_cluster_label(
    session: Session, world: dict[str, object]
) -> None:
    admin = world["admin"]
    assert isinstance(admin, User)
    provider = _org(session, "PYLA", kind="training provider")
    manager = create_user(
        session, email="p@example.org", role="manager", organisation_id=provider.id
    )
    with pytest.raises(
        ParameterError, match=r"assesses cluster organisations; PYLA .* is a training provider"
    ):
        create_assessment(session, actor=manager, organisation_id=provider.id, scheme="esca-gold")
    with pytest.raises(ParameterError, match="is a training provider"):
        add_award(
            session,
            actor=admin,
            organisation_id=provider.id,
            scheme="esca-bronze",
            level="bronze",
            awarded_on=dt.date(2026, 3, 12),
        )
    assert list_assessments(session, actor=admin) == []
    assert list_awards(session, organisation_id=provider.id) == []


def test_min_peers_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert min_peers() == 5
    monkeypatch.setenv("CLUSTERATLAS_LABELS_MIN_PEERS", "8")
    assert min_peers() == 8
    monkeypatch.setenv("CLUSTERATLAS_LABELS_MIN_PEERS", "1")
    with pytest.raises(ParameterError, match="CLUSTERATLAS_LABELS_MIN_PEERS"):
        min_peers()


def test_migration_0005_downgrades_and_upgrades(registry_url: str) -> None:
    from importlib import resources

    from alembic import command
    from alembic.config import Config
    from sqlalchemy import inspect

    from clusteratlas.registry import make_engine, migrate

    tables = {"label_assessment", "label_answer", "label_evidence", "label_review"}
    tables |= {"label_award", "label_reviewer"}
    engine = make_engine(registry_url)
    config = Config()
    location = resources.files("clusteratlas.registry").joinpath("migrations")
    config.set_main_option("script_location", str(location))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0004_meet")  # the revision before this one
    assert not tables & set(inspect(engine).get_table_names())
    assert {"organisation", "meet_event"} <= set(inspect(engine).get_table_names())
    migrate(engine=engine)
    assert tables <= set(inspect(engine).get_table_names())
    engine.dispose()
