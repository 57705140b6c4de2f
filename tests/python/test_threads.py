"""A rank's chunk threads (--threads): the store is byte for byte the one a
single thread writes, whatever reads the inputs (direct reads or netCDF-C,
whose calls take turns), a failure in one thread leaves nothing committed,
and the default follows the cores the process may use."""
import json
import os
import shutil
import unittest

from harness import REAL, StoreTestCase, make_sample, run

# Real inputs of every kind the readers handle: NetCDF-4 with deflate and
# shuffle, netCDF-3 (64-bit offset, CDF-5), files split in time, chunks
# that span files.
REAL_INPUTS = [
    ("ersstv5_sst_split", ["--chunks", "time=5"]),
    ("wfde5_tair_split", ["--chunks", "time=100,lat=7"]),
    ("cmip6_MPI-ESM1-2-HR_historical_siconc", []),
    ("cordex_EUR-11_HadGEM2-ES_WRF381P_rcp85_psl", []),
    ("e3sm_map_f_case_16p.cdf5.nc", []),
    ("eraint_uvz.nc", ["--chunks", "month=1,level=1"]),
    ("ncep_air.sig995.2012_slice.nc", []),
]


def inputs_of(name):
    path = os.path.join(REAL, name)
    return [os.path.join(path, "*.nc")] if os.path.isdir(path) else [path]


@unittest.skipUnless(os.path.isdir(REAL), f"no real data at {REAL}")
class SameStoreWithThreads(StoreTestCase):
    def test_real_inputs(self):
        for name, flags in REAL_INPUTS:
            with self.subTest(input=name):
                one = self.path(name + ".1.zarr")
                run(["convert"] + inputs_of(name) + ["-o", one, "--threads", "1", "-q"] + flags)
                for extra in (["--threads", "4"], ["--threads", "4", "--no-direct-reads"]):
                    many = self.path(name + ".4.zarr")
                    run(["convert"] + inputs_of(name) + ["-o", many, "-q"] + flags + extra)
                    self.assertSameObjects(one, many)
                    self.assertMatchesXarray(many)
                    shutil.rmtree(many)

    def test_two_ranks_of_three_threads(self):
        name, flags = REAL_INPUTS[1]
        one, many = self.path("one.zarr"), self.path("many.zarr")
        run(["convert"] + inputs_of(name) + ["-o", one, "--threads", "1", "-q"] + flags)
        run(["convert"] + inputs_of(name) + ["-o", many, "--threads", "3", "-q"] + flags, ranks=2)
        self.assertSameObjects(one, many)


class ThreadFailures(StoreTestCase):
    def test_a_corrupt_chunk_read_by_one_thread_leaves_no_committed_store(self):
        files = make_sample(self.path("in"), files=3, steps=4, lat=40, lon=40)
        with open(files[1], "r+b") as f:
            f.seek(os.path.getsize(files[1]) - 3000)
            f.write(b"\xff" * 400)
        store = self.path("out.zarr")
        result = run(["convert", self.path("in", "*.nc"), "-o", store, "--chunks", "time=1", "--threads", "4"],
                     check=False)
        self.assertEqual(result.returncode, 1, result.stderr)
        errors = [l for l in result.stderr.splitlines() if "error" in l]
        self.assertEqual(len(errors), 1, result.stderr)
        self.assertIn(os.path.basename(files[1]), errors[0])
        self.assertNotIn("HDF5-DIAG", result.stderr)
        self.assertFalse(os.path.exists(os.path.join(store, ".zmetadata")))
        self.assertFalse(os.path.exists(os.path.join(store, ".zgroup")))

    def test_threads_must_be_positive(self):
        files = make_sample(self.path("in"), files=1, steps=2, lat=4, lon=4)
        result = run(["convert", files[0], "-o", self.path("out.zarr"), "--threads", "0"], check=False)
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn("--threads", result.stderr)


class ThreadCount(StoreTestCase):
    def threads_reported(self, extra, ranks=None):
        make_sample(self.path("in"), files=2, steps=4, lat=8, lon=8)
        store, report = self.path("out.zarr"), self.path("report.json")
        result = run(["convert", self.path("in", "*.nc"), "-o", store, "--report", report] + extra, ranks=ranks)
        self.assertNotIn("HDF5-DIAG", result.stderr)
        with open(report) as f:
            return json.load(f)["chunk_threads"]

    def test_alone_a_process_uses_the_cores_it_may_run_on(self):
        expected = min(len(os.sched_getaffinity(0)), os.cpu_count(), 8)
        self.assertEqual(self.threads_reported([]), expected)

    def test_given_threads_are_counted_over_ranks(self):
        self.assertEqual(self.threads_reported(["--threads", "3"]), 3)
        self.assertEqual(self.threads_reported(["--threads", "2", "--overwrite"], ranks=2), 4)


if __name__ == "__main__":
    unittest.main()
