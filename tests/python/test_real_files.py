"""Every suitable real NetCDF file in shared/data/real (and its multi-file
sets) converted and checked against xarray's reading of the inputs."""
import glob
import json
import os
import shutil
import unittest

import cftime
import netCDF4
import numpy
import xarray

from harness import REAL, StoreTestCase, run

SINGLE_FILES = sorted(glob.glob(os.path.join(REAL, "*.nc")))
FILE_SETS = ["cmip6_MPI-ESM1-2-HR_historical_siconc", "cordex_EUR-11_HadGEM2-ES_WRF381P_rcp85_psl",
             "ersstv5_sst_split", "wfde5_tair_split"]


def derived_copy(source, target, steps, attrs=lambda name, a: a, values=lambda name, v: v):
    """The first steps of a real file along time, its attributes and values
    changed as a producer's quirk would (netCDF4, every variable kept)."""
    with netCDF4.Dataset(source) as src, netCDF4.Dataset(target, "w", format=src.data_model) as dst:
        dst.setncatts({k: src.getncattr(k) for k in src.ncattrs()})
        for name, dim in src.dimensions.items():
            dst.createDimension(name, None if dim.isunlimited() else len(dim))
        for name, var in src.variables.items():
            fill = var.getncattr("_FillValue") if "_FillValue" in var.ncattrs() else None
            out = dst.createVariable(name, var.dtype, var.dimensions, fill_value=fill)
            out.setncatts(attrs(name, {k: var.getncattr(k) for k in var.ncattrs() if k != "_FillValue"}))
            var.set_auto_maskandscale(False)
            out.set_auto_maskandscale(False)
            data = var[:steps] if var.dimensions[:1] == ("time",) else var[:]
            out[:] = values(name, data)


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

    def test_latitude_bands_north_to_south_equal_their_source(self):
        # ERA-Interim's latitudes decrease (90 to -90): split into bands
        # given south first, the store orders them from the north, as
        # combine_by_coords does, and holds the whole file's bytes.
        source = os.path.join(REAL, "eraint_uvz.nc")
        with netCDF4.Dataset(source) as src:
            for name, (lo, hi) in (("south", (161, 241)), ("mid", (80, 161)), ("north", (0, 80))):
                with netCDF4.Dataset(self.path(f"{name}.nc"), "w", format=src.file_format) as dst:
                    dst.setncatts(src.__dict__)
                    for d, dim in src.dimensions.items():
                        dst.createDimension(d, hi - lo if d == "latitude" else len(dim))
                    for v, var in src.variables.items():
                        var.set_auto_maskandscale(False)
                        out = dst.createVariable(v, var.dtype, var.dimensions)
                        out.setncatts(var.__dict__)
                        out.set_auto_maskandscale(False)
                        at = tuple(slice(lo, hi) if d == "latitude" else slice(None) for d in var.dimensions)
                        out[:] = var[at]
        chunks = ["--chunks", "month=1,level=1,latitude=241,longitude=480"]
        whole, split = self.path("whole.zarr"), self.path("bands.zarr")
        run(["convert", source, "-o", whole, "-q"] + chunks)
        run(["convert", self.path("south.nc"), self.path("mid.nc"), self.path("north.nc"), "-o", split,
             "--concat-dim", "latitude", "-q"] + chunks)
        for array in ("u", "v", "z", "latitude", "longitude", "level", "month"):
            for f in sorted(os.listdir(os.path.join(whole, array))):
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

    def test_bounds_with_units_but_no_calendar_are_in_their_parents_calendar(self):
        # time_bnds with units of its own and no calendar: xarray decodes it in
        # time's calendar (360_day here), so shifting the second file's bounds
        # to the first file's units must use that calendar too. Shifted with
        # the standard one, they landed 2.5 years from their time step.
        folder = os.path.join(REAL, "cmip5_HadGEM2-ES_rcp85_tas")
        first = os.path.join(folder, "tas_Amon_HadGEM2-ES_rcp85_r1i1p1_200512-203011.nc")
        second = os.path.join(folder, "tas_Amon_HadGEM2-ES_rcp85_r1i1p1_203012-205511.nc")
        old, new = "days since 1859-12-01", "days since 2030-12-01"
        offset = cftime.date2num(cftime.Datetime360Day(2030, 12, 1), old, "360_day")
        a, b = self.path("a.nc"), self.path("b.nc")
        derived_copy(first, a, 24, attrs=lambda n, at: {**at, "units": old} if n == "time_bnds" else at)
        derived_copy(second, b, 24, attrs=lambda n, at: {**at, "units": new} if n in ("time", "time_bnds") else at,
                     values=lambda n, v: numpy.asarray(v) - offset if n in ("time", "time_bnds") else v)
        store = self.path("bounds.zarr")
        run(["convert", a, b, "-o", store, "-q"], ranks=2)
        self.assertMatchesXarray(store, files=[a, b], decoded_only=True)  # raw values are shifted: b counts from 2030
        with xarray.open_zarr(store, use_cftime=True) as ours:
            self.assertEqual(ours.time_bnds.values[24][0], cftime.Datetime360Day(2030, 12, 1, has_year_zero=True))

        # CMOR writes bounds without units; a file that gives them the time's
        # units (no calendar) is the same job, not another calendar.
        siconc = sorted(glob.glob(os.path.join(REAL, "cmip6_MPI-ESM1-2-HR_historical_siconc", "*.nc")))
        c, d = self.path("c.nc"), self.path("d.nc")
        derived_copy(siconc[0], c, 60)
        derived_copy(siconc[1], d, 60,
                     attrs=lambda n, at: {**at, "units": "days since 1850-1-1 00:00:00"} if n == "time_bnds" else at)
        store = self.path("cmor-bounds.zarr")
        run(["convert", c, d, "-o", store, "-q"])
        self.assertMatchesXarray(store, files=[c, d])

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
