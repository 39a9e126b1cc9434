#!/usr/bin/env bash
# Installs the R reference packages EconGeo 2.1 and REAT 3.0.3 (with Debian's R) for the
# agreement benchmarks and for regenerating the fixed reference values of the tests
# (scripts/regenerate-r-references.sh). Not a dependency of the project: the tests never
# need R. Usage: scripts/install-r-references.sh [LIBDIR]  (default ~/.cache/clusteratlas-r),
# then R_LIBS=LIBDIR. Needs root for apt-get when R or its packages are missing; the CRAN
# sources come from ../shared/tools/econgeo-reat (override with ECONGEO_REAT_TOOLS).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tools=${ECONGEO_REAT_TOOLS:-$here/../../shared/tools/econgeo-reat}
if [ ! -x "$tools/install.sh" ] && [ ! -f "$tools/install.sh" ]; then
  echo "error: no EconGeo/REAT installer at $tools (set ECONGEO_REAT_TOOLS)" >&2
  exit 1
fi
exec bash "$tools/install.sh" "$@"
