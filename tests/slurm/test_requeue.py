"""The requeue template, proven end to end with the real nc2zarr: a conversion
interrupted mid-run is requeued, runs again and finishes with a store
identical to an uninterrupted run.

Needs nc2zarr's restart feature (exit code 75 after SIGTERM/SIGUSR1, and a
second convert into the unfinished store resumes it). Not registered with
CTest; run it by hand (as root, after scripts/build.sh):

    cd tests/slurm && OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 \\
        /usr/bin/python3 -m unittest -v test_requeue

Set NC2ZARR_SLURM_TIME_LIMIT_TEST=1 to include the slow test in which Slurm's
own time limit sends the USR1 warning (about two minutes more).

The conversion is made slow on purpose (zstd level 19, small chunks) so
there is time to interrupt it while chunks are still being written.
"""
import filecmp
import os
import re
import signal
import time
import unittest

from template_test import SlurmTemplateTest, harness, read, template

TEMPLATE = "nc2zarr-requeue.sbatch"
RANKS = 2
CHUNKS = "time=4"
EXTRA = "--compressor zstd:19"
SAMPLE = dict(files=6, steps=120, lat=120, lon=240)
PLAN = re.compile(r"plan: \d+ arrays, (\d+) chunks")
WROTE = re.compile(r"wrote (\d+) chunks\b.*\bwith (\d+) rank")


def chunk_files(store):
    n = 0
    for name in ("tas", "pr"):
        try:
            n += len([f for f in os.listdir(os.path.join(store, name)) if not f.startswith(".")])
        except FileNotFoundError:
            pass
    return n


def rank_pids(store):
    """The nc2zarr processes converting into store (not mpirun, not srun)."""
    pids = []
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                argv = f.read().split(b"\0")
        except (OSError, ValueError):
            continue
        if argv[0].endswith(b"/nc2zarr") and b"convert" in argv and store.encode() in argv:
            pids.append(int(entry))
    return pids


