"""Names shared by the browser fixtures and tests (a module of its own: ``conftest`` is not
importable by name when several test folders have one)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

PASSWORD = "correct horse battery"
MANAGER = "manager@example.org"
REVIEWER = "reviewer@example.org"  # reviews ESCA Gold (tests/browser/test_labels_pages.py)


@dataclass(frozen=True)
class Site:
    """The running app: its base URL and the organisations of the test manager."""

    url: str
    managed_id: int
    other_id: int


@dataclass
class Watch:
    """What a page tried that it must not: remote requests, page errors, console errors."""

    blocked: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    expected: list[str] = field(default_factory=list)

    def allow_failed_load(self, url_part: str) -> None:
        """Accept the console's "Failed to load resource" for a URL the test asks to fail."""
        self.expected.append(url_part)

    def console(self, message: Any) -> None:
        if message.type != "error":
            return
        where = (message.location or {}).get("url", "")
        if "Failed to load resource" in message.text and any(p in where for p in self.expected):
            return
        self.errors.append(f"console: {message.text} ({where})")
