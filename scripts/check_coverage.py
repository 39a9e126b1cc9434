"""Check the coverage of ``make test`` against the floors of each package; floors only go up.

Reads coverage.py's JSON report (``pytest --cov --cov-report=json`` writes it where
``[tool.coverage.json] output`` says) and the floors in ``tests/coverage_floors.toml``:

* ``[packages]``: one floor per package (``clusteratlas.measures`` holds every module under
  ``clusteratlas/measures/``, sub-packages included; ``clusteratlas`` the top-level modules);
* ``[modules]``: floors for single modules (paths under ``clusteratlas/``);
* ``[known_gaps]``: packages known to be below their floor, each with the coverage it may
  not fall below (the measured value, rounded down, when the gap was written down). Such a
  package is reported as a known gap, not a failure, as long as it stays at or above that
  value; the floor itself stays where it was (floors only go up), and a package back at its
  floor is told to leave the list.

Coverage is coverage.py's own total: (lines run + branches taken) / (lines + branches).
It exits 1 naming every package or module below its floor (measured vs floor) or measured
without a floor, prints the lowest modules, and hints where a package is more than
``--slack`` points above its floor: raise the floor to the measured value rounded down.
Bad input (a missing or unreadable report or floors file) exits 2 with one line.

Usage: ``python scripts/check_coverage.py [--report PATH] [--floors PATH] [--lowest N]``;
``--suggest`` prints floors (measured, rounded down) for the floors file instead.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "clusteratlas"
DEFAULT_REPORT = ROOT / "build" / "coverage" / "coverage.json"
DEFAULT_FLOORS = ROOT / "tests" / "coverage_floors.toml"


class InputError(ValueError):
    """A report or floors file that cannot be read as expected."""


@dataclass(frozen=True)
class Counts:
    """Lines and branches of a module or package, run or not."""

    statements: int = 0
    covered_lines: int = 0
    branches: int = 0
    covered_branches: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.statements + other.statements,
            self.covered_lines + other.covered_lines,
            self.branches + other.branches,
            self.covered_branches + other.covered_branches,
        )

    @property
    def percent(self) -> float:
        """Coverage.py's total: (lines run + branches taken) / (lines + branches), in %."""
        total = self.statements + self.branches
        return 100.0 if total == 0 else 100.0 * (self.covered_lines + self.covered_branches) / total

    @property
    def missing(self) -> int:
        """Lines not run plus branches not taken."""
        return self.statements - self.covered_lines + self.branches - self.covered_branches


def module_name(path: str) -> str:
    """Return the module path under the package, e.g. ``clusteratlas/cli/map_commands.py``.

    The report names files as measured (``src/clusteratlas/…`` or ``…/site-packages/…``);
    the rightmost ``clusteratlas`` folder anchors the name.
    """
    parts = PurePosixPath(path.replace("\\", "/")).parts
    anchors = [i for i, part in enumerate(parts[:-1]) if part == PACKAGE]
    if not anchors:
        raise InputError(f"The report names {path!r}, which is not a module of {PACKAGE}.")
    return "/".join(parts[anchors[-1] :])


def package_of(module: str) -> str:
    """Return the package a module counts in: ``clusteratlas.<first folder>`` or ``clusteratlas``."""
    parts = module.split("/")
    return PACKAGE if len(parts) == 2 else f"{PACKAGE}.{parts[1]}"


