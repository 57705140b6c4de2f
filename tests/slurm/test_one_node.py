"""slurm/nc2zarr-one-node.sbatch, unedited, on a private one-node Slurm:
submitted with sbatch --wait --export=ALL, launched with srun --mpi=pmix and
with mpirun, writing a local store that must match the inputs in xarray and
the same conversion run without Slurm, byte for byte."""
import os
import unittest

from template_test import CHUNKS, MPI_ENV, SlurmTemplateTest, harness

TEMPLATE = "nc2zarr-one-node.sbatch"


class OneNodeTemplate(SlurmTemplateTest):
    def test_srun_pmix(self):
        store = self.store_path()
        job = self.submit(TEMPLATE, ["--ntasks=2"], store)  # LAUNCHER unset: srun --mpi=pmix
        self.assertCompleted(job)
        self.assertIn("srun --mpi=pmix", job.log())
        self.assertSummary(job, ranks=2)
        self.assertGoodStore(store)

    def test_ranks_talk_to_slurms_pmix_server_without_nagle(self):
        # Under srun --mpi=pmix a rank's PMIx server is slurmstepd's, over
        # TCP here too: MPI_Finalize waited ~45 ms for its delayed ACK.
        script = os.path.join(self.tmp, "pmix-socket.sh")
        with open(script, "w") as f:
            f.write("#!/bin/bash\nsrun --mpi=pmix " + os.path.join(harness.BUILD, "tests", "pmix_socket_mpi_test") + "\n")
        job = self.cluster.sbatch(script, ["--ntasks=2"], env=self.cluster.env(**MPI_ENV))
        self.assertCompleted(job)
        self.assertEqual(job.log().count("socket(s) to the PMIx server, TCP_NODELAY on"), 2, job.describe())

    def test_srun_tasks_that_are_not_mpi_ranks_are_refused(self):
        # srun --mpi=none (or a site whose default is none) starts tasks that
        # each would convert everything into the same store; the batch
        # shell itself, one process in a job of two tasks, converts.
        inputs = os.path.join(self.tmp, "in", "*.nc")
        in_batch, by_srun = self.store_path() + "-batch", self.store_path() + "-srun"
        script = os.path.join(self.tmp, "no-mpi.sh")
        with open(script, "w") as f:
            f.write(f"#!/bin/bash\n{harness.NC2ZARR} convert '{inputs}' -o {in_batch} --chunks {CHUNKS} -q\n"
                    "echo \"batch exit $?\"\n"
                    f"srun --mpi=none {harness.NC2ZARR} convert '{inputs}' -o {by_srun} --chunks {CHUNKS} -q\n"
                    "echo \"srun exit $?\"\n")
        job = self.cluster.sbatch(script, ["--ntasks=2"], env=self.cluster.env(**MPI_ENV))
        log = job.log()
        self.assertIn("batch exit 0", log, job.describe())
        self.assertIn("srun exit 2", log, job.describe())
        self.assertEqual(log.count("srun started 2 tasks that are not MPI ranks"), 1, job.describe())
        self.assertFalse(os.path.exists(by_srun))
        self.assertGoodStore(in_batch)

    def test_mpirun_inside_the_allocation(self):
        store = self.store_path()
        job = self.submit(TEMPLATE, ["--ntasks=2"], store, LAUNCHER="mpirun")
        self.assertCompleted(job)
        self.assertIn("nc2zarr job: mpirun ", job.log())
        self.assertSummary(job, ranks=2)
        self.assertGoodStore(store)

    def test_to_the_gcs_test_server(self):
        from gcs_fixture import BUCKET, download_store, start_server  # tests/python
        server = start_server()
        self.addCleanup(server.stop)
        journal = os.path.join(self.tmp, "journal-gcs")
        job = self.submit(TEMPLATE, ["--ntasks=2"], f"gs://{BUCKET}/slurm.zarr", STORAGE_EMULATOR_HOST=server.url,
                          EXTRA_ARGS=f"--journal-dir {journal}")
        self.assertCompleted(job)
        self.assertSummary(job, ranks=2)
        self.assertGoodStore(download_store(server, "slurm.zarr", os.path.join(self.tmp, "slurm-gcs-copy.zarr")))

    def test_failure_ends_the_job_with_nc2zarr_exit_code(self):
        inputs, direct = self.broken_input()
        store = self.store_path()
        job = self.submit(TEMPLATE, ["--ntasks=1"], store, INPUTS=inputs)
        self.assertEqual((job.state, job.exit_code), ("FAILED", f"{direct}:0"), job.describe())
        self.assertIn(f"nc2zarr exited with {direct}", job.log())
        self.assertFalse(os.path.exists(os.path.join(store, ".zmetadata")))

    def test_inputs_mix_lists_and_patterns_and_a_list_path_may_hold_spaces(self):
        files = sorted(self.inputs)
        lists, spaced = os.path.join(self.tmp, "lists"), os.path.join(self.tmp, "my lists")
        for folder, name, chosen in ((lists, "first.txt", files[:2]), (lists, "second.txt", files[2:4]),
                                     (spaced, "all of them.txt", files)):
            os.makedirs(folder, exist_ok=True)
            with open(os.path.join(folder, name), "w") as f:
                f.write("\n".join(chosen) + "\n")
        rest = os.path.join(self.tmp, "in", os.path.basename(files[4])[:-4] + "*.nc")  # a pattern for the rest
        for label, inputs in (("two lists and patterns", f"@{lists}/first.txt @{lists}/second.txt {rest} "
                                                         + " ".join(files[5:])),
                              ("one list with spaces in its path", f"  @{spaced}/all of them.txt ")):
            with self.subTest(label):
                store = os.path.join(self.tmp, label.replace(" ", "-") + ".zarr")
                job = self.submit(TEMPLATE, ["--ntasks=1"], store, INPUTS=inputs)
                self.assertCompleted(job)
                self.assertGoodStore(store)

    def test_unedited_placeholders_are_refused(self):
        job = self.submit(TEMPLATE, ["--ntasks=1"], "/path/to/run.zarr")
        self.assertEqual((job.state, job.exit_code), ("FAILED", "2:0"), job.describe())
        self.assertIn("set INPUTS and OUTPUT", job.log())


if __name__ == "__main__":
    unittest.main()
