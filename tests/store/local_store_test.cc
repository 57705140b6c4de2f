#include "nc2zarr/store/local_store.h"

#include <unistd.h>

#include <filesystem>

#include "store/store_suite.h"

namespace nc2zarr {
namespace {

std::string FreshDirectory() {
  static int counter = 0;
  auto dir = std::filesystem::temp_directory_path() /
             ("local_store_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
  std::filesystem::remove_all(dir);
  return dir.string();
}

INSTANTIATE_TEST_SUITE_P(Local, StoreSuite,
                         ::testing::Values(StoreFactory{"local", [] { return std::make_unique<LocalStore>(FreshDirectory()); }}),
                         [](const auto& info) { return info.param.name; });

TEST(LocalStore, LeavesNoTemporaryFilesAndRefusesUnsafeKeys) {
  std::string dir = FreshDirectory();
  LocalStore store(dir);
  std::string data = "abc";
  ASSERT_TRUE(store.Write("v/0", std::as_bytes(std::span(data.data(), data.size()))).ok());
  std::size_t files = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) files += e.is_regular_file();
  EXPECT_EQ(files, 1u);
  EXPECT_EQ(store.Write("../escape", {}).code(), ErrorCode::kInternal);
  EXPECT_EQ(store.Write("/abs", {}).code(), ErrorCode::kInternal);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace nc2zarr
