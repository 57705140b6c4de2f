#!/usr/bin/env bash
# The whole job on built-in sample data: installs what is missing, builds,
# writes a month of daily CF files split in time, converts them with 2 MPI
# ranks into one Zarr store, and checks it with xarray.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh

export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
rm -rf sample_data sample.zarr
build/nc2zarr-sample -o sample_data --files 12 --steps 30 --lat 180 --lon 360
build/nc2zarr plan 'sample_data/*.nc' --chunks time=30 | head -20
mpirun -np 2 --oversubscribe build/nc2zarr convert 'sample_data/*.nc' -o sample.zarr --chunks time=30
/usr/bin/python3 tests/python/xarray_compare.py sample.zarr

cat <<'MSG'

Open it with Debian's Python:
  /usr/bin/python3 -c 'import xarray as xr; print(xr.open_zarr("sample.zarr"))'
MSG
