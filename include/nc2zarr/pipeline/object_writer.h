// Writes objects on background threads so that reading and compressing the
// next chunk overlaps with uploading the last ones. At most `threads`
// writes run and `queued` (at least 1) more wait, and the bytes they hold (with the
// buffers kept for reuse) stay within `max_bytes`, so memory stays bounded
// however slow the destination is; Submit blocks when that is full. One
// object is always let through, whatever its size.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "nc2zarr/base/byte_buffer.h"
#include "nc2zarr/journal/journal.h"
#include "nc2zarr/store/store.h"

namespace nc2zarr {

class ObjectWriter {
 public:
  // Every stored object (and every new upload session) is recorded in the
  // journal; sessions holds those an interrupted run left, by key.
  ObjectWriter(Store& store, int threads, int queued, std::size_t max_bytes, JournalWriter* journal = nullptr,
               const std::map<std::string, std::string>* sessions = nullptr);
  ~ObjectWriter();
  ObjectWriter(const ObjectWriter&) = delete;
  ObjectWriter& operator=(const ObjectWriter&) = delete;

  // A buffer for the next object: one a finished write gave back, so the
  // same pages are reused instead of faulted in afresh for every chunk.
  ByteBuffer TakeBuffer();
  // Queues a write-once of data under key; returns the first failure of an
  // earlier write, if any (then nothing more is queued).
  Status Submit(std::string key, ByteBuffer data, std::uint32_t crc32c);
  // Waits for every queued write; the first failure, if any.
  Status Finish();
  // Objects, and their bytes, stored so far.
  std::uint64_t objects_written() const;
  std::uint64_t bytes_written() const;
  // The most bytes of objects queued or being written at any one time.
  std::size_t peak_bytes_held() const;

 private:
  struct Job {
    std::string key;
    ByteBuffer data;
    std::uint32_t crc32c;
  };
  void Work();

  Store& store_;
  JournalWriter* journal_;
  const std::map<std::string, std::string>* sessions_;
  std::size_t capacity_;
  std::size_t max_bytes_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Job> jobs_;
  std::vector<ByteBuffer> spare_;  // buffers of finished writes
  std::size_t held_bytes_ = 0;     // of objects queued or being written
  std::size_t spare_bytes_ = 0;    // of the spare buffers (their last size: the pages they touched)
  std::size_t peak_bytes_held_ = 0;
  bool closing_ = false;
  Status first_error_;
  std::uint64_t objects_written_ = 0;
  std::uint64_t bytes_written_ = 0;
  std::vector<std::thread> threads_;
};

}  // namespace nc2zarr
