"""Bad input is refused with one clear line naming the file(s), a non-zero
exit code (1 error, 2 usage), and nothing written at the destination."""
import os
import shutil
import unittest

import netCDF4
import numpy as np
import xarray
import xarray.testing
import zarr

from harness import StoreTestCase, make_sample, run


def write(path, times, lat=(0.0, 1.0, 2.0), dtype="f4", extra=None, missing=None, units="days since 2000-01-01"):
    with netCDF4.Dataset(path, "w") as ds:
        ds.createDimension("time", None)
        ds.createDimension("lat", len(lat))
        t = ds.createVariable("time", "f8", ("time",))
        t.units = units
        t[:] = times
        la = ds.createVariable("lat", "f8", ("lat",))
        la[:] = lat
        if missing != "tas":
            v = ds.createVariable("tas", dtype, ("time", "lat"))
            v[:] = np.ones((len(times), len(lat)))
        if extra:
            ds.createVariable(extra, "f4", ("lat",))[:] = 1


class BadInput(StoreTestCase):
    def refuse(self, args, code=1, names=()):
        """Runs convert, expects failure; returns the one error line."""
        store = self.path("out.zarr")
        result = run(["convert"] + args + ["-o", store], check=False)
        self.assertEqual(result.returncode, code, result.stderr)
        errors = [l for l in result.stderr.splitlines() if "error" in l]
        self.assertEqual(len(errors), 1, result.stderr)
        for name in names:
            self.assertIn(name, errors[0])
        self.assertNoStore(store)
        return errors[0]

    def test_not_a_netcdf_file(self):
        with open(self.path("notes.nc"), "w") as f:
            f.write("not netcdf\n")
        self.refuse([self.path("notes.nc")], names=["notes.nc", "cannot open"])

    def test_ranks_scanning_in_parallel_name_the_first_bad_file_in_input_order(self):
        # Rank r scans files r, r + 3, ...: files 2 and 4 are broken, on
        # ranks 2 and 1; file 2 comes first in input order, as one rank would say.
        files = make_sample(self.path("in"), files=6, steps=2, lat=4, lon=4)
        for i in (2, 4):
            with open(files[i], "w") as f:
                f.write("not netcdf\n")
        store = self.path("out.zarr")
        result = run(["convert", self.path("in", "*.nc"), "-o", store], ranks=3, check=False)
        self.assertEqual(result.returncode, 1, result.stderr)
        errors = [l for l in result.stderr.splitlines() if l.startswith("nc2zarr: error")]
        self.assertEqual(len(errors), 1, result.stderr)
        self.assertIn(os.path.basename(files[2]), errors[0])
        self.assertNotIn(os.path.basename(files[4]), errors[0])
        self.assertIn("on 3 ranks", result.stderr)
        self.assertNoStore(store)

    def test_missing_file(self):
        self.refuse([self.path("absent.nc")], names=["absent.nc", "no such file"])

    def test_glob_without_matches_is_a_usage_error(self):
        self.refuse([self.path("*.nc")], code=2, names=["no files match"])

    def test_truncated_netcdf4_file(self):
        files = make_sample(self.path("in"), files=1, steps=4, lat=8, lon=8)
        with open(files[0], "rb") as f:
            data = f.read()
        with open(files[0], "wb") as f:
            f.write(data[: len(data) // 2])
        self.refuse([files[0]], names=[os.path.basename(files[0])])

    def test_truncated_classic_file(self):
        files = make_sample(self.path("in"), files=1, steps=4, lat=8, lon=8, format="classic")
        os.truncate(files[0], os.path.getsize(files[0]) - 100)
        self.refuse([files[0]], names=[os.path.basename(files[0]), "truncated"])
        # Cut inside its header, netCDF-C says only "Invalid argument".
        os.truncate(files[0], 200)
        self.refuse([files[0]], names=[os.path.basename(files[0]), "corrupt or cut short: copy it again"])

    def test_a_directory_named_as_an_input(self):
        os.makedirs(self.path("dir.nc"))
        self.refuse([self.path("dir.nc")], code=2,
                    names=[self.path("dir.nc") + " is a directory", f"'{self.path('dir.nc')}/*.nc' (quoted)"])

    def test_variable_missing_from_one_file(self):
        write(self.path("a.nc"), [0, 1])
        write(self.path("b.nc"), [2, 3], missing="tas")
        self.refuse([self.path("a.nc"), self.path("b.nc")], names=["'tas'", "a.nc", "b.nc", "missing"])

    def test_extra_variable_in_one_file(self):
        write(self.path("a.nc"), [0, 1])
        write(self.path("b.nc"), [2, 3], extra="mask")
        self.refuse([self.path("a.nc"), self.path("b.nc")], names=["'mask'", "b.nc"])
        # --drop-variables takes a name any file holds, as xarray's drop_variables does.
        store = self.path("dropped.zarr")
        run(["convert", self.path("b.nc"), self.path("a.nc"), "--drop-variables", "mask", "-o", store, "-q"])
        with xarray.open_zarr(store) as ours, xarray.open_mfdataset(
                [self.path("a.nc"), self.path("b.nc")], combine="nested", concat_dim="time",
                drop_variables=["mask"]) as ref:
            xarray.testing.assert_identical(ours.load(), ref.load())
        self.refuse([self.path("a.nc"), "--drop-variables", "nope"], code=2, names=["'nope'"])

    def test_dtype_differs(self):
        write(self.path("a.nc"), [0, 1])
        write(self.path("b.nc"), [2, 3], dtype="f8")
        self.refuse([self.path("a.nc"), self.path("b.nc")],
                    names=["'tas' is f4 in", "f8 in", "convert the files to one type", "--drop-variables tas"])

    def test_shape_differs_outside_the_concat_dimension(self):
        write(self.path("a.nc"), [0, 1])
        write(self.path("b.nc"), [2, 3], lat=(0.0, 1.0))
        self.refuse([self.path("a.nc"), self.path("b.nc")], names=["shape", "a.nc", "b.nc"])

    def test_times_overlap(self):
        write(self.path("a.nc"), [0, 1, 2])
        write(self.path("b.nc"), [2, 3])
        self.refuse([self.path("a.nc"), self.path("b.nc")], names=["overlap", "a.nc", "b.nc"])

    def test_same_times_in_every_file_point_to_concat_dim(self):
        # Ensemble members one to a file share their time values.
        write(self.path("a.nc"), [0, 1])
        write(self.path("b.nc"), [0, 1])
        self.refuse([self.path("a.nc"), self.path("b.nc")], names=["overlap", "same 'time' values", "--concat-dim"])

    def test_a_variable_named_like_one_of_its_dimensions(self):
        # xarray cannot open x(time, x); nc2zarr must not write it.
        for name in ("a.nc", "b.nc"):
            write(self.path(name), [0, 1] if name == "a.nc" else [2, 3])
            with netCDF4.Dataset(self.path(name), "a") as ds:
                ds.createDimension("x", 2)
                ds.createVariable("x", "f4", ("time", "x"))[:] = 1
        self.refuse([self.path("a.nc"), self.path("b.nc")], names=["'x'", "(time, x)", "a.nc", "--drop-variables x"])
        store = self.path("tas.zarr")
        run(["convert", self.path("a.nc"), self.path("b.nc"), "--drop-variables", "x", "-o", store, "-q"])
        with xarray.open_zarr(store) as ds:
            self.assertEqual(list(ds.data_vars), ["tas"])
            np.testing.assert_array_equal(ds["tas"].values, np.ones((4, 3)))

    def test_times_not_increasing(self):
        write(self.path("a.nc"), [0, 2, 1])
        write(self.path("b.nc"), [5, 6])
        self.refuse([self.path("a.nc"), self.path("b.nc")], names=["not increasing", "a.nc", "sort them first"])
        write(self.path("a.nc"), [2, 1, 0])  # decreasing where b.nc increases
        self.refuse([self.path("a.nc"), self.path("b.nc")], names=["not increasing", "a.nc", "reverse the decreasing"])
        write(self.path("a.nc"), [0, 1, 1])
        self.refuse([self.path("a.nc"), self.path("b.nc")],
                    names=["not increasing (1 then 1 at index 2)", "`cdo delete,timestep=3` for time"])

    def test_a_coordinate_differs_between_files(self):
        write(self.path("a.nc"), [0, 1])
        write(self.path("b.nc"), [2, 3], lat=(0.0, 1.0, 2.5))
        self.refuse([self.path("a.nc"), self.path("b.nc")], names=["'lat'", "differs between", "a.nc", "b.nc"])

    def test_a_static_variable_packed_differently(self):
        # A concatenated variable packed differently is stored unpacked
        # (test_convert_generated); one without the concat dimension is refused.
        for k, scale in enumerate((0.01, 0.02)):
            with netCDF4.Dataset(self.path(f"p{k}.nc"), "w") as ds:
                ds.createDimension("time", None)
                ds.createDimension("x", 2)
                ds.createVariable("time", "f8", ("time",))[:] = [2 * k, 2 * k + 1]
                v = ds.createVariable("orog", "i2", ("x",))
                v.scale_factor = scale
                v.set_auto_maskandscale(False)
                v[:] = [1, 2]
        self.refuse([self.path("p*.nc")], names=["'orog'", "scale_factor 0.01 in", "scale_factor 0.02 in", "p1.nc"])

    def test_groups_that_declare_the_concat_dimension_with_other_lengths(self):
        # Like Sentinel-6 products: data_01 has 1 Hz time, data_20 20 Hz time.
        for k in range(2):
            with netCDF4.Dataset(self.path(f"g{k}.nc"), "w") as ds:
                for group, steps in (("data_01", 2), ("data_20", 4)):
                    g = ds.createGroup(group)
                    g.createDimension("time", steps)
                    g.createVariable("time", "f8", ("time",))[:] = k * 10 + np.arange(steps) / steps
        line = self.refuse([self.path("g*.nc"), "--concat-dim", "time"],
                           names=["'data_01/time'", "'data_20/time'", "2 and 4 steps", "--variables"])
        self.assertIn("g0.nc", line)
        # One group at a time converts, with all of that group's records.
        store = self.path("g20.zarr")
        run(["convert", self.path("g*.nc"), "--concat-dim", "time", "--variables", "data_20/time", "-o", store, "-q"])
        got = zarr.open_group(store, mode="r")["data_20/time"][:]
        np.testing.assert_array_equal(got, [0, 0.25, 0.5, 0.75, 10, 10.25, 10.5, 10.75])

    def test_time_units_that_cannot_be_converted(self):
        # Another reference date converts (test_convert_generated); another
        # unit size, months or a non-time unit does not.
        write(self.path("a.nc"), [0, 1])
        for units in ("hours since 2000-01-01", "months since 2000-01-01", "K"):
            write(self.path("b.nc"), [2, 3], units=units)
            self.refuse([self.path("a.nc"), self.path("b.nc")], names=["'time'", units, "a.nc", "b.nc"])
        # Another calendar: the way out is one calendar, not other units.
        write(self.path("b.nc"), [2, 3])
        with netCDF4.Dataset(self.path("b.nc"), "a") as ds:
            ds["time"].calendar = "julian"
        self.refuse([self.path("a.nc"), self.path("b.nc")],
                    names=["the calendars 'julian' and 'standard' differ", "one calendar (e.g. with `cdo setcalendar`)"])

    def test_durations_in_other_units(self):
        # xarray decodes 'hours' and 'days' as durations file by file.
        for name, units, lead in (("a.nc", "hours", [24, 48]), ("b.nc", "days", [3, 4])):
            write(self.path(name), [0, 1] if name == "a.nc" else [2, 3])
            with netCDF4.Dataset(self.path(name), "a") as ds:
                ds.createVariable("lead", "i4", ("time",))[:] = lead
                ds["lead"].units = units
        self.refuse([self.path("a.nc"), self.path("b.nc")], names=["'lead'", "'hours'", "'days'", "a.nc", "b.nc"])

    def test_a_static_time_in_other_units_and_dropping_the_concat_coordinate(self):
        # A scalar reftime, 0 hours since each file's own run: equal raw
        # values, different times (open_mfdataset refuses to merge them).
        for k, name in enumerate(("a.nc", "b.nc")):
            write(self.path(name), [2 * k, 2 * k + 1])
            with netCDF4.Dataset(self.path(name), "a") as ds:
                r = ds.createVariable("reftime", "f8", ())
                r.units = f"hours since 2000-01-0{k + 1}"
                r[...] = 0
        self.refuse([self.path("a.nc"), self.path("b.nc")],
                    names=["'reftime'", "a.nc", "b.nc", "--drop-variables reftime"])
        self.refuse([self.path("a.nc"), self.path("b.nc"), "--drop-variables", "reftime,time"], code=2,
                    names=["'time'", "orders the files"])

    def test_integer_time_moved_beyond_its_type(self):
        # int32 seconds since 2020 do not fit int32 as seconds since 1950:
        # the plan refuses the coordinate; the chunk reader its bounds.
        def write_int_time(name, units, time_type, bounds_type):
            with netCDF4.Dataset(self.path(name), "w") as ds:
                ds.createDimension("time", None)
                ds.createDimension("bnds", 2)
                t = ds.createVariable("time", time_type, ("time",))
                t.units, t.bounds = units, "time_bnds"
                t[:] = [0, 3600]
                ds.createVariable("time_bnds", bounds_type, ("time", "bnds"))[:] = [[0, 3600], [3600, 7200]]
                ds.createVariable("tas", "f4", ("time",))[:] = [1, 2]
        write_int_time("a.nc", "seconds since 1950-01-01", "i4", "i4")
        write_int_time("b.nc", "seconds since 2020-01-01", "i4", "i4")
        self.refuse([self.path("a.nc"), self.path("b.nc")], names=["'time'", "b.nc", "2208988800", "int32"])
        # Landing on the fill value would read as missing; a fill value in
        # the data itself stays missing and is no reason to refuse.
        for name, start, times in (("a.nc", "2000-01-01", [0, 1]), ("b.nc", "2000-01-02", [2147483623, 2147483647])):
            with netCDF4.Dataset(self.path(name), "w") as ds:
                ds.createDimension("time", None)
                t = ds.createVariable("time", "i4", ("time",), fill_value=2147483647)
                t.units = f"hours since {start}"
                t.set_auto_mask(False)
                t[:] = times
        self.refuse([self.path("a.nc"), self.path("b.nc")], names=["'time'", "b.nc", "its _FillValue"])
        write_int_time("a.nc", "seconds since 1950-01-01", "i8", "i4")
        write_int_time("b.nc", "seconds since 2020-01-01", "i8", "i4")
        store = self.path("bounds.zarr")
        result = run(["convert", self.path("a.nc"), self.path("b.nc"), "-o", store], check=False)
        self.assertEqual(result.returncode, 1, result.stderr)
        errors = [l for l in result.stderr.splitlines() if "error" in l]
        self.assertEqual(len(errors), 1, result.stderr)
        self.assertIn("'time_bnds' in " + self.path("b.nc"), errors[0])
        self.assertIn("int32", errors[0])
        self.assertFalse(os.path.exists(os.path.join(store, ".zmetadata")))
        self.assertFalse(os.path.exists(os.path.join(store, ".zgroup")))

    def test_unknown_variable_dimension_and_concat_dim_are_usage_errors(self):
        write(self.path("a.nc"), [0, 1])
        self.refuse([self.path("a.nc"), "--variables", "pr"], code=2, names=["'pr'", "a.nc"])
        self.refuse([self.path("a.nc"), "--chunks", "depth=3"], code=2, names=["'depth'"])
        self.refuse([self.path("a.nc"), "--concat-dim", "depth"], code=2, names=["'depth'", "a.nc"])
        self.refuse([self.path("a.nc"), "--chunks", "time=zero"], code=2, names=["--chunks"])
        self.refuse([self.path("a.nc"), "--compressor", "lz4"], code=2, names=["lz4"])

    def test_destination_holding_a_store_is_kept_unless_overwrite(self):
        write(self.path("a.nc"), [0, 1])
        write(self.path("b.nc"), [2, 3])
        store = self.path("out.zarr")
        run(["convert", self.path("a.nc"), "-o", store])
        before = {f: os.path.getmtime(os.path.join(store, f)) for f in (".zmetadata", "tas/0.0")}
        # The same job again: nothing to do, nothing rewritten.
        again = run(["convert", self.path("a.nc"), "-o", store])
        self.assertIn("already holds the complete store of this job; nothing to do", again.stderr)
        # Another job: refused, saying what differs.
        result = run(["convert", self.path("a.nc"), self.path("b.nc"), "-o", store], check=False)
        self.assertEqual(result.returncode, 1)
        self.assertIn("already holds a Zarr store made from other inputs or options (input ", result.stderr)
        self.assertIn("b.nc is new", result.stderr)
        self.assertIn("pass --overwrite", result.stderr)
        self.assertEqual(before, {f: os.path.getmtime(os.path.join(store, f)) for f in before})
        run(["convert", self.path("a.nc"), self.path("b.nc"), "-o", store, "--overwrite"])

    def test_a_job_with_many_other_inputs_is_refused_in_one_short_line(self):
        for k in range(8):
            write(self.path(f"a{k}.nc"), [k])
            write(self.path(f"b{k}.nc"), [10 + k])
        store = self.path("out.zarr")
        run(["convert", self.path("a*.nc"), "-o", store, "-q"])
        result = run(["convert", self.path("b*.nc"), "-o", store], check=False)
        self.assertEqual(result.returncode, 1)
        (line,) = [l for l in result.stderr.splitlines() if "error" in l]
        self.assertIn("; and 11 more); pass --overwrite to replace it", line)
        # The same files spelled relative to another directory are the same job.
        same = run(["convert", os.path.relpath(self.path("a*.nc"), "/"), "-o", store], cwd="/")
        self.assertIn("already holds the complete store of this job; nothing to do", same.stderr)

    def test_the_same_files_named_through_links_are_the_same_job(self):
        # As a store recorded with other spellings of its inputs (links, or
        # relative paths from an older version): the files, not the names.
        for name, times in (("a.nc", [0, 1]), ("b.nc", [2, 3])):
            write(self.path(name), times)
            os.symlink(self.path(name), self.path("link-" + name))
        store = self.path("out.zarr")
        run(["convert", self.path("link-a.nc"), self.path("link-b.nc"), "-o", store, "-q"])
        same = run(["convert", self.path("a.nc"), self.path("b.nc"), "-o", store])
        self.assertIn("already holds the complete store of this job; nothing to do", same.stderr)
        other = run(["convert", self.path("a.nc"), "-o", store], check=False)
        self.assertEqual(other.returncode, 1)
        self.assertIn("made from other inputs or options", other.stderr)

    def test_destination_that_is_some_other_directory(self):
        write(self.path("a.nc"), [0, 1])
        os.makedirs(self.path("home"))
        with open(self.path("home", "thesis.tex"), "w") as f:
            f.write("precious")
        for extra in ([], ["--overwrite"]):
            result = run(["convert", self.path("a.nc"), "-o", self.path("home")] + extra, check=False)
            self.assertEqual(result.returncode, 1)
            self.assertIn("is not a Zarr store", result.stderr)
        self.assertEqual(os.listdir(self.path("home")), ["thesis.tex"])

    def test_a_report_that_cannot_be_written_is_refused_before_any_work(self):
        write(self.path("a.nc"), [0, 1])
        for report, why in ((self.path("nowhere", "r.json"), "does not exist"), (self.path(), "it is a directory")):
            self.refuse([self.path("a.nc"), "--report", report], code=2,
                        names=["cannot write the report " + report, why, "choose another --report path"])

    def test_a_destination_that_is_a_file_and_status_of_nothing(self):
        write(self.path("a.nc"), [0, 1])
        with open(self.path("afile"), "w") as f:
            f.write("mine")
        result = run(["convert", self.path("a.nc"), "-o", self.path("afile")], check=False)
        self.assertEqual(result.returncode, 1)
        self.assertIn(self.path("afile") + " is a file, not a directory", result.stderr)
        with open(self.path("afile")) as f:
            self.assertEqual(f.read(), "mine")
        status = run(["status", self.path("nothere.zarr")], check=False)
        self.assertEqual(status.returncode, 1)
        self.assertIn(self.path("nothere.zarr") + " does not exist", status.stderr)

    def test_rm_of_a_local_store_takes_the_directory_away(self):
        write(self.path("a.nc"), [0, 1])
        store = self.path("out.zarr")
        run(["convert", self.path("a.nc"), "-o", store])
        # What a writer killed mid-write leaves is deleted with the rest.
        with open(os.path.join(store, "tas", ".0.0.tmp.4242.1"), "w") as f:
            f.write("partial")
        dry = run(["rm", store])
        self.assertIn("nothing deleted; run again with --yes", dry.stdout)
        self.assertTrue(os.path.exists(os.path.join(store, ".zmetadata")))
        gone = run(["rm", store, "--yes"])
        self.assertIn("deleted ", gone.stdout)
        self.assertFalse(os.path.exists(store))

    def test_a_corrupt_chunk_found_while_converting_leaves_no_committed_store(self):
        # The header is intact; one compressed HDF5 chunk is damaged, which
        # only reading the data reveals. The store must not be committed.
        files = make_sample(self.path("in"), files=2, steps=3, lat=40, lon=40)
        with open(files[1], "r+b") as f:
            size = os.path.getsize(files[1])
            f.seek(size - 3000)
            f.write(b"\xff" * 400)
        store = self.path("out.zarr")
        result = run(["convert", self.path("in", "*.nc"), "-o", store, "--chunks", "time=1"], ranks=2, check=False)
        self.assertEqual(result.returncode, 1, result.stderr)
        errors = [l for l in result.stderr.splitlines() if "error" in l]
        self.assertEqual(len(errors), 1, result.stderr)
        self.assertIn(os.path.basename(files[1]), errors[0])
        self.assertFalse(os.path.exists(os.path.join(store, ".zmetadata")))
        self.assertFalse(os.path.exists(os.path.join(store, ".zgroup")))


if __name__ == "__main__":
    unittest.main()
