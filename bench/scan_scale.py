#!/usr/bin/python3
"""Scale on paper (issue 7): rank 0's scan + plan of many files, the size of the
plan every rank receives, and a model of the request rate per bucket as ranks grow.

    /usr/bin/python3 bench/scan_scale.py [--files 1000,10000] [--rank-mb-per-s X]
                                         [--json OUT] [--markdown OUT] [--keep]

1. Generates N small NetCDF-4 files (1 time step each, a 19 x 36 grid, the same
   three variables and CF metadata as the benchmark dataset) with make_dataset,
   and times `nc2zarr plan INPUTS --chunks time=30 --json`: the scan of every
   file (open, schema, coordinates, checks) and the plan, on one core, without
   MPI. Each count is planned twice; the second (warm page cache) is reported.
   Smaller counts plan the first N files through an @list file. The JSON it
   prints is the plan rank 0 broadcasts to every rank; its size is reported,
   raw and zstd-compressed (the `zstd` command, when installed).
2. Models the pacing nc2zarr applies to GCS writes: the job starts at
   initial_job_rate = 1000 object writes/s (what GCS documents a new bucket to
   absorb), split evenly over the ranks (each rank paces itself at 1000/R), and
   doubles every 20 minutes. A rank that converts X MB/s of raw data in chunks
   of C MB wants X/C writes/s, so R ranks want R*X/C; until the paced rate
   reaches that, the job is held back. The simulation integrates the paced
   rate second by second for a 10 TB (raw) job.
"""
import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

INITIAL_JOB_RATE = 1000.0      # writes/s for the whole job at first (nc2zarr's default)
DOUBLING_SECONDS = 20 * 60     # nc2zarr doubles the rate every 20 minutes
RANKS = (64, 1024, 4096)


def find_tool(tools_dir, name):
    for d in ([tools_dir] if tools_dir else []) + [os.path.join(ROOT, "build", "bench-tools"),
                                                   os.path.join(ROOT, "build", "bench")]:
        path = os.path.join(d, name)
        if os.path.exists(path):
            return path
    raise SystemExit(f"scan_scale: {name} not found; build bench/ first (scripts/bench.sh does)")


def zstd_size(data):
    if not shutil.which("zstd"):
        return None
    r = subprocess.run(["zstd", "-1", "-c"], input=data, capture_output=True)
    return len(r.stdout) if r.returncode == 0 else None


def measure_plan(nc2zarr, files_dir, n, total, workdir, runs=2):
    if n == total:
        inputs = os.path.join(files_dir, "*.nc")
        shown = f"'{files_dir}/*.nc'"
    else:
        names = sorted(f for f in os.listdir(files_dir) if f.endswith(".nc"))[:n]
        listing = os.path.join(os.path.dirname(files_dir), f"first-{n}.txt")
        with open(listing, "w") as f:
            f.writelines(os.path.join(files_dir, name) + "\n" for name in names)
        inputs = "@" + listing
        shown = inputs
    cmd = [nc2zarr, "plan", inputs, "--chunks", "time=30", "--json"]
    times = []
    out = b""
    for _ in range(runs):
        start = time.perf_counter()
        r = subprocess.run(cmd, capture_output=True)
        times.append(time.perf_counter() - start)
        if r.returncode != 0:
            raise SystemExit(f"scan_scale: {' '.join(cmd)} failed: {r.stderr.decode()[-500:]}")
        out = r.stdout
    plan = out.strip()
    return {"files": n, "seconds": times[-1], "all_seconds": times, "plan_bytes": len(plan),
            "plan_zstd_bytes": zstd_size(plan), "bytes_per_file": len(plan) / n,
            "command": f"{nc2zarr} plan {shown} --chunks time=30 --json"}


def simulate(ranks, chunk_mb, rank_mbps, job_tb=10.0):
    """Seconds to write job_tb TB of raw data with and without pacing."""
    demand = ranks * rank_mbps / chunk_mb          # writes/s the ranks could issue
    total_writes = job_tb * 1e6 / chunk_mb
    unpaced = total_writes / demand
    written, t = 0.0, 0
    while written < total_writes:
        rate = min(demand, INITIAL_JOB_RATE * 2 ** (t / DOUBLING_SECONDS))
        written += rate
        t += 1
        if t > 10 * 24 * 3600:
            break
    return unpaced, float(t)


def model(rank_mbps, chunk_sizes):
    rows = []
    for chunk_mb in chunk_sizes:
        for r in RANKS:
            per_rank_start = INITIAL_JOB_RATE / r
            per_rank_demand = rank_mbps / chunk_mb
            demand = r * per_rank_demand
            minutes = max(0.0, math.log2(demand / INITIAL_JOB_RATE)) * DOUBLING_SECONDS / 60
            unpaced, paced = simulate(r, chunk_mb, rank_mbps)
            rows.append({
                "ranks": r, "chunk_mb": chunk_mb,
                "per_rank_writes_per_s_at_start": per_rank_start,
                "per_rank_writes_per_s_wanted": per_rank_demand,
                "job_gb_per_s_at_start": min(demand, INITIAL_JOB_RATE) * chunk_mb / 1e3,
                "job_gb_per_s_full": demand * chunk_mb / 1e3,
                "minutes_to_full_speed": minutes,
                "job_10tb_minutes_unpaced": unpaced / 60,
                "job_10tb_minutes_paced": paced / 60,
            })
    return rows


