"""The label pages through the full app with a TestClient (no browser).

A manager of Silicon Saxony, a manager of Cosmetic Valley (the stranger) and a reviewer of
ESCA Gold. Expected numbers come from the scheme file: ESCA Gold indicator G14 asks a share
in % with the threshold ">= 60", so an answer of 45 misses it by 15.
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _registry_support import write_mirror
from _web_support import signed_in as _signed_in

with warnings.catch_warnings():
    warnings.filterwarnings(
        "ignore", message="Using `httpx` with `starlette.testclient`", category=Warning
    )
    from starlette.testclient import TestClient

pytest.importorskip("fastapi")
from sqlalchemy import select

from clusteratlas.registry import (
    Organisation,
    User,
    create_user,
    search_organisations,
    session_scope,
)
from clusteratlas.registry.models import LabelAssessment
from clusteratlas.registry.services_reviews import grant_reviewer

PASSWORD = "correct horse battery"
GOLD_PASS = {
    "G01": 3, "G02": 2, "G03": 2, "G04": 2, "G05": "yes", "G06": "yes", "G07": 2, "G08": 2,
    "G14": 60, "G15": 4, "G16": "yes", "G17": 30, "G18": 3, "G19": 6, "G20": 60, "G21": 5,
    "G22": 4, "G23": 3, "G24": 75, "G25": 8, "G26": 3, "G27": "yes", "G28": 15, "G29": 6,
    "G30": "yes",
}  # fmt: skip
"""25 answers that meet their ESCA Gold thresholds (as tests/api/test_api_labels.py)."""
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    from clusteratlas.api.app import create_app

    folder = tmp_path_factory.mktemp("web-labels")
    app = create_app(
        database_url=f"sqlite:///{folder / 'registry.sqlite'}",
        store_path=folder / "store.duckdb",
        data_dir=write_mirror(folder / "mirror"),
    )
    with session_scope(app.state.sessions) as session:
        saxony = search_organisations(session, text="Silicon Saxony").items[0]
        managed = saxony.id
        organisation = session.get(Organisation, managed)
        assert organisation is not None
        organisation.founding_year, organisation.management_fte = 2000, 12.0
        other = search_organisations(session, text="Cosmetic Valley").items[0].id
        create_user(
            session, email="m@example.org", password=PASSWORD, role="manager",
            organisation_id=managed,
        )  # fmt: skip
        create_user(
            session, email="s@example.org", password=PASSWORD, role="manager",
            organisation_id=other,
        )  # fmt: skip
        admin = create_user(session, email="a@example.org", password=PASSWORD, role="admin")
        reviewer = create_user(session, email="r@example.org", password=PASSWORD)
        grant_reviewer(session, actor=admin, user_id=reviewer.id, scheme="esca-gold")
    with TestClient(app) as client:
        yield {"client": client, "managed": managed, "other": other, "app": app}


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CLUSTERATLAS_HOME", str(tmp_path))
    return tmp_path / "evidence"


def signed_in(site: dict[str, Any], email: str) -> tuple[TestClient, str]:
    """Sign ``email`` in; return the client and the session's CSRF token."""
    return _signed_in(site["client"], email, password=PASSWORD, page="/labels")


def draft(site: dict[str, Any]) -> tuple[TestClient, str, int]:
    """The manager's open ESCA Gold assessment (started through the page when none is)."""
    client, csrf = signed_in(site, "m@example.org")
    started = client.post(
        "/labels/assessments", data={"scheme": "esca-gold", "csrf": csrf}, follow_redirects=False
    )
    if started.status_code == 409:
        found = re.search(r"already has assessment (\d+)", started.text)
        assert found, started.text
        return client, csrf, int(found.group(1))
    assert started.status_code == 303, started.text
    return client, csrf, int(started.headers["location"].rsplit("/", 1)[1])


