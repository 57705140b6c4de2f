#include "nc2zarr/pipeline/object_writer.h"

#include <algorithm>

namespace nc2zarr {

ObjectWriter::ObjectWriter(Store& store, int threads, int queued, std::size_t max_bytes, JournalWriter* journal,
                           const std::map<std::string, std::string>* sessions)
    : store_(store),
      journal_(journal),
      sessions_(sessions),
      capacity_(static_cast<std::size_t>(std::max(1, queued))),
      max_bytes_(max_bytes) {
  for (int i = 0; i < std::max(1, threads); ++i) threads_.emplace_back([this] { Work(); });
}

ObjectWriter::~ObjectWriter() { (void)Finish(); }

ByteBuffer ObjectWriter::TakeBuffer() {
  std::lock_guard lock(mutex_);
  if (spare_.empty()) return ByteBuffer();
  ByteBuffer b = std::move(spare_.back());
  spare_.pop_back();
  spare_bytes_ -= b.size();
  return b;
}

Status ObjectWriter::Submit(std::string key, ByteBuffer data, std::uint32_t crc32c) {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] {
    return !first_error_.ok() ||
           (jobs_.size() < capacity_ && (held_bytes_ == 0 || held_bytes_ + data.size() <= max_bytes_));
  });
  if (!first_error_.ok()) return first_error_;
  held_bytes_ += data.size();
  peak_bytes_held_ = std::max(peak_bytes_held_, held_bytes_);
  jobs_.push_back(Job{std::move(key), std::move(data), crc32c});
  changed_.notify_all();
  return Status::Ok();
}

Status ObjectWriter::Finish() {
  {
    std::unique_lock lock(mutex_);
    closing_ = true;
    changed_.notify_all();
  }
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  std::lock_guard lock(mutex_);
  return first_error_;
}

std::uint64_t ObjectWriter::objects_written() const {
  std::lock_guard lock(mutex_);
  return objects_written_;
}

std::uint64_t ObjectWriter::bytes_written() const {
  std::lock_guard lock(mutex_);
  return bytes_written_;
}

std::size_t ObjectWriter::peak_bytes_held() const {
  std::lock_guard lock(mutex_);
  return peak_bytes_held_;
}

void ObjectWriter::Work() {
  while (true) {
    Job job;
    {
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [&] { return !jobs_.empty() || closing_; });
      if (jobs_.empty()) return;  // closing, nothing left
      job = std::move(jobs_.front());
      jobs_.pop_front();
      changed_.notify_all();
      if (!first_error_.ok()) {  // drain without writing after a failure
        held_bytes_ -= job.data.size();
        continue;
      }
    }
    WriteOptions options;
    options.crc32c = job.crc32c;
    options.only_if_absent = true;
    Status journaled;
    if (sessions_ != nullptr) {
      if (auto it = sessions_->find(job.key); it != sessions_->end()) options.resume_session = it->second;
    }
    if (journal_ != nullptr) {
      options.on_session = [&](const std::string& url) {
        Status st = journal_->RecordSession(job.key, url);
        if (!st.ok()) journaled = st;
      };
    }
    Status st = store_.Write(job.key, job.data, options);
    if (st.ok()) st = journaled;
    if (st.ok() && journal_ != nullptr) {
      st = journal_->RecordStored(job.key, StoredObject{job.data.size(), job.crc32c});
    }
    std::lock_guard lock(mutex_);
    if (st.ok()) {
      ++objects_written_;
      bytes_written_ += job.data.size();
    } else if (first_error_.ok()) {
      first_error_ = st;
    }
    held_bytes_ -= job.data.size();
    // Keep as many buffers as can be in use at once, and only while they fit
    // the budget beside the objects still held.
    if (spare_.size() < threads_.size() + 2 && held_bytes_ + spare_bytes_ + job.data.size() <= max_bytes_) {
      spare_bytes_ += job.data.size();
      spare_.push_back(std::move(job.data));
    }
    changed_.notify_all();
  }
}

}  // namespace nc2zarr
