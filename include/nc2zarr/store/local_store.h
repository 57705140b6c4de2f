// A Zarr store in a local (or shared cluster) directory. Objects are
// written to a temporary name, synced to the disk and renamed, so no reader
// sees a partial one and a journaled object survives a crash of the node.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "nc2zarr/store/store.h"

namespace nc2zarr {

class LocalStore final : public Store {
 public:
  explicit LocalStore(std::string root);
  ~LocalStore() override;
  LocalStore(const LocalStore&) = delete;
  LocalStore& operator=(const LocalStore&) = delete;

  Status Write(const std::string& key, std::span<const std::byte> data, const WriteOptions& options = {}) override;
  Result<std::vector<std::byte>> Read(const std::string& key) override;
  Result<ObjectInfo> Stat(const std::string& key) override;
  Result<std::vector<ObjectInfo>> List(const std::string& prefix, std::size_t limit = 0) override;
  Status Delete(const std::string& key) override;
  Status ClaimForWriting() override;
  Status RemoveLeftovers() override;
  void RemoveEmptyDirectories(bool and_root) override;
  Status Sync() override;
  std::string Describe() const override { return root_; }

 private:
  std::string PathOf(const std::string& key) const;
  Status EnsureDirectory(const std::string& dir);

  std::string root_;
  std::atomic<bool> direct_{true};  // O_DIRECT for big aligned objects, until refused
  std::mutex mutex_;
  std::set<std::string> made_dirs_;  // directories known to exist
  int claim_fd_ = -1;                // the root directory, flock'ed by ClaimForWriting
};

}  // namespace nc2zarr
