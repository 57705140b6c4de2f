#!/usr/bin/python3
"""What resuming costs: a conversion stopped at about 90 % (SIGTERM, the way
Slurm stops a job at its time limit), then resumed, against the same
conversion uninterrupted; and a rerun of a finished job.

    /usr/bin/python3 bench/resume_cost.py [--data DIR] [--repeats 3] [--ranks 2]

Without --data it writes 20 sample files (build/nc2zarr-sample: 600 x 361 x
720 of tas and pr, deflate 1) to a temporary directory. Prints a Markdown
table; the issue's target is resume <= 15 % of the uninterrupted wall time.
"""
import argparse
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NC2ZARR = os.path.join(ROOT, "build", "nc2zarr")
SAMPLE = os.path.join(ROOT, "build", "nc2zarr-sample")
# ob1: Open MPI's default tries UCX first, which costs 0.2 s of start-up on a
# machine without a fast interconnect (this one); every case gets the same.
ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1", OMPI_MCA_pml="ob1")
PERCENT = re.compile(r"\((\d+\.\d)%\)")


CONVERT_ARGS = []  # --convert-args: more options for every convert


def command(ranks, inputs, store, extra=()):
    return ["mpirun", "-np", str(ranks), "--oversubscribe", NC2ZARR, "convert", inputs, "-o", store,
            "--chunks", "time=30"] + CONVERT_ARGS + list(extra)


def timed(cmd):
    started = time.monotonic()
    result = subprocess.run(cmd, env=ENV, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{result.stderr}")
    return time.monotonic() - started, result.stderr


def stop_near_90_percent(ranks, inputs, store):
    """Runs until progress passes 90 %, then SIGUSR1 (mpirun passes it on;
    nc2zarr stops as on SIGTERM). Returns the progress reached."""
    proc = subprocess.Popen(command(ranks, inputs, store, ["--progress", "lines", "--progress-interval", "0.05"]),
                            env=ENV, stderr=subprocess.PIPE, text=True)
    reached = 0.0
    for line in proc.stderr:
        m = PERCENT.search(line)
        if m and float(m.group(1)) >= 90.0:
            reached = float(m.group(1))
            proc.send_signal(signal.SIGUSR1)
            break
    proc.stderr.read()
    code = proc.wait()
    if code not in (75, 0):
        sys.exit(f"the interrupted run exited {code}")
    return reached, code


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--ranks", type=int, default=2)
    parser.add_argument("--convert-args", default="", help="more options for every convert, e.g. '--write-threads 2'")
    args = parser.parse_args()
    CONVERT_ARGS.extend(args.convert_args.split())
    work = tempfile.mkdtemp(prefix="nc2zarr-resume-")
    try:
        data = args.data
        if not data:
            data = os.path.join(work, "in")
            subprocess.run([SAMPLE, "-o", data, "--files", "20", "--steps", "30", "--lat", "361", "--lon", "720"],
                           check=True, capture_output=True)
        inputs = os.path.join(data, "*.nc")
        subprocess.run(["cat"] + [os.path.join(data, f) for f in os.listdir(data)], stdout=subprocess.DEVNULL)
        full, resumed, rerun, reached = [], [], [], []
        for r in range(args.repeats):
            store = os.path.join(work, f"full{r}.zarr")
            full.append(timed(command(args.ranks, inputs, store, ["-q"]))[0])
            t, _ = timed(command(args.ranks, inputs, store, ["-v"]))  # the finished job again
            rerun.append(t)
            shutil.rmtree(store)
            store = os.path.join(work, f"resume{r}.zarr")
            percent, code = stop_near_90_percent(args.ranks, inputs, store)
            if code == 0:
                print(f"run {r}: finished before the signal; skipped")
                continue
            reached.append(percent)
            t, log = timed(command(args.ranks, inputs, store, ["-v"]))
            resumed.append(t)
            print(f"run {r}: stopped at {percent:.0f} %; {re.search(r'resuming: .*', log).group(0)}")
            shutil.rmtree(store)
        median = statistics.median
        print(f"\n| case (2 ranks, medians of {args.repeats}) | wall (s) | vs uninterrupted |")
        print("|---|---:|---:|")
        print(f"| uninterrupted | {median(full):.2f} | 1.00 |")
        if resumed:
            print(f"| resume after stopping at {median(reached):.0f} % | {median(resumed):.2f} | "
                  f"{median(resumed) / median(full):.2f} |")
        print(f"| rerun of the finished job | {median(rerun):.2f} | {median(rerun) / median(full):.2f} |")
        target = median(resumed) / median(full) if resumed else float("nan")
        print(f"\ntarget: resume <= 0.15 of uninterrupted: {'PASS' if target <= 0.15 else 'FAIL'} ({target:.2f})")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
