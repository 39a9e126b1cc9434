"""The coverage floor check of ``make test`` (scripts/check_coverage.py), on tiny fake reports.

The fake report has hand-counted modules: coverage = (lines run + branches taken) /
(lines + branches), as coverage.py counts it.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import tomllib
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "check_coverage.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_coverage", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["check_coverage"] = module  # dataclasses look the module up by name
    spec.loader.exec_module(module)
    return module


cc = _load()


def _file(statements: int, lines: int, branches: int = 0, taken: int = 0) -> dict[str, object]:
    return {
        "summary": {
            "num_statements": statements,
            "covered_lines": lines,
            "num_branches": branches,
            "covered_branches": taken,
            "percent_covered": 0.0,  # never read: the script recomputes from the counts
        }
    }


# measures/a.py: (6 + 1) / (8 + 2) = 70 %; measures/pointpattern/b.py: 10 / 10 = 100 %
# → clusteratlas.measures (6 + 10 + 1) / (8 + 10 + 2) = 17 / 20 = 85 %
# cli/x.py: (10 + 2) / (20 + 4) = 50 %  → clusteratlas.cli 50 %
# store.py (top level): 4 / 4 = 100 %  → clusteratlas 100 %
FILES = {
    "src/clusteratlas/measures/a.py": _file(8, 6, 2, 1),
    "src/clusteratlas/measures/pointpattern/b.py": _file(10, 10),
    "src/clusteratlas/cli/x.py": _file(20, 10, 4, 2),
    "src/clusteratlas/store.py": _file(4, 4),
}


def _write(tmp_path: Path, floors: str, files: dict[str, object] = FILES) -> tuple[Path, Path]:
    report = tmp_path / "coverage.json"
    report.write_text(json.dumps({"meta": {}, "files": files, "totals": {}}), encoding="utf-8")
    floors_file = tmp_path / "floors.toml"
    floors_file.write_text(floors, encoding="utf-8")
    return report, floors_file


AT_FLOOR = """
[packages]
"clusteratlas" = 100
"clusteratlas.cli" = 50
"clusteratlas.measures" = 85
"""


def _main(report: Path, floors: Path, *extra: str) -> int:
    return int(cc.main(["--report", str(report), "--floors", str(floors), *extra]))


def test_packages_at_their_floor_pass(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report, floors = _write(tmp_path, AT_FLOOR)
    assert _main(report, floors) == 0
    out = capsys.readouterr()
    assert "clusteratlas.measures" in out.out and " 85.0 %  (floor 85 %)" in out.out
    assert " 50.0 %  (floor 50 %)" in out.out
    assert "FAIL" not in out.err and "hint" not in out.out
    # total: (6 + 10 + 10 + 4 run lines + 1 + 2 taken branches) / (42 lines + 6 branches)
    total = next(line for line in out.out.splitlines() if line.split()[0] == "total")
    assert total.split()[1:] == ["68.8", "%"]  # 68.75 %


def test_a_package_below_its_floor_fails_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report, floors = _write(tmp_path, AT_FLOOR.replace('measures" = 85', 'measures" = 86'))
    assert _main(report, floors) == 1
    err = capsys.readouterr().err.splitlines()
    failures = [line for line in err if line.startswith("FAIL")]
    assert failures == ["FAIL clusteratlas.measures: 85.0 % is below its floor of 86 %"]
    assert "1 place(s)" in err[-1]


def test_every_package_below_its_floor_is_named(tmp_path: Path) -> None:
    report, floors = _write(tmp_path, AT_FLOOR.replace("= 50", "= 50.5").replace("= 85", "= 90"))
    outcome = cc.check(cc.read_report(report), *cc.read_floors(floors))
    assert not outcome.passed
    assert [f.split(":")[0] for f in outcome.failures] == [
        "clusteratlas.cli",
        "clusteratlas.measures",
    ]


def test_the_lowest_modules_are_listed_lowest_first(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report, floors = _write(tmp_path, AT_FLOOR)
    assert _main(report, floors, "--lowest", "2") == 0
    out = capsys.readouterr().out.splitlines()
    start = out.index("The 2 lowest modules:")
    listed = [line.split()[0:2] for line in out[start + 1 :] if line.startswith("  ")]
    assert listed[:2] == [["clusteratlas/cli/x.py", "50.0"], ["clusteratlas/measures/a.py", "70.0"]]
    # 10 lines + 2 branches not run in cli/x.py
    assert "(12 lines/branches not run)" in out[start + 1]
    assert not any("store.py" in line for line in out[start:])


def test_a_package_well_above_its_floor_gets_a_hint(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report, floors = _write(tmp_path, AT_FLOOR.replace('measures" = 85', 'measures" = 82'))
    assert _main(report, floors) == 0
    hints = [line for line in capsys.readouterr().out.splitlines() if line.startswith("hint:")]
    assert hints == [
        "hint: clusteratlas.measures: 85.0 % is 3.0 points above its floor of 82 %: raise the "
        "floor to 85 (floors only go up)"
    ]


def test_two_points_above_is_no_hint(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report, floors = _write(tmp_path, AT_FLOOR.replace('measures" = 85', 'measures" = 83'))
    assert _main(report, floors) == 0
    assert "hint:" not in capsys.readouterr().out


def test_packages_without_a_floor_or_without_data_fail(tmp_path: Path) -> None:
    floors = AT_FLOOR.replace('"clusteratlas.cli" = 50', '"clusteratlas.web" = 10')
    report, floors_file = _write(tmp_path, floors)
    outcome = cc.check(cc.read_report(report), *cc.read_floors(floors_file))
    assert outcome.failures == [
        'clusteratlas.cli: 50.0 % has no floor: add "clusteratlas.cli" = 50 to [packages]',
        "clusteratlas.web: has a floor of 10 % but was not measured",
    ]


def test_module_floors(tmp_path: Path) -> None:
    floors = (
        AT_FLOOR + '[modules]\n"clusteratlas/measures/a.py" = 80\n"clusteratlas/nowhere.py" = 1\n'
    )
    report, floors_file = _write(tmp_path, floors)
    outcome = cc.check(cc.read_report(report), *cc.read_floors(floors_file))
    assert outcome.failures == [
        "clusteratlas/measures/a.py: 70.0 % is below its floor of 80 %",
        "clusteratlas/nowhere.py: has a floor of 1 % but was not measured",
    ]


def test_installed_and_source_paths_count_as_one_module(tmp_path: Path) -> None:
    files = {
        "src/clusteratlas/cli/x.py": _file(20, 10, 4, 2),
        "/venv/lib/python3.11/site-packages/clusteratlas/cli/x.py": _file(0, 0),
        "/home/u/clusteratlas/src/clusteratlas/store.py": _file(4, 2),
    }
    report, _ = _write(tmp_path, AT_FLOOR, files)
    modules = cc.read_report(report)
    assert sorted(modules) == ["clusteratlas/cli/x.py", "clusteratlas/store.py"]
    assert modules["clusteratlas/store.py"].percent == 50.0


def test_suggested_floors_are_rounded_down(tmp_path: Path) -> None:
    files = {"src/clusteratlas/cli/x.py": _file(3, 2)}  # 66.67 %
    report, _ = _write(tmp_path, AT_FLOOR, files)
    assert cc.suggest(cc.read_report(report)) == ['"clusteratlas.cli" = 66  # measured 66.67 %']


@pytest.mark.parametrize(
    ("report_text", "floors_text", "needle"),
    [
        (None, AT_FLOOR, "No coverage report at"),
        ("{not json", AT_FLOOR, "is not JSON"),
        ('{"files": {}}', AT_FLOOR, "has no 'files'"),
        (
            json.dumps({"files": FILES}),
            '[packages]\n"clusteratlas" = 101\n',
            "in [0, 100]. Got 101",
        ),
        (json.dumps({"files": FILES}), "[packages\n", "is not TOML"),
        (json.dumps({"files": FILES}), "[modules]\n", "has no [packages] floors"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    tmp_path: Path, report_text: str | None, floors_text: str, needle: str
) -> None:
    report = tmp_path / "coverage.json"
    if report_text is not None:
        report.write_text(report_text, encoding="utf-8")
    floors = tmp_path / "floors.toml"
    floors.write_text(floors_text, encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--report", str(report), "--floors", str(floors)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and needle in lines[0], lines


def test_the_script_fails_the_run_below_a_floor(tmp_path: Path) -> None:
    report, floors = _write(
        tmp_path,
        AT_FLOOR.replace('"clusteratlas" = 100', '"clusteratlas" = 100.0\n"clusteratlas.api" = 1'),
    )
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--report", str(report), "--floors", str(floors)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1
    assert "FAIL clusteratlas.api: has a floor of 1 % but was not measured" in proc.stderr


# --------------------------------------------------------------------------- the committed floors


def _packages() -> set[str]:
    source = ROOT / "src" / "clusteratlas"
    found = {"clusteratlas"}
    found |= {f"clusteratlas.{p.parent.name}" for p in source.glob("*/__init__.py")}
    return found


def test_the_committed_floors_name_every_package() -> None:
    packages, _ = cc.read_floors(cc.DEFAULT_FLOORS)
    assert set(packages) == _packages()
    with cc.DEFAULT_FLOORS.open("rb") as handle:
        assert tomllib.load(handle)["packages"] == {k: int(v) for k, v in packages.items()}


def test_the_modules_issue_16_names_stay_above_80_percent() -> None:
    _, modules = cc.read_floors(cc.DEFAULT_FLOORS)
    for module in (
        "clusteratlas/data/register.py",
        "clusteratlas/cli/map_commands.py",
        "clusteratlas/connect/service.py",
    ):
        assert modules[module] >= 80, module
        assert (ROOT / "src" / module).is_file(), module


# --------------------------------------------------------------------------- known gaps

BELOW = AT_FLOOR.replace('"clusteratlas.measures" = 85', '"clusteratlas.measures" = 89')


def _gaps(tmp_path: Path, table: str) -> tuple[Path, Path]:
    return _write(tmp_path, BELOW + "[known_gaps]\n" + table)


def test_a_known_gap_passes_while_at_or_above_its_minimum(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # clusteratlas.measures is 85 % (17 / 20, worked out above FILES): floor 89, minimum 85.
    report, floors = _gaps(tmp_path, '"clusteratlas.measures" = 85\n')
    assert _main(report, floors) == 0
    out = capsys.readouterr().out
    assert (
        "hint: clusteratlas.measures: 85.0 % is below its floor of 89 %, a known gap "
        "([known_gaps]: it may not fall below 85 %)"
    ) in out


def test_a_known_gap_fails_below_its_minimum(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report, floors = _gaps(tmp_path, '"clusteratlas.measures" = 85.5\n')
    assert _main(report, floors) == 1
    assert (
        "FAIL clusteratlas.measures: 85.0 % is below its floor of 89 % and its known-gap "
        "minimum of 85.5 %"
    ) in capsys.readouterr().err


def test_without_the_gap_the_same_package_fails(tmp_path: Path) -> None:
    report, floors = _write(tmp_path, BELOW)
    outcome = cc.check(cc.read_report(report), *cc.read_floors(floors))
    assert outcome.failures == ["clusteratlas.measures: 85.0 % is below its floor of 89 %"]


def test_a_package_back_at_its_floor_is_told_to_leave_the_list(tmp_path: Path) -> None:
    report, floors = _write(tmp_path, AT_FLOOR + '[known_gaps]\n"clusteratlas.cli" = 40\n')
    packages, modules = cc.read_floors(floors)
    gaps = cc.read_gaps(floors, packages)
    outcome = cc.check(cc.read_report(report), packages, modules, known_gaps=gaps)
    assert outcome.passed
    assert outcome.hints == [
        "clusteratlas.cli: 50.0 % is back at its floor of 50 %: remove it from [known_gaps]"
    ]


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('"clusteratlas.measures" = 90\n', "must be a number in [0, 89] (its floor). Got 90."),
        ('"clusteratlas.web" = 10\n', "[known_gaps] 'clusteratlas.web' has no floor"),
        ('"clusteratlas.measures" = true\n', "must be a number in [0, 89] (its floor). Got True."),
    ],
)
def test_bad_known_gaps_are_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], table: str, message: str
) -> None:
    report, floors = _gaps(tmp_path, table)
    assert _main(report, floors) == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1


def test_the_committed_known_gaps_are_below_their_floors() -> None:
    packages, _ = cc.read_floors(cc.DEFAULT_FLOORS)
    gaps = cc.read_gaps(cc.DEFAULT_FLOORS, packages)
    assert all(gaps[name] < packages[name] for name in gaps)
