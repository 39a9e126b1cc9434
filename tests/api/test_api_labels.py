"""The label routes: schemes, the assessment workflow, evidence uploads, reviews, awards.

Dates are worked out by hand from the scheme rules (ESCA Gold: 31 indicators, one point
each, Gold at >= 80 % i.e. 25 points, valid 24 months from the award day).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest
from _api_support import PASSWORD, Users
from fastapi import FastAPI

from clusteratlas.registry import create_token, create_user, session_scope
from conftest import TestClient

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
GOLD_PASS = {
    "G01": 3, "G02": 2, "G03": 2, "G04": 2, "G05": "yes", "G06": "yes", "G07": 2, "G08": 2,
    "G14": 60, "G15": 4, "G16": "yes", "G17": 30, "G18": 3, "G19": 6, "G20": 60, "G21": 5,
    "G22": 4, "G23": 3, "G24": 75, "G25": 8, "G26": 3, "G27": "yes", "G28": 15, "G29": 6,
    "G30": "yes",
}  # fmt: skip
BASE = "/api/v1/labels"


@pytest.fixture(scope="module")
def extra(app: FastAPI, users: Users) -> dict[str, str | int]:
    """A manager of the other organisation and a user who will review ESCA Gold."""
    with session_scope(app.state.sessions) as session:
        stranger = create_user(
            session,
            email="stranger@example.org",
            password=PASSWORD,
            role="manager",
            organisation_id=users.other_id,
        )
        reviewer = create_user(session, email="reviewer@example.org", password=PASSWORD)
        tokens = [create_token(session, user=u)[1] for u in (stranger, reviewer)]
        return {"stranger": tokens[0], "reviewer": tokens[1], "reviewer_id": reviewer.id}


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CLUSTERATLAS_HOME", str(tmp_path))
    return tmp_path / "evidence"


def _stored(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def _draft(client: TestClient, users: Users) -> int:
    """A fresh draft of the managed organisation (any earlier open one is rejected first)."""
    body = {"organisation_id": users.managed_id, "scheme": "esca-gold"}
    answer = client.post(f"{BASE}/assessments", json=body, headers=Users.auth(users.manager))
    if answer.status_code == 409:  # an earlier test left one open: withdraw it via review
        listed = client.get(
            f"{BASE}/assessments",
            params={"organisation_id": users.managed_id},
            headers=Users.auth(users.admin),
        ).json()
        for item in listed:
            if item["status"] in ("draft", "changes_requested"):
                client.patch(
                    f"{BASE}/assessments/{item['id']}/answers",
                    json={"answers": [{"indicator": "G01", "value": 0}]},
                    headers=Users.auth(users.manager),
                )
                client.post(
                    f"{BASE}/assessments/{item['id']}/submit", headers=Users.auth(users.manager)
                )
            if item["status"] in ("draft", "changes_requested", "submitted"):
                client.post(
                    f"{BASE}/assessments/{item['id']}/reviews",
                    json={"decision": "reject", "comment": "Withdrawn for the next test."},
                    headers=Users.auth(users.admin),
                )
        answer = client.post(f"{BASE}/assessments", json=body, headers=Users.auth(users.manager))
    assert answer.status_code == 201, answer.text
    return int(answer.json()["id"])


def test_schemes(client: TestClient) -> None:
    listed = {s["id"]: s for s in client.get(f"{BASE}/schemes").json()}
    assert listed["esca-gold"]["indicators"] == 31 and listed["esca-gold"]["levels"] == ["Gold"]
    assert listed["esca-bronze"]["indicators"] == 36
    gold = client.get(f"{BASE}/schemes/esca-gold").json()
    assert [g["id"] for g in gold["groups"]] == [
        "strategy", "management", "services", "public_relations",
    ]  # fmt: skip
    missing = client.get(f"{BASE}/schemes/esca-platinum")
    assert missing.status_code == 404 and "esca-platinum" in missing.json()["detail"]


def test_workflow_through_the_api(
    client: TestClient, users: Users, extra: dict[str, str | int]
) -> None:
    admin, manager = Users.auth(users.admin), Users.auth(users.manager)
    reviewer = Users.auth(str(extra["reviewer"]))
    body = {"organisation_id": users.managed_id, "scheme": "esca-gold"}
    assert client.post(f"{BASE}/assessments", json=body).status_code == 401
    assert (
        client.post(f"{BASE}/assessments", json=body, headers=Users.auth(users.public)).status_code
        == 403
    )
    ident = _draft(client, users)
    url = f"{BASE}/assessments/{ident}"

    wrong = client.patch(
        f"{url}/answers", json={"answers": [{"indicator": "G01", "value": 7}]}, headers=manager
    )
    assert wrong.status_code == 422 and "'G01'" in wrong.json()["detail"]
    unknown = client.patch(
        f"{url}/answers", json={"answers": [{"indicator": "G99", "value": 1}]}, headers=manager
    )
    assert unknown.status_code == 422 and "G99" in unknown.json()["detail"]
    first = [{"indicator": k, "value": v} for k, v in list(GOLD_PASS.items())[:24]]
    saved = client.patch(f"{url}/answers", json={"answers": first}, headers=manager)
    assert saved.status_code == 200 and len(saved.json()["answers"]) == 24
    assert client.post(f"{url}/submit", headers=manager).json()["status"] == "submitted"

    # Not a reviewer yet; the administrator grants ESCA Gold.
    early = client.post(
        f"{url}/reviews", json={"decision": "reject", "comment": "x"}, headers=reviewer
    )
    assert early.status_code in (403, 404)
    grant = {"user_id": extra["reviewer_id"], "scheme": "esca-gold"}
    assert client.post(f"{BASE}/reviewers", json=grant, headers=manager).status_code == 403
    assert client.post(f"{BASE}/reviewers", json=grant, headers=admin).status_code == 201
    queue = client.get(f"{BASE}/assessments", params={"status": "submitted"}, headers=reviewer)
    assert ident in [a["id"] for a in queue.json()]

    # 24 of 31 points = 77.4 %: Gold is not reached, so it cannot be accepted.
    refused = client.post(f"{url}/reviews", json={"decision": "accept"}, headers=reviewer)
    assert refused.status_code == 422 and "no level" in refused.json()["detail"]
    back = client.post(
        f"{url}/reviews",
        json={"decision": "request_changes", "indicator_comments": {"G30": "Show the plan."}},
        headers=reviewer,
    )
    assert back.status_code == 201 and back.json()["status"] == "changes_requested"
    client.patch(
        f"{url}/answers", json={"answers": [{"indicator": "G30", "value": "yes"}]}, headers=manager
    )
    assert client.post(f"{url}/submit", headers=manager).status_code == 200
    done = client.post(
        f"{url}/reviews",
        json={"decision": "accept", "awarded_on": "2026-03-15", "comment": "Checked."},
        headers=reviewer,
    )
    assert done.status_code == 201, done.text
    award = done.json()["award"]
    # 25/31 >= 80 %: Gold from 15 Mar 2026 for 24 months, to 14 Mar 2028.
    assert (award["level"], award["valid_until"]) == ("Gold", "2028-03-14")
    assert award["score_share"] == pytest.approx(25 / 31)

    public = client.get(f"{BASE}/awards", params={"organisation_id": users.managed_id}).json()
    assert award["id"] in [a["id"] for a in public]
    result = client.get(f"{url}/result", headers=manager).json()
    assert result["level"] == "Gold"
    page = client.get(f"{url}/report", headers=manager)
    assert page.status_code == 200 and "Managed Cluster" in page.text and "<svg" in page.text
    assert "script-src" not in page.headers["content-security-policy"]

    end = {"ended_on": "2027-01-31", "reason": "The cluster organisation merged."}
    assert (
        client.post(f"{BASE}/awards/{award['id']}/end", json=end, headers=manager).status_code
        == 403
    )
    ended = client.post(f"{BASE}/awards/{award['id']}/end", json=end, headers=admin)
    assert ended.status_code == 200 and ended.json()["ended_on"] == "2027-01-31"
    again = client.post(f"{BASE}/awards/{award['id']}/end", json=end, headers=admin)
    assert again.status_code == 409


def test_uploads_are_checked_and_nothing_is_stored_on_refusal(
    client: TestClient, users: Users, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    manager = Users.auth(users.manager)
    url = f"{BASE}/assessments/{_draft(client, users)}/evidence"

    def send(name: str, data: bytes, indicator: str = "G01"):  # type: ignore[no-untyped-def]
        files = {"file": (name, data, "application/octet-stream")}
        return client.post(url, data={"indicator": indicator}, files=files, headers=manager)

    monkeypatch.setenv("CLUSTERATLAS_EVIDENCE_MAX_BYTES", "1000")
    big = send("annual-report.pdf", PDF + b"%" * 1000)
    assert big.status_code == 413
    assert "'annual-report.pdf'" in big.json()["detail"] and "1000 bytes" in big.json()["detail"]
    monkeypatch.delenv("CLUSTERATLAS_EVIDENCE_MAX_BYTES")
    exe = send("strategy.pdf", b"MZ\x90\x00" + b"\x00" * 200)
    assert exe.status_code == 415 and "strategy.pdf" in exe.json()["detail"]
    misnamed = send("chart.png", PDF)
    assert misnamed.status_code == 415
    assert "application/pdf" in misnamed.json()["detail"] and ".png" in misnamed.json()["detail"]
    assert send("x.pdf", PDF, indicator="G99").status_code == 422
    assert _stored(home) == []

    stored = send("strategy.pdf", PDF)
    assert stored.status_code == 201, stored.text
    item = stored.json()
    assert (item["media_type"], item["size"]) == ("application/pdf", len(PDF))
    assert item["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert _stored(home) == [home / item["sha256"][:2] / item["sha256"]]
    text = send("notes.txt", "Strategy workshop, 12 March – minutes.\n".encode())
    assert text.status_code == 201 and text.json()["media_type"] == "text/plain"

    download = client.get(item["download"], headers=manager)
    assert download.status_code == 200 and download.content == PDF
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["content-disposition"].startswith("attachment")


def test_another_organisation_cannot_read_or_write(
    client: TestClient, users: Users, extra: dict[str, str | int]
) -> None:
    manager, stranger = Users.auth(users.manager), Users.auth(str(extra["stranger"]))
    ident = _draft(client, users)
    url = f"{BASE}/assessments/{ident}"
    files = {"file": ("strategy.pdf", PDF, "application/pdf")}
    item = client.post(
        f"{url}/evidence", data={"indicator": "G01"}, files=files, headers=manager
    ).json()
    for who in (stranger, Users.auth(users.public), {}):
        assert client.get(url, headers=who).status_code == 404
        assert client.get(f"{BASE}/evidence/{item['id']}", headers=who).status_code == 404
        assert client.get(item["download"], headers=who).status_code == 404
        assert client.get(f"{url}/report", headers=who).status_code == 404
    listed = client.get(f"{BASE}/assessments", headers=stranger).json()
    assert ident not in [a["id"] for a in listed]
    write = {"answers": [{"indicator": "G01", "value": 3}]}
    assert client.patch(f"{url}/answers", json=write, headers=stranger).status_code == 404
    assert client.post(f"{url}/submit", headers=stranger).status_code == 404
    assert (
        client.post(
            f"{url}/evidence", data={"indicator": "G01"}, files=files, headers=stranger
        ).status_code
        == 404
    )
    assert client.delete(f"{url}/answers/G01", headers=stranger).status_code == 404
    assert client.delete(f"{url}/answers/G01").status_code == 401
    theirs = {"organisation_id": users.managed_id, "scheme": "esca-bronze"}
    assert client.post(f"{BASE}/assessments", json=theirs, headers=stranger).status_code == 403
    assert client.get(url, headers=manager).status_code == 200


def test_an_answer_is_cleared(client: TestClient, users: Users) -> None:
    manager = Users.auth(users.manager)
    ident = _draft(client, users)
    url = f"{BASE}/assessments/{ident}"
    write = {"answers": [{"indicator": "G01", "value": 3}, {"indicator": "G14", "value": 60}]}
    assert client.patch(f"{url}/answers", json=write, headers=manager).status_code == 200
    cleared = client.delete(f"{url}/answers/G01", headers=manager)
    assert cleared.status_code == 200, cleared.text
    left = {a["indicator"] for a in cleared.json()["answers"]}
    assert "G01" not in left and "G14" in left
    # Clearing again is harmless; an indicator the scheme lacks is a 422 naming it.
    assert client.delete(f"{url}/answers/G01", headers=manager).status_code == 200
    unknown = client.delete(f"{url}/answers/G99", headers=manager)
    assert unknown.status_code == 422 and "'G99'" in unknown.json()["detail"]


def test_benchmark_is_suppressed_below_n_peers(client: TestClient, users: Users) -> None:
    assert client.get(f"{BASE}/benchmark", params={"scheme": "esca-gold"}).status_code == 401
    answer = client.get(
        f"{BASE}/benchmark", params={"scheme": "esca-gold"}, headers=Users.auth(users.manager)
    )
    body = answer.json()
    assert answer.status_code == 200 and body["min_peers"] == 5
    # At most one accepted assessment exists in this module: far below 5 peers.
    assert body["shown"] is False and body["n"] is None and body["percentiles"] is None


def test_awards_recorded_and_expiring(client: TestClient, users: Users) -> None:
    admin = Users.auth(users.admin)
    body = {
        "organisation_id": users.other_id,
        "scheme": "esca-bronze",
        "level": "Bronze",
        "awarded_on": "2025-01-20",
    }
    assert (
        client.post(f"{BASE}/awards", json=body, headers=Users.auth(users.manager)).status_code
        == 403
    )
    made = client.post(f"{BASE}/awards", json=body, headers=admin)
    # Bronze, interview 20 Jan 2025: valid to the end of January 2027.
    assert made.status_code == 201 and made.json()["valid_until"] == "2027-01-31"
    bad = client.post(f"{BASE}/awards", json={**body, "level": "Platinum"}, headers=admin)
    assert bad.status_code == 422 and "Platinum" in bad.json()["detail"]
    # An award made today is current and ends within 25 months (24 + the rest of the month).
    today = dt.date.today().isoformat()
    fresh = client.post(f"{BASE}/awards", json={**body, "awarded_on": today}, headers=admin).json()
    soon = client.get(f"{BASE}/awards/expiring", params={"within_months": 25}).json()
    assert fresh["id"] in [a["id"] for a in soon]
    assert fresh["id"] not in [a["id"] for a in client.get(f"{BASE}/awards/expiring").json()]


def test_deleting_evidence_and_drafts_removes_unused_files(
    client: TestClient, users: Users, home: Path, extra: dict[str, str | int]
) -> None:
    manager, stranger = Users.auth(users.manager), Users.auth(str(extra["stranger"]))
    ident = _draft(client, users)
    url = f"{BASE}/assessments/{ident}"

    own = PDF + b"% only in this test\n"  # other tests' records share PDF's file

    def send(indicator: str) -> dict[str, object]:
        files = {"file": ("strategy.pdf", own, "application/pdf")}
        answer = client.post(
            f"{url}/evidence", data={"indicator": indicator}, files=files, headers=manager
        )
        assert answer.status_code == 201
        return dict(answer.json())

    one, two = send("G01"), send("G02")  # the same content twice: stored once
    assert len(_stored(home)) == 1
    assert client.delete(f"{BASE}/evidence/{one['id']}", headers=stranger).status_code == 404
    assert client.delete(f"{BASE}/evidence/{one['id']}", headers=manager).status_code == 204
    assert len(_stored(home)) == 1  # still used by the second record
    assert client.get(f"{BASE}/evidence/{one['id']}", headers=manager).status_code == 404
    assert client.delete(url, headers=stranger).status_code == 404
    assert client.delete(url, headers=manager).status_code == 204
    assert _stored(home) == []
    assert client.get(f"{BASE}/evidence/{two['id']}", headers=manager).status_code == 404

    kept = _draft(client, users)
    answer = {"answers": [{"indicator": "G01", "value": 1}]}
    client.patch(f"{BASE}/assessments/{kept}/answers", json=answer, headers=manager)
    assert client.post(f"{BASE}/assessments/{kept}/submit", headers=manager).status_code == 200
    assert client.delete(f"{BASE}/assessments/{kept}", headers=manager).status_code == 409
