"""A private Slurm on localhost for the template tests.

SlurmCluster brings up munged, slurmctld and one slurmd per emulated node in a
fresh temporary directory, all on ports and a munge socket of their own (so it
touches nothing in /etc or /run and two clusters can run side by side), and
stops them again. It follows ../../../shared/notes/slurm-and-mpi-here.md.

Every daemon runs in the foreground as a child of the test process, so stop()
ends it by its own PID (the PID files Slurm writes name the same processes),
after cancelling what still runs. Job processes that outlive their slurmd
(slurmstepd is nobody's child) are then found by this cluster's SLURM_CONF
path in their environment, which only its processes carry, and killed by PID.
If the test process dies without stop() (a CTest timeout, SIGKILL), the
daemons get SIGTERM through PR_SET_PDEATHSIG, and a detached watchdog started
with the cluster does the same sweep and removes the directory.

Needs root (Slurm runs as root here, as on CI) and the Debian packages
slurm-wlm and munge (scripts/setup.sh installs them). When either is missing,
start() raises SlurmUnavailable with a message saying what to do: the tests
fail, they do not skip.
"""
import ctypes
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

SLURM_BINARIES = ("slurmctld", "slurmd", "sbatch", "scontrol", "sinfo", "squeue", "scancel", "srun")
MUNGE_BINARIES = ("munged", "munge", "unmunge", "mungekey")
PR_SET_PDEATHSIG = 1


class SlurmUnavailable(RuntimeError):
    pass


