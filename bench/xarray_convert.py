#!/usr/bin/python3
"""The xarray + dask baseline of issue 7, as a researcher would write it.

    /usr/bin/python3 bench/xarray_convert.py -o OUT.zarr [--chunk-cache off] [--workers 2]
                                             [--time-chunk 30] FILE...

open_mfdataset(files, combine="nested", concat_dim="time", data_vars="minimal",
parallel=False), rechunked to TIME_CHUNK x whole grid, to_zarr with
numcodecs.Zstd(1) on every variable, dask's threaded scheduler with WORKERS
threads. --chunk-cache off sets netCDF4's HDF5 chunk cache to 0 bytes for every
file opened afterwards (netCDF4.set_chunk_cache), the issue's second row.

Prints one JSON line: seconds (open_mfdataset through to_zarr, imports
excluded), import_seconds.
"""
import argparse
import json
import time

t_import = time.perf_counter()
import dask  # noqa: E402
import netCDF4  # noqa: E402
import numcodecs  # noqa: E402
import xarray as xr  # noqa: E402

import_seconds = time.perf_counter() - t_import


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("-o", "--output", required=True)
    parser.add_argument("--chunk-cache", choices=["default", "off"], default="default")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--time-chunk", type=int, default=30)
    parser.add_argument("files", nargs="+")
    args = parser.parse_args()

    if args.chunk_cache == "off":
        # size 0: HDF5 keeps no chunk cache per variable (nelems must stay positive).
        netCDF4.set_chunk_cache(0, 1, 0.75)

    start = time.perf_counter()
    with dask.config.set(scheduler="threads", num_workers=args.workers):
        ds = xr.open_mfdataset(args.files, combine="nested", concat_dim="time",
                               data_vars="minimal", parallel=False)
        chunks = {d: (args.time_chunk if d == "time" else -1) for d in ds.dims}
        ds = ds.chunk(chunks)
        encoding = {name: {"compressor": numcodecs.Zstd(level=1)} for name in ds.variables}
        ds.to_zarr(args.output, mode="w", encoding=encoding, consolidated=True)
        ds.close()
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "import_seconds": import_seconds,
                      "chunk_cache": args.chunk_cache, "workers": args.workers}))


if __name__ == "__main__":
    main()
