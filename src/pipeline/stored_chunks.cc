#include "nc2zarr/pipeline/stored_chunks.h"

#include <algorithm>
#include <mutex>

#include "nc2zarr/base/worker_pool.h"
#include "nc2zarr/codec/crc32c.h"
#include "nc2zarr/pipeline/destination.h"
#include "nc2zarr/zarr/keys.h"

namespace nc2zarr {

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

Result<std::map<std::string, std::uint32_t>> ReadBackCrc32c(Store& store, const std::vector<std::string>& keys,
                                                            int threads) {
  std::map<std::string, std::uint32_t> crcs;
  std::mutex mutex;
  WorkerPool pool(static_cast<std::size_t>(std::max(1, threads)));
  for (const auto& key : keys) {
    const bool added = pool.Add([&, key](std::size_t) -> Status {
      ASSIGN_OR_RETURN(auto bytes, store.Read(key));
      const std::uint32_t crc = Crc32c(bytes);
      std::lock_guard lock(mutex);
      crcs[key] = crc;
      return Status::Ok();
    });
    if (!added) break;
  }
  RETURN_IF_ERROR(pool.Finish());
  return crcs;
}

Result<std::vector<std::string>> ChunksReadingBackDifferently(Store& store, const std::vector<std::string>& keys,
                                                              const JournalReplay& records, int threads) {
  std::vector<std::string> recorded;
  for (const auto& key : keys) {
    if (records.stored.count(key)) recorded.push_back(key);
  }
  ASSIGN_OR_RETURN(auto crcs, ReadBackCrc32c(store, recorded, threads));
  std::vector<std::string> differing;
  for (const auto& [key, crc] : crcs) {
    if (crc != records.stored.at(key).crc32c) differing.push_back(key);
  }
  return differing;  // in key order
}

Result<std::vector<std::string>> RecordUnrecordedChunks(const Plan& plan, Store& store, JournalReplay& records,
                                                        int threads) {
  ASSIGN_OR_RETURN(Listing listing, ListByKey(store));
  // Each unrecorded chunk with the bytes it decodes to (edge chunks are full-size).
  std::vector<std::pair<std::string, std::size_t>> unrecorded;
  for (const auto& v : plan.variables) {
    // 0: variable-length strings decode to no fixed size, only whole.
    std::size_t raw = v.type == DataType::kString ? 0 : v.element_size();
    for (std::size_t n : v.chunks) raw *= n;
    for (std::size_t k = 0, n = v.chunk_count(); k < n; ++k) {
      std::string key = ChunkKey(v.path(), ChunkAt(v, k).index);
      if (CheckChunk(key, listing, records) == ChunkState::kUnrecorded) unrecorded.emplace_back(std::move(key), raw);
    }
  }
  // What changed since the commit is not known: every such chunk must
  // still decode to a whole chunk (a cut or replaced one does not).
  std::vector<std::string> broken;
  std::mutex mutex;
  const std::size_t workers = static_cast<std::size_t>(std::max(1, threads));
  std::vector<std::unique_ptr<Compressor>> decoders;
  for (std::size_t i = 0; i < workers; ++i) decoders.push_back(MakeCompressor(plan.compressor));
  WorkerPool pool(workers);
  for (const auto& [key, raw] : unrecorded) {
    const bool added = pool.Add([&, key = key, raw = raw](std::size_t worker) -> Status {
      ASSIGN_OR_RETURN(auto bytes, store.Read(key));
      std::vector<std::byte> decoded;
      const bool whole = decoders[worker]->Decode(bytes, decoded).ok() && (raw == 0 || decoded.size() == raw);
      const std::uint32_t crc = Crc32c(bytes);
      std::lock_guard lock(mutex);
      if (whole) {
        records.stored[key] = StoredObject{bytes.size(), crc};
      } else {
        broken.push_back(key);
      }
      return Status::Ok();
    });
    if (!added) break;
  }
  RETURN_IF_ERROR(pool.Finish());
  std::sort(broken.begin(), broken.end());
  return broken;
}

}  // namespace nc2zarr