def _die_with_parent():
    """preexec_fn: the daemon gets SIGTERM when the test process dies."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(predicate, timeout, what, poll=0.1, diagnose=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(poll)
    detail = diagnose() if diagnose else ""
    raise SlurmUnavailable(f"timed out after {timeout:.0f} s waiting for {what}\n{detail}")


class Job:
    """A finished (or requeued) batch job: what sbatch and Slurm said about it."""

    def __init__(self, job_id, sbatch_returncode, sbatch_output, record, log_path):
        self.id = job_id
        self.sbatch_returncode = sbatch_returncode
        self.sbatch_output = sbatch_output
        self.record = record or {}
        self.log_path = log_path

    @property
    def state(self):
        return self.record.get("JobState")

    @property
    def exit_code(self):
        return self.record.get("ExitCode")

    def log(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return f"(no log at {self.log_path})"

    def describe(self):
        return (f"job {self.id}: sbatch exit {self.sbatch_returncode}, record {self.record}\n"
                f"sbatch output: {self.sbatch_output}\n--- job log {self.log_path} ---\n{self.log()}")


class SlurmCluster:
    """nodes: names of the emulated nodes, one slurmd each; all on 127.0.0.1."""

    def __init__(self, nodes=("localhost",), cpus_per_node=2, kill_wait=10):
        self.nodes = list(nodes)
        self.cpus = cpus_per_node
        self.kill_wait = kill_wait
        self.base = None
        self.procs = {}  # name -> Popen
        self.conf = None

    # ---- life cycle -------------------------------------------------------
    def start(self):
        self._check_prerequisites()
        self.base = tempfile.mkdtemp(prefix="nc2zarr-slurm-")
        self.conf = os.path.join(self.base, "slurm.conf")  # written below; it marks this cluster's processes
        try:
            os.chmod(self.base, 0o755)  # munged runs as user munge and must reach its directory
            self._start_watchdog()
            for d in ("ctld", "spool", "log", "run", "tmp", "jobs"):
                os.makedirs(os.path.join(self.base, d))
            for node in self.nodes:
                os.makedirs(os.path.join(self.base, "spool", node))
                os.makedirs(os.path.join(self.base, "tmp", node))
            self._start_munge()
            self._write_conf()
            self._start_slurm()
        except BaseException:
            self.stop()
            raise

    def stop(self):
        """Stops every daemon and job process of this cluster; safe to call twice."""
        if self.base is None:
            return
        if "slurmctld" in self.procs and self.procs["slurmctld"].poll() is None:
            # Cancel what still runs so slurmd can end its steps cleanly.
            subprocess.run(["scancel", "--full", "--signal=KILL", "--partition=debug"], env=self.env(),
                           capture_output=True, timeout=30)
            subprocess.run(["scancel", "--partition=debug"], env=self.env(), capture_output=True, timeout=30)
            _wait_quietly(lambda: not self._squeue_ids(), 15)
        for name in [n for n in self.procs if n.startswith("slurmd")] + ["slurmctld", "munged"]:
            proc = self.procs.get(name)
            if proc is None:
                continue
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(timeout=15)
        self.procs = {}
        self._kill_stragglers()
        shutil.rmtree(self.base, ignore_errors=True)
        self.base = None
        self.conf = None

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    # ---- using it ---------------------------------------------------------
    def env(self, **extra):
        """The caller's environment without any outer Slurm job's variables,
        pointed at this cluster, plus extra (values None remove a name)."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLURM_", "SBATCH_", "SRUN_", "SALLOC_"))}
        env["SLURM_CONF"] = self.conf or ""
        for k, v in extra.items():
            if v is None:
                env.pop(k, None)
            else:
                env[k] = str(v)
        return env

    def path(self, *parts):
        return os.path.join(self.base, *parts)

    def sbatch(self, script, args=(), env=None, wait=True, timeout=300, log_name=None):
        """Submits script with sbatch --parsable [--wait] --export=ALL; returns
        (job_id, log_path) without wait, a Job with wait."""
        log_name = log_name or f"{os.path.basename(script)}-%j.log"
        log_pattern = self.path("jobs", log_name)
        cmd = ["sbatch", "--parsable", "--export=ALL", f"--output={log_pattern}"]
        if wait:
            cmd.append("--wait")
        cmd += list(args) + [script]
        result = subprocess.run(cmd, env=env or self.env(), capture_output=True, text=True, timeout=timeout,
                                cwd=self.path("jobs"))
        match = re.search(r"^(\d+)", result.stdout.strip())
        if not match:
            raise AssertionError(f"sbatch did not submit: exit {result.returncode}\n"
                                 f"stdout: {result.stdout}\nstderr: {result.stderr}\n{self.diagnose()}")
        job_id = int(match.group(1))
        log_path = log_pattern.replace("%j", str(job_id))
        if not wait:
            return job_id, log_path
        return Job(job_id, result.returncode, result.stdout + result.stderr, self.job_record(job_id), log_path)

    def sbatch_background(self, script, args, env, name, timeout=60):
        """Starts sbatch --wait --job-name=NAME in the background (it follows
        the job through requeues until it really ends); returns (Popen,
        job_id, log_path). finish() collects the Job."""
        log_pattern = self.path("jobs", f"{name}-%j.log")
        cmd = ["sbatch", "--wait", "--export=ALL", f"--job-name={name}", f"--output={log_pattern}"] + list(args)
        proc = subprocess.Popen(cmd + [script], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True, cwd=self.path("jobs"))
        job_id = None

        def submitted():
            nonlocal job_id
            if proc.poll() is not None:
                raise AssertionError(f"sbatch exited {proc.returncode}: {proc.stdout.read()}\n{self.diagnose()}")
            ids = subprocess.run(["squeue", "-h", "-n", name, "-o", "%i"], env=self.env(), capture_output=True,
                                 text=True, timeout=10).stdout.split()
            job_id = int(ids[0]) if ids else None
            return job_id is not None
        _wait_for(submitted, timeout, f"job {name} to be submitted")
        return proc, job_id, log_pattern.replace("%j", str(job_id))

    def finish(self, proc, job_id, log_path, timeout=600):
        """Waits for a sbatch_background and returns its Job."""
        try:
            output, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            output, _ = proc.communicate()
            raise AssertionError(f"sbatch --wait for job {job_id} still waiting after {timeout} s\n{output}")
        return Job(job_id, proc.returncode, output, self.job_record(job_id), log_path)

    def job_record(self, job_id, timeout=10):
        """The job's last line in the jobcomp/filetxt log (written when it
        ends, requeues included), as a dict; waits a little for it to appear."""
        record = None

        def found():
            nonlocal record
            record = self.job_records(job_id)[-1:] or None
            return record is not None
        _wait_quietly(found, timeout)
        return record[0] if record else None

    def job_records(self, job_id):
        out = []
        try:
            with open(self.path("log", "jobcomp.txt")) as f:
                for line in f:
                    fields = dict(re.findall(r"(\w+)=(\S*)", line))
                    if fields.get("JobId") == str(job_id):
                        out.append(fields)
        except FileNotFoundError:
            pass
        return out

    def show_job(self, job_id):
        """scontrol show job as a dict ({} once the job is gone)."""
        result = subprocess.run(["scontrol", "-o", "show", "job", str(job_id)], env=self.env(),
                                capture_output=True, text=True, timeout=30)
        if result.returncode != 0:
            return {}
        return dict(re.findall(r"(\w+)=(\S*)", result.stdout))

    def scontrol(self, *args, check=True):
        return self._run(["scontrol"] + list(args), check)

    def requeue(self, job_id, attempts=4):
        """scontrol requeue, repeated only while the job shows no sign of it.
        slurmctld sometimes drops the reply under load ("Unexpected missing
        socket error") after or before doing the requeue; a second requeue of a
        requeued job would make a third run, so look before asking again."""
        for attempt in range(attempts):
            result = self.scontrol("requeue", str(job_id), check=False)
            if result.returncode == 0:
                return
            for _ in range(10):
                info = self.show_job(job_id)
                if int(info.get("Restarts", "0") or 0) >= 1 or info.get("JobState") in ("REQUEUED", "PENDING"):
                    return
                time.sleep(0.5)
        raise AssertionError(f"scontrol requeue {job_id} failed {attempts} times: {result.stdout}{result.stderr}")

    def scancel(self, *args, check=True):
        return self._run(["scancel"] + list(args), check)

    def _run(self, cmd, check):
        result = subprocess.run(cmd, env=self.env(), capture_output=True, text=True, timeout=30)
        if check and result.returncode != 0:
            raise AssertionError(f"{' '.join(cmd)} exited {result.returncode}: {result.stdout}{result.stderr}")
        return result

    def diagnose(self):
        """Daemon logs and node states, for failure messages."""
        parts = []
        for directory in (self.path("log"), self.path("munge")) if self.base else ():
            for name in sorted(os.listdir(directory)) if os.path.isdir(directory) else ():
                if name.endswith((".log", ".stdout", ".txt")):
                    parts.append(f"--- {name} (tail) ---\n{_read(os.path.join(directory, name))}")
        ctld = self.procs.get("slurmctld")
        if ctld is not None and ctld.poll() is None:
            parts.append("--- sinfo ---\n" + self._sinfo())
        return "\n".join(parts)

    # ---- internals ----------------------------------------------------------
    def _check_prerequisites(self):
        missing = [b for b in SLURM_BINARIES + MUNGE_BINARIES if self._sbin(b) is None]
        if missing:
            raise SlurmUnavailable(f"missing {', '.join(missing)}: install the Debian packages slurm-wlm and munge "
                                   "(scripts/setup.sh does)")
        if os.geteuid() != 0:
            raise SlurmUnavailable("the Slurm tests start slurmctld, slurmd and munged and must run as root "
                                   "(as CI does); run them with sudo")
        try:
            import pwd
            pwd.getpwnam("munge")
        except KeyError:
            raise SlurmUnavailable("no user 'munge': reinstall the Debian package munge")

    def _sbin(self, name):
        return shutil.which(name, path=os.environ.get("PATH", "") + ":/usr/sbin:/sbin")

    def _spawn(self, name, args, env, **kwargs):
        out = open(self.path("log", f"{name}.stdout"), "wb")
        try:
            proc = subprocess.Popen(args, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                    preexec_fn=_die_with_parent, cwd=self.base, **kwargs)
        finally:
            out.close()
        self.procs[name] = proc
        return proc

    def _start_munge(self):
        mdir = self.path("munge")
        os.makedirs(mdir, mode=0o700)
        shutil.chown(mdir, "munge", "munge")
        key = os.path.join(mdir, "munge.key")
        subprocess.run([self._sbin("mungekey"), "--create", f"--keyfile={key}"], check=True, capture_output=True,
                       user="munge", group="munge", timeout=30)
        self.munge_socket = os.path.join(mdir, "munge.socket")
        # munged checks that nothing above its socket is writable by others;
        # the socket's directory must be reachable by clients (root here).
        os.chmod(mdir, 0o755)
        self._spawn("munged", [self._sbin("munged"), "--foreground", f"--socket={self.munge_socket}",
                               f"--key-file={key}", f"--log-file={os.path.join(mdir, 'munged.log')}",
                               f"--pid-file={os.path.join(mdir, 'munged.pid')}",
                               f"--seed-file={os.path.join(mdir, 'munged.seed')}", "--num-threads=4"],
                    env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}, user="munge", group="munge", extra_groups=[])

        def munge_works():
            if self.procs["munged"].poll() is not None:
                raise SlurmUnavailable(f"munged exited with {self.procs['munged'].returncode}:\n"
                                       f"{_read(self.path('log', 'munged.stdout'))}\n{_read(os.path.join(mdir, 'munged.log'))}")
            cred = subprocess.run(["munge", "-n", f"--socket={self.munge_socket}"], capture_output=True,
                                  stdin=subprocess.DEVNULL, timeout=10)
            if cred.returncode != 0:
                return False
            return subprocess.run(["unmunge", f"--socket={self.munge_socket}"], input=cred.stdout,
                                  capture_output=True, timeout=10).returncode == 0
        _wait_for(munge_works, 20, "munged to answer", diagnose=lambda: _read(os.path.join(mdir, "munged.log")))

    def _write_conf(self):
        b = self.base
        self.ctld_port = _free_port()
        lines = [
            "ClusterName=nc2zarrci",
            "SlurmctldHost=localhost",
            f"SlurmctldPort={self.ctld_port}",
            "SlurmUser=root",
            "SlurmdUser=root",
            "AuthType=auth/munge",
            "CredType=cred/munge",
            f"AuthInfo=socket={self.munge_socket}",
            "CommunicationParameters=NoInAddrAny",
            f"StateSaveLocation={b}/ctld",
            # Job ids apart from any other test cluster running on this host at
            # the same time: Open MPI names its shared-memory segments after the
            # job (PMIx namespace slurm.pmix.<job>.<step>), so two clusters'
            # job 4 under srun overwrote each other's and both crashed (SIGSEGV
            # in mca_btl_vader).
            f"FirstJobId={1000 + (os.getpid() % 100000) * 100}",
            f"SlurmdSpoolDir={b}/spool/%n",
            f"TmpFS={b}/tmp/%n",
            f"SlurmctldPidFile={b}/run/slurmctld.pid",
            f"SlurmdPidFile={b}/run/slurmd-%n.pid",
            f"SlurmctldLogFile={b}/log/slurmctld.log",
            f"SlurmdLogFile={b}/log/slurmd-%n.log",
            "ProctrackType=proctrack/linuxproc",
            "TaskPlugin=task/none",
            "JobAcctGatherType=jobacct_gather/none",
            "AccountingStorageType=accounting_storage/none",
            # A durable record of every job's end (state, exit code), read by
            # the tests: scontrol forgets jobs MinJobAge seconds after they end.
            "JobCompType=jobcomp/filetxt",
            f"JobCompLoc={b}/log/jobcomp.txt",
            # sbatch --wait polls every 2 s while its interval is under
            # MinJobAge/2, so a small MinJobAge keeps it from backing off to
            # 4, 8, 16 s; Slurm purges finished jobs only every minute anyway.
            "MinJobAge=4",
            "SchedulerType=sched/backfill",
            "SchedulerParameters=batch_sched_delay=0,sched_min_interval=100000",
            "SelectType=select/cons_tres",
            "SelectTypeParameters=CR_Core",
            "MpiDefault=pmix",
            "ReturnToService=2",
            f"KillWait={self.kill_wait}",
            "MailProg=/bin/true",
            # The node description wins over what slurmd detects, so the
            # tests ask for the same number of CPUs on any machine.
            "SlurmdParameters=config_overrides",
        ]
        hostname = socket.gethostname()
        self.node_ports = {}
        for node in self.nodes:
            port = _free_port()
            self.node_ports[node] = port
            host = "" if node == "localhost" else f" NodeHostname={hostname}"
            lines.append(f"NodeName={node}{host} NodeAddr=127.0.0.1 Port={port} CPUs={self.cpus} Sockets=1 "
                         f"CoresPerSocket={self.cpus} ThreadsPerCore=1 RealMemory=2000 State=UNKNOWN")
        lines.append(f"PartitionName=debug Nodes={','.join(self.nodes)} Default=YES MaxTime=INFINITE State=UP")
        with open(self.conf, "w") as f:
            f.write("\n".join(lines) + "\n")

    def _start_slurm(self):
        env = self.env()
        self._spawn("slurmctld", [self._sbin("slurmctld"), "-D", "-c", "-f", self.conf], env=env)
        _wait_for(lambda: self._alive("slurmctld") and subprocess.run(
            ["scontrol", "ping"], env=env, capture_output=True, timeout=10).returncode == 0,
            30, "slurmctld to answer", diagnose=self.diagnose)
        for node in self.nodes:
            self._spawn(f"slurmd-{node}", [self._sbin("slurmd"), "-D", "-N", node, "-f", self.conf], env=env)

        def idle():
            for node in self.nodes:
                self._alive(f"slurmd-{node}")
            return self.all_idle()
        _wait_for(idle, 60, f"node(s) {', '.join(self.nodes)} to be idle", diagnose=self.diagnose)

    def all_idle(self):
        """Every node idle: no job on it, none completing."""
        states = dict(line.split() for line in self._sinfo().splitlines() if len(line.split()) == 2)
        return all(states.get(n, "").rstrip("*") == "idle" for n in self.nodes)

    def _alive(self, name):
        proc = self.procs[name]
        if proc.poll() is not None:
            raise SlurmUnavailable(f"{name} exited with {proc.returncode}\n{self.diagnose()}")
        return True

    def _sinfo(self):
        try:
            result = subprocess.run(["sinfo", "-h", "-N", "-o", "%N %T"], env=self.env(), capture_output=True,
                                    text=True, timeout=10)
        except subprocess.TimeoutExpired:
            return "(sinfo timed out)"
        return result.stdout + result.stderr

    def _squeue_ids(self):
        try:
            result = subprocess.run(["squeue", "-h", "-o", "%i"], env=self.env(), capture_output=True, text=True,
                                    timeout=10)
        except subprocess.TimeoutExpired:
            return []
        return result.stdout.split() if result.returncode == 0 else []

    def _kill_stragglers(self):
        _kill_cluster_processes(self.conf, self.base)

    def _start_watchdog(self):
        """A detached process that cleans up if this one dies without stop()
        (killed by a CTest timeout, say): it outlives us, unlike our
        children, and slurmstepd is nobody's child anyway."""
        me = os.getpid()
        subprocess.run(["setsid", "--fork", sys.executable, os.path.abspath(__file__), "--watchdog", str(me),
                        _start_time(me), self.base], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")},
                       check=True, timeout=30)