def markdown(result):
    lines = ["### Scan and plan on rank 0", "",
             "| files | scan + plan (s) | per file (ms) | plan JSON (bytes) | zstd -1 of it | bytes per file |",
             "|---:|---:|---:|---:|---:|---:|"]
    for s in result["scan"]:
        z = f"{s['plan_zstd_bytes']:,}" if s["plan_zstd_bytes"] else "-"
        lines.append(f"| {s['files']:,} | {s['seconds']:.2f} | {1e3 * s['seconds'] / s['files']:.2f} | "
                     f"{s['plan_bytes']:,} | {z} | {s['bytes_per_file']:.0f} |")
    lines += ["", f"Files: {result['file_desc']}. Generated in {result['generate_seconds']:.1f} s. "
              f"Command: `{result['scan'][-1]['command']}` (second of two runs, warm page cache).", "",
              "### Request rate per bucket as ranks grow", "",
              f"A rank converts {result['rank_mb_per_s']:.0f} MB/s of raw data ({result['rank_mb_per_s_source']}). "
              f"nc2zarr starts the job at {INITIAL_JOB_RATE:.0f} writes/s split over the ranks and doubles it "
              f"every {DOUBLING_SECONDS // 60} minutes (GCS: ~1000 writes/s for a new bucket, ramp up no faster "
              "than doubling every 20 minutes). Last two columns: a simulated 10 TB (raw) job.", "",
              "| ranks | chunk (MB raw) | writes/s per rank at start | writes/s a rank wants | job GB/s at start | "
              "job GB/s at full speed | minutes to full speed | 10 TB job, unpaced (min) | 10 TB job, paced (min) |",
              "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for m in result["model"]:
        lines.append(f"| {m['ranks']} | {m['chunk_mb']:.1f} | {m['per_rank_writes_per_s_at_start']:.3g} | "
                     f"{m['per_rank_writes_per_s_wanted']:.3g} | {m['job_gb_per_s_at_start']:.2f} | "
                     f"{m['job_gb_per_s_full']:.1f} | {m['minutes_to_full_speed']:.0f} | "
                     f"{m['job_10tb_minutes_unpaced']:.1f} | {m['job_10tb_minutes_paced']:.1f} |")
    return "\n".join(lines) + "\n"


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--files", default="1000,10000", help="comma-separated file counts")
    p.add_argument("--workdir", default=os.environ.get("BENCH_WORKDIR", "/tmp/nc2zarr-bench"))
    p.add_argument("--tools-dir")
    p.add_argument("--nc2zarr", default=os.path.join(ROOT, "build", "nc2zarr"))
    p.add_argument("--rank-mb-per-s", type=float, help="raw MB/s one rank converts (default: the last "
                   "benchmark's nc2zarr 1-rank figure, else 150)")
    p.add_argument("--rank-source", help="where --rank-mb-per-s comes from (for the write-up)")
    p.add_argument("--chunk-mb", default="1.04,31.2,100", help="raw chunk sizes for the model (MB)")
    p.add_argument("--json", help="write the results as JSON here")
    p.add_argument("--markdown", help="write the Markdown section here")
    p.add_argument("--keep", action="store_true", help="keep the generated files")
    args = p.parse_args()

    counts = sorted(int(x) for x in args.files.split(","))
    total = counts[-1]
    rank_mbps, source = args.rank_mb_per_s, args.rank_source or "given with --rank-mb-per-s"
    if rank_mbps is None:
        latest = os.path.join(HERE, "results", "latest.json")
        try:
            with open(latest) as f:
                rank_mbps = json.load(f)["summary"]["nc4"]["nc2zarr_1"]["mb_per_s"]
            source = "nc2zarr with 1 rank in bench/results/latest.json"
        except (OSError, KeyError, ValueError, TypeError):
            rank_mbps, source = 150.0, "assumed"

    make_dataset = find_tool(args.tools_dir, "make_dataset")
    files_dir = os.path.join(args.workdir, "data", f"scale-{total}")
    shutil.rmtree(files_dir, ignore_errors=True)
    os.makedirs(args.workdir, exist_ok=True)
    start = time.perf_counter()
    subprocess.run([make_dataset, "-o", files_dir, "--files", str(total), "--steps", "1", "--lat", "19",
                    "--lon", "36", "--jobs", str(os.cpu_count() or 1)], check=True, capture_output=True)
    generate_seconds = time.perf_counter() - start
    try:
        scan = [measure_plan(args.nc2zarr, files_dir, n, total, args.workdir) for n in counts]
    finally:
        if not args.keep:
            shutil.rmtree(files_dir, ignore_errors=True)
        for n in counts:
            listing = os.path.join(os.path.dirname(files_dir), f"first-{n}.txt")
            if os.path.exists(listing):
                os.remove(listing)
    result = {
        "file_desc": f"{total:,} NetCDF-4 files of 1 time step on a 19 x 36 grid, 3 float32 variables + time/lat/lon",
        "generate_seconds": generate_seconds, "scan": scan, "rank_mb_per_s": rank_mbps,
        "rank_mb_per_s_source": source,
        "model": model(rank_mbps, [float(x) for x in args.chunk_mb.split(",")]),
    }
    text = markdown(result)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(text)
    sys.stdout.write(text)


if __name__ == "__main__":
    main()
