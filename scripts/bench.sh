#!/usr/bin/env bash
# The benchmark of issue 7, in one command:
#   scripts/bench.sh [--quick] [--repeats N] [--keep] [other bench/run_bench.py options]
# Installs what is missing (scripts/setup.sh's packages and python3-matplotlib),
# builds nc2zarr (scripts/build.sh) and the bench tools (bench/ into
# build/bench-tools), then runs bench/run_bench.py. Results: bench/results/latest.md,
# latest.json, latest.png. Generated data lives in $BENCH_WORKDIR (default
# /tmp/nc2zarr-bench) and is deleted at the end unless --keep.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
if ! dpkg-query -W -f='${Status}' python3-matplotlib 2>/dev/null | grep -q "install ok installed"; then
  echo "bench: installing python3-matplotlib (for the plot)"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends python3-matplotlib >/dev/null
fi

if [ "${BENCH_NO_BUILD:-0}" != "1" ]; then
  scripts/build.sh
fi
[ -x build/nc2zarr ] || { echo "bench: build/nc2zarr is missing (run scripts/build.sh)" >&2; exit 1; }
cmake -S bench -B build/bench-tools -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/bench-tools -j "$(nproc)" >/dev/null
echo "bench: tools ready in build/bench-tools"

exec /usr/bin/python3 bench/run_bench.py --tools-dir build/bench-tools "$@"
