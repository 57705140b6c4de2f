#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test: unit tests, MPI runs
# with 1, 2 and 3 ranks, bad-input checks, and the xarray comparisons on
# generated and real data.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
# Open MPI refuses to run as root unless told; CI runs as root.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1
cd build
ctest --output-on-failure -j "$(nproc)" "$@"
