"""Every suitable real NetCDF file in shared/data/real (and its multi-file
sets) converted and checked against xarray's reading of the inputs."""
import glob
import json
import os
import shutil
import unittest

import xarray

from harness import REAL, StoreTestCase, run

SINGLE_FILES = sorted(glob.glob(os.path.join(REAL, "*.nc")))
FILE_SETS = ["cmip6_MPI-ESM1-2-HR_historical_siconc", "cordex_EUR-11_HadGEM2-ES_WRF381P_rcp85_psl",
             "ersstv5_sst_split", "wfde5_tair_split"]


@unittest.skipUnless(os.path.isdir(REAL), f"no real data at {REAL}")
class RealFiles(StoreTestCase):
    def test_single_files(self):
        self.assertGreaterEqual(len(SINGLE_FILES), 16)
        for path in SINGLE_FILES:
            with self.subTest(file=os.path.basename(path)):
                store = self.path(os.path.basename(path) + ".zarr")
                run(["convert", path, "-o", store, "-q"])
                self.assertMatchesXarray(store)

    def test_multi_file_sets(self):
        for name in FILE_SETS:
            with self.subTest(set=name):
                store = self.path(name + ".zarr")
                run(["convert", os.path.join(REAL, name, "*.nc"), "-o", store, "-q"])
                self.assertMatchesXarray(store)

    def test_sets_with_chunks_that_span_files_on_two_ranks(self):
        # 12 steps per ERSST file, chunks of 5: most chunks read two files.
        for name, chunks in (("ersstv5_sst_split", "time=5"), ("wfde5_tair_split", "time=100,lat=7"),
                             ("cmip6_MPI-ESM1-2-HR_historical_siconc", "time=77,i=4")):
            with self.subTest(set=name):
                store = self.path(name + ".zarr")
                run(["convert", os.path.join(REAL, name, "*.nc"), "-o", store, "--chunks", chunks, "-q"], ranks=2)
                self.assertMatchesXarray(store)

    def test_the_split_equals_its_source(self):
        # The ERSST split, converted, holds the same data as the whole file.
        whole, split = self.path("whole.zarr"), self.path("split.zarr")
        run(["convert", os.path.join(REAL, "ersstv5_sst.mnmean.nc"), "-o", whole, "--chunks", "time=12", "-q"])
        run(["convert", os.path.join(REAL, "ersstv5_sst_split", "*.nc"), "-o", split, "--chunks", "time=12", "-q"])
        for array in ("sst", "time", "lat", "lon"):
            for f in sorted(os.listdir(os.path.join(whole, array))):
                if f == ".zattrs":
                    continue  # time:actual_range is stale in the split files
                with open(os.path.join(whole, array, f), "rb") as a, open(os.path.join(split, array, f), "rb") as b:
                    self.assertEqual(a.read(), b.read(), f"{array}/{f}")

    def test_a_variable_chosen_from_cmor_files_keeps_its_coordinates_and_bounds(self):
        # CMOR ends its name lists with a NUL ("type latitude longitude\0",
        # "time_bnds\0"): the last name was missed, and the store opened with
        # no coordinates at all.
        files = os.path.join(REAL, "cmip6_MPI-ESM1-2-HR_historical_siconc", "*.nc")
        chosen, dropped = self.path("chosen.zarr"), self.path("dropped.zarr")
        run(["convert", files, "-o", chosen, "--variables", "siconc", "-q"])
        run(["convert", files, "-o", dropped, "--drop-variables", "longitude,vertices_longitude", "-q"])
        with xarray.open_mfdataset(glob.glob(files)) as ref, xarray.open_zarr(chosen) as ours:
            self.assertEqual(sorted(ours.coords), sorted(ref.coords))
            self.assertEqual(sorted(ours.data_vars), sorted(ref.data_vars))
        self.assertMatchesXarray(chosen)
        with xarray.open_zarr(dropped) as ours:
            self.assertEqual(sorted(ours.coords), ["i", "j", "latitude", "time", "type"])
            self.assertEqual(sorted(ours.data_vars), ["siconc", "time_bnds", "vertices_latitude"])
        with open(os.path.join(dropped, "siconc", ".zattrs")) as f:
            self.assertEqual(json.load(f)["coordinates"], "type latitude")

    def test_a_repair_without_records_keeps_whole_string_chunks(self):
        # Variable-length strings decode to no fixed size: whole, they are kept.
        store = self.path("sst.zarr")
        source = os.path.join(REAL, "sst_CMIP6_ssp245_mon_201501-210012.nc")
        run(["convert", source, "-o", store, "-q"])
        os.remove(os.path.join(store, ".nc2zarr", "journal.log"))
        shutil.rmtree(os.path.join(store, ".nc2zarr", "journal"))
        os.remove(os.path.join(store, "sst", sorted(f for f in os.listdir(os.path.join(store, "sst"))
                                                    if not f.startswith("."))[0]))
        result = run(["convert", source, "-o", store])
        self.assertNotIn("does not decode", result.stderr)
        self.assertRegex(result.stderr, r"wrote 1 chunks")
        self.assertMatchesXarray(store)

    def test_overlapping_esgf_files_are_refused(self):
        # HadGEM2-ES: 2099-12-16 is in two files, from two model runs.
        store = self.path("tas.zarr")
        result = run(["convert", os.path.join(REAL, "cmip5_HadGEM2-ES_rcp85_tas", "*.nc"), "-o", store], check=False)
        self.assertEqual(result.returncode, 1)
        lines = [l for l in result.stderr.splitlines() if "error" in l]
        self.assertEqual(len(lines), 1, result.stderr)
        self.assertIn("tas_Amon_HadGEM2-ES_rcp85_r1i1p1_208012-209912.nc (ending at 86415)", lines[0])
        self.assertIn("tas_Amon_HadGEM2-ES_rcp85_r1i1p1_209912-212411.nc (starting at 86415) overlap", lines[0])
        self.assertNoStore(store)


if __name__ == "__main__":
    unittest.main()
