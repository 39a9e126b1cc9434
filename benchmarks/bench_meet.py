"""Meeting scheduling: CP-SAT against the first-come baseline on a synthetic B2B session.

A seeded synthetic matchmaking session (not a real event): --participants people, --slots
slots of 20–30 minutes, --tables tables; each person is free in about 70 % of the slots and
asks for meetings with others drawn with a preference for popular participants (as at real
events, a few large firms and investors are asked by many), each request accepted,
mutual or one-sided. Prints, for the greedy first-come scheduler (the baseline of this run)
and CP-SAT within --time-limit (started from the greedy schedule): meetings placed, their
weights (accepted 100, mutual 10, one-sided 1), the fewest meetings of a participant,
seconds, and CP-SAT's proven bound and gap.

    python benchmarks/bench_meet.py [--participants 600] [--slots 16] [--tables 150]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from clusteratlas.meet import greedy_schedule, schedule_meetings


def synthetic_session(
    participants: int, slots: int, tables: int, requests: int, rng: np.random.Generator
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    people = [f"p{i:04d}" for i in range(participants)]
    popularity = rng.pareto(1.5, participants) + 1
    popularity /= popularity.sum()
    pairs: set[frozenset[str]] = set()
    while len(pairs) < requests:
        a = people[int(rng.integers(participants))]
        b = people[int(rng.choice(participants, p=popularity))]
        if a != b:
            pairs.add(frozenset((a, b)))
    ordered = sorted(tuple(sorted(p)) for p in pairs)  # sets iterate in a per-run order
    kinds = rng.choice(["accepted", "mutual", "one-sided"], size=len(ordered), p=[0.5, 0.3, 0.2])
    meetings = pd.DataFrame(
        [(*p, k) for p, k in zip(ordered, kinds, strict=True)], columns=["a", "b", "priority"]
    ).sample(frac=1.0, random_state=int(rng.integers(2**31)))  # request order: random
    slot_ids = [f"s{j:02d}" for j in range(slots)]
    availability = pd.DataFrame(
        [(p, s) for p in people for s in slot_ids if rng.random() < 0.7],
        columns=["participant", "slot"],
    )
    return meetings, availability, pd.DataFrame({"slot": slot_ids, "tables": tables})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=600)
    parser.add_argument("--slots", type=int, default=16)
    parser.add_argument("--tables", type=int, default=150)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    meetings, availability, slots = synthetic_session(
        args.participants, args.slots, args.tables, args.requests, rng
    )
    print(f"synthetic session: {args.participants} participants, {len(meetings)} wanted "
          f"meetings, {args.slots} slots x {args.tables} tables (seed {args.seed})")  # fmt: skip
    start = time.perf_counter()
    greedy = greedy_schedule(meetings, availability=availability, slots=slots)
    greedy_s = time.perf_counter() - start
    start = time.perf_counter()
    best = schedule_meetings(
        meetings, availability=availability, slots=slots, time_limit=args.time_limit, seed=0
    )
    best_s = time.perf_counter() - start
    for name, result, seconds in (("greedy", greedy, greedy_s), ("CP-SAT", best, best_s)):
        print(f"{name:>7}: {result.n_meetings:5d} meetings, weighted {result.weighted:9.0f}, "
              f"fewest per participant {result.min_meetings}, {seconds:6.1f} s")  # fmt: skip
    print(f"CP-SAT: {best.status}, bound {best.bound:.0f}, gap {best.gap:.2%}")
    print(f"ratio CP-SAT / greedy: {best.n_meetings / greedy.n_meetings:.3f}x meetings, "
          f"{best.weighted / greedy.weighted:.3f}x weighted meetings")  # fmt: skip


if __name__ == "__main__":
    main()
