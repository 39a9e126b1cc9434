"""``clusteratlas users``: accounts, tokens and sessions from the command line (subprocess)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from _cli import assert_one_line_error, run_cli
from sqlalchemy.orm import sessionmaker

from clusteratlas.registry import (
    authenticate,
    authenticate_password,
    create_session,
    find_user,
    make_engine,
)

PASSWORD = "correct horse battery"


def test_users_commands_manage_accounts_tokens_and_sessions(tmp_path: Path) -> None:
    db = tmp_path / "registry.sqlite"
    created = subprocess.run(
        [sys.executable, "-m", "clusteratlas.cli", "users", "create", "Ops@Example.org",
         "--role", "admin", "--password-stdin", "--db", str(db)],
        input=PASSWORD + "\n", capture_output=True, text=True, env=dict(os.environ),
        timeout=300, check=False,
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    assert "ops@example.org (admin)" in created.stdout
    token_run = run_cli("users", "create-token", "ops@example.org", "--scopes", "read", "--db", db)
    assert token_run.returncode == 0, token_run.stderr
    token = token_run.stdout.strip().splitlines()[-1]
    assert token.startswith("ca_") and "scopes: read" in token_run.stdout
    engine = make_engine(f"sqlite:///{db}")
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    with factory.begin() as s:
        user = find_user(s, "ops@example.org")
        assert authenticate_password(s, email="ops@example.org", password=PASSWORD) is user
        found = authenticate(s, token)
        assert found is not None and found.scopes == {"read"}
        _, secret = create_session(s, user=user)
    listed = run_cli("users", "tokens", "ops@example.org", "--db", db)
    assert listed.returncode == 0 and token.split("_")[1] in listed.stdout
    assert token not in listed.stdout  # only the prefix is ever shown
    assert run_cli("users", "revoke-token", "1", "--db", db).returncode == 0
    ended = run_cli("users", "revoke-sessions", "ops@example.org", "--db", db)
    assert ended.returncode == 0 and "Ended 1 session(s)" in ended.stdout
    with factory() as s:
        assert authenticate(s, token) is None and authenticate(s, secret) is None
    assert_one_line_error(
        run_cli("users", "set-role", "ops@example.org", "owner", "--db", db), "role"
    )
    assert_one_line_error(
        run_cli("users", "create-token", "ghost@x.org", "--db", db), "ghost@x.org"
    )
    assert_one_line_error(run_cli("users", "revoke-sessions", "--db", db), "--session")
    engine.dispose()
