"""Summarise a mutmut run per module: killed, survived, untested, and the kill rate.

Reads the results mutmut 3 leaves next to each mutated copy (``mutants/**/*.py.meta``) and
the list of mutants judged equivalent (``benchmarks/mutation_equivalent.toml``: each with the
reason it cannot change any result), then writes a Markdown report:

* per module: mutants, killed (a test failed, or the mutant timed out / was caught by the
  type checker), survived (every test passed), no tests (no unit or integration test runs
  the mutated function), equivalent, and the kill rate
  ``killed / (mutants - equivalent - not checked)``;
* every surviving or untested mutant that is not marked equivalent, by name, so that each
  gets a test or a written reason.

With ``--recheck`` (the output of ``scripts/mutation_recheck.py``), a mutant mutmut left
surviving or has not run yet counts as killed when the re-check killed it (pytest exit
code 1) and as survived otherwise; the table says how many kills came from the re-check.
With ``--supersede`` (also a re-check, made after a module or its tests changed, so that
the earlier re-checks of the mutants it names no longer hold), its results replace those
of every ``--recheck`` file for the mutants it names (killed when any ``--supersede``
file killed it).

    python scripts/mutation_report.py [--mutants mutants] [--output benchmarks/mutation_report.md]

Exits 1 when a module named on the command line with ``--floor MODULE=RATE`` is below its
rate (``make mutation`` passes the issue's 90 %).

With ``--previous`` (``benchmarks/mutation_previous.json``: per module, the mutants an earlier
run left surviving and the name prefixes it did not run), a mutant this ``mutants/`` has no
result for takes the earlier run's: surviving if listed, not checked if its name starts with
a listed prefix, killed otherwise (its own column). ``--notes`` inserts a Markdown file (the
method of the run) after the title.
"""

from __future__ import annotations

import argparse
import json
import sys
import tomllib
from collections import Counter, defaultdict
from pathlib import Path

KILLED = {1: "killed", 3: "killed", 36: "killed", 24: "killed", -24: "killed", 152: "killed"}
KILLED |= {255: "killed", 37: "killed"}  # timeouts and type-check catches detect the mutant
STATUS = {0: "survived", 5: "no tests", 33: "no tests", 34: "skipped", None: "not checked"}


def status(code: int | None) -> str:
    """Return the report's status of a mutmut exit code (anything else: ``suspicious``)."""
    if code in KILLED:
        return "killed"
    return STATUS.get(code, "suspicious")


def module_of(meta: Path, root: Path) -> str:
    """``src/clusteratlas/x/y.py`` for ``mutants/src/clusteratlas/x/y.py.meta``."""
    return str(meta.relative_to(root)).removesuffix(".meta")


def collect(root: Path) -> dict[str, dict[str, str]]:
    """Status of every mutant, by module."""
    found: dict[str, dict[str, str]] = {}
    for meta in sorted(root.rglob("*.py.meta")):
        codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
        found[module_of(meta, root)] = {name: status(code) for name, code in codes.items()}
    return found


def load_equivalent(path: Path) -> dict[str, str]:
    """Mutant name -> reason, from ``[[equivalent]] name = … reason = …`` tables."""
    if not path.exists():
        return {}
    with path.open("rb") as handle:
        rows = tomllib.load(handle).get("equivalent", [])
    return {str(row["name"]): str(row["reason"]) for row in rows}


def load_recheck(path: Path | None) -> dict[str, int]:
    """Mutant name -> pytest exit code of its re-check (``scripts/mutation_recheck.py``)."""
    if path is None or not path.exists():
        return {}
    rows = json.loads(path.read_text(encoding="utf-8"))
    return {str(name): int(row["exit_code"]) for name, row in rows.items()}


def load_previous(path: Path | None) -> dict[str, dict[str, list[str]]]:
    """Return the earlier run: module -> ``{"survived": [...], "not_run": [prefixes]}``."""
    if path is None or not path.exists():
        return {}
    return dict(json.loads(path.read_text(encoding="utf-8"))["modules"])


def earlier(name: str, state: str, previous: dict[str, list[str]] | None) -> tuple[str, bool]:
    """Return the status of a mutant this run has not checked, from an earlier run if any.

    Returns the status and whether it is a kill of the earlier run.
    """
    if state != "not checked" or previous is None:
        return state, False
    if any(name.startswith(prefix) for prefix in previous.get("not_run", [])):
        return state, False
    if name in previous.get("survived", []):
        return "survived", False
    return "killed", True


