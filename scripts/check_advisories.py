"""Check, offline, that the web stack is past the security advisories we know of.

Two checks, both against the table ``ADVISORIES`` below (published advisories and the first
release that fixes each, gathered on 2026-12-01 from the GitHub advisory database and the
projects' release notes; see the comments in pyproject.toml):

1. each package's floor in ``pyproject.toml`` is at or past every fixed version listed, so
   a fresh install cannot pick a vulnerable release;
2. the versions installed in this environment meet those floors.

What this cannot check here: advisories published after the table was written, and any
package not in it. That needs a live vulnerability database (pip-audit, OSV, GitHub), which
cannot be reached from this machine; ``pip-audit`` run offline prints "No known
vulnerabilities found" without having checked anything, so it is not used as evidence.

Usage: ``python scripts/check_advisories.py [path/to/pyproject.toml]``; exit status 1 when a
check fails.
"""

from __future__ import annotations

import sys
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.version import Version

ADVISORIES: dict[str, list[tuple[str, str]]] = {
    "jinja2": [
        ("GHSA-h5c8-rqwp-cp95 (CVE-2024-22195)", "3.1.3"),
        ("GHSA-h75v-3vvj-5mfj (CVE-2024-34064)", "3.1.4"),
        ("GHSA-q2x7-8rv6-6q7h, GHSA-gmj6-6f8f-6699", "3.1.5"),
        ("GHSA-cpwx-vrp4-4pq7 (CVE-2025-27516)", "3.1.6"),
    ],
    "python-multipart": [
        ("GHSA-59g5-xgcq-4qw3 (CVE-2024-53981)", "0.0.18"),
        ("GHSA-wp53-j4wj-2cfg", "0.0.22"),
        ("GHSA-mj87-hwqh-73pj", "0.0.26"),
        ("GHSA-pp6c-gr5w-3c5g (CVE-2026-42561)", "0.0.27"),
        ("GHSA-5rvq-cxj2-64vf, GHSA-6jv3-5f52-599m", "0.0.30"),
        ("GHSA-v9pg-7xvm-68hf", "0.0.31"),
    ],
    "starlette": [
        ("GHSA-f96h-pmfr-66vw (CVE-2024-47874)", "0.40.0"),
        ("GHSA-2c2j-9gv5-cj73 (CVE-2025-54121)", "0.47.2"),
        ("GHSA-7f5h-v6xp-fcq8 (CVE-2025-62727)", "0.49.1"),
        ("GHSA-86qp-5c8j-p5mr (CVE-2026-48710)", "1.0.1"),
        ("GHSA-82w8-qh3p-5jfq", "1.3.1"),
    ],
    "h11": [("GHSA-vqfr-h8mv-ghfj (CVE-2025-43859)", "0.16.0")],
    "uvicorn": [("CVE-2020-7694, CVE-2020-7695", "0.11.7")],
}
"""Package → (advisory, first fixed version)."""

UNKNOWN = (
    "python-multipart: PYSEC-2026-3041 (Content-Disposition parameter smuggling) has no fixed "
    "version we could confirm offline; the installed version is reported, not judged."
)


def floors(pyproject: Path) -> dict[str, Version]:
    """Return the lowest allowed version of each package named in ``pyproject.toml``."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    lines = list(project.get("dependencies", []))
    for extra in project.get("optional-dependencies", {}).values():
        lines.extend(extra)
    found: dict[str, Version] = {}
    for line in lines:
        requirement = Requirement(line)
        name = requirement.name.lower()
        for spec in requirement.specifier:
            if spec.operator in (">=", "==", "~="):
                version = Version(spec.version)
                found[name] = max(found.get(name, version), version)
    return found


def problems(declared: dict[str, Version], installed: dict[str, Version | None]) -> list[str]:
    """Return one line per package whose floor or installed version is below a fix."""
    out = []
    for package, advisories in ADVISORIES.items():
        needed = max(Version(fixed) for _, fixed in advisories)
        listed = ", ".join(a for a, _ in advisories)
        floor = declared.get(package)
        if floor is None or floor < needed:
            out.append(
                f"pyproject.toml: {package} floor {floor or 'missing'} is below {needed} ({listed})."
            )
        have = installed.get(package)
        if have is not None and have < needed:
            out.append(f"installed {package} {have} is below {needed} ({listed}).")
    return out


def installed_versions() -> dict[str, Version | None]:
    """Return the installed version of each package of :data:`ADVISORIES` (None: absent)."""
    versions: dict[str, Version | None] = {}
    for package in ADVISORIES:
        try:
            versions[package] = Version(metadata.version(package))
        except metadata.PackageNotFoundError:
            versions[package] = None
    return versions


def main(argv: list[str]) -> int:
    """Run both checks, print what was and was not checked, return the exit status."""
    pyproject = Path(argv[1]) if len(argv) > 1 else Path(__file__).parents[1] / "pyproject.toml"
    installed = installed_versions()
    found = problems(floors(pyproject), installed)
    count = sum(len(a) for a in ADVISORIES.values())
    print(
        f"Checked offline: {count} published advisories of {len(ADVISORIES)} packages "
        f"({', '.join(ADVISORIES)}) against the floors in {pyproject.name} and the installed "
        "versions:"
    )
    for package, version in installed.items():
        print(f"  {package} {version or 'not installed'}")
    print(f"Reported, not judged: {UNKNOWN}")
    print(
        "Not checked: advisories published after 2026-12-01 and packages outside this list; "
        "that needs a live vulnerability database (pip-audit/OSV), not reachable here."
    )
    for line in found:
        print(f"FAIL: {line}")
    if not found:
        print("Result: every listed advisory is fixed in the floors and in this environment.")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
