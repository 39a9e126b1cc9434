from __future__ import annotations

from clusteratlas.registry.models import Label, Organisation, SupportProgramme
from clusteratlas.registry.validation import validate_organisation


def _org(**values: object) -> Organisation:
    base: dict[str, object] = {"name": "X", "country": "FR", "key": "fr:x"}
    return Organisation(**{**base, **values}, labels=[], programmes=[], members=[])


def test_complete_profile_is_validated() -> None:
    org = _org(
        management_fte=1.5,
        website="https://x.eu",
        members_sme=10,
        members_research=4,
        members_public=1,
    )
    result = validate_organisation(org)
    assert result.status == "validated"
    assert [c.code for c in result.checks] == ["V1", "V2", "V3", "V4"]
    assert result.reasons == []


def test_each_failing_check_says_why() -> None:
    org = _org(management_fte=0.4, members_sme=14)
    result = validate_organisation(org)
    assert result.status == "incomplete"
    reasons = " ".join(result.reasons)
    assert "V1: management staff is 0.4 FTE (at least 0.5 needed)" in reasons
    assert "V2: no website given" in reasons
    assert "V3: 14 members (at least 15 needed)" in reasons
    assert "V4: 1 member type(s): sme" in reasons


def test_boundaries_pass() -> None:
    org = _org(management_fte=0.5, website="w", members_sme=13, members_public=2)
    assert validate_organisation(org).status == "validated"


def test_two_types_without_public_collaboration_fail_v4() -> None:
    org = _org(management_fte=1, website="w", members_sme=10, members_research=10)
    result = validate_organisation(org)
    assert result.status == "incomplete"
    assert "no public-body member" in result.reasons[0]


def test_unknown_data_is_incomplete_not_guessed() -> None:
    result = validate_organisation(_org(country="US"))
    assert result.status == "incomplete"
    assert "V1: management staff (FTE) is not given" in result.reasons
    assert "V3: member counts are not given" in result.reasons
    assert any("EU/COSME" in note for note in result.notes)


def test_pole_label_waives() -> None:
    org = _org()
    org.labels = [Label(scheme="pôle de compétitivité", level="phase V")]
    result = validate_organisation(org)
    assert result.status == "waived"
    assert result.waiver == "pôle de compétitivité (phase V)"
    assert len(result.checks) == 4


def test_support_programme_waives() -> None:
    org = _org()
    org.programmes = [SupportProgramme(name="National Key Cluster (Poland)", level="national")]
    assert validate_organisation(org).status == "waived"


def test_esca_label_alone_does_not_waive() -> None:
    org = _org()
    org.labels = [Label(scheme="ESCA", level="Gold")]
    assert validate_organisation(org).status == "incomplete"


def test_member_organisations_count_when_no_counts() -> None:
    from clusteratlas.registry.models import MemberOrganisation

    org = _org(management_fte=1, website="w")
    org.members = [MemberOrganisation(name=f"m{i}", member_type="sme") for i in range(14)]
    org.members.append(MemberOrganisation(name="city", member_type="public"))
    assert validate_organisation(org).status == "validated"