def _start_time(pid):
    """The start time of a process (guards against PID reuse); "" once gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return ""


def _kill_cluster_processes(conf, base):
    """SIGKILLs every process of one cluster: those carrying its SLURM_CONF in
    their environment (daemons, steps, job scripts, sbatch) or its directory
    on their command line (munged)."""
    marker = b"SLURM_CONF=" + conf.encode() + b"\0"
    base_arg = base.encode() + b"/"
    me = os.getpid()
    for _ in range(5):
        found = []
        for pid in (int(p) for p in os.listdir("/proc") if p.isdigit()):
            if pid == me:
                continue
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    cmdline = f.read()
                with open(f"/proc/{pid}/environ", "rb") as f:
                    environ = f.read()
            except OSError:
                continue
            if marker in environ or base_arg in cmdline:
                found.append(pid)
        if not found:
            return
        for pid in found:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        time.sleep(0.5)


def _watchdog(parent, parent_start, base):
    conf = os.path.join(base, "slurm.conf")
    while os.path.isdir(base):  # stop() removes it when all is done
        if _start_time(parent) != parent_start:
            _kill_cluster_processes(conf, base)
            shutil.rmtree(base, ignore_errors=True)
            return
        time.sleep(0.5)


def _wait_quietly(predicate, timeout, poll=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(poll)
    return False


def _read(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()[-3000:]
    except OSError as e:
        return f"({path}: {e})"


if __name__ == "__main__" and sys.argv[1:2] == ["--watchdog"]:
    _watchdog(int(sys.argv[2]), sys.argv[3], sys.argv[4])
