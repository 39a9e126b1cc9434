"""Meeting scheduling: CP-SAT and HiGHS against the first-come baseline and the LP bound.

Generated events (issue 12's benchmark; SYNTHETIC, seeded: :mod:`clusteratlas.meet.synthetic`
draws participants from the registry's real organisations, each free in 70–100 % of the
slots and sending Poisson(8) requests weighted by complementarity) on the 16 slots of the
packaged European Cluster Conference 2024 with tables = participants / 8. For each size,
each method runs in a fresh process (so its peak resident memory is its own) and prints:
meetings placed, their weight (accepted 100, mutual 10, one-sided 1), the share of the
upper bound, the fewest meetings of a participant who asked for one, wall seconds and peak
memory. The upper bound is the **linear relaxation** of the integer program solved by HiGHS
(fairness 0): it bounds the weighted meetings of any schedule, so "share" is
weighted / LP bound for every method. CP-SAT's and HiGHS's own proven bounds (on their
objective, with the fairness term) are printed too.

    python benchmarks/bench_meet.py [--sizes 500 2000 5000] [--time-limit 60] [--seed 1]
        [--methods "LP bound" greedy HiGHS CP-SAT] [--participants-per-table 8]

With 8 participants per table every schedule fills every table (16 × participants/8 =
2 × participants meetings, 4 per participant, while each is party to about 12 wanted
meetings): the methods then differ in which meetings they place (weight), not in how many
(first come fills every table even with 4 participants per table; the solvers may place
fewer meetings there, of more weight: accepted requests before one-sided interest).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import resource
import time
from typing import Any


def _instance(size: int, seed: int, per_table: int = 8) -> tuple[Any, Any, Any]:
    from clusteratlas.meet import packaged_event, wanted_meetings
    from clusteratlas.meet.synthetic import synthetic_event

    generated = synthetic_event(packaged_event("ecc2024"), participants=size, rng=seed)
    wanted = wanted_meetings(generated.requests)
    free = generated.availability.rename(
        columns={"participant_id": "participant", "slot_start": "slot"}
    )
    slots = generated.slots.assign(tables=max(size // per_table, 1))
    return wanted, free, slots


def _run(method: str, size: int, seed: int, time_limit: float, per_table: int, out: Any) -> None:
    from clusteratlas.meet import greedy_schedule, schedule_meetings
    from clusteratlas.meet.highs import lp_bound

    wanted, free, slots = _instance(size, seed, per_table)
    start = time.perf_counter()
    row: dict[str, Any] = {"method": method, "wanted": len(wanted)}
    if method == "LP bound":
        row["bound"] = lp_bound(wanted, availability=free, slots=slots)
    else:
        if method == "greedy":
            result = greedy_schedule(wanted, availability=free, slots=slots)
        else:
            result = schedule_meetings(wanted, availability=free, slots=slots, time_limit=time_limit,
                                       solver="cp-sat" if method == "CP-SAT" else "highs")  # fmt: skip
        row.update(meetings=result.n_meetings, weighted=result.weighted, fewest=result.min_meetings,
                   status=result.status, own_bound=result.bound, gap=result.gap)  # fmt: skip
    row["seconds"] = time.perf_counter() - start
    row["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out.put(row)


def measure(
    method: str, size: int, seed: int, time_limit: float, per_table: int = 8
) -> dict[str, Any]:
    """Run one method on one generated event in a fresh process; return its figures."""
    context = mp.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_run, args=(method, size, seed, time_limit, per_table, queue))
    process.start()
    try:
        row: dict[str, Any] = queue.get(timeout=max(600.0, 10 * time_limit))
    finally:
        process.join()
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 2000, 5000])
    parser.add_argument("--methods", nargs="+", default=["LP bound", "greedy", "HiGHS", "CP-SAT"])
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--participants-per-table",
        type=int,
        default=8,
        help="tables = participants / this (8: the issue's benchmark)",
    )
    args = parser.parse_args()
    print(f"synthetic events (seed {args.seed}), 16 slots, tables = participants/"
          f"{args.participants_per_table}, solver "
          f"time limit {args.time_limit:g} s; share = weighted meetings / LP bound")  # fmt: skip
    for size in args.sizes:
        per = args.participants_per_table
        rows = [measure(m, size, args.seed, args.time_limit, per) for m in args.methods]
        bound = next((r["bound"] for r in rows if r["method"] == "LP bound"), float("nan"))
        print(f"\n{size} participants, {rows[0]['wanted']} wanted meetings, {size // per} tables "
              f"per slot; LP bound {bound:.0f}")  # fmt: skip
        for r in rows:
            if r["method"] == "LP bound":
                print(f"  {'LP bound':>8}: {r['seconds']:6.1f} s, peak {r['peak_mib']:6.0f} MiB")
                continue
            print(f"  {r['method']:>8}: {r['meetings']:6d} meetings, weighted {r['weighted']:9.0f} "
                  f"({r['weighted'] / bound:7.2%} of the LP bound), fewest {r['fewest']}, "
                  f"{r['status']}, own bound {r['own_bound']:.0f}, {r['seconds']:6.1f} s, "
                  f"peak {r['peak_mib']:6.0f} MiB")  # fmt: skip


if __name__ == "__main__":
    main()
