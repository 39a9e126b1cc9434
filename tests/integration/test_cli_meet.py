"""`clusteratlas meet schedule` as a subprocess, on the hand-solved "first come loses" case.

Slots s1 < s2, one table each; A free in both, B only in s1, C in both; requests A–C then
A–B. First come places A–C in s1 and loses A–B; the optimum is A–B in s1, A–C in s2.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from _cli import assert_nothing_written, assert_one_line_error, run_cli

pytest.importorskip("ortools")


@pytest.fixture
def event(tmp_path: Path) -> Path:
    (tmp_path / "wanted.csv").write_text("a,b,priority\nA,C,accepted\nA,B,accepted\n")
    (tmp_path / "free.csv").write_text("participant,slot\nA,s1\nA,s2\nB,s1\nC,s1\nC,s2\n")
    (tmp_path / "slots.csv").write_text("slot,tables\ns1,1\ns2,1\n")
    return tmp_path


def _args(folder: Path, output: Path) -> list[str | Path]:
    return [
        "meet", "schedule", "--meetings", folder / "wanted.csv", "--availability",
        folder / "free.csv", "--slots", folder / "slots.csv", "--output", output,
    ]  # fmt: skip


def test_schedule_places_both_meetings_where_first_come_places_one(event: Path) -> None:
    proc = run_cli(*_args(event, event / "schedule.csv"))
    assert proc.returncode == 0, proc.stderr
    with (event / "schedule.csv").open(newline="") as handle:
        rows = [(r["a"], r["b"], r["slot"], r["table"]) for r in csv.DictReader(handle)]
    assert rows == [("A", "B", "s1", "1"), ("A", "C", "s2", "1")]
    assert "2 of 2 wanted meetings placed (optimal" in proc.stdout
    assert "First come, first served would place 1" in proc.stdout


def test_schedule_with_cp_sat_gives_the_same_optimum(event: Path) -> None:
    proc = run_cli(*_args(event, event / "schedule.csv"), "--solver", "cp-sat")
    assert proc.returncode == 0, proc.stderr
    assert "2 of 2 wanted meetings placed (optimal, cp-sat" in proc.stdout
    proc = run_cli(*_args(event, event / "other.csv"), "--solver", "gurobi")
    assert_one_line_error(proc, "'--solver'", "gurobi")
    assert_nothing_written(event, "other.csv")


def test_a_missing_file_is_named_and_nothing_written(event: Path) -> None:
    (event / "slots.csv").unlink()
    proc = run_cli(*_args(event, event / "schedule.csv"))
    assert_one_line_error(proc, "'--slots' file", "does not exist")
    assert_nothing_written(event, "schedule.csv")


def test_a_bad_priority_is_named(event: Path) -> None:
    (event / "wanted.csv").write_text("a,b,priority\nA,C,perhaps\n")
    proc = run_cli(*_args(event, event / "schedule.csv"))
    assert_one_line_error(proc, "'priority' takes", "'perhaps'")
    assert_nothing_written(event, "schedule.csv")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    pytest.importorskip("icalendar")
    pytest.importorskip("scipy")
    folder = tmp_path_factory.mktemp("demo") / "out"
    proc = run_cli("meet", "demo", "--participants", "60", "--seed", "3", "--time-limit", "10",
                   "--output", folder)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return folder, proc.stdout


def test_demo_writes_the_promised_files(demo: tuple[Path, str]) -> None:
    import json

    import pandas as pd

    folder, stdout = demo
    assert {p.name for p in folder.iterdir()} == {
        "participants.csv", "availability.csv", "requests.csv", "schedule.csv",
        "table_plan.csv", "stats.json", "ics",
    }  # fmt: skip
    stats = json.loads((folder / "stats.json").read_text())
    for key in ("participants", "requests", "meetings_scheduled", "upper_bound", "solver_status",
                "wall_s", "coverage", "min_meetings"):  # fmt: skip
        assert key in stats
    people = pd.read_csv(folder / "participants.csv", dtype=str)
    assert list(people.columns[:4]) == ["participant_id", "organisation_id", "type", "country"]
    schedule = pd.read_csv(
        folder / "schedule.csv", dtype={"participant_a": str, "participant_b": str}
    )
    assert list(schedule.columns[:8]) == [
        "event", "session", "slot_start", "slot_end", "table", "participant_a", "participant_b", "status",
    ]  # fmt: skip
    assert stats["participants"] == 60 and stats["meetings_scheduled"] == len(schedule) > 0
    assert stats["objective"] <= stats["upper_bound"] + 1e-6
    assert stats["weighted"] >= stats["first_come_weighted"]  # never worse than first come
    with_meeting = set(schedule["participant_a"]) | set(schedule["participant_b"])
    assert {p.stem for p in (folder / "ics").iterdir()} == with_meeting
    assert "SYNTHETIC" in stdout


def test_demo_schedule_breaks_no_rule(demo: tuple[Path, str]) -> None:
    import pandas as pd

    folder, _ = demo
    schedule = pd.read_csv(folder / "schedule.csv", dtype=str)
    free = pd.read_csv(folder / "availability.csv", dtype=str)
    requests = pd.read_csv(folder / "requests.csv", dtype=str)
    seats = pd.concat([schedule[["slot_start", "participant_a"]].set_axis(["slot", "p"], axis=1),
                       schedule[["slot_start", "participant_b"]].set_axis(["slot", "p"], axis=1)])  # fmt: skip
    assert not seats.duplicated().any()  # nobody in two places at once
    available = set(zip(free["participant_id"], free["slot_start"], strict=True))
    assert all((p, s) in available for s, p in seats.itertuples(index=False))
    assert schedule.groupby("slot_start").size().max() <= 75  # tables of the conference
    assert not schedule.duplicated(["slot_start", "table"]).any()
    pairs = [
        frozenset(p) for p in zip(schedule["participant_a"], schedule["participant_b"], strict=True)
    ]
    assert len(pairs) == len(set(pairs))  # each pair once
    live = requests[requests["status"].isin(["accepted", "requested"])]
    asked = {frozenset(p) for p in zip(live["from"], live["to"], strict=True)}
    assert set(pairs) <= asked  # only meetings somebody asked for


def test_demo_agendas_agree_with_the_schedule(demo: tuple[Path, str], tmp_path: Path) -> None:
    import datetime as dt

    import pandas as pd

    ics = pytest.importorskip("ics")
    folder, _ = demo
    schedule = pd.read_csv(folder / "schedule.csv", dtype=str)
    for path in sorted((folder / "ics").iterdir())[:10]:
        mine = schedule[
            (schedule["participant_a"] == path.stem) | (schedule["participant_b"] == path.stem)
        ]
        starts = sorted(e.begin.datetime for e in ics.Calendar(path.read_text()).events)
        assert starts == sorted(dt.datetime.fromisoformat(s) for s in mine["slot_start"])
    person = schedule["participant_a"].iloc[0]
    out = tmp_path / "me.ics"
    proc = run_cli("meet", "agenda", "--participant", person, "--ics", out, "--schedule",
                   folder / "schedule.csv", "--participants", folder / "participants.csv")  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert out.read_bytes().count(b"BEGIN:VEVENT") == (
        folder / "ics" / f"{person}.ics"
    ).read_bytes().count(b"BEGIN:VEVENT")
    proc = run_cli("meet", "stats", folder)
    assert proc.returncode == 0 and "coverage:" in proc.stdout


def test_demo_and_agenda_errors_are_one_line(tmp_path: Path) -> None:
    proc = run_cli("meet", "demo", "--participants", "1", "--output", tmp_path / "x")
    assert_one_line_error(proc, "'--participants'", "[2, inf]")
    proc = run_cli("meet", "agenda", "--participant", "P1", "--ics", tmp_path / "a.ics", "--schedule",
                   tmp_path / "none.csv", "--participants", tmp_path / "none.csv")  # fmt: skip
    assert_one_line_error(proc, "does not exist")
    assert_nothing_written(tmp_path, "a.ics")
    bad = tmp_path / "event.toml"
    bad.write_text('[event]\nid = "x"\n')
    proc = run_cli("meet", "demo", "--event", bad, "--output", tmp_path / "y")
    assert_one_line_error(proc, "'event.name'", "is missing")
