#!/usr/bin/python3
"""Many small files per chunk: hourly or daily output, one time step a file and
many variables (a WRF or model-history layout), concatenated into chunks that
each span dozens of files.

    /usr/bin/python3 bench/many_files.py [--files 120] [--vars 60] [--repeats 3]
                                         [--workdir DIR] [--json OUT] [--markdown OUT] [--keep]

Generates FILES NetCDF-4 files (netCDF4-python: 1 time step of a 60 x 80 grid
per variable, deflate 1 + shuffle, one HDF5 chunk a step), then runs, interleaved:
nc2zarr with 2 ranks, and xarray + dask (bench/xarray_convert.py, 2 threads),
both with chunks of 30 steps and zstd -1. Checks once that xarray opens
nc2zarr's store identical to open_mfdataset of the files. Prints a Markdown
table of medians (wall, peak RSS per rank).
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in bench/ from importing run_bench
from run_bench import read_rss  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PYTHON = "/usr/bin/python3"
MPI_ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
STEPS_PER_CHUNK = 30

GENERATE = r"""
import sys, numpy as np, netCDF4
out, n, nv = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
for i in range(n):
    with netCDF4.Dataset(f"{out}/hist_{i:05d}.nc", "w") as ds:
        ds.createDimension("time", None); ds.createDimension("y", 60); ds.createDimension("x", 80)
        t = ds.createVariable("time", "f8", ("time",)); t.units = "hours since 2000-01-01"; t[:] = [i]
        for v in range(nv):
            var = ds.createVariable(f"v{v:03d}", "f4", ("time", "y", "x"), zlib=True, complevel=1,
                                    shuffle=True, chunksizes=(1, 60, 80))
            var.units = "K"; var.description = f"field number {v}"
            var[:] = np.random.default_rng(i * 1000 + v).random((1, 60, 80), dtype=np.float32)