def report(
    found: dict[str, dict[str, str]],
    equivalent: dict[str, str],
    recheck: dict[str, int] | None = None,
    previous: dict[str, dict[str, list[str]]] | None = None,
    notes: str = "",
) -> tuple[str, dict]:
    """Return the Markdown report and the kill rate of each module."""
    recheck = recheck or {}
    previous = previous or {}
    lines = [
        "# Mutation testing report",
        "",
        "mutmut 3 over the modules of `[tool.mutmut] only_mutate` (pyproject.toml), killed by",
        "`tests/unit` without the data mirror (`--without-data`; browser, Spark, PostgreSQL",
        "and e2e tests left out). Regenerate with `make mutation`.",
        "",
        *([notes.rstrip(), ""] if notes else []),
        "| module | mutants | killed | of which on re-check | of which in an earlier run "
        "| survived | no tests | equivalent | not checked | kill rate |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    rates: dict[str, float] = {}
    open_mutants: dict[str, list[str]] = defaultdict(list)
    for module, statuses in found.items():
        counts: Counter[str] = Counter()
        for name, state in statuses.items():
            state, before = earlier(name, state, previous.get(module))
            counts["earlier"] += before
            if state in ("survived", "not checked") and name in recheck:
                state = "killed" if recheck[name] == 1 else "survived"
                counts["rechecked"] += state == "killed"
            if name in equivalent and state != "killed":
                counts["equivalent"] += 1
                continue
            counts[state] += 1
            if state in ("survived", "no tests", "suspicious", "skipped"):
                open_mutants[module].append(f"{name} ({state})")
        judged = len(statuses) - counts["equivalent"] - counts["not checked"]
        rate = counts["killed"] / judged if judged else float("nan")
        rates[module] = rate
        lines.append(
            f"| `{module}` | {len(statuses)} | {counts['killed']} | {counts['rechecked']} "
            f"| {counts['earlier']} | {counts['survived']} "
            f"| {counts['no tests']} | {counts['equivalent']} | {counts['not checked']} "
            f"| {f'{rate:.1%}' if judged else 'not run'} |"
        )
    lines += ["", "## Mutants not killed and not marked equivalent", ""]
    for module, names in open_mutants.items():
        lines.append(f"### `{module}` ({len(names)})")
        lines.append("")
        lines += [f"- `{name}`" for name in names]
        lines.append("")
    if equivalent:
        lines += ["## Equivalent mutants (benchmarks/mutation_equivalent.toml)", ""]
        lines += [f"- `{name}`: {reason}" for name, reason in sorted(equivalent.items())]
    return "\n".join(lines) + "\n", rates


def main(argv: list[str] | None = None) -> int:
    """Write the report; return 1 when a module is below ``--floor``, 2 without results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mutants", type=Path, default=Path("mutants"))
    parser.add_argument(
        "--equivalent", type=Path, default=Path("benchmarks/mutation_equivalent.toml")
    )
    parser.add_argument("--output", type=Path, default=Path("benchmarks/mutation_report.md"))
    parser.add_argument(
        "--recheck",
        type=Path,
        action="append",
        default=[],
        help="scripts/mutation_recheck.py output (JSON); may be given more than once",
    )
    parser.add_argument(
        "--supersede",
        type=Path,
        action="append",
        default=[],
        help="a re-check (JSON) whose results replace the --recheck ones for its mutants",
    )
    parser.add_argument("--previous", type=Path, default=None, help="an earlier run (JSON)")
    parser.add_argument("--notes", type=Path, default=None, help="Markdown put after the title")
    parser.add_argument("--floor", type=float, default=None, help="minimum kill rate (0-1)")
    args = parser.parse_args(argv)
    if not args.mutants.is_dir():
        print(f"error: {args.mutants} does not exist; run `mutmut run` first", file=sys.stderr)
        return 2
    found = collect(args.mutants)
    if not found:
        print(f"error: no mutmut results (*.py.meta) under {args.mutants}", file=sys.stderr)
        return 2
    recheck: dict[str, int] = {}
    for path in args.recheck:  # killed when any re-check killed it
        for name, code in load_recheck(path).items():
            if recheck.get(name) != 1:
                recheck[name] = code
    newer: dict[str, int] = {}
    for path in args.supersede:  # replaces the re-checks above; killed when any killed it
        for name, code in load_recheck(path).items():
            if newer.get(name) != 1:
                newer[name] = code
    recheck |= newer
    notes = args.notes.read_text(encoding="utf-8") if args.notes else ""
    text, rates = report(
        found, load_equivalent(args.equivalent), recheck, load_previous(args.previous), notes
    )
    args.output.write_text(text, encoding="utf-8")
    print(text.split("\n## ")[0])
    low = {m: r for m, r in rates.items() if args.floor is not None and not r >= args.floor}
    for module, rate in low.items():
        print(f"below the floor {args.floor:.0%}: {module} {rate:.1%}", file=sys.stderr)
    return 1 if low else 0


if __name__ == "__main__":
    raise SystemExit(main())
