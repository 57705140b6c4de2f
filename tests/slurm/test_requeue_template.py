"""slurm/nc2zarr-requeue.sbatch on a private one-node Slurm: what works
before nc2zarr can resume.

- A run nobody interrupts completes like the one-node template (srun and mpirun).
- The signal path, with tests/slurm/fake_nc2zarr.sh standing in for nc2zarr
  (it waits for a signal, reports it, exits 75 as nc2zarr will): USR1 to the
  batch script (what --signal=B:USR1@120 sends before the time limit) reaches
  every rank as SIGTERM (srun) or SIGUSR1 (relayed by mpirun) and the job
  requeues itself; scontrol requeue is left to Slurm (one restart, not two);
  a plain scancel ends the job for good; a failure is not requeued.

The full cycle (interrupt a real conversion, requeue, resume, same store) is
test_requeue.py, which needs nc2zarr's restart feature.
"""
import datetime
import os
import unittest

from template_test import FAKE_NC2ZARR, SlurmTemplateTest, read

TEMPLATE = "nc2zarr-requeue.sbatch"
RANKS = 2


class RequeueTemplate(SlurmTemplateTest):
    # ---- uninterrupted ----------------------------------------------------------
    def check_uninterrupted(self, **env):
        store = self.store_path()
        job = self.submit(TEMPLATE, [f"--ntasks={RANKS}", "--time=10"], store, **env)
        self.assertCompleted(job)
        self.assertIn("run 1 (SLURM_RESTART_COUNT=0)", job.log())
        self.assertNotIn("requeue", job.log().lower())
        self.assertSummary(job, ranks=RANKS)
        self.assertGoodStore(store)
        self.assertEqual(len(self.cluster.job_records(job.id)), 1, "the job ended more than once")

    def test_uninterrupted_run_completes_srun(self):
        self.check_uninterrupted()

    def test_uninterrupted_run_completes_mpirun(self):
        self.check_uninterrupted(LAUNCHER="mpirun")

    def test_failure_is_not_requeued(self):
        inputs, direct = self.broken_input()
        self.assertNotEqual(direct, 75)  # 75 asks the template to requeue
        job = self.submit(TEMPLATE, ["--ntasks=1", "--time=10"], self.store_path(), INPUTS=inputs)
        self.assertEqual((job.state, job.exit_code), ("FAILED", f"{direct}:0"), job.describe())
        self.assertNotIn("requeueing", job.log())

    # ---- signals, with the stand-in ---------------------------------------------
    def start_fake(self, launcher):
        """Submits the template running the stand-in; returns (job id, log)
        once every rank runs. The ranks' own lines go to self.marks too."""
        self.marks = self.store_path() + ".marks"
        job_id, log = self.submit_nowait(TEMPLATE, [f"--ntasks={RANKS}", "--time=10"], self.store_path(),
                                         NC2ZARR=FAKE_NC2ZARR, LAUNCHER=launcher, FAKE_NC2ZARR_MARKS=self.marks)
        self.addCleanup(self.cancel, job_id)
        self.wait_for(lambda: read(self.marks).count(": started") == RANKS, 60,
                      "every rank of the stand-in to start", job_id)
        return job_id, log

    def cancel(self, job_id):
        self.cluster.scancel(str(job_id), check=False)  # it may have ended already
        self.wait_for(lambda: self.cluster.show_job(job_id).get("JobState") in (None, "CANCELLED", "COMPLETED",
                                                                                "FAILED"),
                      60, f"job {job_id} to end", job_id)

    def wait_requeued(self, job_id, log):
        def requeued():
            info = self.cluster.show_job(job_id)
            return info.get("JobState") == "PENDING" and info.get("Restarts") == "1"
        self.wait_for(requeued, 60, f"job {job_id} to be requeued\n{read(log)}", job_id)
        # Slurm holds a requeued job back for about two minutes.
        info = self.cluster.show_job(job_id)
        eligible = datetime.datetime.strptime(info.get("EligibleTime"), "%Y-%m-%dT%H:%M:%S")
        self.assertGreater(eligible, datetime.datetime.now() + datetime.timedelta(seconds=60), info)
        return info

    def check_usr1(self, launcher, rank_signal, forwarding):
        job_id, log = self.start_fake(launcher)
        self.cluster.scancel("--batch", "--signal=USR1", str(job_id))
        self.wait_requeued(job_id, log)
        text = read(log)
        self.assertIn("nc2zarr job: got SIGUSR1 at", text)
        self.assertIn(forwarding, text)
        for rank in range(RANKS):
            self.assertIn(f"fake-nc2zarr rank {rank}: got {rank_signal}", read(self.marks))
        self.assertIn("nc2zarr job: nc2zarr exited with 75", text)
        self.assertIn(f"nc2zarr job: requeueing job {job_id} to continue", text)

    def test_usr1_sends_sigterm_to_the_srun_step_and_requeues(self):
        self.check_usr1("srun", "SIGTERM", "sending SIGTERM to the job step")

    def test_usr1_is_relayed_by_mpirun_and_requeues(self):
        self.check_usr1("mpirun", "SIGUSR1", "sending SIGUSR1 to mpirun")

    def test_scontrol_requeue_is_left_to_slurm(self):
        job_id, log = self.start_fake("srun")
        self.cluster.requeue(job_id)
        self.wait_requeued(job_id, log)
        self.wait_for(lambda: "Slurm is requeueing job" in read(log), 30, "the script to see the requeue", job_id)
        self.assertNotIn(f"requeueing job {job_id} to continue", read(log))
        self.assertEqual(self.cluster.show_job(job_id).get("Restarts"), "1")

    def test_scancel_ends_the_job_for_good(self):
        job_id, log = self.start_fake("srun")
        self.cluster.scancel(str(job_id))
        self.wait_for(lambda: "was cancelled; not requeueing" in read(log), 60, "the script to see the cancel",
                      job_id)
        self.wait_for(lambda: [r.get("JobState") for r in self.cluster.job_records(job_id)] == ["CANCELLED"], 30,
                      f"the job to end as CANCELLED: {self.cluster.job_records(job_id)}", job_id)
        # Once Slurm is done with it (COMPLETING ends), it stays cancelled: never PENDING again.
        self.wait_for(lambda: self.cluster.show_job(job_id).get("JobState") in (None, "CANCELLED"), 60,
                      "the job to finish completing", job_id)
        self.assertEqual(self.cluster.show_job(job_id).get("Restarts", "0"), "0")
        self.assertEqual([r.get("JobState") for r in self.cluster.job_records(job_id)], ["CANCELLED"])


if __name__ == "__main__":
    unittest.main()