"""

COMPARE = r"""
import sys, glob, xarray as xr
files = sorted(glob.glob(sys.argv[1] + "/hist_*.nc"))
a = xr.open_mfdataset(files, combine="nested", concat_dim="time", data_vars="minimal").load()
b = xr.open_zarr(sys.argv[2]).load()
print("identical" if a.identical(b) else "DIFFERENT")
"""


def generate(data_dir, files, nvars):
    marker = os.path.join(data_dir, ".complete")
    if os.path.exists(marker):
        return 0.0
    shutil.rmtree(data_dir, ignore_errors=True)
    os.makedirs(data_dir)
    started = time.perf_counter()
    subprocess.run([PYTHON, "-c", GENERATE, data_dir, str(files), str(nvars)], check=True)
    open(marker, "w").close()
    os.sync()  # the first run should not share the disk with writing these back
    return time.perf_counter() - started


def peak_rss_mib(prefix):
    """Each rank's peak, from bench_peak_rss's records."""
    return [r["maxrss_kib"] / 1024 for r in read_rss(prefix)]


def run(cmd, env=None):
    started = time.perf_counter()
    r = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - started
    if r.returncode != 0:
        sys.exit(f"many_files: {' '.join(cmd)} failed ({r.returncode}): {r.stderr.strip()[-800:]}")
    return r, wall


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--files", type=int, default=120)
    p.add_argument("--vars", type=int, default=60)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--workdir", default=os.environ.get("BENCH_WORKDIR", "/tmp/nc2zarr-bench"))
    p.add_argument("--nc2zarr", default=os.path.join(ROOT, "build", "nc2zarr"))
    p.add_argument("--tools-dir", default=os.path.join(ROOT, "build", "bench"))
    p.add_argument("--json", help="write the results as JSON here")
    p.add_argument("--markdown", help="write the Markdown section here")
    p.add_argument("--keep", action="store_true", help="keep the generated files for the next run")
    args = p.parse_args()

    data_dir = os.path.join(args.workdir, "data", f"many-{args.files}x{args.vars}")
    run_dir = os.path.join(args.workdir, "many-run")
    os.makedirs(run_dir, exist_ok=True)
    generated_s = generate(data_dir, args.files, args.vars)
    inputs = os.path.join(data_dir, "hist_*.nc")
    files = sorted(os.path.join(data_dir, f) for f in os.listdir(data_dir) if f.endswith(".nc"))
    raw_bytes = args.files * args.vars * 60 * 80 * 4
    peak_rss = os.path.join(args.tools_dir, "bench_peak_rss")

    commands = {
        "nc2zarr_2": lambda store, prefix: (["mpirun", "-np", "2", "--oversubscribe", peak_rss, prefix, args.nc2zarr,
                                             "convert", inputs, "-o", store, "--chunks", f"time={STEPS_PER_CHUNK}",
                                             "-q"], MPI_ENV),
        "xarray": lambda store, prefix: ([peak_rss, prefix, PYTHON, os.path.join(HERE, "xarray_convert.py"), "-o",
                                          store, "--workers", "2", "--time-chunk", str(STEPS_PER_CHUNK)] + files,
                                         None),
    }
    runs = {name: [] for name in commands}
    check = None
    for rep in range(args.repeats):
        for name, make in commands.items():
            store = os.path.join(run_dir, f"{name}.zarr")
            shutil.rmtree(store, ignore_errors=True)
            prefix = os.path.join(run_dir, f"rss-{name}")
            cmd, env = make(store, prefix)
            _, wall = run(cmd, env)
            runs[name].append({"wall": wall, "peak_rss_mib": peak_rss_mib(prefix)})
            print(f"many_files: repeat {rep + 1} {name}: {wall:.2f} s", file=sys.stderr)
            if name == "nc2zarr_2" and check is None:
                r, _ = run([PYTHON, "-c", COMPARE, data_dir, store])
                check = r.stdout.strip()
    for name in commands:
        shutil.rmtree(os.path.join(run_dir, f"{name}.zarr"), ignore_errors=True)
    if not args.keep:
        shutil.rmtree(data_dir, ignore_errors=True)

    summary = {}
    for name, rs in runs.items():
        walls = [r["wall"] for r in rs]
        summary[name] = {"wall_s": statistics.median(walls), "min_s": min(walls), "max_s": max(walls),
                         "peak_rss_mib": max(max(r["peak_rss_mib"]) for r in rs),
                         "mb_per_s": raw_bytes / 1e6 / statistics.median(walls)}
    result = {"files": args.files, "vars": args.vars, "raw_bytes": raw_bytes, "repeats": args.repeats,
              "generate_seconds": generated_s, "check": check, "summary": summary, "runs": runs,
              "command": f"mpirun -np 2 nc2zarr convert '{inputs}' -o OUT --chunks time={STEPS_PER_CHUNK}"}
    md = markdown(result)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(md)
    print(md)
    return 0 if check == "identical" else 1


def markdown(result):
    s = result["summary"]
    ratio = s["xarray"]["wall_s"] / s["nc2zarr_2"]["wall_s"]
    lines = [f"### Many files per chunk: {result['files']} files x 1 step x {result['vars']} variables",
             "",
             "| tool | wall (s), median | min-max | raw MB/s | peak RSS per rank (MiB) | vs xarray |",
             "|---|---:|---:|---:|---:|---:|"]
    for name, label in (("nc2zarr_2", "nc2zarr, 2 ranks"), ("xarray", "xarray + dask (2 threads)")):
        r = s[name]
        vs = f"{ratio:.2f}x" if name == "nc2zarr_2" else "1.00x"
        lines.append(f"| {label} | {r['wall_s']:.2f} | {r['min_s']:.2f}-{r['max_s']:.2f} | {r['mb_per_s']:.0f} | "
                     f"{r['peak_rss_mib']:.0f} | {vs} |")
    lines += ["", f"Each file: one step of a 60 x 80 grid per variable, deflate 1 + shuffle; chunks of "
              f"{STEPS_PER_CHUNK} steps, so a chunk spans {min(STEPS_PER_CHUNK, result['files'])} files. {result['repeats']} interleaved "
              f"repeats. Values: xarray opens nc2zarr's store {result['check']} to open_mfdataset of the files. "
              f"Command: `{result['command']}`."]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
