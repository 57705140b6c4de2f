#!/usr/bin/python3
"""The benchmark of issue 7: nc2zarr against xarray + dask, nccopy and the
hardware floor, on generated data. Run it with `scripts/bench.sh`, which builds
what is needed first; see bench/README.md.

    /usr/bin/python3 bench/run_bench.py [--quick] [--repeats N] [--keep]
                                        [--phases nc4,gcs,x4,nc3,many,scale] [--workdir DIR]
                                        [--nc2zarr PATH] [--tools-dir DIR] [--results DIR]

Phases (each generates its data, warms the page cache, runs its tools
round-robin --repeats times, rotating the order every round, and deletes its
data unless --keep):
  nc4    20 NetCDF-4 files (600 x 361 x 720 x 3 float32): both floors, xarray +
         dask (default and HDF5 chunk cache off), nccopy to NCZarr, nc2zarr with
         1 and 2 ranks (and, for information, with Open MPI's fabric probes kept on);
         checks nc2zarr's values against xarray's store.
  gcs    the first 6 files (--gcs-files): nc2zarr 2 ranks to a local directory and to the GCS
         test server, and the server's own ceiling (bench/gcs_ceiling.py).
  x4     80 files of the same size (copies with the time coordinate moved on):
         nc2zarr 2 ranks, for memory growth.
  nc3    a netCDF-3 (64-bit offset) copy of the nc4 data: read floor, xarray,
         nc2zarr 1 and 2 ranks.
  many   bench/many_files.py: 120 one-step files x 60 variables, chunks of 30
         steps (each spans 30 files): nc2zarr 2 ranks against xarray + dask.
  scale  bench/scan_scale.py: scan + plan of 10,000 small files, plan size,
         request-rate model.

Writes RESULTS/latest.md, latest.json and latest.png, prints the table and a
PASS/FAIL line per target of the issue. Exit status 0 when the benchmark ran
(whatever the targets say; --strict makes a FAIL exit 3), 1 when a tool failed.
"""
import argparse
import datetime
import hashlib
import json
import os
import platform
import queue
import shutil
import statistics
import subprocess
import sys
import threading
import time
import urllib.request

sys.dont_write_bytecode = True  # no __pycache__ in bench/ from importing scan_scale
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PYTHON = "/usr/bin/python3"
MB = 1e6
MIB = 1024.0

# Targets of issue 7.
TARGET_VS_XARRAY_NC4 = 2.0
STRETCH_VS_XARRAY_NC4 = 2.5
TARGET_VS_XARRAY_NC3 = 2.5
TARGET_VS_FLOOR = 1.15
TARGET_RSS_MIB = 256.0
TARGET_SHUFFLE_COST = 1.10  # "at no speed cost", within the machine's noise
GCS_STALL_SECONDS = 1.0  # the slow-bucket run: the server holds every chunk upload this long
TARGET_RSS_GROWTH = 1.10     # "must not grow": allow 10% for noise
TARGET_SPEEDUP = 1.8
TARGET_GCS = 1.3

MPI_ENV = {"OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
           "OMPI_MCA_rmaps_base_oversubscribe": "1"}


class BenchError(Exception):
    pass


def log(msg):
    print(msg, flush=True)


