r"""B2B meeting scheduling: wanted meetings into time slots × tables, with a real solver.

Given the meetings people want (each a pair of participants with a priority: accepted,
mutual interest or one-sided), the slots each participant is available in and the number of
tables of each slot, :func:`schedule_meetings` places as many meetings as it can: nobody in
two places at once, only in slots both people are available, at most the slot's tables,
each pair at most once. It solves the integer program

.. math::

    \max \sum_{m,s} w_m x_{ms} + \lambda z \quad \text{s.t.}\quad
    \sum_s x_{ms} \le 1,\;
    \sum_{m \ni p} x_{ms} \le 1,\;
    \sum_m x_{ms} \le T_s,\;
    z \le \sum_{m \ni p,\,s} x_{ms}\ \forall p \in P_+,

with :math:`x_{ms} = 1` when meeting :math:`m` takes place in slot :math:`s` (only for
slots both people are available in), :math:`w_m` the weight of its priority, :math:`T_s`
the tables of slot :math:`s` and :math:`z` the smallest number of meetings of a participant
who asked for any (:math:`P_+`), weighted by ``fairness`` (:math:`\lambda`). OR-Tools' CP-SAT
solves it within a time limit and returns the best schedule found with its proven upper
bound, so the gap to the optimum is known. Meetings already confirmed (``fixed``) keep their
slot and table: rescheduling after a cancellation or a late request moves nobody, it fills
the freed places.

:func:`greedy_schedule` is the first-come baseline of matchmaking tools: each meeting, in
request order, takes the earliest slot where both people and a table are free.

References
----------
Perron, L. and Didier, F. (2024). CP-SAT, OR-Tools, Google. https://developers.google.com/optimization
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from clusteratlas._validation import check_columns, check_in, check_interval, optional_import
from clusteratlas.errors import ParameterError, SchemaError

PRIORITY_WEIGHTS = {"accepted": 100, "mutual": 10, "one-sided": 1}
"""Weight of a meeting by the state of its request: one accepted meeting outweighs any
number of mutual-interest ones a schedule could add instead, up to 10 (and so on)."""

SCHEDULE_COLUMNS = ("a", "b", "priority", "slot", "table")


@dataclass(frozen=True)
class ScheduleResult:
    """A meeting schedule and how good it is.

    Attributes
    ----------
    schedule : pandas.DataFrame
        One row per placed meeting: ``a``, ``b``, ``priority``, ``slot``, ``table`` (1, 2, …
        within the slot), by slot then table.
    unscheduled : pandas.DataFrame
        The wanted meetings not placed: ``a``, ``b``, ``priority``.
    status : str
        ``"optimal"`` (proven), ``"feasible"`` (time limit reached: see ``gap``) or
        ``"greedy"`` (the baseline, no bound).
    objective : float
        The value of the objective (weighted meetings plus the fairness term).
    bound : float
        The solver's proven upper bound on the objective (NaN for the greedy baseline).
    gap : float
        ``(bound - objective) / bound`` (0 when optimal; NaN for the greedy baseline).
    min_meetings : int
        The fewest meetings any participant who asked for one got.
    weighted : float
        The weights of the meetings placed (:data:`PRIORITY_WEIGHTS`), without the fairness
        term: what compares schedules of different methods.
    """

    schedule: pd.DataFrame
    unscheduled: pd.DataFrame
    status: str
    objective: float
    bound: float
    gap: float
    min_meetings: int
    weighted: float

    @property
    def n_meetings(self) -> int:
        """Number of meetings placed."""
        return len(self.schedule)


def schedule_meetings(
    meetings: pd.DataFrame,
    *,
    availability: pd.DataFrame,
    slots: pd.DataFrame,
    fixed: pd.DataFrame | None = None,
    fairness: float = 1.0,
    time_limit: float = 10.0,
    workers: int = 2,
    seed: int = 0,
    solver: str = "cp-sat",
) -> ScheduleResult:
    r"""Place wanted meetings into slots and tables with CP-SAT (see the module docstring).

    Parameters
    ----------
    meetings : pandas.DataFrame
        The wanted meetings: ``a``, ``b`` (participant ids, text) and ``priority``
        (``accepted``, ``mutual`` or ``one-sided``); a pair at most once.
    availability : pandas.DataFrame
        ``participant``, ``slot``: one row per slot a participant can meet in.
    slots : pandas.DataFrame
        ``slot`` (id, in time order) and ``tables`` (how many meetings it can hold).
    fixed : pandas.DataFrame, optional
        Confirmed meetings to keep where they are: ``a``, ``b``, ``slot``, ``table``; each
        must be among ``meetings`` and fit the availability and tables.
    fairness : float, default 1.0
        Weight :math:`\lambda` of the smallest number of meetings of a participant (0:
        weighted meetings only).
    time_limit : float, default 10.0
        Seconds the solver may run; the best schedule found is returned with its bound.
    workers : int, default 2
        Solver threads.
    seed : int, default 0
        The solver's random seed (same inputs and seed, same schedule with one worker).
    solver : {"cp-sat", "highs"}, default "cp-sat"
        ``"highs"``: the same model solved by HiGHS's branch-and-cut
        (:func:`clusteratlas.meet.highs.schedule_meetings_highs`; ``workers`` and ``seed``
        do not apply), much better than CP-SAT on two cores from a few hundred
        participants on (``benchmarks/bench_meet.py``).

    Returns
    -------
    ScheduleResult

    Raises
    ------
    SchemaError
        When a column is missing, a pair is listed twice or a priority is unknown.
    ParameterError
        When a fixed meeting is not wanted, not possible in its slot or clashes.
    """
    check_in(solver, ["cp-sat", "highs"], name="solver")
    if solver == "highs":
        from clusteratlas.meet.highs import schedule_meetings_highs

        return schedule_meetings_highs(
            meetings, availability=availability, slots=slots, fixed=fixed,
            fairness=fairness, time_limit=time_limit,
        )  # fmt: skip
    cp_model = optional_import("ortools.sat.python.cp_model", extra="meet")
    check_interval(time_limit, name="time_limit", low=0, closed="right")
    check_interval(workers, name="workers", low=1)
    wanted, tables, free = _inputs(meetings, availability, slots)
    placed = _fixed(fixed, wanted, tables, free)
    model = cp_model.CpModel()
    x: dict[tuple[int, str], Any] = {}
    by_meeting: dict[int, list[Any]] = {}
    by_slot: dict[str, list[Any]] = {}
    by_person: dict[tuple[str, str], list[Any]] = {}
    for m, (a, b) in enumerate(zip(wanted["a"], wanted["b"], strict=True)):
        both = free.get(a, set()) & free.get(b, set())
        for slot in (s for s in tables if s in both):  # in slot order: a deterministic model
            var = x[m, slot] = model.NewBoolVar(f"m{m}_{slot}")
            by_meeting.setdefault(m, []).append(var)
            by_slot.setdefault(slot, []).append(var)
            by_person.setdefault((a, slot), []).append(var)
            by_person.setdefault((b, slot), []).append(var)
    for variables in by_meeting.values():
        model.AddAtMostOne(variables)
    for variables in by_person.values():
        model.AddAtMostOne(variables)
    for slot, variables in by_slot.items():
        model.Add(sum(variables) <= tables[slot])
    for m, slot in placed:
        model.Add(x[m, slot] == 1)
    # Start from the first-come schedule: the search only improves on the baseline.
    # A complete hint (every variable), so CP-SAT starts from a feasible solution.
    first = _first_come(wanted, tables, free)
    for (m, slot), var in x.items():
        model.AddHint(var, int(first.get(m) == slot))
    people = sorted(set(wanted["a"]) | set(wanted["b"]))
    per_person: dict[str, list[Any]] = {p: [] for p in people}
    for (person, _), variables in by_person.items():
        per_person[person] += variables
    weights = wanted["priority"].map(PRIORITY_WEIGHTS).to_numpy()
    objective = sum(int(weights[m]) * v for (m, _), v in x.items())
    fewest = model.NewIntVar(0, len(wanted), "fewest")
    for variables in per_person.values():
        model.Add(fewest <= sum(variables))
    # CP-SAT takes integer coefficients: fairness in hundredths.
    model.Maximize(100 * objective + round(100 * fairness) * fewest)
    cp_solver = cp_model.CpSolver()
    cp_solver.parameters.max_time_in_seconds = float(time_limit)
    cp_solver.parameters.num_search_workers = int(workers)
    cp_solver.parameters.random_seed = int(seed)
    status = cp_solver.Solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise ParameterError(
            f"The solver found no schedule within {time_limit} s ({cp_solver.StatusName(status)}); "
            "give it more time or check the fixed meetings."
        )
    chosen = {m: s for (m, s), v in x.items() if cp_solver.Value(v)}
    value, bound = cp_solver.ObjectiveValue() / 100, cp_solver.BestObjectiveBound() / 100
    return _result(
        wanted, chosen, fixed, tables,
        status="optimal" if status == cp_model.OPTIMAL else "feasible",
        objective=value, bound=bound,
    )  # fmt: skip


def greedy_schedule(
    meetings: pd.DataFrame, *, availability: pd.DataFrame, slots: pd.DataFrame
) -> ScheduleResult:
    """First come, first served: each meeting in request order takes its earliest free slot.

    The baseline of matchmaking tools, kept for comparison (:func:`schedule_meetings` places
    at least as many weighted meetings whenever it proves optimality).
    """
    wanted, tables, free = _inputs(meetings, availability, slots)
    chosen = _first_come(wanted, tables, free)
    weights = wanted["priority"].map(PRIORITY_WEIGHTS).to_numpy()
    value = float(sum(weights[m] for m in chosen))
    return _result(wanted, chosen, None, tables, status="greedy", objective=value, bound=np.nan)


def _first_come(
    wanted: pd.DataFrame, tables: dict[str, int], free: dict[str, set[str]]
) -> dict[int, str]:
    busy: dict[str, set[str]] = {}
    used = dict.fromkeys(tables, 0)
    chosen: dict[int, str] = {}
    for m, (a, b) in enumerate(zip(wanted["a"], wanted["b"], strict=True)):
        for slot in tables:
            possible = slot in free.get(a, set()) and slot in free.get(b, set())
            taken = slot in busy.get(a, set()) or slot in busy.get(b, set())
            if possible and not taken and used[slot] < tables[slot]:
                chosen[m] = slot
                used[slot] += 1
                busy.setdefault(a, set()).add(slot)
                busy.setdefault(b, set()).add(slot)
                break
    return chosen


def _inputs(
    meetings: pd.DataFrame, availability: pd.DataFrame, slots: pd.DataFrame
) -> tuple[pd.DataFrame, dict[str, int], dict[str, set[str]]]:
    check_columns(meetings, ["a", "b", "priority"], what="meetings")
    check_columns(availability, ["participant", "slot"], what="availability")
    check_columns(slots, ["slot", "tables"], what="slots")
    wanted = pd.DataFrame(
        {
            "a": meetings["a"].astype(str).to_numpy(),
            "b": meetings["b"].astype(str).to_numpy(),
            "priority": meetings["priority"].astype(str).str.strip().str.lower().to_numpy(),
        }
    )
    unknown = sorted(set(wanted["priority"]) - set(PRIORITY_WEIGHTS))
    if unknown:
        raise SchemaError(
            f"meetings: column 'priority' takes {', '.join(PRIORITY_WEIGHTS)}; got "
            f"{', '.join(map(repr, unknown))}."
        )
    same = wanted["a"] == wanted["b"]
    if same.any():
        raise SchemaError(
            f"meetings: row {int(np.flatnonzero(same)[0]) + 1} pairs {wanted['a'][same].iloc[0]!r} with itself."
        )
    pairs = pd.Series([frozenset(p) for p in zip(wanted["a"], wanted["b"], strict=True)])
    if pairs.duplicated().any():
        row = int(np.flatnonzero(pairs.duplicated())[0])
        raise SchemaError(
            f"meetings: the pair {wanted['a'][row]!r}–{wanted['b'][row]!r} is listed twice "
            f"(row {row + 1}); a pair meets at most once."
        )
    slot_ids = slots["slot"].astype(str)
    if slot_ids.duplicated().any():
        raise SchemaError(
            f"slots: slot {slot_ids[slot_ids.duplicated()].iloc[0]!r} is listed twice."
        )
    counts = pd.to_numeric(slots["tables"], errors="coerce")
    bad = counts.isna() | (counts < 0) | (counts != counts.round())
    if bad.any():
        raise SchemaError(
            f"slots: column 'tables' must hold whole numbers >= 0; not so for slot "
            f"{slot_ids[bad.to_numpy()].iloc[0]!r}."
        )
    tables = dict(zip(slot_ids, counts.astype(int), strict=True))
    free: dict[str, set[str]] = {}
    for person, slot in zip(
        availability["participant"].astype(str), availability["slot"].astype(str), strict=True
    ):
        if slot not in tables:
            raise SchemaError(f"availability: slot {slot!r} of {person!r} is not among the slots.")
        free.setdefault(person, set()).add(slot)
    return wanted, tables, free


def _fixed(
    fixed: pd.DataFrame | None,
    wanted: pd.DataFrame,
    tables: dict[str, int],
    free: dict[str, set[str]],
) -> list[tuple[int, str]]:
    if fixed is None or fixed.empty:
        return []
    check_columns(fixed, ["a", "b", "slot", "table"], what="fixed")
    index = {frozenset(p): m for m, p in enumerate(zip(wanted["a"], wanted["b"], strict=True))}
    placed = []
    seen: set[tuple[str, int]] = set()
    for a, b, slot, table in zip(
        fixed["a"].astype(str),
        fixed["b"].astype(str),
        fixed["slot"].astype(str),
        fixed["table"],
        strict=True,
    ):
        m = index.get(frozenset((a, b)))
        where = f"the fixed meeting {a!r}–{b!r}"
        if m is None:
            raise ParameterError(f"{where} is not among the wanted meetings.")
        if slot not in tables or not (slot in free.get(a, set()) and slot in free.get(b, set())):
            raise ParameterError(
                f"{where} is in slot {slot!r}, where one of them is not available."
            )
        if not 1 <= int(table) <= tables[slot] or (slot, int(table)) in seen:
            raise ParameterError(
                f"{where} has table {table} in slot {slot!r}, which is taken or does not exist."
            )
        seen.add((slot, int(table)))
        placed.append((m, slot))
    return placed


def _result(
    wanted: pd.DataFrame, chosen: dict[int, str], fixed: pd.DataFrame | None,
    tables: dict[str, int], *, status: str, objective: float, bound: float,
) -> ScheduleResult:  # fmt: skip
    # Fixed meetings keep their tables; the others take the free tables of their slot in order.
    kept: dict[frozenset[str], int] = {}
    if fixed is not None and not fixed.empty:
        kept = {
            frozenset((str(a), str(b))): int(t)
            for a, b, t in zip(fixed["a"], fixed["b"], fixed["table"], strict=True)
        }
    order = list(tables)
    rows = []
    taken: dict[str, set[int]] = {slot: set() for slot in tables}
    for m in sorted(chosen, key=lambda k: (order.index(chosen[k]), k)):
        pair = frozenset((wanted["a"][m], wanted["b"][m]))
        if pair in kept:
            taken[chosen[m]].add(kept[pair])
    for m in sorted(chosen, key=lambda k: (order.index(chosen[k]), k)):
        slot = chosen[m]
        pair = frozenset((wanted["a"][m], wanted["b"][m]))
        table = kept.get(pair)
        if table is None:
            table = min(set(range(1, tables[slot] + 1)) - taken[slot])
            taken[slot].add(table)
        rows.append((wanted["a"][m], wanted["b"][m], wanted["priority"][m], slot, table))
    schedule = pd.DataFrame(rows, columns=list(SCHEDULE_COLUMNS))
    schedule = schedule.sort_values(
        ["slot", "table"], key=lambda s: s.map(order.index) if s.name == "slot" else s
    ).reset_index(drop=True)
    left = wanted.drop(index=list(chosen)).reset_index(drop=True)
    counts = pd.concat([schedule["a"], schedule["b"]]).value_counts()
    people = sorted(set(wanted["a"]) | set(wanted["b"]))
    fewest = int(min((counts.get(p, 0) for p in people), default=0))
    gap = (
        (bound - objective) / bound
        if bound and np.isfinite(bound)
        else (0.0 if bound == 0 else np.nan)
    )
    weighted = float(schedule["priority"].map(PRIORITY_WEIGHTS).sum())
    return ScheduleResult(
        schedule, left, status, float(objective), float(bound), float(gap), fewest, weighted
    )
