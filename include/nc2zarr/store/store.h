// Where the Zarr store's objects go: a local directory or a bucket. Keys are
// Zarr keys ("tas/0.1.2", ".zmetadata", ".nc2zarr/plan.json").
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "nc2zarr/base/status.h"

namespace nc2zarr {

struct ObjectInfo {
  std::string key;
  std::uint64_t size = 0;
  std::optional<std::uint32_t> crc32c;  // when the store keeps one
};

struct WriteOptions {
  std::optional<std::uint32_t> crc32c;  // of the data, when the caller has it
  // Write once: when the key exists already with the same bytes (same
  // CRC32C and size) the write succeeds without replacing it; with other
  // bytes it fails with kAlreadyExists. Repeating a write is then safe.
  bool only_if_absent = false;
  // Resumable uploads (remote stores): a session an interrupted run left,
  // to continue; and a callback told of each new session, to journal it.
  std::string resume_session;
  std::function<void(const std::string& session_url)> on_session;
};

// Write once: what nc2zarr uses for every object of a store.
inline WriteOptions WriteOnce() {
  WriteOptions o;
  o.only_if_absent = true;
  return o;
}

// The bytes of a text, for Store::Write.
inline std::span<const std::byte> TextBytes(const std::string& text) {
  return std::as_bytes(std::span(text.data(), text.size()));
}

class Store {
 public:
  virtual ~Store() = default;

  // Writes data under key; a reader sees the old object or the whole new
  // one, never a part.
  virtual Status Write(const std::string& key, std::span<const std::byte> data, const WriteOptions& options = {}) = 0;
  virtual Result<std::vector<std::byte>> Read(const std::string& key) = 0;
  // kNotFound when absent.
  virtual Result<ObjectInfo> Stat(const std::string& key) = 0;
  // Whether key is there; a failure to ask is an error, never "absent"
  // (a committed store taken for an unfinished one would be written again).
  Result<bool> Exists(const std::string& key) {
    auto info = Stat(key);
    if (info.ok()) return true;
    if (info.status().code() == ErrorCode::kNotFound) return false;
    return info.status();
  }
  // Objects whose key starts with prefix, in key order; at most limit of
  // them unless limit is 0.
  virtual Result<std::vector<ObjectInfo>> List(const std::string& prefix, std::size_t limit = 0) = 0;
  // Deleting a missing key is not an error.
  virtual Status Delete(const std::string& key) = 0;

  // Keeps other nc2zarr jobs from writing this store while this object
  // lives: a second job started into it is refused instead of redoing the
  // first one's work or, with --overwrite, deleting it under it. A local
  // directory is locked (flock, where the file system has locks) once it
  // exists: call again after creating it. A bucket has no locks.
  virtual Status ClaimForWriting() { return Status::Ok(); }

  // Removes what writers killed part-way left behind (a local store's
  // temporary files); only called when no writer of this store is running.
  virtual Status RemoveLeftovers() { return Status::Ok(); }

  // Removes the directories that deleting objects left empty, and with
  // and_root the store's own last, so `rm` leaves nothing behind. Best
  // effort: a directory still holding a file nc2zarr did not write stays,
  // and so does a root that is a mount point or a symbolic link. A bucket
  // has no directories.
  virtual void RemoveEmptyDirectories(bool and_root) { (void)and_root; }

  // Makes every object written so far survive a crash of the machine, not
  // only of the program: called before the commit object is written, so a
  // store that opens as complete never loses a chunk to a node failure. A
  // bucket's objects are durable once acknowledged; a local store syncs
  // its directories (each object's data is synced as it is written).
  virtual Status Sync() { return Status::Ok(); }

  // "/path/to/run.zarr" or "gs://bucket/prefix": for messages.
  virtual std::string Describe() const = 0;
  // Requests that had to be repeated so far (remote stores).
  virtual std::uint64_t retried_requests() const { return 0; }
};

}  // namespace nc2zarr
