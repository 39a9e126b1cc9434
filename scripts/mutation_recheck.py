r"""Re-check surviving mutants against chosen test files, without a full ``mutmut run``.

A full run re-runs every test that reaches a mutated function, collection included, for
each mutant: about a minute per mutant on a shared two-core machine. After new tests are
written for the survivors, this runs only those test files against each survivor, in one
process, with mutmut's own switch (``MUTANT_UNDER_TEST``, read by the trampolines of the
mutated copy at every call), and records pytest's exit code per mutant (1: a test failed,
the mutant is killed; 0: it survived). ``scripts/mutation_report.py --recheck`` reads the
result and reports these kills apart from mutmut's own.

    cd mutants && env -u CLUSTERATLAS_DATA PYTHONPATH=$PWD/src python \
        ../scripts/mutation_recheck.py --output mutation_recheck.json \
        clusteratlas.detect.indices=tests/unit/test_indices_tables.py ...

Run it inside ``mutants/`` (a copy of the tree made by ``mutmut run``), after copying the
new test files into ``mutants/tests/unit``. Only mutants mutmut marked as survived and that
``benchmarks/mutation_equivalent.toml`` does not list are re-checked, unless ``--all``;
``--unchecked`` checks the mutants mutmut has not run yet instead (with the given test
files only: a mutant that survives them may still be killed by a test left out);
``--only FILE`` checks the mutants named in FILE (one a line) whatever their state, e.g. the
survivors of an earlier re-check against a wider set of test files (with a new ``--output``).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import sys
import time
import tomllib
from pathlib import Path

import pytest

MARKERS = "not browser and not spark and not postgres and not e2e"


def survivors(
    root: Path, equivalent: set[str], *, everything: bool, unchecked: bool = False
) -> list[str]:
    """Names of the surviving mutants under ``root`` (``src/**/*.py.meta``).

    With ``unchecked``, the mutants mutmut has not run yet instead.
    """
    names = []
    for meta in sorted(root.rglob("*.py.meta")):
        codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
        wanted = None if unchecked else 0
        names += [
            n for n, c in codes.items() if c == wanted and (everything or n not in equivalent)
        ]
    return names


def main(argv: list[str] | None = None) -> int:
    """Re-check each survivor of a module named ``MODULE=TESTFILE[,TESTFILE…]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tests", nargs="+", help="module=test files (comma-separated)")
    parser.add_argument("--output", type=Path, default=Path("mutation_recheck.json"))
    parser.add_argument(
        "--equivalent", type=Path, default=Path("../benchmarks/mutation_equivalent.toml")
    )
    parser.add_argument("--all", action="store_true", help="also the equivalent survivors")
    parser.add_argument(
        "--unchecked", action="store_true", help="the mutants mutmut has not run, not survivors"
    )
    parser.add_argument(
        "--only", type=Path, default=None, help="file naming the mutants to check, one a line"
    )
    args = parser.parse_args(argv)
    files = {}
    for spec in args.tests:
        module, _, paths = spec.partition("=")
        files[module] = paths.split(",")
    equivalent: set[str] = set()
    if args.equivalent.exists():
        with args.equivalent.open("rb") as handle:
            equivalent = {row["name"] for row in tomllib.load(handle).get("equivalent", [])}
    results = json.loads(args.output.read_text()) if args.output.exists() else {}
    if args.only is not None:
        chosen = args.only.read_text(encoding="utf-8").split()
    else:
        chosen = survivors(Path("src"), equivalent, everything=args.all, unchecked=args.unchecked)
    for name in chosen:
        module = ".".join(name.split(".")[:3])
        if name in results or module not in files:
            continue
        os.environ["MUTANT_UNDER_TEST"] = name
        start = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()):
            code = pytest.main(
                ["-x", "-q", "-p", "no:cacheprovider", "--without-data", "-m", MARKERS,
                 *files[module]]
            )  # fmt: skip
        results[name] = {"exit_code": int(code), "tests": files[module]}
        print(f"{name} {int(code)} {time.perf_counter() - start:.1f}s", flush=True)
        args.output.write_text(json.dumps(results, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
