#include "nc2zarr/pipeline/dataset_metadata.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace nc2zarr {
namespace {

TEST(DatasetMetadata, NoGroupOpensBeforeEverythingInsideItIsWritten) {
  Plan plan;
  plan.groups = {{"", {}}, {"a", {}}, {"a/b", {}}};
  for (const char* group : {"", "a", "a/b"}) {
    PlannedVariable v;
    v.group = group;
    v.name = "x";
    v.dims = {"n"};
    v.shape = {4};
    v.chunks = {4};
    plan.variables.push_back(v);
  }
  std::vector<std::string> keys;
  for (const auto& o : DatasetMetadata(plan)) keys.push_back(o.key);
  ASSERT_EQ(keys.back(), ".zmetadata");
  EXPECT_EQ(keys[keys.size() - 2], ".zgroup");
  auto at = [&](const std::string& key) {
    auto it = std::find(keys.begin(), keys.end(), key);
    EXPECT_NE(it, keys.end()) << key;
    return it - keys.begin();
  };
  // Each .zgroup after every object under its prefix.
  for (const char* group : {"a/b/", "a/", ""}) {
    const auto zgroup = at(std::string(group) + ".zgroup");
    for (std::size_t i = 0; i + 1 < keys.size(); ++i) {
      if (keys[i].rfind(group, 0) == 0 && keys[i] != std::string(group) + ".zgroup") {
        EXPECT_LT(static_cast<std::ptrdiff_t>(i), zgroup) << keys[i] << " after " << group << ".zgroup";
      }
    }
  }
}

}  // namespace
}  // namespace nc2zarr
