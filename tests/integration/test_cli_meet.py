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
