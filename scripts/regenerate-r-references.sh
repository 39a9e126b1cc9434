#!/usr/bin/env bash
# Recomputes the EconGeo/REAT reference values kept in tests/unit/data/econgeo_reat.json
# (hand-made matrices, REAT's example data and, with CLUSTERATLAS_DATA set, the EU SBS 2014
# NUTS-2 x NACE-division matrix read with the project's own reader, missing cells as 0).
# Needs R with EconGeo and REAT (scripts/install-r-references.sh); the tests do not.
# Usage: scripts/regenerate-r-references.sh [OUT.json]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/tests/unit/data/econgeo_reat.json}
export R_LIBS=${R_LIBS:-$HOME/.cache/clusteratlas-r}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sbs=()
if [ -n "${CLUSTERATLAS_DATA:-}" ]; then
  python - "$work/eu_sbs_2014.csv" <<'PY'
import sys

from clusteratlas.mapping.sources import get_source, load_observations

frame = load_observations(get_source("eu-sbs"))
year = frame[frame["year"] == 2014]
matrix = year.pivot(index="region", columns="industry", values="employment").fillna(0.0)
matrix.sort_index().sort_index(axis=1).to_csv(sys.argv[1], float_format="%.17g")
PY
  sbs=("$work/eu_sbs_2014.csv")
fi
mkdir -p "$(dirname "$out")"
Rscript "$root/scripts/econgeo-reat-references.R" "$work/out.json" "${sbs[@]}"
python -c 'import json, sys; json.dump(json.load(open(sys.argv[1])), open(sys.argv[2], "w"), indent=1); print("wrote", sys.argv[2])' "$work/out.json" "$out"
