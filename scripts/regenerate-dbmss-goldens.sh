#!/usr/bin/env bash
# Recomputes the dbmss reference values kept in tests/unit/data/dbmss/: dbmss's GlobalEnvelope
# on simulated curves exported from Cluster Atlas (seeded: the curves are stored with the band,
# so the tests need neither R nor bit-identical simulations), and on polygon windows: paracou16
# with its own polygon (Kd / weighted Kd, weighted M, spatstat's isotropic Kest) and an L-shaped
# window with a hole (Kest).
# Needs R with dbmss (../shared/tools/dbmss/install.sh [LIBDIR]) and CLUSTERATLAS_DATA (the
# shared reference points); the tests do not.
# Usage: scripts/regenerate-dbmss-goldens.sh [OUTDIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/tests/unit/data/dbmss}
export R_LIBS=${R_LIBS:-$HOME/.cache/clusteratlas-r}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python - "$work" <<'PY'
import os
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from clusteratlas.measures.pointpattern import kd_test, m_test

work = Path(sys.argv[1])
data = Path(os.environ["CLUSTERATLAS_DATA"]) / "reference/dbmss/points.csv"
points = pd.read_csv(data, dtype={"industry": str})
window = (0.0, 0.0, 10_000.0, 10_000.0)
runs = {
    # Kd of the clustered industry, 99 simulations of random location, 48 distances.
    "kd_A_99": kd_test(points, industry="A", window=window, simulations=99, rng=20261201,
                       n_r=48),
    # Weighted M of the uniform industry, 199 simulations, 24 distances (r = 0 left out).
    "m_B_199": m_test(points, industry="B", weight="weight", window=window, simulations=199,
                      rng=20261202, r=np.linspace(250.0, 6000.0, 24)),
}
for name, result in runs.items():
    sims = pd.DataFrame(result.simulations.T, columns=[f"sim{i + 1}" for i in
                                                       range(result.n_simulations)])
    sims.insert(0, "r", result.r)
    sims.to_csv(work / f"sims_{name}.csv", index=False, float_format="%.17g")
PY
Rscript "$root/scripts/dbmss-goldens.R" "$work"
mkdir -p "$out"
cp "$work"/sims_*.csv "$work"/band_*.csv "$work"/paracou16_*.csv "$work"/lshape_*.csv "$out"/
echo "wrote $(ls "$work" | wc -l) files to $out"
