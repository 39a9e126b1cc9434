"""The mutation report counts mutmut's results per module as the issue defines the kill rate."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "mutation_report.py"


def _load():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("mutation_report", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["mutation_report"] = module
    spec.loader.exec_module(module)
    return module


def _meta(folder: Path, name: str, codes: dict[str, int | None]) -> None:
    path = folder / "src" / "pkg" / f"{name}.py.meta"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"exit_code_by_key": codes}), encoding="utf-8")


def test_kill_rate_counts_timeouts_as_killed_and_leaves_out_equivalents(tmp_path: Path) -> None:
    report = _load()
    mutants = tmp_path / "mutants"
    # 10 mutants: 6 killed (one by a timeout), 2 survived (one marked equivalent),
    # 1 without tests, 1 never checked.
    codes = {f"pkg.a.x_{i}": 1 for i in range(5)} | {"pkg.a.x_5": 36}
    codes |= {"pkg.a.x_6": 0, "pkg.a.x_7": 0, "pkg.a.x_8": 33, "pkg.a.x_9": None}
    _meta(mutants, "a", codes)
    _meta(mutants, "b", {"pkg.b.y_1": 1})
    equivalent = tmp_path / "equivalent.toml"
    equivalent.write_text(
        '[[equivalent]]\nname = "pkg.a.x_7"\nreason = "the default is never used"\n',
        encoding="utf-8",
    )
    output = tmp_path / "report.md"
    paths = ["--mutants", str(mutants), "--equivalent", str(equivalent), "--output", str(output)]
    code = report.main([*paths, "--floor", "0.9"])
    text = output.read_text(encoding="utf-8")
    # a: 6 killed of 10 - 1 equivalent - 1 not checked = 8 judged: 75 %; b: 100 %.
    assert "| `src/pkg/a.py` | 10 | 6 | 0 | 0 | 1 | 1 | 1 | 1 | 75.0% |" in text
    assert "| `src/pkg/b.py` | 1 | 1 | 0 | 0 | 0 | 0 | 0 | 0 | 100.0% |" in text
    assert "`pkg.a.x_6 (survived)`" in text and "`pkg.a.x_8 (no tests)`" in text
    assert "pkg.a.x_7 (survived)" not in text and "the default is never used" in text
    assert code == 1  # module a is below the 90 % floor


def test_a_missing_results_folder_is_named(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    report = _load()
    assert report.main(["--mutants", str(tmp_path / "none")]) == 2
    assert "none does not exist" in capsys.readouterr().err


def test_survivors_killed_on_re_check_count_as_killed_and_are_shown(tmp_path: Path) -> None:
    report = _load()
    mutants = tmp_path / "mutants"
    # 6 mutants: 1 killed by mutmut, 3 survived, 2 not run. The re-check kills x_1 (exit
    # code 1), x_2 survives it (0), x_3 was not re-checked; of the two not run, x_4 is
    # killed and x_5 survives: 3 killed of 6, 2 of them on re-check, 3 survived.
    codes = {"pkg.a.x_0": 1, "pkg.a.x_1": 0, "pkg.a.x_2": 0, "pkg.a.x_3": 0}
    _meta(mutants, "a", codes | {"pkg.a.x_4": None, "pkg.a.x_5": None})
    recheck = tmp_path / "recheck.json"
    rows = {f"pkg.a.x_{i}": {"exit_code": 1, "tests": ["t.py"]} for i in (1, 4)}
    rows |= {f"pkg.a.x_{i}": {"exit_code": 0, "tests": ["t.py"]} for i in (2, 5)}
    recheck.write_text(json.dumps(rows), encoding="utf-8")
    output = tmp_path / "report.md"
    args = ["--mutants", str(mutants), "--recheck", str(recheck), "--output", str(output)]
    assert report.main([*args, "--equivalent", str(tmp_path / "none.toml")]) == 0
    text = output.read_text(encoding="utf-8")
    assert "| `src/pkg/a.py` | 6 | 3 | 2 | 0 | 3 | 0 | 0 | 0 | 50.0% |" in text
    assert "pkg.a.x_1" not in text and "pkg.a.x_4" not in text
    assert "`pkg.a.x_2 (survived)`" in text and "`pkg.a.x_3 (survived)`" in text
    assert "`pkg.a.x_5 (survived)`" in text


def test_an_earlier_run_fills_in_what_this_run_did_not_check(tmp_path: Path) -> None:
    report = _load()
    mutants = tmp_path / "mutants"
    # 6 mutants none of which this run checked. The earlier run left x_1 and x_2 surviving
    # and never ran the new function y: x_0 and x_3 count as killed by it. Two re-checks:
    # the first kills x_1, the second (which leaves x_1 surviving) kills nothing: x_1 stays
    # killed. x_2 is equivalent. Judged: 6 - 1 equivalent - 2 not checked = 3, all killed.
    names = ["pkg.a.x_0", "pkg.a.x_1", "pkg.a.x_2", "pkg.a.x_3", "pkg.a.y_1", "pkg.a.y_2"]
    _meta(mutants, "a", dict.fromkeys(names))
    _meta(mutants, "c", {"pkg.c.z_1": None})  # a module nobody checked yet
    previous = tmp_path / "previous.json"
    entry = {"survived": ["pkg.a.x_1", "pkg.a.x_2"], "not_run": ["pkg.a.y_"]}
    previous.write_text(json.dumps({"modules": {"src/pkg/a.py": entry}}), encoding="utf-8")
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    first.write_text(json.dumps({"pkg.a.x_1": {"exit_code": 1}}), encoding="utf-8")
    second.write_text(json.dumps({"pkg.a.x_1": {"exit_code": 0}}), encoding="utf-8")
    equivalent = tmp_path / "equivalent.toml"
    equivalent.write_text('[[equivalent]]\nname = "pkg.a.x_2"\nreason = "r"\n', encoding="utf-8")
    notes = tmp_path / "notes.md"
    notes.write_text("## Method\n\nRun on a loaded machine.\n", encoding="utf-8")
    output = tmp_path / "report.md"
    args = ["--mutants", str(mutants), "--output", str(output), "--equivalent", str(equivalent)]
    args += ["--previous", str(previous), "--notes", str(notes)]
    assert report.main([*args, "--recheck", str(first), "--recheck", str(second)]) == 0
    text = output.read_text(encoding="utf-8")
    assert "| `src/pkg/a.py` | 6 | 3 | 1 | 2 | 0 | 0 | 1 | 2 | 100.0% |" in text
    assert "| `src/pkg/c.py` | 1 | 0 | 0 | 0 | 0 | 0 | 0 | 1 | not run |" in text
    assert text.index("## Method") < text.index("| module |")
    assert "pkg.a.x_1 (" not in text and "(survived)" not in text
    assert report.main([*args, "--floor", "0.9"]) == 1  # c has no rate: below any floor


def test_a_superseding_re_check_replaces_the_earlier_re_checks(tmp_path: Path) -> None:
    report = _load()
    mutants = tmp_path / "mutants"
    # 3 mutants not run by mutmut. The old re-check killed x_0 and x_1 and let x_2 survive;
    # the module changed, and the superseding re-checks (two passes) let x_0 survive, kill
    # x_1 in the second pass only, and do not name x_2: killed x_1 and x_2, survived x_0.
    _meta(mutants, "a", {"pkg.a.x_0": None, "pkg.a.x_1": None, "pkg.a.x_2": None})
    old, first, second = (tmp_path / f"{n}.json" for n in ("old", "first", "second"))
    codes = {"pkg.a.x_0": 1, "pkg.a.x_1": 1, "pkg.a.x_2": 1}
    old.write_text(json.dumps({n: {"exit_code": c} for n, c in codes.items()}), encoding="utf-8")
    first.write_text(
        json.dumps({"pkg.a.x_0": {"exit_code": 0}, "pkg.a.x_1": {"exit_code": 0}}),
        encoding="utf-8",
    )
    second.write_text(json.dumps({"pkg.a.x_1": {"exit_code": 1}}), encoding="utf-8")
    output = tmp_path / "report.md"
    args = ["--mutants", str(mutants), "--output", str(output), "--recheck", str(old)]
    args += ["--equivalent", str(tmp_path / "none.toml")]
    assert report.main([*args, "--supersede", str(first), "--supersede", str(second)]) == 0
    text = output.read_text(encoding="utf-8")
    assert "| `src/pkg/a.py` | 3 | 2 | 2 | 0 | 1 | 0 | 0 | 0 | 66.7% |" in text
    assert "`pkg.a.x_0 (survived)`" in text and "pkg.a.x_1 (" not in text