def read_report(path: Path) -> dict[str, Counts]:
    """Read coverage.py's JSON report: module name → counts."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(
            f"No coverage report at {path}: run `pytest --cov --cov-report=json` first."
        ) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise InputError(f"The coverage report {path} is not JSON: {err}.") from err
    files = document.get("files") if isinstance(document, dict) else None
    if not isinstance(files, dict) or not files:
        raise InputError(f"The coverage report {path} has no 'files': is it coverage's JSON?")
    modules: dict[str, Counts] = {}
    for name, entry in files.items():
        summary = entry.get("summary", {}) if isinstance(entry, dict) else {}
        try:
            counts = Counts(
                int(summary["num_statements"]),
                int(summary["covered_lines"]),
                int(summary.get("num_branches", 0)),
                int(summary.get("covered_branches", 0)),
            )
        except (KeyError, TypeError, ValueError) as err:
            raise InputError(
                f"The coverage report {path}: file {name!r} has no line counts ({err})."
            ) from err
        module = module_name(name)
        modules[module] = modules.get(module, Counts()) + counts
    return modules


def read_floors(path: Path) -> tuple[dict[str, float], dict[str, float]]:
    """Read the floors file: (package → floor, module → floor), in %."""
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"No coverage floors file at {path}.") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise InputError(f"The coverage floors file {path} is not TOML: {err}.") from err
    tables = []
    for table in ("packages", "modules"):
        floors = document.get(table, {})
        if not isinstance(floors, dict):
            raise InputError(f"{path}: [{table}] must be a table of name = percent.")
        for name, floor in floors.items():
            if (
                isinstance(floor, bool)
                or not isinstance(floor, int | float)
                or not 0 <= floor <= 100
            ):
                raise InputError(
                    f"{path}: [{table}] {name!r} must be a number in [0, 100]. Got {floor!r}."
                )
        tables.append({str(k): float(v) for k, v in floors.items()})
    if not tables[0]:
        raise InputError(f"{path} has no [packages] floors.")
    return tables[0], tables[1]


def read_gaps(path: Path, packages_floor: dict[str, float]) -> dict[str, float]:
    """Read ``[known_gaps]`` of the floors file: package → the coverage it may not fall below.

    Each entry must name a package with a floor and a number in [0, 100] no higher than that
    floor.
    """
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise InputError(f"The coverage floors file {path} cannot be read: {err}.") from err
    gaps = document.get("known_gaps", {})
    if not isinstance(gaps, dict):
        raise InputError(f"{path}: [known_gaps] must be a table of package = percent.")
    for name, minimum in gaps.items():
        floor = packages_floor.get(str(name))
        if floor is None:
            raise InputError(f"{path}: [known_gaps] {name!r} has no floor in [packages].")
        if (
            isinstance(minimum, bool)
            or not isinstance(minimum, int | float)
            or not 0 <= minimum <= floor
        ):
            raise InputError(
                f"{path}: [known_gaps] {name!r} must be a number in [0, {_fmt(floor)}] "
                f"(its floor). Got {minimum!r}."
            )
    return {str(k): float(v) for k, v in gaps.items()}


@dataclass(frozen=True)
class Outcome:
    """What the check found: the failures, the hints and the lines of the report."""

    failures: list[str]
    hints: list[str]
    lines: list[str]

    @property
    def passed(self) -> bool:
        """True when nothing is below its floor."""
        return not self.failures


def _fmt(floor: float) -> str:
    return f"{floor:g}"


def check(
    modules: dict[str, Counts],
    packages_floor: dict[str, float],
    modules_floor: dict[str, float],
    *,
    lowest: int = 10,
    slack: float = 2.0,
    known_gaps: dict[str, float] | None = None,
) -> Outcome:
    """Compare the measured coverage with the floors.

    A package or module fails when its coverage is below its floor, when it has a floor but
    was not measured, or (packages) when it was measured without a floor. A package more
    than ``slack`` points above its floor gets a hint to raise it. A package of
    ``known_gaps`` below its floor fails only below its listed minimum; otherwise it is
    reported as a known gap (and told to leave the list once back at its floor).
    """
    gaps = known_gaps or {}
    packages: dict[str, Counts] = {}
    for module, counts in modules.items():
        package = package_of(module)
        packages[package] = packages.get(package, Counts()) + counts
    failures: list[str] = []
    hints: list[str] = []
    lines = ["Coverage by package (lines + branches):"]
    for package in sorted(set(packages) | set(packages_floor)):
        counts = packages.get(package)
        floor = packages_floor.get(package)
        if counts is None:
            failures.append(f"{package}: has a floor of {_fmt(floor or 0)} % but was not measured")
            continue
        if floor is None:
            failures.append(
                f"{package}: {counts.percent:.1f} % has no floor: add "
                f'"{package}" = {math.floor(counts.percent)} to [packages]'
            )
            continue
        lines.append(f"  {package:<28} {counts.percent:5.1f} %  (floor {_fmt(floor)} %)")
        minimum = gaps.get(package)
        if counts.percent < floor and minimum is not None and counts.percent >= minimum:
            hints.append(
                f"{package}: {counts.percent:.1f} % is below its floor of {_fmt(floor)} %, a "
                f"known gap ([known_gaps]: it may not fall below {_fmt(minimum)} %)"
            )
        elif counts.percent < floor:
            failures.append(
                f"{package}: {counts.percent:.1f} % is below its floor of {_fmt(floor)} %"
                + ("" if minimum is None else f" and its known-gap minimum of {_fmt(minimum)} %")
            )
        elif minimum is not None:
            hints.append(
                f"{package}: {counts.percent:.1f} % is back at its floor of {_fmt(floor)} %: "
                "remove it from [known_gaps]"
            )
        elif counts.percent > floor + slack:
            hints.append(
                f"{package}: {counts.percent:.1f} % is {counts.percent - floor:.1f} points above "
                f"its floor of {_fmt(floor)} %: raise the floor to {math.floor(counts.percent)} "
                "(floors only go up)"
            )
    for module, floor in sorted(modules_floor.items()):
        measured = modules.get(module)
        if measured is None:
            failures.append(f"{module}: has a floor of {_fmt(floor)} % but was not measured")
        elif measured.percent < floor:
            failures.append(
                f"{module}: {measured.percent:.1f} % is below its floor of {_fmt(floor)} %"
            )
    total = sum(modules.values(), Counts())
    lines.append(f"  {'total':<28} {total.percent:5.1f} %")
    if lowest > 0:
        lines.append(f"The {min(lowest, len(modules))} lowest modules:")
        ranked = sorted(modules.items(), key=lambda item: (item[1].percent, item[0]))
        for module, counts in ranked[:lowest]:
            lines.append(
                f"  {module:<52} {counts.percent:5.1f} %  ({counts.missing} lines/branches not run)"
            )
    return Outcome(failures, hints, lines)


def suggest(modules: dict[str, Counts]) -> list[str]:
    """Floors for the floors file: each package's coverage rounded down."""
    packages: dict[str, Counts] = {}
    for module, counts in modules.items():
        package = package_of(module)
        packages[package] = packages.get(package, Counts()) + counts
    return [
        f'"{package}" = {math.floor(counts.percent)}  # measured {counts.percent:.2f} %'
        for package, counts in sorted(packages.items())
    ]