def stored(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def test_public_page_lists_schemes_with_status_and_no_forms(site: dict[str, Any]) -> None:
    client: TestClient = site["client"]
    client.cookies.clear()
    page = client.get("/labels")
    assert page.status_code == 200
    rows = dict(
        re.findall(r'data-scheme="([^"]+)">.*?status-badge \w+">([A-Z ]+)<', page.text, re.S)
    )
    assert set(rows) == {"esca-bronze", "esca-gold", "poles-phase5"}
    assert rows["esca-gold"] == "UNCONFIRMED" or rows["esca-gold"].startswith("PARTLY")
    assert "Start an assessment" not in page.text
    assert 'scope="col"' in page.text and "<h1>Labels</h1>" in page.text
    assert client.get("/labels/review", follow_redirects=False).status_code == 303


def test_a_training_providers_manager_has_no_scheme_to_start(site: dict[str, Any]) -> None:
    with session_scope(site["app"].state.sessions) as session:
        query = select(Organisation).where(Organisation.kind == "training provider")
        provider = session.scalars(query).first()
        assert provider is not None, "the seed has training providers"
        create_user(
            session, email="tp@example.org", password=PASSWORD, role="manager",
            organisation_id=provider.id,
        )  # fmt: skip
        provider_id = provider.id
    client, csrf = signed_in(site, "tp@example.org")
    page = client.get("/labels")
    assert "Start an assessment" not in page.text
    assert 'id="no-scheme"' in page.text and "for cluster organisations" in page.text
    # Posting the form anyway (an old page, a crafted request) is refused with the reason.
    started = client.post(
        "/labels/assessments", data={"scheme": "esca-gold", "csrf": csrf}, follow_redirects=False
    )
    assert started.status_code == 422
    assert "assesses cluster organisations" in started.text
    assert "is a training provider" in started.text
    with session_scope(site["app"].state.sessions) as session:
        query = select(LabelAssessment).where(LabelAssessment.organisation_id == provider_id)
        assert session.scalars(query).all() == []


def test_manager_starts_answers_and_sees_sources(site: dict[str, Any]) -> None:
    client, csrf, ident = draft(site)
    page = client.get(f"/labels/assessments/{ident}")
    assert page.status_code == 200
    legends = re.findall(r"<legend>([^<]+)", page.text)
    assert len(legends) == 4  # ESCA Gold's four indicator groups
    # G12 (management FTE) and G13 (years active) come from the registry record.
    g12 = re.search(r'id="v-G12"[^>]*value="([^"]*)".*?Pre-filled from: ([^<]+)<', page.text, re.S)
    g13 = re.search(r'id="v-G13"[^>]*value="([^"]*)".*?Pre-filled from: ([^<]+)<', page.text, re.S)
    assert g12 and g12.group(1) == "12" and "management_fte" in g12.group(2)
    assert g13 and int(g13.group(1)) == dt.date.today().year - 2000
    assert "founding_year" in g13.group(2)
    assert len(re.findall(r'<label for="v-G\d\d">', page.text)) == 31
    saved = client.post(
        f"/labels/assessments/{ident}/answers",
        data={"indicator": "G14", "value": "45", "csrf": csrf},
        headers={"HX-Request": "true"},
    )
    assert saved.status_code == 200
    assert 'id="ind-G14"' in saved.text and "Saved" in saved.text
    assert 'value="45"' in saved.text
    result = client.get(f"/labels/assessments/{ident}/result")
    assert result.status_code == 200
    row = re.search(r'data-indicator="G14">(.*?)</tr>', result.text, re.S)
    assert row, "G14 is missing from the thresholds missed"
    cells = re.findall(r"<t[dh][^>]*>([^<]*)</t[dh]>", row.group(1))
    assert cells[3] == "&gt;= 60" or cells[3].replace("&gt;", ">").startswith(">= 60")
    assert float(cells[4]) == 15.0
    assert "<svg" in result.text and 'role="img"' in result.text
    assert f"/api/v1/labels/assessments/{ident}/report" in result.text


def test_wrong_answer_is_refused_with_its_message_escaped(site: dict[str, Any]) -> None:
    client, csrf, ident = draft(site)
    bad = "<script>alert(1)</script>"
    partial = client.post(
        f"/labels/assessments/{ident}/answers",
        data={"indicator": "G14", "value": bad, "csrf": csrf},
        headers={"HX-Request": "true"},
    )
    assert 'role="alert"' in partial.text and "must be a number" in partial.text
    assert bad not in partial.text and "&lt;script&gt;" in partial.text
    full = client.post(
        f"/labels/assessments/{ident}/answers",
        data={"indicator": "G01", "value": "7", "csrf": csrf},
        follow_redirects=False,
    )
    assert full.status_code == 422 and "indicator &#39;G01&#39; must be" in full.text


def test_choosing_no_answer_clears_the_answer(site: dict[str, Any]) -> None:
    client, csrf, ident = draft(site)
    form = {"indicator": "G05", "value": "yes", "csrf": csrf}
    hx = {"HX-Request": "true"}
    saved = client.post(f"/labels/assessments/{ident}/answers", data=form, headers=hx)
    assert re.search(r'<option value="yes" selected>', saved.text), saved.text
    cleared = client.post(
        f"/labels/assessments/{ident}/answers", data={**form, "value": ""}, headers=hx
    )
    assert cleared.status_code == 200 and "Saved" in cleared.text
    assert re.search(r'<option value="" selected>\(no answer\)', cleared.text)
    page = client.get(f"/labels/assessments/{ident}")
    g05 = re.search(r'id="ind-G05".*?</select>', page.text, re.S)
    assert g05 and '<option value="yes" selected>' not in g05.group(0)


def test_forms_without_the_csrf_token_are_refused(site: dict[str, Any]) -> None:
    client, _, ident = draft(site)
    for path, data in (
        ("/labels/assessments", {"scheme": "esca-bronze"}),
        (f"/labels/assessments/{ident}/answers", {"indicator": "G14", "value": "99"}),
        (f"/labels/assessments/{ident}/submit", {}),
        (f"/labels/assessments/{ident}/review", {"decision": "reject", "comment": "x"}),
    ):
        answer = client.post(path, data={**data, "csrf": "forged"}, follow_redirects=False)
        assert answer.status_code == 403, path
    assert 'value="99"' not in client.get(f"/labels/assessments/{ident}").text


def test_another_organisations_draft_is_never_shown(site: dict[str, Any]) -> None:
    _, _, ident = draft(site)
    stranger, csrf = signed_in(site, "s@example.org")
    for path in (f"/labels/assessments/{ident}", f"/labels/assessments/{ident}/result"):
        page = stranger.get(path)
        assert page.status_code == 404 and "Silicon Saxony" not in page.text
    sneaky = stranger.post(
        f"/labels/assessments/{ident}/answers",
        data={"indicator": "G14", "value": "1", "csrf": csrf},
    )
    assert sneaky.status_code == 404
    listed = stranger.get("/labels")
    assert f"/labels/assessments/{ident}" not in listed.text
    # A reviewer does not see a draft either (only submitted ones).
    reviewer, _ = signed_in(site, "r@example.org")
    assert reviewer.get(f"/labels/assessments/{ident}").status_code == 404


def test_unknown_things_are_404_pages_and_visitors_sign_in(site: dict[str, Any]) -> None:
    client, csrf = signed_in(site, "m@example.org")
    unknown = client.post("/labels/assessments", data={"scheme": "esca-platinum", "csrf": csrf})
    assert unknown.status_code == 404 and "esca-platinum" in unknown.text
    for path in ("/labels/assessments/999999", "/labels/assessments/999999/result"):
        page = client.get(path)
        assert page.status_code == 404 and "no assessment 999999" in page.text
    client.cookies.clear()
    visitor = client.get("/labels/assessments/1", follow_redirects=False)
    assert visitor.status_code == 303
    assert visitor.headers["location"] == "/login?next=%2Flabels%2Fassessments%2F1"


def test_reviewer_pages_are_refused_to_managers(site: dict[str, Any]) -> None:
    _, _, ident = draft(site)
    client, _ = signed_in(site, "m@example.org")
    queue = client.get("/labels/review")
    assert queue.status_code == 403 and "reviews no label scheme" in queue.text
    page = client.get(f"/labels/assessments/{ident}/review")
    assert page.status_code == 403 and "Only a reviewer" in page.text
    assert "Request changes" not in page.text


def test_uploads_refused_show_the_services_message(
    site: dict[str, Any], home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, csrf, ident = draft(site)
    url = f"/labels/assessments/{ident}/evidence"
    exe = client.post(
        url,
        data={"indicator": "G14", "csrf": csrf},
        files={"file": ("tool.exe", b"MZ\x90\x00\x03" + bytes(200), "application/pdf")},
    )
    assert exe.status_code == 422 and 'role="alert"' in exe.text
    assert "tool.exe" in exe.text and stored(home) == []
    monkeypatch.setenv("CLUSTERATLAS_EVIDENCE_MAX_BYTES", "40")
    big = client.post(
        url,
        data={"indicator": "G14", "csrf": csrf},
        files={"file": ("staff.pdf", PDF, "application/pdf")},
    )
    assert big.status_code == 413 and "staff.pdf" in big.text and stored(home) == []
    monkeypatch.delenv("CLUSTERATLAS_EVIDENCE_MAX_BYTES")
    good = client.post(
        url,
        data={"indicator": "G14", "csrf": csrf},
        files={"file": ("staff.pdf", PDF, "application/pdf")},
        follow_redirects=False,
    )
    assert good.status_code == 303 and len(stored(home)) == 1
    assert "staff.pdf" in client.get(f"/labels/assessments/{ident}").text


def test_reviewer_requests_changes_and_the_manager_sees_them(site: dict[str, Any]) -> None:
    client, csrf, ident = draft(site)
    client.post(
        f"/labels/assessments/{ident}/answers",
        data={"indicator": "G05", "value": "yes", "csrf": csrf},
    )
    submitted = client.post(
        f"/labels/assessments/{ident}/submit", data={"csrf": csrf}, follow_redirects=False
    )
    assert submitted.headers["location"] == f"/labels/assessments/{ident}/result"
    reviewer, rcsrf = signed_in(site, "r@example.org")
    queue = reviewer.get("/labels/review")
    assert queue.status_code == 200 and f"/labels/assessments/{ident}/review" in queue.text
    page = reviewer.get(f"/labels/assessments/{ident}/review")
    assert page.status_code == 200 and page.text.count("<fieldset") == 5
    decided = reviewer.post(
        f"/labels/assessments/{ident}/review",
        data={
            "csrf": rcsrf,
            "decision": "request_changes",
            "comment": "Please document <G14>.",
            "comment-G14": "Attach the staff list.",
        },
        follow_redirects=False,
    )
    assert decided.status_code == 303, decided.text
    assert f"/labels/assessments/{ident}/review" not in reviewer.get("/labels/review").text
    manager, _ = signed_in(site, "m@example.org")
    back = manager.get(f"/labels/assessments/{ident}")
    assert "changes requested" in back.text and "Attach the staff list." in back.text
    assert "Please document &lt;G14&gt;." in back.text


def _first_of_month(day: dt.date, months_back: int) -> dt.date:
    index = day.year * 12 + day.month - 1 - months_back
    return dt.date(index // 12, index % 12 + 1, 1)


def test_accepting_awards_gold_and_peers_show_from_n(
    site: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both organisations reach Gold; with N = 2 the two-peer group is shown.

    Strategy development (G01-G08, one point each): Silicon Saxony meets all 8 (share 1),
    Cosmetic Valley misses G01 (7/8 = 0.875; its G09 answer keeps it at 25/31 >= 80 %).
    Percentiles by linear interpolation of (0.875, 1): p25 0.90625, p50 0.9375, p75 0.96875.
    Gold is valid 24 months from the award day: from the 1st of a month to the day before
    the 1st of the same month two years later.
    """
    from clusteratlas.registry.services_labels import (
        create_assessment,
        list_assessments,
        save_answers,
        submit_assessment,
    )
    from clusteratlas.registry.services_reviews import review_assessment

    app = site["app"]
    today = dt.date.today()
    with session_scope(app.state.sessions) as session:
        admin = session.scalar(select(User).where(User.email == "a@example.org"))
        for org, answers in (
            (site["managed"], GOLD_PASS),
            (site["other"], {**GOLD_PASS, "G01": 0, "G09": 100}),
        ):
            for old in list_assessments(session, actor=admin, organisation_id=org):
                if old.status in ("draft", "changes_requested", "submitted"):
                    if old.status != "submitted":
                        save_answers(session, actor=admin, assessment_id=old.id, answers=[])
                        submit_assessment(session, actor=admin, assessment_id=old.id)
                    review_assessment(
                        session, actor=admin, assessment_id=old.id, decision="reject",
                        comment="Withdrawn for the next test.",
                    )  # fmt: skip
            item = create_assessment(session, actor=admin, organisation_id=org, scheme="esca-gold")
            rows = [{"indicator": k, "value": v} for k, v in answers.items()]
            save_answers(session, actor=admin, assessment_id=item.id, answers=rows)
            submit_assessment(session, actor=admin, assessment_id=item.id)
            if org == site["other"]:  # awarded 20 months ago: expires within 6 months
                awarded = _first_of_month(today, 20)
                review_assessment(
                    session, actor=admin, assessment_id=item.id, decision="accept",
                    awarded_on=awarded,
                )  # fmt: skip
            else:
                mine = item.id
    reviewer, csrf = signed_in(site, "r@example.org")
    awarded = _first_of_month(today, 0)
    accepted = reviewer.post(
        f"/labels/assessments/{mine}/review",
        data={
            "csrf": csrf,
            "decision": "accept",
            "level": "Gold",
            "awarded_on": awarded.isoformat(),
        },
        follow_redirects=False,
    )
    assert accepted.status_code == 303, accepted.text
    home = reviewer.get("/labels").text
    until = dt.date(awarded.year + 2, awarded.month, 1) - dt.timedelta(days=1)
    current = re.search(r'<table class="data" id="awards">(.*?)</table>', home, re.S)
    assert (
        current and "Silicon Saxony" in current.group(1) and until.isoformat() in current.group(1)
    )
    other_awarded = _first_of_month(today, 20)
    other_until = dt.date(other_awarded.year + 2, other_awarded.month, 1) - dt.timedelta(days=1)
    expiring = re.search(r'id="expiring">(.*?)</table>', home, re.S)
    assert expiring and "Cosmetic Valley" in expiring.group(1)
    assert f'<td class="num">{(other_until - today).days}</td>' in expiring.group(1)
    assert "Silicon Saxony" not in expiring.group(1)

    manager, _ = signed_in(site, "m@example.org")
    monkeypatch.setenv("CLUSTERATLAS_LABELS_MIN_PEERS", "3")
    hidden = manager.get(f"/labels/assessments/{mine}/result").text
    assert 'id="peer-note"' in hidden and 'id="peer-percentiles"' not in hidden
    monkeypatch.setenv("CLUSTERATLAS_LABELS_MIN_PEERS", "2")
    shown = manager.get(f"/labels/assessments/{mine}/result").text
    table = re.search(r'id="peer-percentiles">(.*?)</table>', shown, re.S)
    assert table, "the two-peer group is not shown with N = 2"
    row = re.search(r"<th scope=\"row\">strategy</th>(.*?)</tr>", table.group(1), re.S)
    assert row
    assert re.findall(r'<td class="num">([^<]+)</td>', row.group(1))[:3] == ["0.91", "0.94", "0.97"]
    assert '<strong id="level">Gold</strong>' in shown
    # Silicon Saxony (DE) and Cosmetic Valley (FR): the same-country group has one peer.
    alone = manager.get(f"/labels/assessments/{mine}/result", params={"same": "country"}).text
    assert 'id="same-country" name="same" value="country" checked' in alone
    assert 'id="peer-note"' in alone and 'id="peer-percentiles"' not in alone


def test_profile_lists_awards_with_their_state_today(site: dict[str, Any]) -> None:
    """Three awards of one organisation, their state worked out from the dates.

    ESCA Gold is valid 24 months from the award day (to the day before). Awarded 1 Jan 2020:
    valid until 31 Dec 2021, so expired today. Awarded the 1st of this month: current,
    then ended early today (an end on the day itself makes it ended). ESCA Bronze awarded
    the 1st of this month is valid to the end of that month two years on: current.
    """
    from clusteratlas.registry.services_awards import add_award, end_award

    app = site["app"]
    today = dt.date.today()
    with session_scope(app.state.sessions) as session:
        admin = session.scalar(select(User).where(User.email == "a@example.org"))
        silesia = search_organisations(session, text="Silesian Aviation").items[0].id
        old = add_award(
            session, actor=admin, organisation_id=silesia, scheme="esca-gold", level="Gold",
            awarded_on=dt.date(2020, 1, 1),
        )  # fmt: skip
        bronze = add_award(
            session, actor=admin, organisation_id=silesia, scheme="esca-bronze",
            level="Bronze", awarded_on=_first_of_month(today, 0),
        )  # fmt: skip
        ended = add_award(
            session, actor=admin, organisation_id=silesia, scheme="esca-gold", level="Gold",
            awarded_on=_first_of_month(today, 0),
        )  # fmt: skip
        end_award(session, actor=admin, award_id=ended.id, ended_on=today, reason="<b>Merged</b>")
        ids = {"old": old.id, "bronze": bronze.id, "ended": ended.id}
    client: TestClient = site["client"]
    client.cookies.clear()
    page = client.get(f"/organisations/{silesia}")
    assert page.status_code == 200
    section = re.search(r'<section aria-labelledby="h-awards".*?</section>', page.text, re.S)
    assert section, "the awards section is missing"
    states = dict(re.findall(r'data-award="(\d+)" data-state="(\w+)"', section.group(0)))
    assert states == {
        str(ids["old"]): "expired",
        str(ids["bronze"]): "current",
        str(ids["ended"]): "ended",
    }
    old_row = re.search(rf'data-award="{ids["old"]}".*?</tr>', section.group(0), re.S)
    assert old_row and "2021-12-31" in old_row.group(0)
    assert "&lt;b&gt;Merged&lt;/b&gt;" in section.group(0) and "<b>Merged" not in page.text
    # An organisation without awards (none is given to Minalogic in this module) says so.
    with session_scope(app.state.sessions) as session:
        minalogic = search_organisations(session, text="Minalogic").items[0].id
    bare = client.get(f"/organisations/{minalogic}").text
    assert "No label has been awarded through the label workflow yet" in bare
    assert "data-award=" not in bare


def test_award_state_boundaries() -> None:
    from clusteratlas.registry.models import LabelAward
    from clusteratlas.registry.services_awards import award_state

    award = LabelAward(
        awarded_on=dt.date(2026, 3, 15),
        valid_until=dt.date(2028, 3, 14),
        ended_on=dt.date(2027, 1, 10),
    )
    assert award_state(award, dt.date(2026, 3, 14)) == "future"
    assert award_state(award, dt.date(2026, 3, 15)) == "current"
    assert award_state(award, dt.date(2027, 1, 9)) == "current"
    assert award_state(award, dt.date(2027, 1, 10)) == "ended"
    award.ended_on = None
    assert award_state(award, dt.date(2028, 3, 14)) == "current"
    assert award_state(award, dt.date(2028, 3, 15)) == "expired"
    award.valid_until = None
    assert award_state(award, dt.date(2099, 1, 1)) == "current"
