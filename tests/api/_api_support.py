"""Helpers of the API tests: test users and the database URL (imported by the tests)."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit"))
from _registry_support import _reset_postgres, write_mirror

__all__ = ["PASSWORD", "Users", "database_url", "write_mirror"]
PASSWORD = "correct horse battery"


@dataclass(frozen=True)
class Users:
    """Tokens of the test users and the organisation the manager manages."""

    admin: str
    manager: str
    public: str
    managed_id: int
    other_id: int

    @staticmethod
    def auth(token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}


def database_url(folder: Path) -> str:
    """``DATABASE_URL`` emptied, or a fresh SQLite file in ``folder``."""
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{folder / 'registry.sqlite'}"
    if url.startswith("postgresql"):
        _reset_postgres(url)
    return url