def proc_status(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            return dict(line.rstrip("\n").split(":\t", 1) for line in f if ":\t" in line)
    except OSError:
        return None


def signal_reached(pid, signals):
    """The rank is gone, running again, or holds one of signals pending."""
    status = proc_status(pid)
    if status is None or status.get("State", "").split()[0] not in ("T", "t"):
        return True
    pending = int(status.get("SigPnd", "0"), 16) | int(status.get("ShdPnd", "0"), 16)
    return any(pending & (1 << (s - 1)) for s in signals)


class RequeueEndToEnd(SlurmTemplateTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.big = os.path.join(cls.tmp, "big")
        harness.make_sample(cls.big, **SAMPLE)
        cls.big_reference = os.path.join(cls.tmp, "big-reference.zarr")
        harness.run(["convert", os.path.join(cls.big, "*.nc"), "-o", cls.big_reference, "--chunks", CHUNKS, "-q"]
                    + EXTRA.split(), ranks=RANKS)

    def start(self, launcher, args=(), extra=EXTRA):
        store = self.store_path()
        env = self.job_env(store, INPUTS=os.path.join(self.big, "*.nc"), CHUNKS=CHUNKS, EXTRA_ARGS=extra,
                           LAUNCHER=launcher)
        name = self.id().rsplit(".", 1)[-1]
        proc, job_id, log = self.cluster.sbatch_background(
            template(TEMPLATE), [f"--ntasks={RANKS}", "--time=10"] + list(args), env, name)
        self.addCleanup(self.cleanup_job, proc, job_id)
        return store, proc, job_id, log

    def cleanup_job(self, proc, job_id):
        if proc.poll() is None:
            self.cluster.scancel(str(job_id), check=False)
            try:
                proc.communicate(timeout=60)
            except Exception:
                proc.kill()
                proc.communicate()

    def wait_mid_run(self, store, job_id, log):
        """Until a few chunks are written and the store is not committed."""
        self.wait_for(lambda: chunk_files(store) >= 4, 120, f"chunks in {store}\n{read(log)}", job_id)
        self.assertFalse(os.path.exists(os.path.join(store, ".zmetadata")),
                         f"the run finished before it could be interrupted: make SAMPLE bigger\n{read(log)}")

    def interrupt_frozen(self, store, job_id, log, stop, signals=(signal.SIGTERM, signal.SIGUSR1)):
        """Runs stop() while the ranks are stopped, and lets them go once the
        stop request has reached each of them. Without this, a busy Slurm could
        deliver the request only after the conversion had finished, and there
        would be nothing to resume."""
        pids = rank_pids(store)
        self.assertTrue(pids, f"no nc2zarr ranks found for {store}")
        for pid in pids:
            os.kill(pid, signal.SIGSTOP)
        try:
            stop()
            def stuck():
                states = {pid: {k: (proc_status(pid) or {}).get(k) for k in ("State", "Threads", "SigPnd", "ShdPnd",
                                                                            "SigBlk", "SigIgn", "SigCgt")}
                          for pid in pids}
                return f"the stop request to reach every rank; ranks {states}\njob log:\n{read(log)}"

            self.wait_for(lambda: all(signal_reached(pid, signals) for pid in pids), 120, stuck, job_id)
        finally:
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGCONT)
                except ProcessLookupError:
                    pass

    def wait_requeued_and_restart(self, job_id, log):
        def requeued():
            info = self.cluster.show_job(job_id)
            return info.get("JobState") == "PENDING" and info.get("Restarts") == "1"
        self.wait_for(requeued, 120, f"job {job_id} to be requeued\n{read(log)}", job_id)
        self.restart_now(job_id)

    def restart_now(self, job_id):
        """Slurm would wait about two minutes before running the job again.
        Not too soon either: slurmd refuses a relaunch in the same second
        the old run's credential was revoked ("Job credential revoked") and
        the job then ends FAILED. So: once the node is idle, 2 s more."""
        self.wait_for(self.cluster.all_idle, 60, "the node to be idle after the requeue", job_id)
        time.sleep(2)
        self.cluster.scontrol("update", f"JobId={job_id}", "StartTime=now")

    def check_finished(self, store, proc, job_id, log, reference=None, ranks=RANKS):
        job = self.cluster.finish(proc, job_id, log, timeout=600)
        self.assertCompleted(job)
        text = job.log()
        first, _, second = text.partition("run 2 (SLURM_RESTART_COUNT=1)")
        self.assertTrue(second, f"no second run in the log\n{job.describe()}")
        self.assertNotIn("the store is complete", first, f"the first run was not interrupted\n{job.describe()}")
        self.assertNotIn("run 3", second, job.describe())
        self.assertIn("the store is complete", second, job.describe())
        # The second run only wrote what the first had not stored.
        planned = PLAN.search(second)
        wrote = WROTE.search(second)
        self.assertTrue(planned and wrote, job.describe())
        self.assertLess(int(wrote.group(1)), int(planned.group(1)), f"the second run redid everything\n{text}")
        self.assertEqual(int(wrote.group(2)), ranks)
        # Identical to the uninterrupted conversion, object for object, and right in xarray.
        reference = reference or self.big_reference
        objects = harness.store_objects(store)
        self.assertEqual(objects, harness.store_objects(reference))
        _, mismatch, errors = filecmp.cmpfiles(store, reference, objects, shallow=False)
        self.assertEqual(mismatch + errors, [], "objects differ from the uninterrupted run")
        problems = harness.xarray_compare.compare(store)
        self.assertEqual(problems, [], "\n".join(problems))
        return job

    # ---- the tests --------------------------------------------------------------
    def check_scontrol_requeue(self, launcher):
        store, proc, job_id, log = self.start(launcher)
        self.wait_mid_run(store, job_id, log)
        self.interrupt_frozen(store, job_id, log, lambda: self.cluster.requeue(job_id))
        self.wait_requeued_and_restart(job_id, log)
        job = self.check_finished(store, proc, job_id, log)
        self.assertIn("Slurm is requeueing job", job.log())

    def test_scontrol_requeue_mid_run_srun(self):
        self.check_scontrol_requeue("srun")

    def test_scontrol_requeue_mid_run_mpirun(self):
        self.check_scontrol_requeue("mpirun")

    def check_usr1(self, launcher, extra=EXTRA):
        """What --signal=B:USR1@120 does before the time limit, sent at once."""
        store, proc, job_id, log = self.start(launcher, extra=extra)
        self.wait_mid_run(store, job_id, log)
        self.interrupt_frozen(store, job_id, log,
                              lambda: self.cluster.scancel("--batch", "--signal=USR1", str(job_id)))
        self.wait_requeued_and_restart(job_id, log)
        job = self.check_finished(store, proc, job_id, log)
        text = job.log()
        self.assertIn("nc2zarr exited with 75", text, "nc2zarr did not stop with 75 on the request")
        self.assertIn(f"requeueing job {job_id} to continue", text)

    def test_usr1_mid_run_srun(self):
        # --overwrite, as a first run may be given: the requeued run must
        # continue the store, not start it again (check_finished counts).
        self.check_usr1("srun", extra=EXTRA + " --overwrite")

    def test_usr1_mid_run_mpirun(self):
        self.check_usr1("mpirun")

    @unittest.skipUnless(os.environ.get("NC2ZARR_SLURM_TIME_LIMIT_TEST"), "slow: set NC2ZARR_SLURM_TIME_LIMIT_TEST=1")
    def test_time_limit_warning(self):
        """A real time limit: 1 minute, USR1 25 s before it. Slurm checks
        limits every 30 s and warns once less than 25 + 30 s remain, so USR1
        arrives 5 to 35 s into the run; the first run (one rank, zstd level
        22, twice the data: about a minute here) must still be converting
        then. The requeued run gets a longer limit."""
        data = os.path.join(self.tmp, "bigger")
        harness.make_sample(data, **dict(SAMPLE, steps=2 * SAMPLE["steps"]))
        store = self.store_path()
        env = self.job_env(store, INPUTS=os.path.join(data, "*.nc"), CHUNKS=CHUNKS,
                           EXTRA_ARGS="--compressor zstd:22")
        name = self.id().rsplit(".", 1)[-1]
        proc, job_id, log = self.cluster.sbatch_background(
            template(TEMPLATE), ["--ntasks=1", "--time=1", "--signal=B:USR1@25"], env, name)
        self.addCleanup(self.cleanup_job, proc, job_id)
        self.wait_for(lambda: "got SIGUSR1" in read(log), 120, "the time limit warning", job_id)
        self.assertFalse(os.path.exists(os.path.join(store, ".zmetadata")), "finished before the warning")

        def requeued():
            info = self.cluster.show_job(job_id)
            return info.get("JobState") == "PENDING" and info.get("Restarts") == "1"
        self.wait_for(requeued, 120, f"job {job_id} to be requeued\n{read(log)}", job_id)
        self.cluster.scontrol("update", f"JobId={job_id}", "TimeLimit=10")
        self.restart_now(job_id)
        reference = os.path.join(self.tmp, "bigger-reference.zarr")
        harness.run(["convert", os.path.join(data, "*.nc"), "-o", reference, "--chunks", CHUNKS, "-q",
                     "--compressor", "zstd:22"], ranks=2)
        job = self.check_finished(store, proc, job_id, log, reference=reference, ranks=1)
        self.assertIn("nc2zarr exited with 75", job.log())

if __name__ == "__main__":
    unittest.main()
