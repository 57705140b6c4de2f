#!/usr/bin/env bash
# Installs every Debian package the build, the tests and the demo need.
# Idempotent: packages already present are not touched, so a second run is fast.
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  libnetcdf-dev netcdf-bin libhdf5-dev
  openmpi-bin libopenmpi-dev
  slurm-wlm munge
  libcurl4-openssl-dev libssl-dev
  nlohmann-json3-dev libzstd-dev libcli11-dev libdeflate-dev
  libgtest-dev libgmock-dev strace
  python3-xarray python3-zarr python3-numcodecs python3-netcdf4 python3-dask python3-numpy python3-crc32c libisal2
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

echo "setup: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: done"
