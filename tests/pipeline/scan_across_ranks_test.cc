#include "nc2zarr/pipeline/scan_across_ranks.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>

#include "nc2zarr/plan/plan_json.h"

namespace nc2zarr {
namespace {

std::vector<std::string> RealFiles() {
  std::vector<std::string> paths;
  const std::filesystem::path real = NC2ZARR_REAL_DATA;
  if (!std::filesystem::is_directory(real)) return paths;
  for (const auto& e : std::filesystem::recursive_directory_iterator(real)) {
    if (e.is_regular_file() && (e.path().extension() == ".nc")) paths.push_back(e.path().string());
  }
  std::sort(paths.begin(), paths.end());
  return paths;
}

// What the scan of every real file says travels between ranks unchanged:
// the plan made from the scan that crossed equals the plan from the
// original, and the text is stable.
TEST(ScannedFileJson, RealFilesCrossUnchanged) {
  const auto paths = RealFiles();
  if (paths.empty()) GTEST_SKIP() << "no real data at " << NC2ZARR_REAL_DATA;
  std::size_t planned = 0;
  for (const auto& path : paths) {
    auto scanned = ScanFile(path);
    if (!scanned.ok()) continue;  // the bad-input tests cover files nc2zarr refuses
    const std::string text = ScannedFileToJson(*scanned);
    auto crossed = ScannedFileFromJson(text);
    ASSERT_TRUE(crossed.ok()) << path << ": " << crossed.status().message();
    EXPECT_EQ(ScannedFileToJson(*crossed), text) << path;
    auto direct = PlanFromScans({*scanned}, PlanRequest{});
    auto via_json = PlanFromScans({*crossed}, PlanRequest{});
    ASSERT_EQ(direct.ok(), via_json.ok()) << path;
    if (!direct.ok()) continue;
    EXPECT_EQ(PlanToJson(*direct), PlanToJson(*via_json)) << path;
    ++planned;
  }
  EXPECT_GE(planned, 10u);
}

TEST(ScannedFileJson, CoordinatesKeepEveryBitIncludingNaN) {
  ScannedFile file;
  file.scan.schema.path = "/data/a.nc";
  const double nan_with_payload = [] {
    std::uint64_t bits = 0x7ff8000000000123ull;
    double d;
    std::memcpy(&d, &bits, sizeof d);
    return d;
  }();
  file.scan.coordinates["time"] = {0.1, -0.0, nan_with_payload, std::numeric_limits<double>::infinity()};
  file.fingerprints["lat"] = 0xfedcba9876543210ull;
  auto crossed = ScannedFileFromJson(ScannedFileToJson(file));
  ASSERT_TRUE(crossed.ok()) << crossed.status().message();
  const auto& values = crossed->scan.coordinates.at("time");
  ASSERT_EQ(values.size(), 4u);
  EXPECT_EQ(std::memcmp(values.data(), file.scan.coordinates["time"].data(), 4 * sizeof(double)), 0);
  EXPECT_EQ(crossed->fingerprints.at("lat"), 0xfedcba9876543210ull);
}

TEST(ScannedFileJson, MalformedTextIsAnError) {
  EXPECT_FALSE(ScannedFileFromJson("not json").ok());
  EXPECT_FALSE(ScannedFileFromJson("{\"path\": 1}").ok());
}

// One rank: the shares still cross as text; the first failing file in
// input order is the one reported.
TEST(ScanAcrossRanks, OneRankScansInOrderAndReportsTheFirstFailure) {
  const auto paths = RealFiles();
  if (paths.size() < 2) GTEST_SKIP() << "no real data at " << NC2ZARR_REAL_DATA;
  auto comm = MakeSerialComm();
  const std::string series = std::string(NC2ZARR_REAL_DATA) + "/ersstv5_sst_split";
  std::vector<std::string> files;
  for (const auto& p : paths) {
    if (p.rfind(series, 0) == 0) files.push_back(p);
  }
  ASSERT_GE(files.size(), 2u);
  auto scans = ScanAcrossRanks(files, *comm);
  ASSERT_TRUE(scans.ok()) << scans.status().message();
  ASSERT_EQ(scans->size(), files.size());
  for (std::size_t i = 0; i < files.size(); ++i) EXPECT_EQ((*scans)[i].scan.schema.path, files[i]);
  // The grid is kept once for all files; each file's times are its own.
  const auto& first = (*scans)[0].scan.coordinates;
  const auto& last = scans->back().scan.coordinates;
  ASSERT_TRUE(first.count("lat") && first.count("lon") && first.count("time"));
  EXPECT_TRUE(last.at("lat").SharesWith(first.at("lat")));
  EXPECT_TRUE(last.at("lon").SharesWith(first.at("lon")));
  EXPECT_FALSE(last.at("time").SharesWith(first.at("time")));
  // So are the variables' attributes, where they are the same.
  const FileSchema& a = (*scans)[0].scan.schema;
  const FileSchema& b = scans->back().scan.schema;
  EXPECT_TRUE(b.FindVariable("sst")->attributes.SharesWith(a.FindVariable("sst")->attributes));
  EXPECT_FALSE(b.FindVariable("sst")->attributes.SharesWith(a.FindVariable("lat")->attributes));
  // And whole lists of variables, where every variable is alike: 2011 has
  // 2010's 12 months; 2020 has 8, so its variables are its own.
  EXPECT_TRUE((*scans)[1].scan.schema.variables.SharesWith(a.variables));
  EXPECT_FALSE(b.variables.SharesWith((*scans)[scans->size() - 2].scan.schema.variables));
  EXPECT_EQ(b.FindVariable("sst")->shape.front(), 8u);

  std::vector<std::string> with_missing = {files[0], "/nonexistent/first.nc", "/nonexistent/second.nc"};
  auto failed = ScanAcrossRanks(with_missing, *comm);
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.status().message().find("first.nc"), std::string::npos) << failed.status().message();
}

}  // namespace
}  // namespace nc2zarr
