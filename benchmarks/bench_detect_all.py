"""Whole-register detection (``clusteratlas detect all``): wall time, peak memory, resuming.

Generates a synthetic register (``clusteratlas.data.register``: SIRENE layout, NAF
sub-classes drawn from the real Strasbourg mix) under --workdir, then, each in its own
subprocess so that peak memory does not accumulate:

1. ``scan``: Kd of every industry with --min-plants establishments, --simulations each,
   with a checkpoint folder (the command's default): wall time and peak RSS;
2. ``plain``: the same without a checkpoint (the baseline of this run): the ratio is the
   cost of saving each industry as it finishes;
3. ``interrupted`` + ``resumed``: the run stopped after half of the industries, then started
   again: the resumed run must read that half back (counted) and give the same summary.

The issue's workload is ``--scale 1 --level naf --simulations 99`` (1,000,000
establishments, about 600 NAF sub-classes); the defaults are smaller so that the benchmark
ends in minutes on 2 cores. ``--national`` runs the workload once instead of four times:
the checkpointed run is interrupted after half of the industries and resumed by a new
process (the resume at full scale), each part with its wall time and peak memory; the
identity of a resumed summary with an uninterrupted one is checked by the default mode. A run below full scale prints an extrapolation to 1,000,000,
labelled as such: between linear growth (per-industry overhead, as the register) and
quadratic growth (the pair work, as the square of each industry's size).

    python benchmarks/bench_detect_all.py [--scale 0.2 | --n 200000] [--level naf]
        [--simulations 99] [--jobs 2] [--approx-from 100000] [--national]
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

FULL = 1_000_000


def run_one(kind: str, register: str, workdir: str, options: dict[str, object]) -> dict:
    from clusteratlas.detect.scan import load_located_points, scan_industries

    frame, _ = load_located_points(register, level=str(options["level"]))
    checkpoint = None if kind == "plain" else Path(workdir) / "scan.partial"
    if kind == "second-half":
        kind = "resumed"
    stop_at = None
    timings: list[tuple[str, float]] = []
    clock = [time.perf_counter()]

    def progress(done: int, total: int, industry: str) -> None:
        now = time.perf_counter()
        timings.append((industry, now - clock[0]))
        clock[0] = now
        if kind in ("interrupted", "first-half") and done == total // 2:
            raise KeyboardInterrupt

    start = time.perf_counter()
    try:
        result = scan_industries(
            frame, min_plants=int(options["min_plants"]), simulations=int(options["simulations"]),
            seed=1, checkpoint=checkpoint, progress=progress, n_jobs=int(options["jobs"]),
            approx_from=options["approx_from"],  # type: ignore[arg-type]
        )  # fmt: skip
    except KeyboardInterrupt:
        stop_at = "half"
        result = None
    seconds = time.perf_counter() - start
    out: dict[str, object] = {
        "seconds": seconds,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "points": len(frame),
    }
    if result is not None:
        plants = result.summary["plants"].to_numpy(dtype=float)
        out.update(measured=len(result.summary), resumed=result.resumed,
                   skipped=len(result.skipped),
                   gridded=int(result.summary["error_bound"].notna().sum()),
                   pairs=float((plants * (plants - 1) / 2).sum()))  # fmt: skip
        sizes = result.summary.set_index("industry")["plants"]
        out["per_industry"] = [[int(sizes[code]), seconds] for code, seconds in timings]
        result.summary.to_csv(Path(workdir) / f"summary_{kind}.csv", index=False)
    else:
        out["stopped"] = stop_at
    return out


def model_extrapolation(per_industry: list[list[float]], ratio: float, simulations: int) -> str:
    """Fit each industry's time to ``a + b * pairs`` and predict the register ``ratio`` times
    larger with the same industry mix (every industry ``ratio`` times as many plants).

    Least squares on this run's industries (each timed from the progress callback: its
    observed curve and simulations). A model, not a run: it assumes the pair work stays
    the same per pair at the larger sizes (the histogram path beyond 65,536 pairs) and
    that every industry is measured exactly. The time of 99 simulations is this run's
    scaled by curves (100 over ``simulations + 1``).
    """
    import numpy as np

    plants = np.array([row[0] for row in per_industry], dtype=float)
    seconds = np.array([row[1] for row in per_industry], dtype=float)
    pairs = plants * (plants - 1) / 2
    design = np.column_stack([np.ones_like(pairs), pairs])
    (a, b), *_ = np.linalg.lstsq(design, seconds, rcond=None)
    a, b = max(float(a), 0.0), max(float(b), 0.0)
    scaled = plants * ratio
    predicted = float((a + b * scaled * (scaled - 1) / 2).sum())
    largest = float(scaled.max())
    curves = 100 / (simulations + 1)
    return (
        f"model (NOT run): each industry {a * 1e3:.1f} ms + {b * 1e9:.2f} s per G pairs with "
        f"{simulations} simulations (fit on {len(plants)} industries); at {ratio:.0f}x the "
        f"register, same mix: {predicted / 3600:.1f} h, the largest industry "
        f"({largest:,.0f} plants) {(a + b * largest * (largest - 1) / 2) / 60:.1f} min of it; "
        f"with 99 simulations about {predicted * curves / 3600:.1f} h"
    )


def child(args: argparse.Namespace, workdir: Path, kind: str) -> dict:
    """Run one part in a fresh interpreter (its own peak memory) and return its record."""
    proc = subprocess.run(
        [sys.executable, __file__, "--n", str(args.n), "--level", args.level,
         "--min-plants", str(args.min_plants), "--simulations", str(args.simulations),
         "--jobs", str(args.jobs), "--workdir", str(workdir), "--child", kind, "x"]
        + ([] if args.approx_from is None else ["--approx-from", str(args.approx_from)]),
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return json.loads(proc.stdout.strip().splitlines()[-1])


def national(args: argparse.Namespace, workdir: Path) -> None:
    """The whole workload once: interrupted after half of the industries, then resumed."""
    first = child(args, workdir, "first-half")
    second = child(args, workdir, "second-half")
    total = first["seconds"] + second["seconds"]
    print(f"register: {int(args.n):,} establishments ({second['points']:,} active and located), "
          f"level {args.level}, >= {args.min_plants} plants, {args.simulations} simulations "
          f"each, {args.jobs} job(s)"
          + ("" if args.approx_from is None else f", gridded from {args.approx_from:,} plants"))  # fmt: skip
    print(f"industries measured: {second['measured']} ({second['skipped']} with too few plants, "
          f"{second['gridded']} from gridded counts); pair work "
          f"{second['pairs'] * (1 + args.simulations) / 1e9:,.1f} G distances if all exact")  # fmt: skip
    print(f"  first half (stopped): {first['seconds']:8.1f} s, peak {first['peak_mb']:7.0f} MB")
    print(f"  resumed:              {second['seconds']:8.1f} s, peak {second['peak_mb']:7.0f} MB, "
          f"{second['resumed']} industries read back")  # fmt: skip
    print(f"  whole run: {total:,.0f} s ({total / 3600:.2f} h)")
    slowest = sorted(second["per_industry"], key=lambda row: -row[1])[:5]
    print("  slowest industries in the resumed part (plants, seconds): "
          + ", ".join(f"{int(p):,}: {s:.1f}" for p, s in slowest))  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=float, default=200_000)
    parser.add_argument(
        "--scale", type=float, help="fraction of 1,000,000 establishments (overrides --n)"
    )
    parser.add_argument("--level", default="group", choices=["naf", "class", "group", "division"])
    parser.add_argument("--min-plants", type=int, default=10)
    parser.add_argument("--simulations", type=int, default=19)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument(
        "--approx-from", type=int, help="Kd of industries with this many plants from gridded counts"
    )
    parser.add_argument(
        "--national", action="store_true",
        help="one run, interrupted at half and resumed (no plain or repeated run)",
    )  # fmt: skip
    parser.add_argument("--workdir", default="/tmp/clusteratlas-bench-detect-all")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.scale is not None:
        args.n = round(FULL * args.scale)
    options = {"level": args.level, "min_plants": args.min_plants,
               "simulations": args.simulations, "jobs": args.jobs,
               "approx_from": args.approx_from}  # fmt: skip
    workdir = Path(args.workdir)
    register = workdir / "register"
    if args.child:
        kind, _ = args.child
        print(json.dumps(run_one(kind, str(register), str(workdir), options)))
        return
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    from clusteratlas.data.register import generate_register

    generate_register(register, n=int(args.n), rng=1)
    if args.national:
        national(args, workdir)
        return
    results = {}
    for kind in ("plain", "scan", "interrupted", "resumed"):
        if kind == "scan":
            shutil.rmtree(workdir / "scan.partial", ignore_errors=True)
        results[kind] = child(args, workdir, kind)
        if kind == "scan":
            shutil.rmtree(workdir / "scan.partial")  # the interrupted run starts afresh
    import pandas as pd

    same = pd.read_csv(workdir / "summary_resumed.csv").equals(
        pd.read_csv(workdir / "summary_scan.csv")
    )
    plain, scan = results["plain"], results["scan"]
    print(f"register: {int(args.n):,} establishments ({scan['points']:,} active and located), level "
          f"{args.level}, >= {args.min_plants} plants, {args.simulations} simulations each")  # fmt: skip
    print(f"industries measured: {scan['measured']} ({scan['skipped']} with too few plants, "
          f"{scan['gridded']} from gridded counts)")  # fmt: skip
    for kind in ("plain", "scan", "interrupted", "resumed"):
        row = results[kind]
        print(f"{kind:>12}: {row['seconds']:8.1f} s, peak {row['peak_mb']:7.0f} MB"
              + (f", {row['resumed']} industries read back" if "resumed" in row else ""))  # fmt: skip
    print(f"checkpoint cost: {scan['seconds'] / plain['seconds']:.3f}x the run without one")
    if args.n < FULL:
        ratio = FULL / args.n
        low, high = scan["seconds"] * ratio, scan["seconds"] * ratio**2
        print(f"extrapolation to {FULL:,} establishments (NOT run): {ratio:.0f}x the register; "
              f"between {low / 3600:.1f} h (time linear in the register) and {high / 3600:.1f} h "
              f"(all of it pair work, quadratic); pair work here {scan['pairs'] * (1 + args.simulations) / 1e9:.2f} G "
              "distances")  # fmt: skip
    if args.n < FULL:
        print(model_extrapolation(scan["per_industry"], FULL / args.n, args.simulations))
    print(f"interrupted at half, then resumed: {results['resumed']['resumed']} of "
          f"{scan['measured']} industries read back; summary identical to one run: {same}")  # fmt: skip


if __name__ == "__main__":
    main()
