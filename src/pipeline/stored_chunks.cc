#include "nc2zarr/pipeline/stored_chunks.h"

#include <algorithm>
#include <cstring>
#include <functional>
#include <map>
#include <mutex>

#include "nc2zarr/base/worker_pool.h"
#include "nc2zarr/codec/crc32c.h"
#include "nc2zarr/pipeline/dataset_metadata.h"
#include "nc2zarr/pipeline/destination.h"
#include "nc2zarr/zarr/keys.h"

namespace nc2zarr {
namespace {

// Reads each key on `threads` threads and hands its bytes to use (called
// concurrently, with the index of the thread: state of its own).
// With on_missing, an absent key is handed to it instead of failing the reads.
Status ReadEach(Store& store, const std::vector<std::string>& keys, int threads,
                const std::function<void(std::size_t worker, const std::string& key, std::vector<std::byte> bytes)>& use,
                const std::function<void(const std::string& key)>& on_missing = nullptr) {
  WorkerPool pool(static_cast<std::size_t>(std::max(1, threads)));
  for (const auto& key : keys) {
    const bool added = pool.Add([&, key](std::size_t worker) -> Status {
      auto bytes = store.Read(key);
      if (!bytes.ok() && bytes.status().code() == ErrorCode::kNotFound && on_missing) {
        on_missing(key);
        return Status::Ok();
      }
      if (!bytes.ok()) return bytes.status();
      use(worker, key, std::move(*bytes));
      return Status::Ok();
    });
    if (!added) break;
  }
  return pool.Finish();
}

}  // namespace

Result<Listing> ListByKey(Store& store) {
  ASSIGN_OR_RETURN(auto objects, store.List(""));
  Listing listing;
  for (auto& o : objects) listing.emplace(o.key, o);
  return listing;
}

ChunkState CheckChunk(const std::string& key, const Listing& listing, const JournalReplay& records) {
  auto listed = listing.find(key);
  if (listed == listing.end()) return ChunkState::kMissing;
  auto recorded = records.stored.find(key);
  if (recorded == records.stored.end()) return ChunkState::kUnrecorded;
  const ObjectInfo& o = listed->second;
  if (o.size != recorded->second.size || (o.crc32c && *o.crc32c != recorded->second.crc32c)) {
    return ChunkState::kDiffers;
  }
  return ChunkState::kStored;
}

std::vector<std::string> PlannedChunkKeys(const Plan& plan) {
  std::vector<std::string> keys;
  keys.reserve(plan.total_chunks());
  for (const auto& v : plan.variables) {
    for (std::size_t k = 0, n = v.chunk_count(); k < n; ++k) keys.push_back(ChunkKey(v.path(), ChunkAt(v, k).index));
  }
  return keys;
}

Result<JournalReplay> CommittedRecords(Store& store, const std::string& journal_dir,
                                       const std::string& plan_fingerprint) {
  JournalReplay records;
  auto mirror = store.Read(kJournalMirrorKey);
  if (mirror.ok()) {
    const std::string text(reinterpret_cast<const char*>(mirror->data()), mirror->size());
    records = ReplayJournalText(text, store.Describe() + "/" + kJournalMirrorKey, plan_fingerprint);
  } else if (mirror.status().code() != ErrorCode::kNotFound) {
    return mirror.status();
  }
  ASSIGN_OR_RETURN(JournalReplay journals, ReplayJournals(journal_dir, plan_fingerprint));
  for (auto& [key, object] : journals.stored) records.stored[key] = object;
  records.files += journals.files;
  return records;  // with the kept copy's notes only: other plans' journals in journal_dir are no damage
}

Result<std::vector<std::string>> ChunksReadingBackDifferently(Store& store, const std::vector<std::string>& keys,
                                                              const JournalReplay& records, int threads) {
  std::vector<std::string> recorded;
  for (const auto& key : keys) {
    if (records.stored.count(key)) recorded.push_back(key);
  }
  std::vector<std::string> differing;
  std::mutex mutex;
  RETURN_IF_ERROR(ReadEach(store, recorded, threads, [&](std::size_t, const std::string& key, std::vector<std::byte> bytes) {
    if (Crc32c(bytes) == records.stored.at(key).crc32c) return;
    std::lock_guard lock(mutex);
    differing.push_back(key);
  }));
  std::sort(differing.begin(), differing.end());
  return differing;
}

Result<std::vector<std::string>> RecordUnrecordedChunks(const Plan& plan, Store& store, JournalReplay& records,
                                                        int threads) {
  ASSIGN_OR_RETURN(Listing listing, ListByKey(store));
  // Each unrecorded chunk, and the bytes it decodes to (edge chunks are
  // full-size; 0: variable-length strings decode to no fixed size).
  std::vector<std::string> unrecorded;
  std::map<std::string, std::size_t> raw_bytes;
  for (const auto& v : plan.variables) {
    std::size_t raw = v.type == DataType::kString ? 0 : v.element_size();
    for (std::size_t n : v.chunks) raw *= n;
    for (std::size_t k = 0, n = v.chunk_count(); k < n; ++k) {
      std::string key = ChunkKey(v.path(), ChunkAt(v, k).index);
      if (CheckChunk(key, listing, records) != ChunkState::kUnrecorded) continue;
      raw_bytes[key] = raw;
      unrecorded.push_back(std::move(key));
    }
  }
  // What changed since the commit is not known: every such chunk must
  // still decode to a whole chunk (a cut or replaced one does not).
  std::vector<std::string> broken;
  std::mutex mutex;
  std::vector<std::unique_ptr<Compressor>> decoders;
  for (int i = 0; i < std::max(1, threads); ++i) decoders.push_back(MakeCompressor(plan.compressor));
  RETURN_IF_ERROR(ReadEach(store, unrecorded, threads,
                           [&](std::size_t worker, const std::string& key, std::vector<std::byte> bytes) {
    std::vector<std::byte> decoded;
    const std::size_t raw = raw_bytes.at(key);
    const bool whole = decoders[worker]->Decode(bytes, decoded).ok() && (raw == 0 || decoded.size() == raw);
    const std::uint32_t crc = Crc32c(bytes);
    std::lock_guard lock(mutex);
    if (whole) {
      records.stored[key] = StoredObject{bytes.size(), crc};
    } else {
      broken.push_back(key);
    }
  }));
  std::sort(broken.begin(), broken.end());
  return broken;
}

Result<std::vector<std::string>> MetadataDiffering(const Plan& plan, Store& store, int threads) {
  std::map<std::string, std::string> expected;
  std::vector<std::string> keys;
  for (auto& object : DatasetMetadata(plan)) {
    keys.push_back(object.key);
    expected.emplace(object.key, std::move(object.text));
  }
  std::mutex mutex;
  std::vector<std::string> differing;
  auto differs = [&](const std::string& key) {
    std::lock_guard lock(mutex);
    differing.push_back(key);
  };
  RETURN_IF_ERROR(ReadEach(
      store, keys, threads,
      [&](std::size_t, const std::string& key, std::vector<std::byte> bytes) {
        const std::string& want = expected.at(key);
        if (bytes.size() != want.size() || std::memcmp(bytes.data(), want.data(), want.size()) != 0) differs(key);
      },
      differs));
  std::sort(differing.begin(), differing.end());
  return differing;
}

}  // namespace nc2zarr
