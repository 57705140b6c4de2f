"""End-to-end conversions of generated data, checked by xarray."""
import fcntl
import json
import os
import shutil
import unittest

import netCDF4
import numpy as np
import xarray
import xarray.testing
import zarr

from harness import StoreTestCase, make_sample, peak_rss_kib, run


def load(*parts):
    with open(os.path.join(*parts)) as f:
        return json.load(f)


class ConvertGenerated(StoreTestCase):
    def test_netcdf4_files_split_in_time(self):
        files = make_sample(self.path("in"), files=4, steps=30, lat=20, lon=36)
        store = self.path("out.zarr")
        run(["convert", self.path("in", "*.nc"), "-o", store, "--chunks", "time=24"])
        self.assertMatchesXarray(store)
        zarray = load(store, "tas", ".zarray")
        self.assertEqual(zarray["chunks"], [24, 20, 36])
        self.assertEqual(zarray["compressor"], {"id": "zstd", "level": 1})
        # Packed shorts stay shorts; their fill and scale survive.
        pr = load(store, "pr", ".zarray")
        self.assertEqual((pr["dtype"], pr["fill_value"]), ("<i2", -32767))
        self.assertEqual(load(store, "pr", ".zattrs")["scale_factor"], 1e-06)
        # A chunk spanning two files and a partial edge chunk: 120 steps in 24s.
        self.assertEqual(len([f for f in os.listdir(os.path.join(store, "tas")) if not f.startswith(".")]), 5)
        self.assertEqual(len(files), 4)

    def test_classic_files_and_no_compression(self):
        make_sample(self.path("in"), files=3, steps=10, lat=8, lon=16, format="classic")
        store = self.path("out.zarr")
        run(["convert", self.path("in", "*.nc"), "-o", store, "--chunks", "time=7,lat=5", "--compressor", "none"])
        self.assertMatchesXarray(store)
        self.assertIsNone(load(store, "tas", ".zarray")["compressor"])

    def test_byte_shuffle_before_zstd(self):
        make_sample(self.path("in"), files=2, steps=6, lat=45, lon=90)
        plain, shuffled = self.path("plain.zarr"), self.path("shuffled.zarr")
        run(["convert", self.path("in", "*.nc"), "-o", plain, "--chunks", "time=6"])
        run(["convert", self.path("in", "*.nc"), "-o", shuffled, "--chunks", "time=6", "--shuffle"])
        self.assertMatchesXarray(shuffled)
        self.assertEqual(load(shuffled, "tas", ".zarray")["filters"], [{"elementsize": 4, "id": "shuffle"}])
        self.assertEqual(load(shuffled, "pr", ".zarray")["filters"], [{"elementsize": 2, "id": "shuffle"}])
        size = lambda store: os.path.getsize(os.path.join(store, "tas", "0.0.0"))
        self.assertLess(size(shuffled), size(plain))

    def test_files_are_ordered_by_time_not_by_name(self):
        files = make_sample(self.path("in"), files=3, steps=5, lat=4, lon=4)
        for f, name in zip(files, ["c.nc", "a.nc", "b.nc"]):
            os.rename(f, self.path("in", name))
        store = self.path("out.zarr")
        run(["convert", self.path("in", "*.nc"), "-o", store])
        plan = load(store, ".nc2zarr", "plan.json")
        self.assertEqual([os.path.basename(f["path"]) for f in plan["files"]], ["c.nc", "a.nc", "b.nc"])
        self.assertMatchesXarray(store)

    def test_files_counting_time_from_their_own_start_are_converted(self):
        # One file a month, each counting days from its own first day, in
        # the noleap calendar; names sort the wrong way round and every file
        # starts at 0.5, so only converted time orders them.
        months = [("2001-03-01", 31), ("2001-01-01", 31), ("2001-02-01", 28)]
        for name, (start, days) in zip(["a.nc", "b.nc", "c.nc"], months):
            with netCDF4.Dataset(self.path(name), "w") as ds:
                ds.createDimension("time", None)
                ds.createDimension("bnds", 2)
                ds.createDimension("x", 3)
                t = ds.createVariable("time", "f8", ("time",))
                t.units, t.calendar, t.bounds = f"days since {start}", "noleap", "time_bnds"
                t[:] = np.arange(days) + 0.5
                ds.createVariable("time_bnds", "f8", ("time", "bnds"))[:] = np.stack(
                    [np.arange(days), np.arange(days) + 1.0], axis=1)
                v = ds.createVariable("tas", "f4", ("time", "x"), fill_value=np.float32(1e20))
                v[:] = np.arange(days * 3, dtype="f4").reshape(days, 3)
        store = self.path("out.zarr")
        run(["convert", self.path("*.nc"), "-o", store, "--chunks", "time=20"], ranks=2)
        plan = load(store, ".nc2zarr", "plan.json")
        self.assertEqual([os.path.basename(f["path"]) for f in plan["files"]], ["b.nc", "c.nc", "a.nc"])
        # Stored in the first file's units, continuous across the files.
        self.assertEqual(load(store, "time", ".zattrs")["units"], "days since 2001-01-01")
        group = zarr.open_group(store, mode="r")
        np.testing.assert_array_equal(group["time"][:], np.arange(90) + 0.5)
        np.testing.assert_array_equal(group["time_bnds"][:, 0], np.arange(90.0))
        # Decoded, the store is what open_mfdataset shows; raw values differ
        # from the inputs' by design.
        self.assertMatchesXarray(store, decoded_only=True)

    def test_a_fixed_time_dimension_counted_from_each_files_own_day_is_found(self):
        # Hours 0..23 since each file's day: equal raw values, so only the
        # units tell that time is what differs between the files.
        for day in (1, 2, 3):
            with netCDF4.Dataset(self.path(f"d{day}.nc"), "w") as ds:
                ds.createDimension("time", 24)
                ds.createDimension("x", 3)
                t = ds.createVariable("time", "f8", ("time",))
                t.units = f"hours since 2017-01-0{day} 00:00:00"
                t[:] = np.arange(24.0)
                ds.createVariable("tas", "f4", ("time", "x"))[:] = np.full((24, 3), day, dtype="f4")
        store = self.path("out.zarr")
        run(["convert", self.path("d*.nc"), "-o", store])
        self.assertEqual(load(store, ".nc2zarr", "plan.json")["concat_dim"], "time")
        self.assertMatchesXarray(store, decoded_only=True)

    def test_reference_dates_with_utc_offsets_or_in_milliseconds(self):
        # pandas and cftime move a reference date by its UTC offset; units
        # of milliseconds have a fixed length like seconds.
        cases = {"offset": [("hours since 2000-01-01 00:00:00 +01:00", [0, 1]), ("hours since 2000-01-01", [2, 3])],
                 "ms": [("milliseconds since 2000-01-01", [0, 500]), ("milliseconds since 2000-01-01 00:00:01", [0, 500])]}
        for case, files in cases.items():
            paths = []
            for k, (units, times) in enumerate(files):
                paths.append(self.path(f"{case}{k}.nc"))
                with netCDF4.Dataset(paths[-1], "w") as ds:
                    ds.createDimension("time", None)
                    t = ds.createVariable("time", "f8", ("time",))
                    t.units, t.calendar = units, "standard"
                    t[:] = times
                    ds.createVariable("tas", "f4", ("time",))[:] = [k, k]
            store = self.path(f"{case}.zarr")
            run(["convert"] + paths + ["-o", store, "-q"])
            self.assertMatchesXarray(store, files=paths, decoded_only=True)
        np.testing.assert_array_equal(zarr.open_group(self.path("offset.zarr"), mode="r")["time"][:], [0, 1, 3, 4])
        np.testing.assert_array_equal(zarr.open_group(self.path("ms.zarr"), mode="r")["time"][:], [0, 500, 1000, 1500])

    def test_float64_time_far_from_its_reference_date_is_said_to_be_rounded(self):
        # Hours of 2000 as days since 0001-01-01 in float64 lose microseconds,
        # as xarray's to_zarr loses them: the plan says how many.
        for name, units, times in (("a.nc", "days since 0001-01-01", [729634.0]),
                                   ("b.nc", "days since 2000-01-01", [1 / 24, 2 / 24, 4 / 24])):
            with netCDF4.Dataset(self.path(name), "w") as ds:
                ds.createDimension("time", None)
                t = ds.createVariable("time", "f8", ("time",))
                t.units, t.calendar = units, "noleap"
                t[:] = times
        result = run(["convert", self.path("a.nc"), self.path("b.nc"), "-o", self.path("out.zarr")])
        warnings = [l for l in result.stderr.splitlines() if "warning" in l and "'time' is float64" in l]
        self.assertEqual(len(warnings), 1, result.stderr)
        self.assertRegex(warnings[0], r"up to [0-9.e-]+ s off")
        # Whole days stay exact: no warning.
        with netCDF4.Dataset(self.path("b.nc"), "a") as ds:
            ds["time"][:] = [1.0, 2.0, 4.0]
        result = run(["convert", self.path("a.nc"), self.path("b.nc"), "-o", self.path("exact.zarr")])
        self.assertNotIn("rounded", result.stderr)

    def test_a_scalar_coordinate_that_differs_between_files_can_be_dropped(self):
        # Forecast files: a scalar 'reftime' named in tas:coordinates, one
        # value a file. It is refused (nc2zarr does not broadcast it along
        # time as open_mfdataset does); --drop-variables leaves it out even
        # though tas names it, as xarray's drop_variables does.
        paths = []
        for k in range(2):
            paths.append(self.path(f"fc{k}.nc"))
            with netCDF4.Dataset(paths[-1], "w") as ds:
                ds.createDimension("time", None)
                t = ds.createVariable("time", "f8", ("time",))
                t.units = "hours since 2000-01-01"
                t[:] = [2 * k, 2 * k + 1]
                r = ds.createVariable("reftime", "f8", ())
                r.units = "hours since 2000-01-01"
                r[...] = 2 * k
                v = ds.createVariable("tas", "f4", ("time",))
                v.coordinates = "reftime"
                v[:] = [k, k + 0.5]
        refused = run(["convert"] + paths + ["-o", self.path("refused.zarr")], check=False)
        self.assertEqual(refused.returncode, 1, refused.stderr)
        self.assertIn("--drop-variables reftime", refused.stderr)
        store = self.path("out.zarr")
        run(["convert"] + paths + ["-o", store, "--drop-variables", "reftime", "-q"])
        ours = xarray.open_zarr(store).load()
        ref = xarray.open_mfdataset(paths, combine="nested", concat_dim="time", drop_variables=["reftime"]).load()
        xarray.testing.assert_identical(ours, ref)
        self.assertNotIn("reftime", ours.variables)

    def test_static_variables_equal_as_xarray_compares_them(self):
        # -0.0 and 0.0, and NaNs with different payloads, are equal to xarray;
        # a static variable holding them is one variable, not a conflict.
        for k in range(2):
            with netCDF4.Dataset(self.path(f"z{k}.nc"), "w") as ds:
                ds.createDimension("time", None)
                ds.createDimension("x", 3)
                ds.createVariable("time", "f8", ("time",))[:] = [k]
                nan = np.array([0x7FC00000 + k], dtype="u4").view("f4")[0]
                ds.createVariable("z", "f4", ("x",), fill_value=False)[:] = np.array([-0.0 if k else 0.0, nan, 1.0])
                ds.createVariable("v", "f4", ("time", "x"))[:] = np.ones((1, 3))
        store = self.path("z.zarr")
        run(["convert", self.path("z*.nc"), "-o", store, "-q"])
        self.assertMatchesXarray(store)

    def test_char_variables_with_a_fill_value(self):
        # "X", and the NUL itself (netCDF's default, written out): text
        # attributes lose their NULs, a fill value keeps it.
        for n, (fill, stored) in enumerate(((b"X", "WA=="), (b"\0", "AA=="))):
            for k in range(2):
                with netCDF4.Dataset(self.path(f"c{n}{k}.nc"), "w") as ds:
                    ds.createDimension("time", None)
                    ds.createDimension("nchar", 4)
                    ds.createVariable("time", "f8", ("time",))[:] = [2 * k, 2 * k + 1]
                    c = ds.createVariable("station", "S1", ("time", "nchar"), fill_value=fill)
                    c.set_auto_chartostring(False)
                    c[0, :3] = np.array([b"a", b"b", b"c"])  # the rest stays the fill
            store = self.path(f"c{n}.zarr")
            run(["convert", self.path(f"c{n}?.nc"), "-o", store, "-q"])
            self.assertEqual(load(store, "station", ".zarray")["fill_value"], stored)
            self.assertNotIn("_FillValue", load(store, "station", ".zattrs"))
            # Raw, zarr hands the NUL fill back as b"" (numpy drops trailing
            # NULs of an S4 scalar), netCDF4 as b"\0": the same byte.
            self.assertMatchesXarray(store, decoded_only=fill == b"\0")

    def test_text_longer_in_some_files_is_padded_as_xarray_pads_it(self):
        # Each file sizes its string dimension to its own longest name:
        # xarray concatenates S5 and S7 into S7, NUL-padded.
        for k, length in enumerate((5, 7, 6)):
            with netCDF4.Dataset(self.path(f"t{k}.nc"), "w") as ds:
                ds.createDimension("time", None)
                ds.createDimension("nchar", length)
                ds.createVariable("time", "f8", ("time",))[:] = [2 * k, 2 * k + 1]
                ds.createVariable("x", "f4", ("time",))[:] = [k, k]
                label = ds.createVariable("label", "S1", ("time", "nchar"))
                names = [("s" * length)[: length - 1] + str(k), f"n{k}"]
                label[:] = netCDF4.stringtochar(np.array(names, dtype=f"S{length}"))
        store = self.path("t.zarr")
        run(["convert", self.path("t?.nc"), "-o", store, "--chunks", "time=4", "-q"])
        self.assertEqual(load(store, "label", ".zarray")["dtype"], "|S7")
        self.assertMatchesXarray(store)
        self.assertEqual(list(xarray.open_zarr(store).label.values),
                         [b"ssss0", b"n0", b"ssssss1", b"n1", b"sssss2", b"n2"])

    def test_latitude_bands_from_north_to_south_are_ordered_as_xarray_orders_them(self):
        # Each file a band of latitudes, decreasing (as ERA5 stores them):
        # combine_by_coords puts the northernmost band first.
        bands = {"mid.nc": [50.0, 40.0, 30.0], "south.nc": [20.0, 10.0, 0.0], "north.nc": [80.0, 70.0, 60.0]}
        for name, lats in bands.items():
            with netCDF4.Dataset(self.path(name), "w") as ds:
                ds.createDimension("time", 2)
                ds.createDimension("lat", 3)
                ds.createDimension("lon", 4)
                t = ds.createVariable("time", "f8", ("time",))
                t.units = "days since 2000-01-01"
                t[:] = [0, 1]
                ds.createVariable("lat", "f4", ("lat",))[:] = lats
                ds.createVariable("lon", "f4", ("lon",))[:] = [0, 90, 180, 270]
                tas = ds.createVariable("tas", "f4", ("time", "lat", "lon"))
                tas[:] = np.arange(24, dtype=np.float32).reshape(2, 3, 4) + lats[0]
        store = self.path("bands.zarr")
        files = [self.path(n) for n in bands]
        run(["convert"] + files + ["-o", store, "--concat-dim", "lat", "-q"])
        ours = xarray.open_zarr(store).load()
        ref = xarray.open_mfdataset(files, combine="by_coords").load()
        self.assertEqual(list(ours.lat.values), [80, 70, 60, 50, 40, 30, 20, 10, 0])
        xarray.testing.assert_identical(ours, ref)

    def test_files_packed_each_with_its_own_scale_are_stored_unpacked(self):
        # As ERA5 downloads: every file packs t2m (int16) with its own
        # scale_factor and add_offset; tp is int16 scaled without an offset,
        # masked in one file only. open_mfdataset decodes each file by its
        # own packing; the store holds those decoded values.
        rng = np.random.default_rng(7)
        for k in range(3):
            with netCDF4.Dataset(self.path(f"era{k}.nc"), "w") as ds:
                ds.createDimension("time", None)
                ds.createDimension("lat", 5)
                t = ds.createVariable("time", "f8", ("time",))
                t.units = "hours since 2000-01-01"
                t[:] = np.arange(4) + 4 * k
                t2m = ds.createVariable("t2m", "i2", ("time", "lat"), fill_value=np.int16(-32767))
                t2m.missing_value = np.int16(-32767)
                t2m.scale_factor = 0.0017 + 0.0001 * k
                t2m.add_offset = 260.0 + k
                t2m.set_auto_maskandscale(False)
                raw = rng.integers(-30000, 30000, size=(4, 5), dtype="i2")
                raw[1, 2] = -32767
                t2m[:] = raw
                tp = ds.createVariable("tp", "i2", ("time", "lat"), fill_value=(np.int16(-1) if k == 1 else False))
                tp.scale_factor = 1e-4 * (k + 1)
                tp.set_auto_maskandscale(False)
                tp[:] = rng.integers(0, 3000, size=(4, 5), dtype="i2")
        store = self.path("era.zarr")
        result = run(["convert", self.path("era*.nc"), "-o", store])
        self.assertIn("'t2m' is packed or masked differently from file to file: stored unpacked as f4", result.stderr)
        self.assertIn("'tp' is packed or masked differently from file to file: stored unpacked as f4", result.stderr)
        self.assertMatchesXarray(store, decoded_only=True)

    def test_input_list_file_and_variable_selection(self):
        files = make_sample(self.path("in"), files=2, steps=4, lat=4, lon=6)
        with open(self.path("list.txt"), "w") as f:
            f.write("# inputs\n" + "\n".join(files) + "\n")
        store = self.path("out.zarr")
        run(["convert", "@" + self.path("list.txt"), "-o", store, "--variables", "pr"])
        names = sorted(d for d in os.listdir(store) if not d.startswith("."))
        # pr and what describes it: its dimensions' coordinates and their bounds.
        # Not height: it is tas's coordinate, not pr's.
        self.assertEqual(names, ["lat", "lat_bnds", "lon", "lon_bnds", "pr", "time", "time_bnds"])
        self.assertMatchesXarray(store)

    def test_concat_along_a_fixed_dimension_named_explicitly(self):
        # Two files holding different latitude bands, no unlimited dimension.
        for k in range(2):
            with netCDF4.Dataset(self.path(f"band{k}.nc"), "w") as ds:
                ds.createDimension("lat", 3)
                ds.createDimension("lon", 4)
                lat = ds.createVariable("lat", "f8", ("lat",))
                lat[:] = np.arange(3) + 3 * k
                v = ds.createVariable("z", "f4", ("lat", "lon"), fill_value=-999.0)
                v[:] = np.arange(12).reshape(3, 4) + 100 * k
        store = self.path("out.zarr")
        run(["convert", self.path("band0.nc"), self.path("band1.nc"), "-o", store])  # detected: lat differs
        self.assertMatchesXarray(store)
        self.assertEqual(load(store, ".nc2zarr", "plan.json")["concat_dim"], "lat")

    def test_groups_become_zarr_groups(self):
        path = self.path("groups.nc")
        with netCDF4.Dataset(path, "w") as ds:
            ds.title = "root"
            ds.createDimension("time", 5)
            g = ds.createGroup("data_01")
            g.setncattr("where", "inner")
            t = g.createVariable("time", "f8", ("time",))
            t.units = "seconds since 2000-01-01"
            t[:] = np.arange(5)
            ku = g.createGroup("ku")
            r = ku.createVariable("range", "i4", ("time",), fill_value=2147483647)
            r.scale_factor = 1e-4
            r[:] = np.arange(5) * 1000
            names = ku.createVariable("label", str, ("time",))
            names[:] = np.array(["a", "bb", "", "dddd", "\u00e9"], dtype=object)
        store = self.path("out.zarr")
        run(["convert", path, "-o", store, "--chunks", "time=2"])
        self.assertTrue(os.path.exists(os.path.join(store, "data_01", "ku", "range", "0")))
        self.assertMatchesXarray(store)

    def test_more_ranks_than_chunks(self):
        make_sample(self.path("in"), files=2, steps=3, lat=4, lon=4)
        store = self.path("out.zarr")
        run(["convert", self.path("in", "*.nc"), "-o", store], ranks=3)
        self.assertMatchesXarray(store)

    def test_plan_prints_the_dataset_and_writes_nothing(self):
        make_sample(self.path("in"), files=3, steps=10, lat=10, lon=20)
        result = run(["plan", self.path("in", "*.nc"), "--chunks", "time=24"])
        self.assertIn("3 input file(s) concatenated along 'time' (30 steps)", result.stdout)
        self.assertRegex(result.stdout, r"tas\s+f4\s+\(30, 10, 20\)\s+\(24, 10, 20\)\s+0\.02\s+2\s+0\.02")
        self.assertIn("Objects:", result.stdout)
        self.assertEqual(sorted(os.listdir(self.path("in"))), sorted(os.listdir(self.path("in"))))
        plan = json.loads(run(["plan", self.path("in", "*.nc"), "--json"]).stdout)
        self.assertEqual(plan["concat_dim"], "time")
        self.assertEqual(len(os.listdir(self.tmp)), 1)  # only in/

    def test_plan_lists_the_first_and_last_files_of_many_and_every_file_with_v(self):
        files = make_sample(self.path("in"), files=25, steps=1, lat=2, lon=2)
        listed = lambda out: [line.split()[0] for line in out.split("Files, in concat order:\n")[1].splitlines()
                              if line.startswith("  /")]
        short = run(["plan", self.path("in", "*.nc")]).stdout
        self.assertEqual(listed(short), files[:10] + files[-10:])
        self.assertIn("  ... 5 more (-v lists every file)\n", short)
        self.assertEqual(listed(run(["plan", self.path("in", "*.nc"), "-v"]).stdout), files)

    def test_overwrite_replaces_a_store(self):
        make_sample(self.path("in"), files=2, steps=4, lat=4, lon=4)
        store = self.path("out.zarr")
        run(["convert", self.path("in", "*.nc"), "-o", store, "--chunks", "time=1"])
        self.assertTrue(os.path.exists(os.path.join(store, "tas", "7.0.0")))
        run(["convert", self.path("in", "*.nc"), "-o", store, "--chunks", "time=4", "--overwrite"])
        self.assertFalse(os.path.exists(os.path.join(store, "tas", "7.0.0")))
        self.assertMatchesXarray(store)
        # Arrays the new job lacks leave no empty directory behind.
        before = {d for d in os.listdir(store) if not d.startswith(".")}
        run(["convert", self.path("in", "*.nc"), "-o", store, "--variables", "tas", "--overwrite", "-q"])
        arrays = {key.split("/")[0] for key in load(store, ".zmetadata")["metadata"] if key.endswith("/.zarray")}
        self.assertLess(arrays, before)
        self.assertEqual({d for d in os.listdir(store) if not d.startswith(".")}, arrays)

    def test_a_store_another_job_is_writing_is_refused(self):
        # What a running job holds (an flock on the store directory): a
        # second job, an --overwrite or an rm must not go under it.
        make_sample(self.path("in"), files=2, steps=4, lat=4, lon=4)
        store = self.path("busy.zarr")
        run(["convert", self.path("in", "*.nc"), "-o", store, "-q"])
        held = os.open(store, os.O_RDONLY | os.O_DIRECTORY)
        self.addCleanup(os.close, held)
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        for args in (["convert", self.path("in", "*.nc"), "-o", store, "--chunks", "time=1", "--overwrite"],
                     ["rm", store, "--yes"]):
            with self.subTest(command=args[0]):
                result = run(args, check=False)
                self.assertEqual(result.returncode, 1, result.stderr)
                self.assertIn(f"another nc2zarr job is writing to {store}", result.stderr)
        self.assertIn("complete", run(["status", store]).stdout)  # untouched, and status still answers
        self.assertMatchesXarray(store)
        fcntl.flock(held, fcntl.LOCK_UN)
        run(["convert", self.path("in", "*.nc"), "-o", store, "--chunks", "time=1", "--overwrite", "-q"])

    def test_commands_other_than_convert_act_once_under_mpirun(self):
        # In an allocation, `mpirun nc2zarr status` or `srun nc2zarr rm`
        # starts several ranks: the first answers, the others leave it.
        make_sample(self.path("in"), files=2, steps=4, lat=4, lon=4)
        store = self.path("once.zarr")
        run(["convert", self.path("in", "*.nc"), "-o", store, "-q"], ranks=2)
        status = run(["status", store], ranks=2)
        self.assertEqual(status.stdout.count(f"{store}: complete"), 1, status.stdout)
        plan = run(["plan", self.path("in", "*.nc")], ranks=2)
        self.assertEqual(plan.stdout.count("2 input file(s)"), 1, plan.stdout)
        removed = run(["rm", store, "--yes"], ranks=2)
        self.assertEqual(removed.stdout.count("deleted"), 1, removed.stdout)
        self.assertNoStore(store)

    def test_memory_does_not_grow_with_the_number_of_files(self):
        # Same chunks (about 2 MB each), 4x the files: peak RSS stays put. Both
        # runs have enough chunks (8 and 32 a variable) for as many to be in
        # flight as the pipeline allows; with 4, the smaller run never got
        # there and the bigger one looked 1.3x bigger under load.
        peaks = {}
        for files in (8, 32):
            make_sample(self.path(f"in{files}"), files=files, steps=8, lat=180, lon=360, deflate=1)
            peaks[files] = peak_rss_kib(["convert", self.path(f"in{files}", "*.nc"), "-o", self.path(f"o{files}.zarr"),
                                         "--chunks", "time=8", "-q"])
        self.assertLess(peaks[32], peaks[8] * 1.25 + 4096, peaks)
        self.assertLess(peaks[32], 200 * 1024, peaks)


if __name__ == "__main__":
    unittest.main()
