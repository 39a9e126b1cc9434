"""Stable rescheduling and the HiGHS solver, on instances solved by hand or exhaustively."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("ortools")
pytest.importorskip("scipy")

from test_meet_scheduler import FIRST_COME, _brute_force, _frames

from clusteratlas.meet import reschedule, schedule_meetings
from clusteratlas.meet.highs import lp_bound


def _placed(result) -> dict[tuple[str, str], tuple[str, int]]:
    return {(r.a, r.b): (r.slot, int(r.table)) for r in result.schedule.itertuples()}


def test_a_cancellation_frees_a_place_that_a_waiting_meeting_takes() -> None:
    # One slot s1 with one table, all free in it. A–B (accepted, 100) is scheduled there
    # rather than C–D (mutual, 10); when A–B is cancelled, C–D takes s1, table 1.
    meetings, availability, slots = _frames(
        [("A", "B", "accepted"), ("C", "D", "mutual")], {p: ["s1"] for p in "ABCD"}, {"s1": 1}
    )
    first = schedule_meetings(meetings, availability=availability, slots=slots, fairness=0)
    assert _placed(first) == {("A", "B"): ("s1", 1)}
    again = reschedule(first.schedule, meetings=meetings, availability=availability, slots=slots,
                       cancelled=pd.DataFrame({"a": ["B"], "b": ["A"]}), fairness=0)  # fmt: skip
    assert _placed(again) == {("C", "D"): ("s1", 1)}
    assert again.unscheduled.empty  # the cancelled pair is no longer wanted


@pytest.mark.parametrize("solver", ["cp-sat", "highs"])
def test_no_kept_meeting_moves_when_moving_would_place_more(solver: str) -> None:
    # "First come loses": A–C was published in s1. A late request A–B (B free only in s1)
    # would need A–C to move to s2; rescheduling keeps A–C where it is and leaves A–B out.
    meetings, availability, slots = FIRST_COME
    previous = pd.DataFrame(
        [("A", "C", "accepted", "s1", 1)], columns=["a", "b", "priority", "slot", "table"]
    )
    late = meetings[meetings["b"] == "B"]
    result = reschedule(previous, meetings=meetings[meetings["b"] == "C"], availability=availability,
                        slots=slots, new_requests=late, fairness=0, solver=solver)  # fmt: skip
    assert _placed(result) == {("A", "C"): ("s1", 1)}
    assert result.unscheduled[["a", "b"]].values.tolist() == [["A", "B"]]


def test_random_reschedules_never_move_a_kept_meeting() -> None:
    rng = np.random.default_rng(3)
    people = [f"p{i}" for i in range(10)]
    pairs = [p for p in itertools.combinations(people, 2) if rng.random() < 0.4]
    meetings = pd.DataFrame([(a, b, "accepted") for a, b in pairs], columns=["a", "b", "priority"])
    slots = pd.DataFrame({"slot": ["s1", "s2", "s3", "s4"], "tables": 2})
    availability = pd.DataFrame([(p, s) for p in people for s in slots["slot"] if rng.random() < 0.8],
                                columns=["participant", "slot"])  # fmt: skip
    first = schedule_meetings(meetings, availability=availability, slots=slots, fairness=0)
    cancelled = first.schedule.iloc[::3][["a", "b"]]
    again = reschedule(first.schedule, meetings=meetings, availability=availability, slots=slots,
                       cancelled=cancelled, fairness=0)  # fmt: skip
    before = _placed(first)
    after = _placed(again)
    off = {(a, b) for a, b in cancelled.itertuples(index=False)}
    for pair, place in before.items():
        if pair not in off:
            assert after[pair] == place
    assert not off & set(after)
    # The freed places were used whenever a waiting meeting fitted: the solver proved it.
    assert again.status == "optimal" and len(after) >= len(before) - len(off)


@pytest.mark.parametrize("seed", range(4))
def test_highs_equals_exhaustive_search(seed: int) -> None:
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
    best = _brute_force(meetings, free, tables)
    result = schedule_meetings(
        meetings, availability=availability, slots=slots, fairness=0, solver="highs"
    )
    assert result.status == "optimal" and result.objective == best
    # The linear relaxation bounds the optimum from above.
    assert lp_bound(meetings, availability=availability, slots=slots) >= best - 1e-9


def test_highs_keeps_fixed_meetings_and_fairness_by_hand() -> None:
    # As in test_meet_scheduler: with λ = 1 only {A–B, C–D} gives everybody a meeting: 21.
    meetings, availability, slots = _frames(
        [("A", "B", "mutual"), ("A", "C", "mutual"), ("C", "D", "mutual")],
        {p: ["s1", "s2"] for p in "ABCD"}, {"s1": 1, "s2": 1},
    )  # fmt: skip
    fair = schedule_meetings(
        meetings, availability=availability, slots=slots, fairness=1, solver="highs"
    )
    assert fair.objective == pytest.approx(21) and fair.min_meetings == 1
    assert sorted(map(tuple, fair.schedule[["a", "b"]].values)) == [("A", "B"), ("C", "D")]
