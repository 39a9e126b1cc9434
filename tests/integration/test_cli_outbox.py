"""``clusteratlas registry outbox``: list, export and mark sent the messages of the outbox."""

from __future__ import annotations

import datetime as dt
import json
import stat
from pathlib import Path

from _cli import assert_one_line_error, run_cli
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from clusteratlas.registry import make_engine, migrate
from clusteratlas.registry.models import AuditEntry, OutboxMail
from clusteratlas.registry.signup import SignupSettings, sign_up

PASSWORD = "correct horse battery"


def _registry(tmp_path: Path) -> Path:
    """A registry whose outbox holds two verification mails and one written by hand."""
    db = tmp_path / "registry.sqlite"
    engine = make_engine(f"sqlite:///{db}")
    migrate(engine=engine)
    settings = SignupSettings(enabled=True, public_url="https://atlas.example.org")
    with sessionmaker(bind=engine).begin() as session:
        for email in ("ann@example.org", "bob@example.org"):
            sign_up(session, email=email, password=PASSWORD, base_url=None, settings=settings)
        session.add(OutboxMail(recipient="cy@example.org", subject="Hello",
                               body="Line one\nLine «two»\n",
                               created_at=dt.datetime(2026, 12, 2, 9, 30, tzinfo=dt.UTC)))  # fmt: skip
    engine.dispose()
    return db


def _waiting(db: Path) -> list[int]:
    engine = make_engine(f"sqlite:///{db}")
    with sessionmaker(bind=engine).begin() as session:
        ids = list(session.scalars(select(OutboxMail.id).order_by(OutboxMail.id)))
    engine.dispose()
    return ids


def test_list_export_and_mark_sent(tmp_path: Path) -> None:
    db = _registry(tmp_path)
    listed = run_cli("registry", "outbox", "--db", db)
    assert listed.returncode == 0, listed.stderr
    assert "3 message(s) waiting" in listed.stdout
    for text in ("ann@example.org", "bob@example.org", "Confirm your e-mail address",
                 "cy@example.org", "Hello", "2026-12-02 09:30:00"):  # fmt: skip
        assert text in listed.stdout, text
    assert "token=" not in listed.stdout  # bodies (with their links) only go to the export

    out = tmp_path / "mail.jsonl"
    exported = run_cli("registry", "outbox", "--export", out, "--db", db)
    assert exported.returncode == 0, exported.stderr
    assert "Wrote 3 messages" in exported.stdout
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["recipient"] for r in records] == ["ann@example.org", "bob@example.org",
                                                 "cy@example.org"]  # fmt: skip
    assert set(records[0]) == {"id", "recipient", "subject", "body", "created"}
    assert "https://atlas.example.org/signup/verify?token=" in records[0]["body"]
    assert records[2]["body"] == "Line one\nLine «two»\n"
    assert records[2]["created"] == "2026-12-02T09:30:00+00:00"
    assert _waiting(db) == [r["id"] for r in records]  # exporting sends nothing

    first, second, third = (r["id"] for r in records)
    marked = run_cli("registry", "outbox", "--mark-sent", str(first), str(third), "--db", db)
    assert marked.returncode == 0, marked.stderr
    assert f"Marked 2 messages sent: {first}, {third}" in marked.stdout
    assert _waiting(db) == [second]
    engine = make_engine(f"sqlite:///{db}")
    with sessionmaker(bind=engine).begin() as session:
        audited = session.scalars(select(AuditEntry).where(AuditEntry.action == "sent")).all()
        assert sorted(a.entity_id for a in audited) == [first, third]
        assert all(a.entity == "mail_outbox" for a in audited)
    engine.dispose()
    again = run_cli("registry", "outbox", "--db", db)
    assert "1 message(s) waiting" in again.stdout and "bob@example.org" in again.stdout


def test_unknown_ids_and_misuse_are_one_line_errors(tmp_path: Path) -> None:
    db = _registry(tmp_path)
    before = _waiting(db)
    unknown = run_cli("registry", "outbox", "--mark-sent", str(before[0]), "998", "999",
                      "--db", db)  # fmt: skip
    assert_one_line_error(unknown, "No message waits in the outbox with id 998, 999",
                          "nothing was marked sent")  # fmt: skip
    assert _waiting(db) == before  # all or nothing
    assert_one_line_error(run_cli("registry", "outbox", "--mark-sent", "x1", "--db", db),
                          "Message id 'x1' is not one")  # fmt: skip
    assert_one_line_error(run_cli("registry", "outbox", "3", "--db", db), "without --mark-sent")
    assert_one_line_error(run_cli("registry", "outbox", "--mark-sent", "--db", db),
                          "--mark-sent needs the ids")  # fmt: skip
    folder = tmp_path / "missing" / "mail.jsonl"
    assert_one_line_error(run_cli("registry", "outbox", "--export", folder, "--db", db),
                          "outbox export", "does not exist")  # fmt: skip
    assert not folder.exists() and _waiting(db) == before


def test_an_empty_outbox_says_so(tmp_path: Path) -> None:
    db = tmp_path / "empty.sqlite"
    listed = run_cli("registry", "outbox", "--db", db)
    assert listed.returncode == 0 and "No message waits in the outbox." in listed.stdout
