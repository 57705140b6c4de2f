"""The same conversion on 1, 2 and 3 ranks writes the same bytes, object by
object (chunks spanning files, edge chunks, every dtype of the sample)."""
import glob
import os
import subprocess
import unittest

from harness import MPI_ENV, NC2ZARR, REAL, StoreTestCase, make_sample, run


class RanksAgree(StoreTestCase):
    def convert_with(self, ranks, inputs, extra):
        store = self.path(f"out{ranks}.zarr")
        run(["convert", inputs, "-o", store, "-q"] + extra, ranks=ranks)
        return store

    def test_generated_data_is_byte_identical_on_1_2_3_ranks(self):
        make_sample(self.path("in"), files=5, steps=7, lat=30, lon=40)
        inputs = self.path("in", "*.nc")
        extra = ["--chunks", "time=4,lat=16"]  # chunks cross files, edge chunks in time and lat
        one, two, three = (self.convert_with(n, inputs, extra) for n in (1, 2, 3))
        self.assertSameObjects(one, two)
        self.assertSameObjects(one, three)
        self.assertMatchesXarray(three)

    @unittest.skipUnless(os.path.isdir(REAL), "no real data")
    def test_real_set_is_byte_identical_on_1_2_3_ranks(self):
        inputs = os.path.join(REAL, "cmip6_MPI-ESM1-2-HR_historical_siconc", "*.nc")
        extra = ["--chunks", "time=100"]
        one, two, three = (self.convert_with(n, inputs, extra) for n in (1, 2, 3))
        self.assertSameObjects(one, two)
        self.assertSameObjects(one, three)

    def test_a_usage_error_is_said_once_not_once_per_rank(self):
        result = run(["convert", "a.nc", "-o", self.path("x.zarr"), "--chunks", "time=abc"], ranks=3, check=False)
        self.assertNotEqual(result.returncode, 0)
        self.assertEqual(result.stderr.count("--chunks time=abc: the size must be"), 1, result.stderr)

    def test_five_ranks_for_three_chunks(self):
        make_sample(self.path("in"), files=1, steps=3, lat=4, lon=4)
        store = self.convert_with(5, self.path("in", "*.nc"), ["--chunks", "time=1"])
        self.assertMatchesXarray(store)


def node_has_fabric():
    """The devices src/mpi/fabric_probes.cc looks for."""
    return bool(glob.glob("/sys/class/infiniband/*") or glob.glob("/sys/class/cxi/*") or
                any(glob.glob(f"/dev/{p}*") for p in ("hfi1", "ipath", "cxi", "kgni")))


@unittest.skipIf(node_has_fabric(), "this node has fabric hardware: Open MPI keeps its probes")
class FabricProbes(StoreTestCase):
    """On a node without fabric hardware the ranks skip Open MPI's PSM, PSM2
    and OFI probes, unless the user chose Open MPI's MTLs."""

    def mtl_log(self, **env):
        make_sample(self.path("in"), files=1, steps=3, lat=4, lon=4)
        store = self.path("out.zarr")
        cmd = ["mpirun", "-np", "2", "--oversubscribe", NC2ZARR, "convert", self.path("in", "*.nc"), "-o", store, "-q"]
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=300,
                                env=dict(MPI_ENV, OMPI_MCA_mtl_base_verbose="100", **env))
        self.assertEqual(result.returncode, 0, result.stderr[-2000:])
        self.assertMatchesXarray(store)
        return result.stderr

    def test_fabric_mtls_are_not_loaded(self):
        log = self.mtl_log()
        self.assertNotIn("component psm", log)
        self.assertNotIn("component ofi", log)

    def test_the_users_mtl_choice_is_kept(self):
        self.assertIn("found loaded component psm2", self.mtl_log(OMPI_MCA_mtl="^ofi"))


if __name__ == "__main__":
    unittest.main()
