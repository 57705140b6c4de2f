"""What the Slurm template tests share: a private cluster per test class, the
sample inputs, submitting a template the way a user does (sbatch --wait
--export=ALL with INPUTS, OUTPUT, CHUNKS and NC2ZARR in the environment), and
the checks on a finished job."""
import filecmp
import os
import re
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "python"))

import harness  # noqa: E402  (tests/python: binaries, sample data, store comparisons)
from slurm_cluster import SlurmCluster, SlurmUnavailable  # noqa: E402

TEMPLATES = os.path.join(ROOT, "slurm")
FAKE_NC2ZARR = os.path.join(HERE, "fake_nc2zarr.sh")
CHUNKS = "time=24"
# nc2zarr's closing summary, e.g. "nc2zarr: [rank 0] wrote 16 chunks: ... with 2 rank(s), ...":
# the rank count proves that all tasks formed one MPI job (not N singletons).
SUMMARY = re.compile(r"wrote \d+ chunks\b.*\bwith (\d+) rank")
# Open MPI refuses root without these; on two emulated nodes it must use TCP on lo.
MPI_ENV = dict(OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
TWO_NODE_MPI_ENV = dict(MPI_ENV, OMPI_MCA_btl="self,tcp", OMPI_MCA_btl_tcp_if_include="lo",
                        OMPI_MCA_oob_tcp_if_include="lo")


def template(name):
    return os.path.join(TEMPLATES, name)


class SlurmTemplateTest(unittest.TestCase):
    """One cluster and one set of sample inputs for all tests of a class."""
    NODES = ("localhost",)
    CPUS_PER_NODE = 2
    JOB_ENV = MPI_ENV

    @classmethod
    def setUpClass(cls):
        for path in (harness.NC2ZARR, harness.SAMPLE):
            if not os.access(path, os.X_OK):
                raise AssertionError(f"{path} is missing: build first (scripts/build.sh)")
        cls.cluster = SlurmCluster(cls.NODES, cpus_per_node=cls.CPUS_PER_NODE)
        cls.addClassCleanup(cls.cluster.stop)
        try:
            cls.cluster.start()
        except SlurmUnavailable as e:
            raise AssertionError(f"cannot bring up the test Slurm: {e}") from None
        # Inside the cluster's directory, so whatever removes the cluster removes the data too.
        cls.tmp = cls.cluster.path("work")
        os.makedirs(cls.tmp)
        cls.inputs = harness.make_sample(os.path.join(cls.tmp, "in"), files=6, steps=10, lat=20, lon=30)
        # The reference: the same conversion without Slurm, one rank.
        cls.reference = os.path.join(cls.tmp, "reference.zarr")
        harness.run(["convert", os.path.join(cls.tmp, "in", "*.nc"), "-o", cls.reference, "--chunks", CHUNKS, "-q"])

    def store_path(self):
        return os.path.join(self.tmp, f"{self.id().rsplit('.', 1)[-1]}.zarr")

    def job_env(self, output, **extra):
        env = dict(self.JOB_ENV)
        env.update(INPUTS=os.path.join(self.tmp, "in", "*.nc"), OUTPUT=output, CHUNKS=CHUNKS,
                   NC2ZARR=harness.NC2ZARR)
        env.update(extra)
        return self.cluster.env(**env)

    def submit(self, name, args, output, **extra):
        """sbatch --wait --export=ALL slurm/NAME with the settings in the environment."""
        started = time.monotonic()
        job = self.cluster.sbatch(template(name), args, env=self.job_env(output, **extra))
        job.seconds = time.monotonic() - started
        return job

    def submit_nowait(self, name, args, output, **extra):
        return self.cluster.sbatch(template(name), args, env=self.job_env(output, **extra), wait=False)

    def broken_input(self):
        """A glob matching one file that is not NetCDF, and the exit code nc2zarr gives it run directly."""
        bad = os.path.join(self.tmp, "bad")
        os.makedirs(bad, exist_ok=True)
        with open(os.path.join(bad, "broken.nc"), "w") as f:
            f.write("not NetCDF\n")
        inputs = os.path.join(bad, "*.nc")
        direct = harness.run(["convert", inputs, "-o", self.store_path()], check=False).returncode
        self.assertNotEqual(direct, 0)
        return inputs, direct

    # ---- checks -------------------------------------------------------------
    def assertCompleted(self, job):
        self.assertEqual(job.sbatch_returncode, 0, job.describe())
        self.assertEqual((job.state, job.exit_code), ("COMPLETED", "0:0"), job.describe())

    def assertSummary(self, job, ranks):
        log = job.log()
        match = SUMMARY.search(log)
        self.assertIsNotNone(match, f"no summary line in the job log\n{job.describe()}")
        self.assertEqual(int(match.group(1)), ranks, f"expected {ranks} ranks in one MPI job\n{job.describe()}")
        self.assertIn("the store is complete", log, job.describe())

    def assertGoodStore(self, store):
        problems = harness.xarray_compare.compare(store)
        self.assertEqual(problems, [], "\n".join(problems))
        # Byte for byte what the same conversion writes without Slurm.
        objects = harness.store_objects(store)
        self.assertEqual(objects, harness.store_objects(self.reference))
        _, mismatch, errors = filecmp.cmpfiles(store, self.reference, objects, shallow=False)
        self.assertEqual(mismatch + errors, [], f"objects differ from the reference store {self.reference}")

    def wait_for(self, predicate, timeout, what, job_id=None):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return
            time.sleep(0.1)
        detail = self.cluster.show_job(job_id) if job_id else ""
        what = what() if callable(what) else what  # described when it failed, as things then stood
        self.fail(f"timed out after {timeout} s waiting for {what} {detail}\n{self.cluster.diagnose()}")


def read(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except FileNotFoundError:
        return ""
