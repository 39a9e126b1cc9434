r"""The meeting schedule as a mixed-integer program solved by HiGHS.

The same integer program as :func:`~clusteratlas.meet.scheduler.schedule_meetings` (see
:mod:`clusteratlas.meet.scheduler`), given to HiGHS's branch-and-cut (``scipy.optimize.milp``, extra ``meet``)
instead of CP-SAT. Its linear relaxation is almost tight here — the constraints are those of
a b-matching over (meeting, slot) pairs — so HiGHS proves optimality or a small gap on
events of hundreds to thousands of participants where CP-SAT, on two cores, spends its time
limit presolving and improving slowly on the first-come schedule (see
``benchmarks/bench_meet.py``). :func:`lp_bound` is the value of that relaxation: an
independent upper bound on any schedule's weighted meetings.

References
----------
Huangfu, Q. and Hall, J. A. J. (2018). Parallelizing the dual revised simplex method.
Mathematical Programming Computation 10, 119–142. https://highs.dev
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from clusteratlas._validation import check_interval, optional_import
from clusteratlas.errors import ParameterError
from clusteratlas.meet.scheduler import (
    PRIORITY_WEIGHTS,
    ScheduleResult,
    _first_come,
    _fixed,
    _inputs,
    _result,
)


@dataclass(frozen=True)
class _Program:
    """The integer program in matrix form: x (one per possible meeting × slot) then z."""

    c: np.ndarray
    matrix: Any
    upper: np.ndarray
    var_upper: np.ndarray
    var_lower: np.ndarray
    meeting: np.ndarray
    slot: list[str]
    people: list[str]


def _program(
    wanted: pd.DataFrame, tables: dict[str, int], free: dict[str, set[str]],
    placed: list[tuple[int, str]], fairness: float,
) -> _Program:  # fmt: skip
    sparse = optional_import("scipy.sparse", extra="meet")
    order = list(tables)
    meeting: list[int] = []
    slot_of: list[int] = []
    seats: dict[tuple[str, str], int] = {}
    owner: list[tuple[int, int]] = []
    person_vars: dict[str, list[int]] = {}
    for m, (a, b) in enumerate(zip(wanted["a"], wanted["b"], strict=True)):
        both = free.get(a, set()) & free.get(b, set())
        for j, slot in enumerate(order):
            if slot in both:
                k = len(meeting)
                meeting.append(m)
                slot_of.append(j)
                owner.append(
                    (
                        seats.setdefault((a, slot), len(seats)),
                        seats.setdefault((b, slot), len(seats)),
                    )
                )
                person_vars.setdefault(a, []).append(k)
                person_vars.setdefault(b, []).append(k)
    n, rows_m, rows_p, rows_s = len(meeting), len(wanted), len(seats), len(order)
    cols = np.arange(n)
    pair = np.asarray(owner, dtype=int).reshape(-1, 2)
    people = list(person_vars)
    fr = np.concatenate(
        [np.full(len(v), i) for i, v in enumerate(person_vars.values())] or [np.zeros(0)]
    )
    fc = np.concatenate([np.asarray(v) for v in person_vars.values()] or [np.zeros(0)])
    parts = [
        sparse.csr_matrix((np.ones(n), (meeting, cols)), shape=(rows_m, n + 1)),
        sparse.csr_matrix((np.ones(2 * n), (np.r_[pair[:, 0], pair[:, 1]], np.r_[cols, cols])), shape=(rows_p, n + 1)),
        sparse.csr_matrix((np.ones(n), (slot_of, cols)), shape=(rows_s, n + 1)),
        # z - (meetings of p) <= 0 for every participant with a possible meeting.
        sparse.csr_matrix(
            (np.r_[-np.ones(len(fc)), np.ones(len(people))],
             (np.r_[fr, np.arange(len(people))], np.r_[fc, np.full(len(people), n)])),
            shape=(len(people), n + 1),
        ),
    ]  # fmt: skip
    weights = wanted["priority"].map(PRIORITY_WEIGHTS).to_numpy(dtype=float)
    lower = np.zeros(n + 1)
    index = {(m, order[j]): i for i, (m, j) in enumerate(zip(meeting, slot_of, strict=True))}
    for m, slot in placed:
        lower[index[m, slot]] = 1.0
    return _Program(
        c=-np.r_[weights[np.asarray(meeting, dtype=int)], float(fairness)],
        matrix=sparse.vstack(parts).tocsr(),
        upper=np.r_[np.ones(rows_m + rows_p), [tables[s] for s in order], np.zeros(len(people))],
        var_upper=np.r_[np.ones(n), float(len(wanted))],
        var_lower=lower,
        meeting=np.asarray(meeting, dtype=int),
        slot=[order[j] for j in slot_of],
        people=people,
    )


@dataclass(frozen=True)
class _Solved:
    status: str  # "optimal", "feasible" or "none"
    x: np.ndarray | None
    objective: float
    bound: float
    message: str


def _solve(program: _Program, *, integral: bool, time_limit: float) -> _Solved:
    optimize = optional_import("scipy.optimize", extra="meet")
    n = len(program.c)
    solved = optimize.milp(
        program.c,
        constraints=optimize.LinearConstraint(program.matrix, -np.inf, program.upper),
        integrality=np.ones(n) if integral else np.zeros(n),
        bounds=optimize.Bounds(program.var_lower, program.var_upper),
        # HiGHS's presolve (its probing) runs far past the time limit on these models and
        # gains nothing: off, 2,000 participants solve to optimality in ~11 s instead of no
        # solution in 470 s (benchmarks/bench_meet.py).
        options={"time_limit": float(time_limit), "disp": False, "presolve": False},
    )
    optimal = solved.status == 0
    value = -float(solved.fun) if solved.x is not None else np.nan
    dual = getattr(solved, "mip_dual_bound", None)
    bound = value if optimal else -float(dual) if integral and dual is not None else np.nan
    return _Solved(
        "optimal" if optimal else "feasible" if solved.x is not None else "none",
        solved.x, value, bound, str(solved.message),
    )  # fmt: skip


def schedule_meetings_highs(
    meetings: pd.DataFrame,
    *,
    availability: pd.DataFrame,
    slots: pd.DataFrame,
    fixed: pd.DataFrame | None = None,
    fairness: float = 1.0,
    time_limit: float = 10.0,
) -> ScheduleResult:
    r"""Place wanted meetings into slots and tables with HiGHS.

    Same model and arguments as :func:`~clusteratlas.meet.scheduler.schedule_meetings`.

    The fairness term :math:`\lambda z` is over the participants who have at least one
    possible meeting (a participant whose requests meet no common free slot cannot raise
    the minimum).

    Returns
    -------
    ScheduleResult
        ``status`` ``"optimal"`` or ``"feasible"`` (time limit: ``bound`` is HiGHS's dual
        bound and ``gap`` the proven gap); ``"first-come"`` when HiGHS found no schedule
        within the time limit (the first-come schedule is returned, with HiGHS's bound).

    Raises
    ------
    SchemaError, ParameterError
        As :func:`~clusteratlas.meet.scheduler.schedule_meetings`; ParameterError also when
        HiGHS finds no schedule within ``time_limit``.
    """
    check_interval(time_limit, name="time_limit", low=0, closed="right")
    check_interval(fairness, name="fairness", low=0)
    wanted, tables, free = _inputs(meetings, availability, slots)
    placed = _fixed(fixed, wanted, tables, free)
    program = _program(wanted, tables, free, placed, fairness)
    solved = _solve(program, integral=True, time_limit=time_limit)
    if solved.x is None:
        if placed:
            raise ParameterError(
                f"HiGHS found no schedule within {time_limit} s ({solved.message}); give it "
                "more time or check the fixed meetings."
            )
        # Nothing found in time: the first-come schedule, with HiGHS's bound (status says so).
        chosen = _first_come(wanted, tables, free)
        x = np.array(
            [
                float(chosen.get(int(m)) == s)
                for m, s in zip(program.meeting, program.slot, strict=True)
            ]
        )
        objective = (
            float(-program.c[:-1] @ x) + _fewest(wanted, chosen, program.people) * -program.c[-1]
        )
        return _result(wanted, chosen, None, tables, status="first-come", objective=objective,
                       bound=solved.bound)  # fmt: skip
    on = np.flatnonzero(solved.x[:-1] > 0.5)
    chosen = {int(program.meeting[i]): program.slot[i] for i in on}
    return _result(
        wanted, chosen, fixed, tables, status=solved.status, objective=solved.objective,
        bound=max(solved.bound, solved.objective),
    )  # fmt: skip


def _fewest(wanted: pd.DataFrame, chosen: dict[int, str], people: list[str]) -> float:
    counts = dict.fromkeys(people, 0)
    for m in chosen:
        for p in (wanted["a"][m], wanted["b"][m]):
            if p in counts:
                counts[p] += 1
    return float(min(counts.values(), default=0))


def lp_bound(
    meetings: pd.DataFrame, *, availability: pd.DataFrame, slots: pd.DataFrame,
    fairness: float = 0.0, time_limit: float = 600.0,
) -> float:  # fmt: skip
    r"""Return the linear-relaxation optimum: an upper bound on the objective of any schedule.

    With ``fairness=0`` (the default) it bounds the weighted meetings
    (:attr:`ScheduleResult.weighted`) of any scheduler, solver or greedy; divide by 100
    with only accepted meetings to bound their number.
    """
    wanted, tables, free = _inputs(meetings, availability, slots)
    program = _program(wanted, tables, free, [], fairness)
    solved = _solve(program, integral=False, time_limit=time_limit)
    if solved.status != "optimal":
        raise ParameterError(
            f"The linear relaxation was not solved within {time_limit} s ({solved.message})."
        )
    return solved.objective