def main(argv: list[str] | None = None) -> int:
    """Run the check; return the exit status (0 pass, 1 below a floor, 2 bad input)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--report", type=Path, default=DEFAULT_REPORT, help="coverage JSON")
    parser.add_argument("--floors", type=Path, default=DEFAULT_FLOORS, help="floors (TOML)")
    parser.add_argument("--lowest", type=int, default=10, help="lowest modules shown")
    parser.add_argument("--slack", type=float, default=2.0, help="points above a floor to hint")
    parser.add_argument("--suggest", action="store_true", help="print floors for the report")
    args = parser.parse_args(argv)
    try:
        modules = read_report(args.report)
        if args.suggest:
            print("\n".join(suggest(modules)))
            return 0
        packages_floor, modules_floor = read_floors(args.floors)
        known_gaps = read_gaps(args.floors, packages_floor)
    except InputError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    outcome = check(
        modules,
        packages_floor,
        modules_floor,
        lowest=args.lowest,
        slack=args.slack,
        known_gaps=known_gaps,
    )
    print("\n".join(outcome.lines))
    for hint in outcome.hints:
        print(f"hint: {hint}")
    for failure in outcome.failures:
        print(f"FAIL {failure}", file=sys.stderr)
    if outcome.passed:
        print(f"Coverage floors met ({args.floors.name}).")
        return 0
    print(
        f"Coverage below its floor in {len(outcome.failures)} place(s): add tests "
        f"(floors in {args.floors} only go up).",
        file=sys.stderr,
    )
    return 1


if __name__ == "__main__":
    sys.exit(main())