def median(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


# ---------------------------------------------------------------- datasets

class Dataset:
    def __init__(self, name, directory, files, steps, nlat, nlon, fmt, template=None):
        self.name, self.dir, self.nfiles, self.steps = name, directory, files, steps
        self.nlat, self.nlon, self.fmt, self.template = nlat, nlon, fmt, template
        self.info = {}

    @property
    def files(self):
        return sorted(os.path.join(self.dir, f) for f in os.listdir(self.dir) if f.endswith(".nc"))

    @property
    def glob(self):
        return os.path.join(self.dir, "*.nc")

    @property
    def raw_bytes(self):
        return 3 * 4 * self.nfiles * self.steps * self.nlat * self.nlon

    def spec(self):
        return {"files": self.nfiles, "steps": self.steps, "lat": self.nlat, "lon": self.nlon,
                "format": self.fmt, "template": bool(self.template)}


def ensure_dataset(ctx, ds):
    manifest = os.path.join(ds.dir, "manifest.json")
    tool_hash = file_hash(ctx.tool("make_dataset"))
    want = dict(ds.spec(), make_dataset=tool_hash)
    if os.path.exists(manifest):
        with open(manifest) as f:
            have = json.load(f)
        if have.get("spec") == want and len(ds.files) == ds.nfiles:
            ds.info = have["info"]
            ds.info["reused"] = True
            log(f"  {ds.name}: reusing {ds.dir}")
            return
    shutil.rmtree(ds.dir, ignore_errors=True)
    cmd = [ctx.tool("make_dataset"), "-o", ds.dir, "--files", str(ds.nfiles), "--steps", str(ds.steps),
           "--lat", str(ds.nlat), "--lon", str(ds.nlon), "--format", ds.fmt, "--jobs", str(ctx.cores)]
    if ds.template:
        cmd += ["--template", ds.template.dir]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise BenchError(f"make_dataset failed: {r.stderr.strip()}")
    ds.info = json.loads(r.stdout.strip().splitlines()[-1])
    ds.info["command"] = " ".join(cmd)
    with open(manifest, "w") as f:
        json.dump({"spec": want, "info": ds.info}, f)
    log(f"  {ds.name}: generated {ds.nfiles} files, {ds.info['raw_bytes'] / MB:.0f} MB raw, "
        f"{ds.info['disk_bytes'] / MB:.0f} MB on disk, in {ds.info['seconds']:.1f} s")


def warm(ctx, *datasets):
    """The input files settle() reads again before every timed run."""
    ctx.inputs = [f for ds in datasets for f in ds.files]


def drop_dataset(ctx, ds):
    if not ctx.args.keep:
        shutil.rmtree(ds.dir, ignore_errors=True)


# ---------------------------------------------------------------- helpers

def file_hash(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()[:16]


def store_stats(path):
    """(bytes, objects) of a store, outside nc2zarr's own .nc2zarr/ records."""
    total, count = 0, 0
    for dirpath, dirnames, filenames in os.walk(path):
        rel = os.path.relpath(dirpath, path)
        if rel == ".nc2zarr" or rel.startswith(".nc2zarr" + os.sep):
            continue
        for f in filenames:
            total += os.path.getsize(os.path.join(dirpath, f))
            count += 1
    return total, count


def read_rss(prefix):
    """The bench_peak_rss records PREFIX.<rank>.json, by rank; removes them."""
    d, base = os.path.split(prefix)
    records = []
    for f in sorted(os.listdir(d)):
        if f.startswith(base + ".") and f.endswith(".json"):
            with open(os.path.join(d, f)) as fh:
                records.append(json.load(fh))
            os.remove(os.path.join(d, f))
    return sorted(records, key=lambda r: r["rank"])


class Context:
    def __init__(self, args):
        self.args = args
        self.work = os.path.abspath(args.workdir)
        self.tmpdir = os.path.join(self.work, "run")
        self.outdir = os.path.join(self.work, "out")
        self.cores = os.cpu_count() or 1
        for d in (self.tmpdir, self.outdir, os.path.join(self.work, "data"), os.path.join(self.work, "bin")):
            os.makedirs(d, exist_ok=True)
        self.tools_dir = self._find_tools(args.tools_dir)
        # A private copy: a rebuild during the run must not change what is measured.
        src = os.path.abspath(args.nc2zarr)
        if not os.path.exists(src):
            raise BenchError(f"{src} not found: build nc2zarr first (scripts/build.sh)")
        self.nc2zarr_source = src
        self.nc2zarr = os.path.join(self.work, "bin", "nc2zarr")
        shutil.copy2(src, self.nc2zarr)
        self.env = dict(os.environ, **MPI_ENV)
        self.commands = {}
        self.loads = []
        self.busy_before = []
        self.last_busy = 0.0
        self.inputs = []
        self.trash = []
        self.discarded = []

    def empty_trash(self):
        """Outputs are removed once a round is over, not after each run: memory
        freed just before a run makes its writes cheaper on this kind of VM (see
        settle), so no run gets that from the one before."""
        for path in self.trash:
            shutil.rmtree(path, ignore_errors=True)
        self.trash = []

    def others(self, res, wall):
        """CPU seconds other processes used during the last run, as a share of the machine."""
        own = sum(r["user_seconds"] + r["sys_seconds"] for r in res.pop("_records", []))
        other = max(0.0, self.last_busy - own)
        res["others_cpu_s"] = other
        res["others_share"] = other / (wall * self.cores) if wall > 0 else None
        return res

    def _find_tools(self, given):
        for d in ([given] if given else []) + [os.path.join(ROOT, "build", "bench-tools"),
                                               os.path.join(ROOT, "build", "bench")]:
            if d and all(os.path.exists(os.path.join(d, t)) for t in
                         ("make_dataset", "bench_floor_read", "bench_floor_compress", "bench_floor_write",
                          "bench_peak_rss")):
                return os.path.abspath(d)
        raise BenchError("bench tools not built: run scripts/bench.sh (or cmake -S bench -B build/bench-tools)")

    def tool(self, name):
        return os.path.join(self.tools_dir, name)

    def rss_prefix(self, name):
        return os.path.join(self.tmpdir, "rss-" + name)

    def settle(self):
        """Before a timed run: earlier output written back to disk, and (for up to
        --quiet-timeout seconds) the machine quiet: other processes using less than
        0.3 of a core over half a second. The load average is noted."""
        # This kind of VM pages out memory left alone for a minute (DAMON), input
        # files included: read them again so every run starts from a warm cache.
        for path in self.inputs:
            with open(path, "rb") as f:
                while f.read(1 << 22):
                    pass
        os.sync()
        # Memory freed within the last second or two (the last run's process,
        # removed outputs) is cheap to use again; after that this VM hands it back
        # to the host and touching it again costs ~1.5-2 s per GB. Pausing makes
        # every run start from the same, cold, state.
        time.sleep(self.args.pause)
        deadline = time.time() + self.args.quiet_timeout
        while True:
            b0 = cpu_busy_seconds()
            time.sleep(0.5)
            busy = (cpu_busy_seconds() - b0) / 0.5
            if busy < 0.3 or time.time() >= deadline:
                break
        self.loads.append(os.getloadavg()[0])
        self.busy_before.append(busy)

    def run(self, cmd, timeout=3600, **kw):
        b0 = cpu_busy_seconds()
        start = time.perf_counter()
        r = subprocess.run(cmd, capture_output=True, text=True, env=self.env, timeout=timeout, **kw)
        wall = time.perf_counter() - start
        self.last_busy = cpu_busy_seconds() - b0
        if r.returncode != 0:
            raise BenchError(f"{' '.join(cmd)} exited {r.returncode}:\n{r.stderr[-2000:]}")
        return r, wall


def shown(cmd, ds=None):
    """A command as a person would type it (the file list as a glob)."""
    files = ds.files if ds is not None else []
    out, i = [], 0
    while i < len(cmd):
        if files and cmd[i:i + len(files)] == files:
            out.append(f"{ds.dir}/*.nc")
            i += len(files)
            continue
        a = cmd[i]
        out.append(f"'{a}'" if "*" in a or " " in a or "#" in a else a)
        i += 1
    return " ".join(out)


def rss_fields(records):
    per_rank = [r["maxrss_kib"] / MIB for r in records]
    return {"rss_mib": per_rank, "rss_max_mib": max(per_rank) if per_rank else None,
            "cpu_s": sum(r["user_seconds"] + r["sys_seconds"] for r in records),
            "cpu_per_rank_s": [r["user_seconds"] + r["sys_seconds"] for r in records], "_records": records}


def cpu_busy_seconds():
    """Non-idle CPU seconds of the whole machine so far (/proc/stat)."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    # user nice system idle iowait irq softirq steal ...
    busy = fields[0] + fields[1] + fields[2] + fields[5] + fields[6] + (fields[7] if len(fields) > 7 else 0)
    return busy / os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------- tools

def floor_read(ctx, ds, rep, keep):
    prefix = ctx.rss_prefix("floor_read")
    cmd = [ctx.tool("bench_floor_read"), "--steps-per-chunk", str(ctx.chunk_steps)] + ds.files
    ctx.settle()
    r, wall = ctx.run([ctx.tool("bench_peak_rss"), prefix] + cmd)
    out = json.loads(r.stdout.strip().splitlines()[-1])
    ctx.commands[f"{ds.name}/floor_read"] = shown(cmd, ds)
    return ctx.others(dict(wall=out["seconds"], wall_external=wall, **rss_fields(read_rss(prefix))), wall)


def floor_compress(ctx, ds, rep, keep):
    prefix = ctx.rss_prefix("floor_compress")
    cmd = [ctx.tool("bench_floor_compress"), "--level", "1", "--steps-per-chunk", str(ctx.chunk_steps)] + ds.files
    ctx.settle()
    r, wall = ctx.run([ctx.tool("bench_peak_rss"), prefix] + cmd)
    out = json.loads(r.stdout.strip().splitlines()[-1])
    ctx.commands[f"{ds.name}/floor_compress"] = shown(cmd, ds)
    res = ctx.others(dict(wall=out["seconds"], wall_external=wall, ratio=out["ratio"],
                          **rss_fields(read_rss(prefix))), wall)
    res["cpu_s"] = None  # includes the untimed reading; not comparable
    return res


def floor_compress_pair(ctx, ds, rep, keep):
    """Two bench_floor_compress processes at once, each on half the files: zstd -1 with both cores
    busy, as nc2zarr's two ranks run. Each times only its compression; the slower one is the wall."""
    half = len(ds.files) // 2
    cmds = [[ctx.tool("bench_floor_compress"), "--level", "1", "--steps-per-chunk", str(ctx.chunk_steps)] + files
            for files in (ds.files[:half], ds.files[half:])]
    ctx.settle()
    b0 = cpu_busy_seconds()
    start = time.perf_counter()
    procs = [subprocess.Popen(c, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ctx.env) for c in cmds]
    outs = [p.communicate(timeout=3600) for p in procs]
    wall = time.perf_counter() - start
    ctx.last_busy = cpu_busy_seconds() - b0
    for p, c, (_, err) in zip(procs, cmds, outs):
        if p.returncode != 0:
            raise BenchError(f"{' '.join(c)} exited {p.returncode}:\n{err[-2000:]}")
    seconds = [json.loads(out.strip().splitlines()[-1])["seconds"] for out, _ in outs]
    ctx.commands[f"{ds.name}/floor_compress_pair"] = " & ".join(shown(c) for c in cmds)
    res = ctx.others(dict(wall=max(seconds), wall_external=wall), wall)
    res["others_share"] = None  # the pair is the load
    return res


def floor_write(ctx, ds, rep, keep):
    prefix = ctx.rss_prefix("floor_write")
    out_dir = os.path.join(ctx.outdir, f"floor-write-{rep}")
    cmd = [ctx.tool("bench_floor_write"), "--dir", out_dir, "--objects", str(ctx.write_objects),
           "--bytes", str(ctx.write_bytes), "--keep"]
    ctx.settle()
    r, wall = ctx.run([ctx.tool("bench_peak_rss"), prefix] + cmd)
    out = json.loads(r.stdout.strip().splitlines()[-1])
    ctx.commands[f"{ds.name}/floor_write"] = shown(cmd)
    ctx.trash.append(out_dir)
    res = ctx.others(dict(wall=out["seconds"], wall_external=wall, **rss_fields(read_rss(prefix))), wall)
    res["cpu_s"] = None  # includes making the buffer and removing the files
    return res


def xarray_run(ctx, ds, rep, keep, cache="default"):
    name = "xarray" if cache == "default" else "xarray_nocache"
    out_store = os.path.join(ctx.outdir, f"{ds.name}-{name}-{rep}.zarr")
    shutil.rmtree(out_store, ignore_errors=True)
    prefix = ctx.rss_prefix(name)
    cmd = [PYTHON, os.path.join(HERE, "xarray_convert.py"), "-o", out_store, "--chunk-cache", cache,
           "--workers", "2", "--time-chunk", str(ctx.chunk_steps)] + ds.files
    ctx.settle()
    r, wall = ctx.run([ctx.tool("bench_peak_rss"), prefix] + cmd)
    out = json.loads(r.stdout.strip().splitlines()[-1])
    stored, objects = store_stats(out_store)
    ctx.commands[f"{ds.name}/{name}"] = shown(cmd, ds)
    res = ctx.others(dict(wall=out["seconds"], wall_external=wall, stored=stored, objects=objects,
                          ratio=ds.raw_bytes / stored, **rss_fields(read_rss(prefix))), wall)
    if keep:
        res["output"] = out_store
    else:
        ctx.trash.append(out_store)
    return res


def nccopy_run(ctx, ds, rep, keep):
    out_dir = os.path.join(ctx.outdir, f"{ds.name}-nccopy-{rep}")
    shutil.rmtree(out_dir, ignore_errors=True)
    os.makedirs(out_dir)
    chunk = f"time/{min(ctx.chunk_steps, ds.steps)},lat/{ds.nlat},lon/{ds.nlon}"
    work = queue.Queue()
    for i, f in enumerate(ds.files):
        work.put((i, f))
    records, errors = [], []

    def worker():
        while True:
            try:
                i, f = work.get_nowait()
            except queue.Empty:
                return
            store = os.path.join(out_dir, os.path.basename(f)[:-3] + ".zarr")
            prefix = ctx.rss_prefix(f"nccopy-{i}")
            cmd = [ctx.tool("bench_peak_rss"), prefix, "nccopy", "-u", "-c", chunk, f,
                   f"file://{store}#mode=nczarr,file"]
            r = subprocess.run(cmd, capture_output=True, text=True)
            if r.returncode != 0:
                errors.append(f"{' '.join(cmd)}: {r.stderr.strip()}")
            records.extend(read_rss(prefix))

    ctx.settle()
    b0 = cpu_busy_seconds()
    start = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    ctx.last_busy = cpu_busy_seconds() - b0
    if errors:
        raise BenchError(errors[0])
    stored, objects = store_stats(out_dir)
    ctx.commands[f"{ds.name}/nccopy"] = (f"(2 at a time, one store per file) nccopy -u -c {chunk} "
                                         f"{ds.dir}/FILE.nc 'file://{out_dir}/FILE.zarr#mode=nczarr,file'")
    rss = [r["maxrss_kib"] / MIB for r in records]
    ctx.trash.append(out_dir)
    return ctx.others(dict(wall=wall, wall_external=wall, stored=stored, objects=objects,
                           ratio=ds.raw_bytes / stored, rss_mib=[max(rss)], rss_max_mib=max(rss),
                           cpu_s=sum(r["user_seconds"] + r["sys_seconds"] for r in records), _records=records), wall)


# Debian's own MTL setting, given on the command line: nc2zarr then keeps Open
# MPI's PSM/PSM2 probes, which it skips by default on nodes without fabric hardware.
KEEP_FABRIC_PROBES = ["--mca", "mtl", "^ofi"]


def crc32c_source():
    """Which CRC32C the GCS test server uses on this machine (gcs_crc32c.py)."""
    sys.path.insert(0, os.path.join(ROOT, "tests", "gcs_server"))
    try:
        import gcs_crc32c
    finally:
        sys.path.pop(0)
    if gcs_crc32c.isal_crc32c() is not None:
        return "ISA-L (libisal2, the CPU's CRC32 instruction)"
    if gcs_crc32c.c_extension_crc32c() is not None:
        return "python3-crc32c (~2 GB/s, software)"
    return "pure Python (slow: install libisal2)"


def nc2zarr_cmd(ctx, ranks, inputs, dest, report, extra=(), mpi_extra=()):
    """ranks 0: one process started without mpirun (its chunk threads use the cores)."""
    mpi = ["mpirun", "-np", str(ranks), "--oversubscribe"] + list(mpi_extra) if ranks else []
    return (mpi,
            [ctx.nc2zarr, "convert"] + list(inputs) + ["-o", dest, "--chunks", f"time={ctx.chunk_steps}", "-q",
                                                       "--report", report] + list(extra))


def nc2zarr_run(ctx, ds, rep, keep, ranks, inputs=None, tag=None, raw=None, phase=None, extra=(), mpi_extra=()):
    tag = tag or f"nc2zarr_{ranks}"
    out_store = os.path.join(ctx.outdir, f"{ds.name}-{tag}-{rep}.zarr")
    shutil.rmtree(out_store, ignore_errors=True)
    report = os.path.join(ctx.tmpdir, f"report-{tag}.json")
    prefix = ctx.rss_prefix(tag)
    mpi, cmd = nc2zarr_cmd(ctx, ranks, inputs or [ds.glob], out_store, report, extra, mpi_extra)
    ctx.settle()
    r, wall = ctx.run(mpi + [ctx.tool("bench_peak_rss"), prefix] + cmd)
    with open(report) as f:
        rep_json = json.load(f)
    stored, objects = store_stats(out_store)
    ctx.commands[f"{phase or ds.name}/{tag}"] = " ".join(mpi + [shown(cmd, ds)])
    raw = raw or ds.raw_bytes
    res = ctx.others(dict(wall=wall, wall_internal=rep_json["wall_seconds"], stored=stored, objects=objects,
                          ratio=raw / stored, chunk_threads=rep_json.get("chunk_threads"),
                          phases=rep_json.get("phase_seconds"),
                          **rss_fields(read_rss(prefix))), wall)
    if keep:
        res["output"] = out_store
    else:
        ctx.trash.append(out_store)
    return res


# ---------------------------------------------------------------- GCS server

class GcsServer:
    def __init__(self, ctx):
        self.port_file = os.path.join(ctx.tmpdir, "gcs.port")
        if os.path.exists(self.port_file):
            os.remove(self.port_file)
        self.proc = subprocess.Popen([PYTHON, os.path.join(ROOT, "tests", "gcs_server", "gcs_server.py"),
                                      "--port", "0", "--port-file", self.port_file, "--bucket", "bench"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 20
        while not os.path.exists(self.port_file):
            if time.time() > deadline or self.proc.poll() is not None:
                raise BenchError("the GCS test server did not start")
            time.sleep(0.05)
        with open(self.port_file) as f:
            self.url = f"http://127.0.0.1:{int(f.read().strip())}"

    def control(self, method, path, body=None):
        req = urllib.request.Request(self.url + "/_control/" + path, method=method,
                                     data=json.dumps(body).encode() if body is not None else None)
        with urllib.request.urlopen(req, timeout=60) as resp:
            return json.loads(resp.read() or b"{}")

    def cpu_seconds(self):
        """User + system CPU the server has used so far (it shares the cores)."""
        with open(f"/proc/{self.proc.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def gcs_objects(server, prefix):
    objs = [o for o in server.control("GET", "objects?bucket=bench")["objects"]
            if o["name"].startswith(prefix + "/") and not o["name"][len(prefix) + 1:].startswith(".nc2zarr/")]
    return sum(int(o["size"]) for o in objs), len(objs)


def nc2zarr_gcs_run(ctx, ds, rep, keep, server, inputs, raw, stall=None, tag="gcs_2"):
    """stall: seconds the server holds every chunk upload (a slow bucket), or None."""
    server.control("POST", "reset")
    prefix_name = f"run{rep}.zarr"
    if stall:
        # Chunks of this data are resumable uploads (>= 16 MiB); metadata
        # objects are not, so the commit at the end is not slowed.
        server.control("POST", "faults", [{"op": "resumable_start", "action": "stall", "seconds": stall,
                                            "count": 100000, "name_prefix": prefix_name + "/"}])
    dest = f"gs://bench/{prefix_name}"
    journal = os.path.join(ctx.tmpdir, "gcs-journal")
    shutil.rmtree(journal, ignore_errors=True)
    report = os.path.join(ctx.tmpdir, "report-gcs.json")
    prefix = ctx.rss_prefix("nc2zarr_" + tag)
    mpi, cmd = nc2zarr_cmd(ctx, 2, inputs, dest, report,
                           ["--anonymous", "--gcs-endpoint", server.url, "--journal-dir", journal])
    ctx.settle()
    server_cpu = server.cpu_seconds()
    r, wall = ctx.run(mpi + [ctx.tool("bench_peak_rss"), prefix] + cmd)
    server_cpu = server.cpu_seconds() - server_cpu
    with open(report) as f:
        rep_json = json.load(f)
    stored, objects = gcs_objects(server, prefix_name)
    ctx.commands["gcs/nc2zarr_" + tag] = " ".join(mpi + [shown(cmd)]) + (
        f"  (every chunk upload stalled {stall} s by the server)" if stall else "")
    res = dict(wall=wall, wall_internal=rep_json["wall_seconds"], stored=stored, objects=objects,
               ratio=raw / stored, server_cpu=server_cpu, **rss_fields(read_rss(prefix)))
    res.pop("_records", None)
    if keep:
        listing = os.path.join(ctx.tmpdir, "gcs-objects.json")
        with open(listing, "w") as f:
            json.dump(server.control("GET", "objects?bucket=bench"), f)
        res["listing"], res["prefix"] = listing, prefix_name
    server.control("POST", "reset")
    return res


def gcs_ceiling_run(ctx, ds, rep, keep, server, local_store, raw):
    server.control("POST", "reset")
    cmd = [PYTHON, os.path.join(HERE, "gcs_ceiling.py"), "--endpoint", server.url, "--bucket", "bench",
           "--prefix", "ceiling.zarr", "--threads", "4", local_store]
    ctx.settle()
    server_cpu = server.cpu_seconds()
    r, wall = ctx.run(cmd)
    server_cpu = server.cpu_seconds() - server_cpu
    out = json.loads(r.stdout.strip().splitlines()[-1])
    ctx.commands["gcs/ceiling"] = shown(cmd)
    server.control("POST", "reset")
    return dict(wall=out["seconds"], wall_external=wall, stored=out["bytes"], objects=out["objects"],
                ratio=raw / out["bytes"], rss_mib=[], rss_max_mib=None, cpu_s=None, server_cpu=server_cpu)


# ---------------------------------------------------------------- rounds

def round_robin(ctx, phase, tools, repeats):
    results = {key: [] for key, _ in tools}
    for rep in range(repeats):
        k = rep % len(tools)
        order = tools[k:] + tools[:k]
        for key, fn in order:
            for attempt in range(1 + ctx.args.retries):
                res = fn(rep, rep == repeats - 1)
                res["repeat"] = rep
                rss = f", peak RSS {res['rss_max_mib']:.0f} MiB" if res.get("rss_max_mib") else ""
                others = res.get("others_share")
                busy = others is not None and others > ctx.args.max_others
                log(f"  [{phase} {rep + 1}/{repeats}] {key:<16} {res['wall']:7.2f} s{rss}"
                    + (f"  (other processes used {100 * others:.0f}% of the machine" if busy else "")
                    + (": run again)" if busy and attempt < ctx.args.retries else ")" if busy else ""))
                if not busy or attempt == ctx.args.retries:
                    break
                ctx.discarded.append(dict(res, phase=phase, tool=key))
            results[key].append(res)
        ctx.empty_trash()
    return results


def validate(ctx, mode, *args):
    r = subprocess.run([PYTHON, os.path.join(HERE, "validate.py"), mode] + list(args), capture_output=True,
                       text=True)
    try:
        out = json.loads(r.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        out = {"ok": False, "problems": [r.stderr.strip()[-500:]]}
    out["what"] = f"{mode} {' '.join(os.path.basename(a.rstrip('/')) for a in args)}"
    log(f"  check {out['what']}: {'ok' if out['ok'] else 'FAILED ' + '; '.join(out['problems'])}")
    return out


def summarize(runs, raw):
    if not runs:
        return None
    walls = [r["wall"] for r in runs]
    med = median(walls)
    s = {"runs": len(runs), "wall_s": med, "wall_min_s": min(walls), "wall_max_s": max(walls),
         "walls": walls, "mb_per_s": raw / MB / med if med else None,
         "rss_max_mib": median([r.get("rss_max_mib") for r in runs]),
         "rss_per_rank_mib": runs[-1].get("rss_mib"),
         "cpu_s": median([r.get("cpu_s") for r in runs]),
         "ratio": median([r.get("ratio") for r in runs]),
         "objects": runs[-1].get("objects"), "stored_bytes": runs[-1].get("stored"),
         "others_share": median([r.get("others_share") for r in runs])}
    if any("server_cpu" in r for r in runs):
        s["server_cpu_s"] = median([r.get("server_cpu") for r in runs])
    if all(r.get("phases") for r in runs):
        s["phase_s"] = {k: median([r["phases"][k] for r in runs]) for k in runs[0]["phases"]}
    if any(r.get("chunk_threads") for r in runs):
        s["chunk_threads"] = runs[-1].get("chunk_threads")
    if any("wall_internal" in r for r in runs):
        s["wall_internal_s"] = median([r.get("wall_internal") for r in runs])
    return s


# ---------------------------------------------------------------- phases

def phase_nc4(ctx, data):
    ds = data["nc4"]
    log(f"phase nc4: {ds.nfiles} NetCDF-4 files x {ds.steps} steps")
    ensure_dataset(ctx, ds)
    warm(ctx, ds)
    # Untimed: the compressed volume (for the write floor) and what a byte
    # shuffle would buy (issue 7 asks for the ratio).
    r, _ = ctx.run([ctx.tool("bench_floor_compress"), "--shuffle", "--steps-per-chunk", str(ctx.chunk_steps)]
                   + ds.files)
    shuffle = json.loads(r.stdout.strip().splitlines()[-1])
    ctx.write_bytes, ctx.write_objects = shuffle["stored_bytes"], shuffle["chunks"]
    tools = [
        ("floor_read", lambda rep, keep: floor_read(ctx, ds, rep, keep)),
        ("floor_compress", lambda rep, keep: floor_compress(ctx, ds, rep, keep)),
        ("floor_write", lambda rep, keep: floor_write(ctx, ds, rep, keep)),
        ("xarray", lambda rep, keep: xarray_run(ctx, ds, rep, keep, "default")),
        ("xarray_nocache", lambda rep, keep: xarray_run(ctx, ds, rep, keep, "off")),
        ("nccopy", lambda rep, keep: nccopy_run(ctx, ds, rep, keep)),
        ("nc2zarr_1", lambda rep, keep: nc2zarr_run(ctx, ds, rep, keep, 1)),
        ("nc2zarr_2", lambda rep, keep: nc2zarr_run(ctx, ds, rep, keep, 2)),
        # The byte-shuffle filter issue 7 asks nc2zarr to offer: its ratio and what it costs.
        ("nc2zarr_2_shuffle", lambda rep, keep: nc2zarr_run(ctx, ds, rep, keep, 2, tag="nc2zarr_2_shuffle",
                                                            extra=["--shuffle"])),
        # For information: what skipping Open MPI's fabric probes buys (~0.2 s of
        # MPI_Init on this VM, which has no fabric for them to find).
        ("nc2zarr_1_probes", lambda rep, keep: nc2zarr_run(ctx, ds, rep, False, 1, tag="nc2zarr_1_probes",
                                                           mpi_extra=KEEP_FABRIC_PROBES)),
        ("nc2zarr_2_probes", lambda rep, keep: nc2zarr_run(ctx, ds, rep, False, 2, tag="nc2zarr_2_probes",
                                                           mpi_extra=KEEP_FABRIC_PROBES)),
        # For information: one process started without mpirun; its chunk threads use both cores.
        ("nc2zarr_threads", lambda rep, keep: nc2zarr_run(ctx, ds, rep, keep, 0, tag="nc2zarr_threads")),
    ]
    runs = round_robin(ctx, "nc4", tools, ctx.args.repeats)
    checks = []
    ref = runs["xarray"][-1]["output"]
    checks.append(validate(ctx, "values", runs["nc2zarr_2"][-1]["output"], ref, "--var", "sst"))
    checks.append(validate(ctx, "values", runs["nc2zarr_2_shuffle"][-1]["output"], ref, "--var", "sst"))
    checks.append(validate(ctx, "same-objects", runs["nc2zarr_1"][-1]["output"], runs["nc2zarr_2"][-1]["output"]))
    checks.append(validate(ctx, "same-objects", runs["nc2zarr_1"][-1]["output"],
                           runs["nc2zarr_threads"][-1]["output"]))
    for key in ("nc2zarr_1", "nc2zarr_2", "nc2zarr_2_shuffle", "xarray_nocache", "nc2zarr_threads"):
        shutil.rmtree(runs[key][-1]["output"], ignore_errors=True)
    ctx.reference_store = ref  # kept for the nc3 check, removed at the end
    return {"runs": runs, "checks": checks, "shuffle": shuffle}


def phase_gcs(ctx, data):
    ds = data["nc4"]
    n = min(ctx.args.gcs_files, ds.nfiles)
    raw = ds.raw_bytes * n // ds.nfiles
    log(f"phase gcs: the first {n} files ({raw / MB:.0f} MB raw) to the GCS test server")
    ensure_dataset(ctx, ds)
    inputs = ds.files[:n]
    ctx.inputs = list(inputs)
    # The ceiling client uploads this store's objects.
    local_store = os.path.join(ctx.outdir, "gcs-source.zarr")
    shutil.rmtree(local_store, ignore_errors=True)
    mpi, cmd = nc2zarr_cmd(ctx, 2, inputs, local_store, os.path.join(ctx.tmpdir, "report-src.json"))
    ctx.run(mpi + cmd)
    server = GcsServer(ctx)
    try:
        tools = [
            ("local_2", lambda rep, keep: nc2zarr_run(ctx, ds, rep, keep, 2, inputs=inputs, tag="local_2",
                                                      raw=raw, phase="gcs")),
            ("gcs_2", lambda rep, keep: nc2zarr_gcs_run(ctx, ds, rep, keep, server, inputs, raw)),
            ("ceiling", lambda rep, keep: gcs_ceiling_run(ctx, ds, rep, keep, server, local_store, raw)),
            ("gcs_slow_2", lambda rep, keep: nc2zarr_gcs_run(ctx, ds, rep, False, server, inputs, raw,
                                                             stall=GCS_STALL_SECONDS, tag="gcs_slow_2")),
        ]
        runs = round_robin(ctx, "gcs", tools, ctx.args.repeats)
    finally:
        server.stop()
    last = runs["gcs_2"][-1]
    checks = [validate(ctx, "gcs-objects", local_store, last["listing"], last["prefix"])]
    shutil.rmtree(runs["local_2"][-1]["output"], ignore_errors=True)
    shutil.rmtree(local_store, ignore_errors=True)
    return {"runs": runs, "checks": checks, "raw_bytes": raw, "files": n}


def phase_x4(ctx, data):
    ds, base = data["x4"], data["nc4"]
    log(f"phase x4: {ds.nfiles} files (4x) for memory growth, interleaved with the {base.nfiles} files")
    ensure_dataset(ctx, base)
    ensure_dataset(ctx, ds)
    warm(ctx, base, ds)
    tools = [("nc2zarr_2", lambda rep, keep: nc2zarr_run(ctx, ds, rep, False, 2)),
             ("nc2zarr_2_1x", lambda rep, keep: nc2zarr_run(ctx, base, rep, False, 2, tag="nc2zarr_2_1x",
                                                            phase="x4"))]
    runs = round_robin(ctx, "x4", tools, ctx.args.repeats)
    drop_dataset(ctx, ds)
    return {"runs": runs, "checks": []}


def phase_nc3(ctx, data):
    ds = data["nc3"]
    log(f"phase nc3: a netCDF-3 (64-bit offset) copy, {ds.nfiles} files")
    ensure_dataset(ctx, ds)
    warm(ctx, ds)
    tools = [
        ("floor_read", lambda rep, keep: floor_read(ctx, ds, rep, keep)),
        # Not in the issue's floor: what zstd -1 does when both cores compress at once.
        ("floor_compress_pair", lambda rep, keep: floor_compress_pair(ctx, ds, rep, keep)),
        ("xarray", lambda rep, keep: xarray_run(ctx, ds, rep, keep, "default")),
        ("nc2zarr_1", lambda rep, keep: nc2zarr_run(ctx, ds, rep, keep, 1)),
        ("nc2zarr_2", lambda rep, keep: nc2zarr_run(ctx, ds, rep, keep, 2)),
        ("nc2zarr_threads", lambda rep, keep: nc2zarr_run(ctx, ds, rep, keep, 0, tag="nc2zarr_threads")),
    ]
    runs = round_robin(ctx, "nc3", tools, ctx.args.repeats)
    checks = []
    ref = getattr(ctx, "reference_store", None) or runs["xarray"][-1]["output"]
    checks.append(validate(ctx, "values", runs["nc2zarr_2"][-1]["output"], ref, "--var", "sst"))
    checks.append(validate(ctx, "same-objects", runs["nc2zarr_2"][-1]["output"],
                           runs["nc2zarr_threads"][-1]["output"]))
    for key in ("xarray", "nc2zarr_1", "nc2zarr_2", "nc2zarr_threads"):
        shutil.rmtree(runs[key][-1]["output"], ignore_errors=True)
    drop_dataset(ctx, ds)
    return {"runs": runs, "checks": checks}


def phase_many(ctx, data):
    files, nvars = (24, 10) if ctx.args.quick else (120, 60)
    log(f"phase many: {files} one-step files x {nvars} variables, chunks of 30 steps")
    out_json, out_md = os.path.join(ctx.tmpdir, "many.json"), os.path.join(ctx.tmpdir, "many.md")
    cmd = [PYTHON, os.path.join(HERE, "many_files.py"), "--files", str(files), "--vars", str(nvars),
           "--repeats", str(ctx.args.repeats), "--workdir", ctx.work, "--tools-dir", ctx.tools_dir,
           "--nc2zarr", ctx.nc2zarr, "--json", out_json, "--markdown", out_md]
    if ctx.args.keep:
        cmd.append("--keep")
    ctx.run(cmd)
    with open(out_json) as f:
        result = json.load(f)
    with open(out_md) as f:
        result["markdown"] = f.read()
    for name, r in result["summary"].items():
        log(f"  {name}: {r['wall_s']:.2f} s, peak RSS {r['peak_rss_mib']:.0f} MiB")
    return result


def phase_scale(ctx, data):
    counts = "100,500" if ctx.args.quick else "1000,10000"
    log(f"phase scale: scan + plan of {counts.split(',')[-1]} small files")
    out = os.path.join(ctx.tmpdir, "scale.json")
    cmd = [PYTHON, os.path.join(HERE, "scan_scale.py"), "--files", counts, "--workdir", ctx.work,
           "--tools-dir", ctx.tools_dir, "--nc2zarr", ctx.nc2zarr, "--json", out]
    if ctx.rank_mbps:
        cmd += ["--rank-mb-per-s", f"{ctx.rank_mbps:.1f}",
                "--rank-source", "nc2zarr with 1 rank on the NetCDF-4 data, measured in this run"]
    ctx.run(cmd)
    with open(out) as f:
        result = json.load(f)
    for s in result["scan"]:
        log(f"  {s['files']} files: scan + plan {s['seconds']:.2f} s, plan JSON {s['plan_bytes']:,} bytes")
    return result


# ---------------------------------------------------------------- report

def machine_info(ctx):
    cpu = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = 0
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal"):
                mem = int(line.split()[1]) / 1048576
    osname = platform.platform()
    if os.path.exists("/etc/os-release"):
        with open("/etc/os-release") as f:
            for line in f:
                if line.startswith("PRETTY_NAME="):
                    osname = line.split("=", 1)[1].strip().strip('"')

    def version(cmd):
        try:
            return subprocess.run(cmd, capture_output=True, text=True, timeout=20).stdout.strip().splitlines()[0]
        except (OSError, IndexError, subprocess.TimeoutExpired):
            return "?"

    # Debian's python3-xarray reports version 999; ask dpkg.
    pyv = "Debian " + ", ".join(
        f"{pkg} {version(['dpkg-query', '-W', '-f=${Version}', pkg])}"
        for pkg in ("python3-xarray", "python3-dask", "python3-zarr", "python3-numcodecs", "python3-netcdf4"))
    return {"cpu": cpu, "cores": ctx.cores, "memory_gib": round(mem, 1), "os": osname,
            "kernel": platform.release(), "date": datetime.datetime.now(datetime.timezone.utc)
            .strftime("%Y-%m-%d %H:%M UTC"),
            "nc2zarr": version([ctx.nc2zarr, "--version"]), "nc2zarr_binary_sha256": file_hash(ctx.nc2zarr),
            "nc2zarr_binary_built": datetime.datetime.fromtimestamp(os.path.getmtime(ctx.nc2zarr_source),
                                                                    datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "nc2zarr_commit": git_head(), "netcdf": version(["nc-config", "--version"]),
            "mpirun": version(["mpirun", "--version"]), "python_stack": pyv}


def git_head():
    """The checked-out commit, read from .git without running git."""
    try:
        git = os.path.join(ROOT, ".git")
        with open(os.path.join(git, "HEAD")) as f:
            head = f.read().strip()
        if not head.startswith("ref: "):
            return head[:12]
        ref = head[5:]
        path = os.path.join(git, ref)
        if os.path.exists(path):
            with open(path) as f:
                return f.read().strip()[:12] + f" ({ref.split('/')[-1]})"
        with open(os.path.join(git, "packed-refs")) as f:
            for line in f:
                if line.strip().endswith(ref):
                    return line.split()[0][:12] + f" ({ref.split('/')[-1]})"
    except OSError:
        pass
    return "?"


def fmt(x, spec=".2f", none="-"):
    return none if x is None else format(x, spec)


def build_summary(ctx, data, phases):
    S = {}
    if "nc4" in phases:
        raw = data["nc4"].raw_bytes
        s = {k: summarize(v, raw) for k, v in phases["nc4"]["runs"].items()}
        r, c = s["floor_read"]["wall_s"], s["floor_compress"]["wall_s"]
        s["floor_2core"] = {"wall_s": (r + c) / 2, "mb_per_s": raw / MB / ((r + c) / 2), "runs": None,
                            "how": "(read floor + compress floor) / 2: all of that work split evenly over 2 cores"}
        s["floor_pipeline"] = {"wall_s": max(r, c), "mb_per_s": raw / MB / max(r, c),
                               "how": "max(read floor, compress floor): one core reads, the other compresses"}
        w = s["floor_write"]["wall_s"]
        s["floor_2core_write"] = {"wall_s": (r + c + w) / 2, "mb_per_s": raw / MB / ((r + c + w) / 2),
                                  "how": "(read + compress + write floors) / 2"}
        S["nc4"] = s
    if "nc3" in phases:
        raw = data["nc3"].raw_bytes
        s = {k: summarize(v, raw) for k, v in phases["nc3"]["runs"].items()}
        if "nc4" in S:
            w = (s["floor_read"]["wall_s"] + S["nc4"]["floor_compress"]["wall_s"]) / 2
            s["floor_2core"] = {"wall_s": w, "mb_per_s": raw / MB / w,
                                "how": "(netCDF-3 read floor + the NetCDF-4 phase's compress floor) / 2"}
            if s.get("floor_compress_pair"):
                b = s["floor_read"]["wall_s"] / 2 + s["floor_compress_pair"]["wall_s"]
                s["floor_2core_busy"] = {"wall_s": b, "mb_per_s": raw / MB / b,
                                         "how": "netCDF-3 read floor / 2 + zstd -1 of half the bytes on each core at once"}
            ww = w + S["nc4"]["floor_write"]["wall_s"] / 2
            s["floor_2core_write"] = {"wall_s": ww, "mb_per_s": raw / MB / ww,
                                      "how": "(netCDF-3 read + NetCDF-4 compress + write floors) / 2"}
        S["nc3"] = s
    if "x4" in phases:
        S["x4"] = {"nc2zarr_2": summarize(phases["x4"]["runs"]["nc2zarr_2"], data["x4"].raw_bytes),
                   "nc2zarr_2_1x": summarize(phases["x4"]["runs"]["nc2zarr_2_1x"], data["nc4"].raw_bytes)}
    if "gcs" in phases:
        raw = phases["gcs"]["raw_bytes"]
        S["gcs"] = {k: summarize(v, raw) for k, v in phases["gcs"]["runs"].items()}
    return S


def targets(S):
    """[(name, measured text, target text, status)]; status PASS, FAIL or INFO."""
    out = []

    def add(name, value, text, target_text, ok, info=False):
        status = "INFO" if info else ("n/a" if value is None else ("PASS" if ok else "FAIL"))
        out.append((name, text if value is not None else "not measured", target_text, status))

    nc4, nc3, x4, gcs = S.get("nc4"), S.get("nc3"), S.get("x4"), S.get("gcs")
    if nc4:
        n2, n1, xa, xn = nc4["nc2zarr_2"], nc4["nc2zarr_1"], nc4["xarray"], nc4["xarray_nocache"]
        v = n2["mb_per_s"] / xa["mb_per_s"]
        add("2 ranks vs xarray+dask, NetCDF-4", v, f"{v:.2f}x ({n2['mb_per_s']:.0f} vs {xa['mb_per_s']:.0f} MB/s)",
            f">= {TARGET_VS_XARRAY_NC4}x", v >= TARGET_VS_XARRAY_NC4)
        add("2 ranks vs xarray+dask, NetCDF-4 (stretch)", v, f"{v:.2f}x", f">= {STRETCH_VS_XARRAY_NC4}x",
            v >= STRETCH_VS_XARRAY_NC4)
        w = n2["mb_per_s"] / xn["mb_per_s"]
        add("2 ranks vs xarray+dask with the HDF5 chunk cache off", w, f"{w:.2f}x", "(for information)", True,
            info=True)
        f = n2["wall_s"] / nc4["floor_2core"]["wall_s"]
        add("2 ranks vs the floor on 2 cores, (read+compress)/2", f,
            f"{f:.2f}x ({n2['wall_s']:.2f} vs {nc4['floor_2core']['wall_s']:.2f} s)", f"<= {TARGET_VS_FLOOR}x",
            f <= TARGET_VS_FLOOR)
        g = n2["wall_s"] / nc4["floor_pipeline"]["wall_s"]
        add("2 ranks vs max(read floor, compress floor)", g, f"{g:.2f}x", "(for information)", True, info=True)
        h = n2["wall_s"] / nc4["floor_2core_write"]["wall_s"]
        add("2 ranks vs the floor including writing the store, (read+compress+write)/2", h,
            f"{h:.2f}x ({n2['wall_s']:.2f} vs {nc4['floor_2core_write']['wall_s']:.2f} s)", "(for information)", True,
            info=True)
        sp = n1["wall_s"] / n2["wall_s"]
        add("1 -> 2 ranks speedup", sp, f"{sp:.2f}x ({n1['wall_s']:.2f} -> {n2['wall_s']:.2f} s)",
            f">= {TARGET_SPEEDUP}x", sp >= TARGET_SPEEDUP)
        a, b = nc4.get("nc2zarr_1_probes"), nc4.get("nc2zarr_2_probes")
        if a and b:
            q = a["wall_s"] / b["wall_s"]
            add("1 -> 2 ranks speedup with Open MPI's fabric probes kept (`mpirun --mca mtl ^ofi`)", q,
                f"{q:.2f}x ({a['wall_s']:.2f} -> {b['wall_s']:.2f} s)", "(for information)", True, info=True)
        t = nc4.get("nc2zarr_threads")
        if t:
            q = t["mb_per_s"] / xa["mb_per_s"]
            add(f"1 process, no mpirun, {threads_text(t)} vs xarray+dask, NetCDF-4", q,
                f"{q:.2f}x ({t['wall_s']:.2f} s; 2 ranks {n2['wall_s']:.2f} s)", "(for information)", True, info=True)
        sh = nc4.get("nc2zarr_2_shuffle")
        if sh:
            c = sh["wall_s"] / n2["wall_s"]
            add("byte shuffle before zstd (`--shuffle`), 2 ranks: time vs without", c,
                f"{c:.2f}x ({n2['wall_s']:.2f} -> {sh['wall_s']:.2f} s), ratio {n2['ratio']:.3f} -> {sh['ratio']:.3f}",
                f"<= {TARGET_SHUFFLE_COST:.2f}x (no speed cost, 10% noise)", c <= TARGET_SHUFFLE_COST)
    rss = []
    nc4_keys = ("nc2zarr_1", "nc2zarr_2", "nc2zarr_2_shuffle", "nc2zarr_1_probes", "nc2zarr_2_probes",
                "nc2zarr_threads")
    for phase, keys in ((nc4, nc4_keys), (nc3, ("nc2zarr_1", "nc2zarr_2", "nc2zarr_threads")), (x4, ("nc2zarr_2",)),
                        (gcs, ("local_2", "gcs_2", "gcs_slow_2"))):
        if phase:
            rss += [phase[k]["rss_max_mib"] for k in keys if phase.get(k)]
    if rss:
        m = max(rss)
        add("peak RSS per rank (max over every nc2zarr run)", m, f"{m:.0f} MiB", f"<= {TARGET_RSS_MIB:.0f} MiB",
            m <= TARGET_RSS_MIB)
    if x4:
        a, b = x4["nc2zarr_2_1x"]["rss_max_mib"], x4["nc2zarr_2"]["rss_max_mib"]
        add("peak RSS growth, 4x the files (2 ranks)", b / a, f"{a:.0f} -> {b:.0f} MiB ({b / a:.2f}x)",
            f"<= {TARGET_RSS_GROWTH:.2f}x (no growth, 10% noise)", b / a <= TARGET_RSS_GROWTH)
    if nc3:
        v = nc3["nc2zarr_2"]["mb_per_s"] / nc3["xarray"]["mb_per_s"]
        add("2 ranks vs xarray+dask, netCDF-3", v,
            f"{v:.2f}x ({nc3['nc2zarr_2']['mb_per_s']:.0f} vs {nc3['xarray']['mb_per_s']:.0f} MB/s)",
            f">= {TARGET_VS_XARRAY_NC3}x", v >= TARGET_VS_XARRAY_NC3)
        t = nc3.get("nc2zarr_threads")
        if t:
            q = t["mb_per_s"] / nc3["xarray"]["mb_per_s"]
            add(f"1 process, no mpirun, {threads_text(t)} vs xarray+dask, netCDF-3", q,
                f"{q:.2f}x ({t['wall_s']:.2f} s; 2 ranks {nc3['nc2zarr_2']['wall_s']:.2f} s)", "(for information)",
                True, info=True)
        if nc3.get("floor_2core"):
            # The issue's floor is the NetCDF-4 one; this shows the same ratio on the copy.
            f = nc3["nc2zarr_2"]["wall_s"] / nc3["floor_2core"]["wall_s"]
            add("2 ranks vs the floor on 2 cores, netCDF-3, (read+compress)/2", f,
                f"{f:.2f}x ({nc3['nc2zarr_2']['wall_s']:.2f} vs {nc3['floor_2core']['wall_s']:.2f} s)",
                "(for information)", True, info=True)
    if gcs:
        lw, gw, cw = gcs["local_2"]["wall_s"], gcs["gcs_2"]["wall_s"], gcs["ceiling"]["wall_s"]
        keeps_up = cw <= lw
        bound = max(lw, cw)
        v = gw / bound
        text = (f"{gw:.2f} s vs local {lw:.2f} s, server ceiling {cw:.2f} s ({gcs['ceiling']['mb_per_s']:.1f} MB/s "
                f"stored): {v:.2f}x of max(local, ceiling)")
        name = "GCS test server vs local, 2 ranks"
        if not keeps_up:
            name += " (server cannot keep up: judged against its ceiling)"
        add(name, v, text, f"<= {TARGET_GCS}x", v <= TARGET_GCS)
        # The server runs on the same cores: all the CPU both use, spread
        # over the machine's cores, is what the run cannot go below.
        gcs_cpu, server_cpu = gcs["gcs_2"].get("cpu_s"), gcs["gcs_2"].get("server_cpu_s")
        cores = os.cpu_count() or 1
        if gcs_cpu and server_cpu:
            shared = max(lw, (gcs_cpu + server_cpu) / cores)
            add(f"GCS test server vs what {cores} shared cores allow, max(local, (nc2zarr's CPU + the server's CPU) "
                f"/ {cores})", gw / shared, f"{gw:.2f} s vs {shared:.2f} s ({gcs_cpu:.2f} + {server_cpu:.2f} CPU-s): "
                f"{gw / shared:.2f}x", "(for information)", None, info=True)
        if gcs.get("gcs_slow_2"):
            m = gcs["gcs_slow_2"]["rss_max_mib"]
            add(f"peak RSS per rank with every chunk upload stalled {GCS_STALL_SECONDS:g} s (a slow bucket)", m,
                f"{m:.0f} MiB", f"<= {TARGET_RSS_MIB:.0f} MiB", m <= TARGET_RSS_MIB)
    return out


def threads_text(s):
    n = (s or {}).get("chunk_threads")
    return f"{n} chunk threads" if n else "its default chunk threads"


def row(name, s, raw_note=True, xref=None, floor=None, note=""):
    if s is None:
        return None
    rng = f"{s['wall_min_s']:.2f}-{s['wall_max_s']:.2f}" if s.get("runs") else "-"
    rss = s.get("rss_per_rank_mib")
    rss_text = "-" if not rss else " / ".join(f"{x:.0f}" for x in rss)
    vsx = f"{s['mb_per_s'] / xref:.2f}x" if xref and s.get("mb_per_s") else "-"
    vsf = f"{s['wall_s'] / floor:.2f}x" if floor and s.get("wall_s") else "-"
    others = s.get("others_share")
    others_text = "-" if others is None else f"{100 * others:.0f}%"
    return (f"| {name} | {s['wall_s']:.2f} | {rng} | {s['mb_per_s']:.0f} | {rss_text} | {fmt(s.get('cpu_s'), '.1f')} "
            f"| {fmt(s.get('ratio'), '.3f')} | {s.get('objects') if s.get('objects') is not None else '-'} "
            f"| {vsx} | {vsf} | {others_text} |{note}")


HEADER = ("| tool | wall (s), median | min-max | raw MB/s | peak RSS per rank (MiB) | CPU (s) | ratio | objects "
          "| vs xarray | vs floor | others' CPU |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")


def markdown(ctx, data, phases, S, tgts, machine, elapsed, scale_md, many):
    L = []
    a = ctx.args
    L += [f"# nc2zarr benchmark results{' (QUICK smoke run: not representative)' if a.quick else ''}", "",
          f"Measured {machine['date']} on {machine['cpu']}, {machine['cores']} cores, {machine['memory_gib']} GiB, "
          f"{machine['os']} (kernel {machine['kernel']}). nc2zarr {machine['nc2zarr'].replace('nc2zarr ', '')} "
          f"(checkout at {machine['nc2zarr_commit']}; binary built {machine['nc2zarr_binary_built']}, sha256 "
          f"{machine['nc2zarr_binary_sha256']}); "
          f"{machine['netcdf']}; {machine['mpirun']}; {machine['python_stack']}.", "",
          f"Command: `{('scripts/bench.sh ' + ctx.argv).strip()}` "
          f"({elapsed / 60:.1f} min). Medians of {a.repeats} interleaved run(s); warm page cache. "
          f"Before each timed run the harness waits (up to {a.quiet_timeout:.0f} s) for other processes to use less "
          f"than 0.3 of a core; they used a median {median(ctx.busy_before) or 0:.2f} cores then (max "
          f"{max(ctx.busy_before or [0]):.2f}), load average median {median(ctx.loads) or 0:.2f}. The last column "
          "of each table is the CPU other processes used during the run, as a share of the machine: high values "
          f"mean that row's time is inflated. A run during which others used more than {100 * a.max_others:.0f}% "
          f"was run again (up to {a.retries} times); {len(ctx.discarded)} run(s) were set aside that way.", ""]
    if "nc4" in phases:
        ds, s = data["nc4"], S["nc4"]
        xref = s["xarray"]["mb_per_s"]
        floor = s["floor_2core"]["wall_s"]
        L += [f"## NetCDF-4 input: {ds.nfiles} files, {ds.nfiles * ds.steps} x {ds.nlat} x {ds.nlon} x 3 float32 "
              f"= {ds.raw_bytes / 1e9:.2f} GB raw", "",
              f"HDF5 chunks 1 x {ds.nlat} x {ds.nlon}, deflate 1 + shuffle ({ds.info.get('disk_bytes', 0) / MB:.0f} "
              f"MB on disk). Output chunks {ctx.chunk_steps} x {ds.nlat} x {ds.nlon}, zstd level 1.", "", HEADER]
        rows = [row("**nc2zarr, 2 ranks**", s["nc2zarr_2"], xref=xref, floor=floor),
                row("nc2zarr, 1 rank", s["nc2zarr_1"], xref=xref, floor=floor),
                row("nc2zarr, 2 ranks, `--shuffle` (numcodecs shuffle filter before zstd -1)",
                    s.get("nc2zarr_2_shuffle"), xref=xref, floor=floor),
                row("(information) nc2zarr, 2 ranks, Open MPI's fabric probes kept (`mpirun --mca mtl ^ofi`)",
                    s.get("nc2zarr_2_probes"), xref=xref, floor=floor),
                row("(information) nc2zarr, 1 rank, fabric probes kept", s.get("nc2zarr_1_probes"), xref=xref,
                    floor=floor),
                row(f"(information) nc2zarr, 1 process without mpirun, {threads_text(s.get('nc2zarr_threads'))}",
                    s.get("nc2zarr_threads"), xref=xref, floor=floor),
                row("xarray + dask (2 threads)", s["xarray"], xref=xref, floor=floor),
                row("xarray + dask, HDF5 chunk cache off", s["xarray_nocache"], xref=xref, floor=floor),
                row(f"nccopy to NCZarr, 2 at a time (**not the same output**: {ds.nfiles} stores, uncompressed)", s["nccopy"],
                    xref=xref, floor=floor),
                row("floor: netCDF-C read + inflate, 1 core", s["floor_read"]),
                row("floor: zstd -1 of the raw bytes, 1 core", s["floor_compress"]),
                row("(not in the issue's floor) writing the compressed bytes as files, 1 core", s["floor_write"])]
        L += [r for r in rows if r]
        L.append(f"| **floor on 2 cores = (read + compress) / 2** | {floor:.2f} | - | "
                 f"{s['floor_2core']['mb_per_s']:.0f} | - | - | - | - | - | 1.00x | - |")
        L.append(f"| (max(read, compress): one core each) | {s['floor_pipeline']['wall_s']:.2f} | - | "
                 f"{s['floor_pipeline']['mb_per_s']:.0f} | - | - | - | - | - | - | - |")
        fw = s["floor_2core_write"]
        L.append(f"| ((read + compress + write) / 2) | {fw['wall_s']:.2f} | - | {fw['mb_per_s']:.0f} | - | - | - | - "
                 f"| - | {fw['wall_s'] / floor:.2f}x | - |")
        n2, n1 = s["nc2zarr_2"], s["nc2zarr_1"]
        if n2.get("wall_internal_s") and n1.get("wall_internal_s"):
            L += ["", f"nc2zarr's own `--report` time (from after MPI start-up to before shutdown), median: "
                  f"{n2['wall_internal_s']:.2f} s with 2 ranks, {n1['wall_internal_s']:.2f} s with 1; the rest of "
                  f"the wall time ({n2['wall_s'] - n2['wall_internal_s']:.2f} s, {n1['wall_s'] - n1['wall_internal_s']:.2f}"
                  " s) is `mpirun`, MPI start-up and shutdown."]
            p = n2.get("phase_s")
            if p:
                L[-1] += (f" Inside it, with 2 ranks (medians): scan and plan {p['scan_and_plan']:.3f} s, chunks "
                          f"{p['chunks']:.2f} s (until the last rank finished), commit {p['commit']:.3f} s.")
        sh = phases["nc4"]["shuffle"]
        L += ["", f"Byte shuffle before zstd -1 (numcodecs `shuffle` filter, measured by `bench_floor_compress "
              f"--shuffle`): ratio {sh['ratio']:.3f} -> {sh['shuffle_ratio']:.3f}; zstd alone {sh['seconds']:.2f} s, "
              f"shuffle + zstd {sh['shuffle_seconds']:.2f} s (a plain byte-loop shuffle) on 1 core.", ""]
    if "nc3" in phases:
        ds, s = data["nc3"], S["nc3"]
        xref = s["xarray"]["mb_per_s"]
        floor = s["floor_2core"]["wall_s"] if s.get("floor_2core") else None
        L += [f"## netCDF-3 (64-bit offset) copy: same values, {ds.info.get('disk_bytes', 0) / MB:.0f} MB on disk, "
              "no compression", "", HEADER]
        rows = [row("**nc2zarr, 2 ranks**", s["nc2zarr_2"], xref=xref, floor=floor),
                row("nc2zarr, 1 rank", s["nc2zarr_1"], xref=xref, floor=floor),
                row(f"(information) nc2zarr, 1 process without mpirun, {threads_text(s.get('nc2zarr_threads'))}",
                    s.get("nc2zarr_threads"), xref=xref, floor=floor),
                row("xarray + dask (2 threads)", s["xarray"], xref=xref, floor=floor),
                row("floor: netCDF-C read, 1 core", s["floor_read"])]
        L += [r for r in rows if r]
        if floor:
            L.append(f"| floor on 2 cores = (this read floor + the NetCDF-4 compress floor) / 2 | {floor:.2f} | - | "
                     f"{s['floor_2core']['mb_per_s']:.0f} | - | - | - | - | - | 1.00x | - |")
            fw = s["floor_2core_write"]
            L.append(f"| ((read + compress + write) / 2) | {fw['wall_s']:.2f} | - | {fw['mb_per_s']:.0f} | - | - | - "
                     f"| - | - | {fw['wall_s'] / floor:.2f}x | - |")
            if s.get("floor_2core_busy"):
                L.append(row("(not in the issue's floor) zstd -1 of half the bytes on each core at once (two "
                             "`bench_floor_compress` processes; the slower one's compression time)",
                             s["floor_compress_pair"]))
                fb = s["floor_2core_busy"]
                L.append(f"| (read floor / 2 + that: the floor with both cores compressing at once) | {fb['wall_s']:.2f} "
                         f"| - | {fb['mb_per_s']:.0f} | - | - | - | - | {fb['mb_per_s'] / xref:.2f}x "
                         f"| {fb['wall_s'] / floor:.2f}x | - |")
        L.append("")
    if "x4" in phases:
        ds, s = data["x4"], S["x4"]
        L += [f"## Memory growth: {ds.nfiles} files (4x), {ds.raw_bytes / 1e9:.2f} GB raw, interleaved with the "
              f"{data['nc4'].nfiles} files", "", HEADER,
              row(f"nc2zarr, 2 ranks, {ds.nfiles} files", s["nc2zarr_2"]),
              row(f"nc2zarr, 2 ranks, {data['nc4'].nfiles} files", s["nc2zarr_2_1x"]), ""]
    if "gcs" in phases:
        g, s = phases["gcs"], S["gcs"]
        L += [f"## GCS test server: the first {g['files']} files ({g['raw_bytes'] / MB:.0f} MB raw)", "",
              "The server (tests/gcs_server) is Python: CRC32C through " + crc32c_source() + ", "
              "the HTTP handling in Python, and an MD5 (hashlib, ~750 MB/s) only when a reply needs one: nc2zarr "
              "asks for partial replies without it (`fields=name,size,generation,crc32c`). It runs on the same 2 "
              "cores as nc2zarr's two ranks and takes CPU from them: it used "
              + (f"{s['gcs_2']['server_cpu_s']:.2f}" if s["gcs_2"].get("server_cpu_s") is not None else "?")
              + " CPU-s during the nc2zarr run (median). The ceiling row is a bare client uploading the same "
              "objects the same way (media uploads below 16 MiB, resumable 8 MiB pieces above) with nothing else "
              "running.", "", HEADER,
              row("nc2zarr, 2 ranks, local directory", s["local_2"]),
              row("nc2zarr, 2 ranks, to the GCS test server", s["gcs_2"]),
              row("server ceiling: bare upload of the same objects (4 connections)", s["ceiling"]),
              row(f"nc2zarr, 2 ranks, to the GCS test server, every chunk upload stalled {GCS_STALL_SECONDS:g} s "
                  "(a slow bucket: memory stays within the write buffer)", s.get("gcs_slow_2")), ""]
    L += ["## Targets (issue 7)", "", "| target | measured | wanted | result |", "|---|---|---|---|"]
    L += [f"| {n} | {m} | {t} | **{st}** |" if st in ("PASS", "FAIL") else f"| {n} | {m} | {t} | {st} |"
          for n, m, t, st in tgts]
    checks = [c for p in phases.values() if isinstance(p, dict) for c in p.get("checks", [])]
    if checks:
        L += ["", "## Checks", ""]
        L += [f"- {c['what']}: {'ok' if c['ok'] else 'FAILED: ' + '; '.join(c['problems'])}" for c in checks]
    L += ["", "## Columns", "",
          "- **wall**: median over the interleaved runs. nc2zarr: the whole `mpirun` command (MPI start-up "
          "included). xarray: `open_mfdataset` through `to_zarr`, measured inside the script (interpreter start "
          "and imports excluded). nccopy: the whole batch. Floors: the timed work only.",
          "- **raw MB/s**: uncompressed bytes of the data variables (10^6 bytes) / wall.",
          "- **peak RSS per rank**: `ru_maxrss` of each process (rank), from `bench_peak_rss`; nccopy: the largest "
          "of its processes. Median run.",
          "- **CPU**: user + system seconds of all ranks/processes (threads included); less sensitive to "
          "other load on the machine than wall time.",
          "- **ratio**: raw bytes / bytes of every object in the store (metadata included; nc2zarr's "
          "`.nc2zarr/` records excluded). **objects**: files in the store (same exclusion).",
          "- **vs xarray**: throughput / xarray + dask's (default settings) throughput. **vs floor**: wall / "
          "the 2-core floor, (read floor + compress floor) / 2.",
          "- **others' CPU**: CPU time of every other process on the machine during the run (from /proc/stat, "
          "minus the tool's own), / (wall x cores). Median run.",
          "- The write floor is not part of the issue's floor; it shows what putting the compressed bytes into "
          "files costs on this filesystem (fresh page-cache pages), which every tool here pays.", ""]
    if many:
        L += ["## Many files per chunk", "", many["markdown"]]
    if scale_md:
        L += ["## Scale", "", scale_md]
    L += ["## Commands", "", "```"]
    L += [f"# {k}\n{v}" for k, v in sorted(ctx.commands.items())]
    L += ["```", ""]
    for name in ("nc4", "nc3", "x4"):
        if name in data and data[name].info.get("command"):
            L.append(f"Dataset {name}: `{data[name].info['command']}`  ")
    return "\n".join(L) + "\n"


def plot(path, S, quick):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        log("  matplotlib missing: no plot (apt-get install python3-matplotlib)")
        return False
    nc4, nc3 = S.get("nc4"), S.get("nc3")
    if not nc4:
        return False
    panels = [("NetCDF-4 input" + (" (quick run)" if quick else ", 1.87 GB raw"), nc4,
               [("nc2zarr, 2 ranks", "nc2zarr_2", "tab:blue"), ("nc2zarr, 1 rank", "nc2zarr_1", "tab:blue"),
                ("nc2zarr, 1 process, threads", "nc2zarr_threads", "tab:cyan"),
                ("xarray+dask", "xarray", "tab:orange"), ("xarray+dask, cache off", "xarray_nocache", "tab:orange"),
                ("nccopy->NCZarr*", "nccopy", "tab:gray")])]
    if nc3:
        panels.append(("netCDF-3 copy", nc3, [("nc2zarr, 2 ranks", "nc2zarr_2", "tab:blue"),
                                              ("nc2zarr, 1 rank", "nc2zarr_1", "tab:blue"),
                                              ("nc2zarr, 1 process, threads", "nc2zarr_threads", "tab:cyan"),
                                              ("xarray+dask", "xarray", "tab:orange")]))
    fig, axes = plt.subplots(1, len(panels) + 1, figsize=(5.2 * (len(panels) + 1), 4.6))
    for ax, (title, s, items) in zip(axes, panels):
        items = [(n, s[k], c) for n, k, c in items if s.get(k)][::-1]
        mbps = [i[1]["mb_per_s"] for i in items]
        raw = [i[1]["mb_per_s"] * i[1]["wall_s"] for i in items]
        lo = [m - r / i[1]["wall_max_s"] for m, r, i in zip(mbps, raw, items)]
        hi = [r / i[1]["wall_min_s"] - m for m, r, i in zip(mbps, raw, items)]
        ax.barh([i[0] for i in items], mbps, xerr=[lo, hi], color=[i[2] for i in items], capsize=3)
        lines = [("floor, 2 cores\n(read+compress)/2", "floor_2core", "red", "--"),
                 ("incl. write\n(read+compress+write)/2", "floor_2core_write", "purple", ":")]
        for k, (label, key, color, style) in enumerate(lines):
            if s.get(key):
                x = s[key]["mb_per_s"]
                ax.axvline(x, color=color, ls=style, lw=1)
                ax.text(x, 0.02 + 0.13 * k, " " + label, color=color, fontsize=7,
                        transform=ax.get_xaxis_transform())
        ax.set_xlabel("raw MB/s (median; whiskers: min-max)")
        ax.set_title(title)
    ax = axes[-1]
    rss = [(f"{n} ({p})", s[k], c) for p, s in (("nc4", nc4), ("nc3", nc3)) if s
           for n, k, c in (("nc2zarr 2 ranks", "nc2zarr_2", "tab:blue"), ("nc2zarr 1 rank", "nc2zarr_1", "tab:blue"),
                           ("nc2zarr 1 process, threads", "nc2zarr_threads", "tab:cyan"),
                           ("xarray+dask", "xarray", "tab:orange"),
                           ("xarray, cache off", "xarray_nocache", "tab:orange"), ("nccopy*", "nccopy", "tab:gray"))
           if s.get(k) and s[k].get("rss_max_mib")][::-1]
    ax.barh([r[0] for r in rss], [r[1]["rss_max_mib"] for r in rss], color=[r[2] for r in rss])
    ax.axvline(TARGET_RSS_MIB, color="red", ls="--", lw=1)
    ax.text(TARGET_RSS_MIB, 0.02, " 256 MiB\n target", color="red", fontsize=8, transform=ax.get_xaxis_transform())
    ax.set_xlabel("peak RSS per rank / process (MiB)")
    ax.set_title("Memory")
    fig.text(0.01, 0.01, "* nccopy: one uncompressed NCZarr store per input file, not the same output", fontsize=7)
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def print_table(S, tgts):
    log("")
    for phase, rows in S.items():
        for key, s in rows.items():
            if s and s.get("wall_s") is not None:
                rss = s.get("rss_max_mib")
                log(f"{phase:>4} {key:<16} {s['wall_s']:7.2f} s  {s['mb_per_s']:7.1f} MB/s"
                    + (f"  RSS {rss:6.0f} MiB" if rss else "")
                    + (f"  ratio {s['ratio']:.3f}" if s.get("ratio") else ""))
    log("")
    for name, measured, wanted, status in tgts:
        log(f"{status:<4} {name}: {measured} (target {wanted})")


# ---------------------------------------------------------------- main

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="small dataset, 1 repeat: a smoke test of the harness")
    p.add_argument("--repeats", type=int, help="runs of each tool (default 3; 1 with --quick)")
    p.add_argument("--keep", action="store_true", help="keep the generated data (reused by the next run)")
    p.add_argument("--phases", default="nc4,gcs,x4,nc3,many,scale")
    p.add_argument("--gcs-files", type=int, default=6, help="input files the gcs phase converts (default 6)")
    p.add_argument("--workdir", default=os.environ.get("BENCH_WORKDIR", "/tmp/nc2zarr-bench"))
    p.add_argument("--nc2zarr", default=os.path.join(ROOT, "build", "nc2zarr"))
    p.add_argument("--tools-dir")
    p.add_argument("--results", default=os.path.join(HERE, "results"))
    p.add_argument("--strict", action="store_true", help="exit 3 when a target fails")
    p.add_argument("--max-others", type=float, default=0.15,
                   help="a run during which other processes used more than this share of the machine is "
                   "run again (default 0.15)")
    p.add_argument("--retries", type=int, default=2, help="how many times such a run is repeated (default 2)")
    p.add_argument("--pause", type=float,
                   help="seconds to pause before each timed run, so freed memory goes cold (default 2; 0 with --quick)")
    p.add_argument("--quiet-timeout", type=float,
                   help="seconds to wait, before each timed run, for other processes to stop using the CPU "
                   "(default 20; 2 with --quick)")
    args = p.parse_args()
    args.repeats = args.repeats or (1 if args.quick else 3)
    if args.pause is None:
        args.pause = 0.0 if args.quick else 2.0
    if args.quiet_timeout is None:
        args.quiet_timeout = 2.0 if args.quick else 20.0
    wanted = [x.strip() for x in args.phases.split(",") if x.strip()]
    unknown = set(wanted) - {"nc4", "gcs", "x4", "nc3", "many", "scale"}
    if unknown:
        p.error(f"unknown phase(s) {sorted(unknown)}")

    started = time.perf_counter()
    ctx = Context(args)
    argv, skip = [], False
    for x in sys.argv[1:]:  # as typed to scripts/bench.sh, which adds --tools-dir
        if skip or x == "--tools-dir":
            skip = not skip
            continue
        argv.append(x)
    ctx.argv = " ".join(argv)
    if args.quick:
        files, steps = 4, 15
    else:
        files, steps = 20, 30
    ctx.chunk_steps = 30
    nlat, nlon = 361, 720
    data_dir = os.path.join(ctx.work, "data")
    nc4 = Dataset("nc4", os.path.join(data_dir, f"nc4-{files}x{steps}"), files, steps, nlat, nlon, "nc4")
    data = {"nc4": nc4,
            "nc3": Dataset("nc3", os.path.join(data_dir, f"nc3-{files}x{steps}"), files, steps, nlat, nlon, "nc3"),
            "x4": Dataset("x4", os.path.join(data_dir, f"x4-{4 * files}x{steps}"), 4 * files, steps, nlat, nlon,
                          "nc4", template=nc4)}
    machine = machine_info(ctx)
    log(f"nc2zarr benchmark: {machine['cpu']}, {machine['cores']} cores; nc2zarr {machine['nc2zarr_commit']}; "
        f"work directory {ctx.work}; {args.repeats} repeat(s)")
    phases = {}
    ctx.rank_mbps = None
    order = [("nc4", phase_nc4), ("gcs", phase_gcs), ("x4", phase_x4), ("nc3", phase_nc3)]
    try:
        for name, fn in order:
            if name in wanted:
                phases[name] = fn(ctx, data)
        if "nc4" in phases:
            ctx.rank_mbps = summarize(phases["nc4"]["runs"]["nc2zarr_1"], nc4.raw_bytes)["mb_per_s"]
        many = phase_many(ctx, data) if "many" in wanted else None
        scale = phase_scale(ctx, data) if "scale" in wanted else None
    except BenchError as e:
        log(f"benchmark failed: {e}")
        return 1
    finally:
        ref = getattr(ctx, "reference_store", None)
        if ref:
            shutil.rmtree(ref, ignore_errors=True)
        if not args.keep:
            for d in data.values():
                shutil.rmtree(d.dir, ignore_errors=True)
        ctx.empty_trash()
        shutil.rmtree(ctx.outdir, ignore_errors=True)
        if not args.keep:
            for d in ("run", "bin"):
                shutil.rmtree(os.path.join(ctx.work, d), ignore_errors=True)
    elapsed = time.perf_counter() - started

    S = build_summary(ctx, data, phases)
    tgts = targets(S)
    scale_md = None
    if scale:
        sys.path.insert(0, HERE)
        import scan_scale
        scale_md = scan_scale.markdown(scale)
    os.makedirs(args.results, exist_ok=True)
    md = markdown(ctx, data, phases, S, tgts, machine, elapsed, scale_md, many)
    with open(os.path.join(args.results, "latest.md"), "w") as f:
        f.write(md)
    runs = {ph: v["runs"] for ph, v in phases.items() if isinstance(v, dict) and "runs" in v}
    with open(os.path.join(args.results, "latest.json"), "w") as f:
        json.dump({"machine": machine, "quick": args.quick, "repeats": args.repeats, "summary": S,
                   "targets": [dict(zip(("name", "measured", "wanted", "status"), t)) for t in tgts],
                   "runs": runs, "discarded_runs": ctx.discarded, "commands": ctx.commands, "scale": scale, "many": many,
                   "loads": ctx.loads, "busy_before": ctx.busy_before,
                   "datasets": {k: dict(d.spec(), **d.info) for k, d in data.items() if d.info},
                   "checks": [c for p in phases.values() if isinstance(p, dict) for c in p.get("checks", [])],
                   "shuffle": phases.get("nc4", {}).get("shuffle"), "elapsed_s": elapsed}, f, indent=1,
                  default=str)
    plotted = plot(os.path.join(args.results, "latest.png"), S, args.quick)
    print_table(S, tgts)
    log(f"\nwrote {os.path.join(args.results, 'latest.md')}, latest.json"
        f"{', latest.png' if plotted else ''} in {elapsed / 60:.1f} min")
    failed_checks = [c for p in phases.values() if isinstance(p, dict) for c in p.get("checks", []) if not c["ok"]]
    if failed_checks:
        log("a fidelity check FAILED")
        return 1
    if args.strict and any(t[3] == "FAIL" for t in tgts):
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
