"""slurm/nc2zarr-multi-node.sbatch, unedited, on two emulated nodes (n1, n2:
two slurmd on this host, as ../../../shared/notes/slurm-and-mpi-here.md
describes), with srun --mpi=pmix and with mpirun (which starts its daemons on
both nodes through srun). Open MPI uses TCP over lo between the "nodes"; the
store must match the inputs in xarray and the same conversion run without
Slurm, byte for byte."""
import unittest

from template_test import TWO_NODE_MPI_ENV, SlurmTemplateTest

TEMPLATE = "nc2zarr-multi-node.sbatch"
ARGS = ["--nodes=2", "--ntasks-per-node=2"]


class MultiNodeTemplate(SlurmTemplateTest):
    NODES = ("n1", "n2")
    JOB_ENV = TWO_NODE_MPI_ENV

    def check(self, **env):
        store = self.store_path()
        job = self.submit(TEMPLATE, ARGS, store, **env)
        self.assertCompleted(job)
        self.assertEqual((job.record.get("NodeCnt"), job.record.get("NodeList")), ("2", "n[1-2]"), job.describe())
        self.assertIn("4 task(s) on 2 node(s) n[1-2]", job.log())
        self.assertSummary(job, ranks=4)
        self.assertGoodStore(store)
        return job

    def test_srun_pmix_on_two_nodes(self):
        self.check()

    def test_mpirun_on_two_nodes(self):
        self.check(LAUNCHER="mpirun")


if __name__ == "__main__":
    unittest.main()
