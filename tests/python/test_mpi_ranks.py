"""The same conversion on 1, 2 and 3 ranks writes the same bytes, object by
object (chunks spanning files, edge chunks, every dtype of the sample)."""
import os
import unittest

from harness import REAL, StoreTestCase, make_sample, run


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

    def test_five_ranks_for_three_chunks(self):
        make_sample(self.path("in"), files=1, steps=3, lat=4, lon=4)
        store = self.convert_with(5, self.path("in", "*.nc"), ["--chunks", "time=1"])
        self.assertMatchesXarray(store)


if __name__ == "__main__":
    unittest.main()
