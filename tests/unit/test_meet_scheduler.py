"""The meeting scheduler on instances solved by hand (CP-SAT against the greedy baseline).

Instance "first come loses": slots s1 < s2, one table each. A is free in both, B only in
s1, C in both. Requests in this order: A–C, then A–B. First come, first served puts A–C in
s1 (its earliest), and A–B can no longer happen (B has only s1, where A is busy): 1 meeting.
The optimum is A–B in s1 and A–C in s2: 2 meetings.
"""

from __future__ import annotations

import itertools

import pandas as pd
import pytest

pytest.importorskip("ortools")

from clusteratlas.errors import ParameterError, SchemaError
from clusteratlas.meet import greedy_schedule, schedule_meetings


def _frames(requests, free, tables):
    meetings = pd.DataFrame(requests, columns=["a", "b", "priority"])
    availability = pd.DataFrame(
        [(p, s) for p, slots in free.items() for s in slots], columns=["participant", "slot"]
    )
    slots = pd.DataFrame(list(tables.items()), columns=["slot", "tables"])
    return meetings, availability, slots


FIRST_COME = _frames(
    [("A", "C", "accepted"), ("A", "B", "accepted")],
    {"A": ["s1", "s2"], "B": ["s1"], "C": ["s1", "s2"]},
    {"s1": 1, "s2": 1},
)


def test_the_solver_places_what_first_come_cannot() -> None:
    meetings, availability, slots = FIRST_COME
    greedy = greedy_schedule(meetings, availability=availability, slots=slots)
    assert greedy.n_meetings == 1 and greedy.unscheduled[["a", "b"]].values.tolist() == [["A", "B"]]
    best = schedule_meetings(meetings, availability=availability, slots=slots, fairness=0)
    assert best.status == "optimal" and best.gap == 0
    placed = {(r.a, r.b): (r.slot, r.table) for r in best.schedule.itertuples()}
    assert placed == {("A", "B"): ("s1", 1), ("A", "C"): ("s2", 1)}
    assert best.objective == 200 and best.unscheduled.empty


def test_nobody_is_in_two_places_and_tables_are_respected() -> None:
    # Four people, every pair wanted (6 meetings), two slots of one table each: at most 2
    # meetings, one per slot, by hand.
    people = "ABCD"
    meetings, availability, slots = _frames(
        [(a, b, "mutual") for a, b in itertools.combinations(people, 2)],
        {p: ["s1", "s2"] for p in people},
        {"s1": 1, "s2": 1},
    )
    result = schedule_meetings(meetings, availability=availability, slots=slots, fairness=0)
    assert result.n_meetings == 2 and result.status == "optimal"
    assert result.schedule["slot"].tolist() == ["s1", "s2"]
    # With two tables per slot, everybody can meet someone in each slot: 4 meetings, and the
    # two meetings of a slot share nobody.
    slots = slots.assign(tables=2)
    result = schedule_meetings(meetings, availability=availability, slots=slots, fairness=0)
    assert result.n_meetings == 4
    for _, rows in result.schedule.groupby("slot"):
        people_in_slot = list(rows["a"]) + list(rows["b"])
        assert len(people_in_slot) == len(set(people_in_slot)) == 4
        assert sorted(rows["table"]) == [1, 2]


def test_priorities_and_fairness_by_hand() -> None:
    # One slot, one table: either A–B (accepted, weight 100) or C–D (mutual, 10).
    meetings, availability, slots = _frames(
        [("C", "D", "mutual"), ("A", "B", "accepted")],
        {p: ["s1"] for p in "ABCD"},
        {"s1": 1},
    )
    result = schedule_meetings(meetings, availability=availability, slots=slots, fairness=0)
    assert result.schedule[["a", "b"]].values.tolist() == [["A", "B"]]
    # Fairness: requests A–B, A–C, C–D; two slots of one table, so two meetings at most.
    # {A–B, A–C} leaves D with none, {A–C, C–D} leaves B with none; only {A–B, C–D} gives
    # everybody one. Each of these is worth 2 × 10 without fairness; with λ = 1 the last is
    # worth 21 and is the only optimum.
    meetings, availability, slots = _frames(
        [("A", "B", "mutual"), ("A", "C", "mutual"), ("C", "D", "mutual")],
        {p: ["s1", "s2"] for p in "ABCD"},
        {"s1": 1, "s2": 1},
    )
    plain = schedule_meetings(meetings, availability=availability, slots=slots, fairness=0)
    fair = schedule_meetings(meetings, availability=availability, slots=slots, fairness=1)
    assert plain.n_meetings == fair.n_meetings == 2 and plain.objective == 20
    assert fair.min_meetings == 1 and fair.objective == fair.bound == 21
    assert sorted(map(tuple, fair.schedule[["a", "b"]].values)) == [("A", "B"), ("C", "D")]


