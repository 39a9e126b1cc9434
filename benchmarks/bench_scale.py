"""National registers at scale: DuckDB (Ibis) vs hand-written DuckDB SQL, pandas and Spark.

Generates synthetic registers once (``clusteratlas.data.register``) under --workdir, then runs
every (engine, size) in its own subprocess so that peak memory does not accumulate; each
child reports wall time and its peak RSS (plus its children's: the Spark JVM).

    python benchmarks/bench_scale.py --sizes 1e6,1e7,3e7 --spark-sizes 1e6,1e7
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

YEAR = 2020
SQL = """
SELECT CASE WHEN starts_with(c, '97') THEN c[1:3] ELSE c[1:2] END AS region,
       replace(a, '.', '')[1:2] AS industry, {year} AS year,
       SUM(CASE t {cases} ELSE NULL END) AS employment, COUNT(*) AS establishments
FROM (SELECT trim(codeCommuneEtablissement) AS c, upper(trim(activitePrincipaleEtablissement)) AS a,
             upper(trim(trancheEffectifsEtablissement)) AS t, *
      FROM read_parquet('{glob}'))
WHERE (dateCreationEtablissement IS NULL OR dateCreationEtablissement <= DATE '{year}-01-01')
  AND NOT coalesce(etatAdministratifEtablissement = 'F' AND dateDebut <= DATE '{year}-01-01', false)
  AND regexp_matches(replace(a, '.', ''), '^[0-9]{{4}}[A-Z]$')
GROUP BY ALL
"""


def run_one(kind: str, path: str) -> dict[str, float]:
    # Imports happen before the clock starts: the comparison is of the work, not of loading
    # Python packages (ibis and pyspark take ~1 s to import, duckdb and pandas much less).
    import duckdb
    import pandas as pd

    from clusteratlas.data.establishments import INSEE_BAND_MIDPOINTS
    from clusteratlas.mapping.registers import map_register

    start = time.perf_counter()
    if kind in ("duckdb", "spark"):
        result = map_register(path, engine=kind, region_level="departement", year=YEAR)
        rows = len(result.frame)
    elif kind == "sql":
        cases = " ".join(f"WHEN '{k}' THEN {v}" for k, v in INSEE_BAND_MIDPOINTS.items() if v == v)
        query = SQL.format(year=YEAR, cases=cases, glob=f"{path}/*.parquet")
        rows = len(duckdb.sql(query).df())
    else:  # pandas: the same aggregation, whole columns in memory
        frame = pd.read_parquet(path)
        day = pd.Timestamp(f"{YEAR}-01-01").date()
        closed = (frame["etatAdministratifEtablissement"] == "F") & (frame["dateDebut"] <= day)
        frame = frame[(frame["dateCreationEtablissement"] <= day) & ~closed]
        commune = frame["codeCommuneEtablissement"]
        region = commune.str[:2].where(~commune.str.startswith("97"), commune.str[:3])
        naf = frame["activitePrincipaleEtablissement"].str.replace(".", "", regex=False)
        employment = frame["trancheEffectifsEtablissement"].map(INSEE_BAND_MIDPOINTS)
        table = pd.DataFrame({"region": region, "industry": naf.str[:2], "employment": employment})
        rows = len(
            table.groupby(["region", "industry"]).agg(
                employment=("employment", lambda s: s.sum(min_count=1)),
                establishments=("employment", "size"),
            )
        )
    wall = time.perf_counter() - start
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024**2
    return {"wall_s": wall, "peak_gb": own + kids, "rows_out": rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="1e6,1e7,3e7")
    parser.add_argument("--spark-sizes", default="1e6,1e7")
    parser.add_argument("--workdir", default="/tmp/clusteratlas-bench-scale")
    parser.add_argument("--keep", action="store_true", help="Keep the generated registers.")
    parser.add_argument("--one", nargs=2, metavar=("KIND", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(*args.one)))
        return
    from clusteratlas.data.register import generate_register

    sizes = [int(float(s)) for s in args.sizes.split(",") if s]
    spark = {int(float(s)) for s in args.spark_sizes.split(",") if s}
    work = Path(args.workdir)
    print(f"{'n':>12} {'engine':>8} {'wall s':>8} {'peak GB':>8} {'rows/s':>12} {'vs SQL':>7}")
    try:
        for n in sizes:
            path = work / f"n{n}"
            if not path.exists():
                t = time.perf_counter()
                generate_register(path, n=n, rng=1)
                print(f"# generated {n:,} rows in {time.perf_counter() - t:.0f} s", flush=True)
            kinds = ["sql", "duckdb"] + (["pandas"] if n <= 10_000_000 else [])
            kinds += ["spark"] if n in spark else []
            base = None
            for kind in kinds:
                out = subprocess.run(
                    [sys.executable, __file__, "--one", kind, str(path)],
                    capture_output=True,
                    text=True,
                    check=True,
                )
                result = json.loads(out.stdout.strip().splitlines()[-1])
                base = result["wall_s"] if kind == "sql" else base
                ratio = result["wall_s"] / base if base else float("nan")
                print(
                    f"{n:>12,} {kind:>8} {result['wall_s']:>8.2f} {result['peak_gb']:>8.2f} "
                    f"{n / result['wall_s']:>12,.0f} {ratio:>7.2f}",
                    flush=True,
                )
            if n > 10_000_000:
                print(f"# pandas skipped at {n:,} rows (above 10 M it does not fit comfortably)")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
