#!/usr/bin/env bash
# Configures and builds nc2zarr into build/ (build/nc2zarr, build/nc2zarr-sample).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_TYPE="${BUILD_TYPE:-Release}"
cmake -S . -B build -DCMAKE_BUILD_TYPE="$BUILD_TYPE" >/dev/null
cmake --build build -j "$(nproc)"
echo "build: build/nc2zarr ready"