def test_rescheduling_keeps_confirmed_meetings_in_place() -> None:
    # A–C was confirmed in s1 at table 1. A late request A–B (B only free in s1) cannot move
    # it: A–B stays unscheduled, and A–C keeps its slot and table.
    meetings, availability, slots = FIRST_COME
    fixed = pd.DataFrame([("A", "C", "s1", 1)], columns=["a", "b", "slot", "table"])
    result = schedule_meetings(
        meetings, availability=availability, slots=slots, fixed=fixed, fairness=0
    )
    assert result.schedule[["a", "b", "slot", "table"]].values.tolist() == [["A", "C", "s1", 1]]
    assert result.unscheduled[["a", "b"]].values.tolist() == [["A", "B"]]
    # A new person D free in s1 at a second table: the confirmed meeting keeps table 2 and the
    # new one takes table 1 around it.
    more = pd.concat([meetings, pd.DataFrame([("B", "D", "accepted")], columns=meetings.columns)])
    availability2 = pd.concat(
        [availability, pd.DataFrame([("D", "s1")], columns=availability.columns)]
    )
    fixed2 = fixed.assign(table=2)
    result = schedule_meetings(
        more, availability=availability2, slots=slots.assign(tables=2), fixed=fixed2, fairness=0
    )
    rows = {(r.a, r.b): (r.slot, r.table) for r in result.schedule.itertuples()}
    assert rows[("A", "C")] == ("s1", 2) and rows[("B", "D")] == ("s1", 1)


def test_bad_inputs_are_refused() -> None:
    meetings, availability, slots = FIRST_COME
    with pytest.raises(SchemaError, match="listed twice"):
        schedule_meetings(
            pd.concat([meetings, meetings.iloc[[0]].rename(columns={"a": "b", "b": "a"})]),
            availability=availability, slots=slots,
        )  # fmt: skip
    with pytest.raises(SchemaError, match="'priority' takes"):
        schedule_meetings(meetings.assign(priority="maybe"), availability=availability, slots=slots)
    with pytest.raises(SchemaError, match="slot 's9'"):
        bad = pd.concat([availability, pd.DataFrame([("A", "s9")], columns=availability.columns)])
        schedule_meetings(meetings, availability=bad, slots=slots)
    fixed = pd.DataFrame([("A", "B", "s2", 1)], columns=["a", "b", "slot", "table"])
    with pytest.raises(ParameterError, match="not available"):
        schedule_meetings(meetings, availability=availability, slots=slots, fixed=fixed)


def _brute_force(meetings: pd.DataFrame, free: dict[str, set[str]], tables: dict[str, int]) -> int:
    """The best weighted count by enumerating every assignment (tiny instances only)."""
    from clusteratlas.meet import PRIORITY_WEIGHTS

    rows = list(meetings.itertuples(index=False))
    best = 0
    for choice in itertools.product([None, *tables], repeat=len(rows)):
        used: dict[str, int] = {}
        busy: set[tuple[str, str]] = set()
        ok, value = True, 0
        for row, slot in zip(rows, choice, strict=True):
            if slot is None:
                continue
            if slot not in free[row.a] or slot not in free[row.b]:
                ok = False
                break
            if (row.a, slot) in busy or (row.b, slot) in busy:
                ok = False
                break
            busy |= {(row.a, slot), (row.b, slot)}
            used[slot] = used.get(slot, 0) + 1
            value += PRIORITY_WEIGHTS[row.priority]
        if ok and all(used.get(s, 0) <= t for s, t in tables.items()):
            best = max(best, value)
    return best


@pytest.mark.parametrize("seed", range(6))
def test_optimum_equals_exhaustive_search(seed: int) -> None:
    import numpy as np

    rng = np.random.default_rng(seed)
    people = list("ABCDE")
    pairs = [p for p in itertools.combinations(people, 2) if rng.random() < 0.5][:6]
    kinds = ["accepted", "mutual", "one-sided"]
    requests = [(a, b, kinds[int(rng.integers(3))]) for a, b in pairs]
    tables = {"s1": int(rng.integers(1, 3)), "s2": int(rng.integers(1, 3)), "s3": 1}
    free = {p: {s for s in tables if rng.random() < 0.7} for p in people}
    meetings, availability, slots = _frames(
        requests, {p: sorted(v) for p, v in free.items()}, tables
    )
    result = schedule_meetings(meetings, availability=availability, slots=slots, fairness=0)
    assert result.status == "optimal"
    assert result.objective == _brute_force(meetings, free, tables)
    greedy = greedy_schedule(meetings, availability=availability, slots=slots)
    assert greedy.objective <= result.objective
