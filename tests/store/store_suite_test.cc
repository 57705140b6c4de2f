#include "store/store_suite.h"

#include <string>

namespace nc2zarr {
namespace {

std::span<const std::byte> Bytes(const std::string& s) { return std::as_bytes(std::span(s.data(), s.size())); }
std::string Text(const std::vector<std::byte>& b) { return std::string(reinterpret_cast<const char*>(b.data()), b.size()); }

TEST_P(StoreSuite, WritesReadsAndReplaces) {
  ASSERT_TRUE(store_->Write("tas/0.0.0", Bytes("first")).ok());
  EXPECT_EQ(Text(*store_->Read("tas/0.0.0")), "first");
  ASSERT_TRUE(store_->Write("tas/0.0.0", Bytes("second, longer")).ok());
  EXPECT_EQ(Text(*store_->Read("tas/0.0.0")), "second, longer");
  auto info = store_->Stat("tas/0.0.0");
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->size, 14u);
}

TEST_P(StoreSuite, EmptyObjectsAndDeepKeys) {
  ASSERT_TRUE(store_->Write("a/b/c/.zattrs", Bytes("")).ok());
  EXPECT_EQ(store_->Read("a/b/c/.zattrs")->size(), 0u);
}

TEST_P(StoreSuite, MissingKeysAreNotFound) {
  EXPECT_EQ(store_->Read("nope").status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(store_->Stat("nope").status().code(), ErrorCode::kNotFound);
  EXPECT_TRUE(store_->Delete("nope").ok());
}

TEST_P(StoreSuite, WriteOnceAcceptsTheSameBytesAndRefusesOthers) {
  WriteOptions once;
  once.only_if_absent = true;
  ASSERT_TRUE(store_->Write(".zmetadata", Bytes("v1"), once).ok());
  EXPECT_TRUE(store_->Write(".zmetadata", Bytes("v1"), once).ok());  // a repeated write
  EXPECT_EQ(store_->Write(".zmetadata", Bytes("v2"), once).code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(Text(*store_->Read(".zmetadata")), "v1");
}

TEST_P(StoreSuite, ListsByPrefixInKeyOrder) {
  for (const char* key : {"tas/1.0", "tas/0.0", "time/0", ".zgroup", "tas/.zarray", "pr/0.0"}) {
    ASSERT_TRUE(store_->Write(key, Bytes(key)).ok());
  }
  auto tas = store_->List("tas/");
  ASSERT_TRUE(tas.ok());
  std::vector<std::string> keys;
  for (const auto& o : *tas) keys.push_back(o.key);
  EXPECT_EQ(keys, (std::vector<std::string>{"tas/.zarray", "tas/0.0", "tas/1.0"}));
  EXPECT_EQ(store_->List("")->size(), 6u);
  EXPECT_EQ(store_->List("", 2)->size(), 2u);
  EXPECT_EQ(store_->List("t")->size(), 4u);
  EXPECT_TRUE(store_->List("zzz/")->empty());
}

TEST_P(StoreSuite, DeletesObjects) {
  ASSERT_TRUE(store_->Write("x/0", Bytes("1")).ok());
  ASSERT_TRUE(store_->Delete("x/0").ok());
  EXPECT_EQ(store_->Read("x/0").status().code(), ErrorCode::kNotFound);
  EXPECT_TRUE(store_->List("x/")->empty());
}

TEST_P(StoreSuite, KeepsBinaryBytesExactly) {
  std::string binary;
  for (int i = 0; i < 70000; ++i) binary += static_cast<char>((i * 7) & 0xFF);
  ASSERT_TRUE(store_->Write("bin/0", Bytes(binary)).ok());
  EXPECT_EQ(Text(*store_->Read("bin/0")), binary);
}

}  // namespace
}  // namespace nc2zarr
