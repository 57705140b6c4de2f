#include "nc2zarr/store/local_store.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "nc2zarr/base/byte_buffer.h"
#include "store/store_suite.h"

namespace nc2zarr {
namespace {

std::vector<std::string>& MadeDirectories() {
  static std::vector<std::string> made;
  return made;
}

// The suite's stores outlive their tests, so their directories go when the
// test program ends rather than pile up in /tmp.
class RemoveMadeDirectories : public ::testing::Environment {
 public:
  void TearDown() override {
    for (const auto& dir : MadeDirectories()) std::filesystem::remove_all(dir);
  }
};
[[maybe_unused]] const auto* const kRemoveMadeDirectories =
    ::testing::AddGlobalTestEnvironment(new RemoveMadeDirectories);

std::string FreshDirectory() {
  static int counter = 0;
  auto dir = std::filesystem::temp_directory_path() /
             ("local_store_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
  std::filesystem::remove_all(dir);
  MadeDirectories().push_back(dir.string());
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

TEST(LocalStore, RemoveLeftoversDeletesWhatAKilledWriterLeftAndNothingElse) {
  std::string dir = FreshDirectory();
  LocalStore store(dir);
  std::string data = "abc";
  ASSERT_TRUE(store.Write("tas/0.0", std::as_bytes(std::span(data.data(), data.size()))).ok());
  ASSERT_TRUE(store.Write(".zattrs", std::as_bytes(std::span(data.data(), data.size()))).ok());
  // What a writer killed between creating and linking its file leaves.
  for (const char* leftover : {"tas/.0.1.tmp.4242.7", ".zgroup.tmp.4242.8"}) {
    std::FILE* f = std::fopen((dir + "/" + leftover).c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs("partial", f);
    std::fclose(f);
  }
  ASSERT_TRUE(store.RemoveLeftovers().ok());
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) files.push_back(e.path().lexically_relative(dir).string());
  }
  std::sort(files.begin(), files.end());
  EXPECT_EQ(files, (std::vector<std::string>{".zattrs", "tas/0.0"}));
  std::filesystem::remove_all(dir);
}

TEST(LocalStore, RemoveEmptyDirectoriesTakesTheStoreAwayOnceItsObjectsAreDeleted) {
  std::string dir = FreshDirectory();
  LocalStore store(dir);
  std::string data = "abc";
  for (const char* key : {"group/tas/0.0", "group/.zgroup", "lat/0", ".zgroup"}) {
    ASSERT_TRUE(store.Write(key, std::as_bytes(std::span(data.data(), data.size()))).ok());
  }
  for (const char* key : {"group/tas/0.0", "group/.zgroup", "lat/0"}) ASSERT_TRUE(store.Delete(key).ok());
  // A directory holding a file stays, and so do the ones above it.
  store.RemoveEmptyDirectories(true);
  EXPECT_TRUE(std::filesystem::exists(dir + "/.zgroup"));
  EXPECT_FALSE(std::filesystem::exists(dir + "/group"));
  EXPECT_FALSE(std::filesystem::exists(dir + "/lat"));
  ASSERT_TRUE(store.Delete(".zgroup").ok());
  store.RemoveEmptyDirectories(false);
  EXPECT_TRUE(std::filesystem::is_directory(dir));
  store.RemoveEmptyDirectories(true);
  EXPECT_FALSE(std::filesystem::exists(dir));
  // The same store object writes again afterwards.
  ASSERT_TRUE(store.Write("lat/0", std::as_bytes(std::span(data.data(), data.size()))).ok());
  EXPECT_TRUE(std::filesystem::exists(dir + "/lat/0"));
  std::filesystem::remove_all(dir);
}

TEST(LocalStore, RemoveEmptyDirectoriesLeavesARootThatIsASymbolicLink) {
  std::string target = FreshDirectory(), link = FreshDirectory();
  std::filesystem::create_directories(target);
  std::filesystem::create_directory_symlink(target, link);
  LocalStore store(link);
  std::string data = "abc";
  ASSERT_TRUE(store.Write("tas/0.0", std::as_bytes(std::span(data.data(), data.size()))).ok());
  ASSERT_TRUE(store.Delete("tas/0.0").ok());
  store.RemoveEmptyDirectories(true);
  EXPECT_TRUE(std::filesystem::is_symlink(link));
  EXPECT_TRUE(std::filesystem::is_directory(target));
  EXPECT_FALSE(std::filesystem::exists(target + "/tas"));
  std::filesystem::remove(link);
}

TEST(LocalStore, SyncCoversNestedDirectoriesAndNamesAStoreThatIsGone) {
  std::string dir = FreshDirectory();
  LocalStore store(dir);
  std::string data = "abc";
  ASSERT_TRUE(store.Write("group/tas/0.0", std::as_bytes(std::span(data.data(), data.size())), WriteOnce()).ok());
  EXPECT_TRUE(store.Sync().ok());
  std::filesystem::remove_all(dir);
  Status gone = store.Sync();
  EXPECT_EQ(gone.code(), ErrorCode::kIo);
  EXPECT_NE(gone.message().find(dir), std::string::npos) << gone.message();
}

// Big objects from page-aligned buffers take the O_DIRECT path; the tail
// after the last whole page, and file systems that refuse O_DIRECT (tmpfs),
// the ordinary one. Every way, the bytes read back equal.
TEST(LocalStore, BigAlignedObjectsRoundTripOnDiskAndOnTmpfs) {
  for (const std::string& base : {std::filesystem::temp_directory_path().string(), std::string("/dev/shm")}) {
    if (!std::filesystem::is_directory(base)) continue;
    std::string dir = base + "/local_store_direct_" + std::to_string(::getpid());
    LocalStore store(dir);
    for (std::size_t size : {std::size_t{3} << 20, (std::size_t{3} << 20) + 123, std::size_t{1} << 20}) {
      ByteBuffer data(size);
      for (std::size_t i = 0; i < size; ++i) data[i] = static_cast<std::byte>((i * 31 + size) & 0xFF);
      const std::string key = "v/" + std::to_string(size);
      ASSERT_TRUE(store.Write(key, data).ok()) << base << " " << size;
      auto back = store.Read(key);
      ASSERT_TRUE(back.ok());
      EXPECT_TRUE(std::equal(back->begin(), back->end(), data.begin(), data.end())) << base << " " << size;
      EXPECT_EQ(back->size(), size);
    }
    std::filesystem::remove_all(dir);
  }
}

}  // namespace
}  // namespace nc2zarr
