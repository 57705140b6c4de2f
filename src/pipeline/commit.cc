#include "nc2zarr/pipeline/commit.h"

#include <limits>
#include <string>
#include <vector>

#include "nc2zarr/codec/crc32c.h"
#include "nc2zarr/journal/journal.h"
#include "nc2zarr/pipeline/destination.h"
#include "nc2zarr/pipeline/object_writer.h"
#include "nc2zarr/pipeline/stored_chunks.h"
#include "nc2zarr/zarr/keys.h"

namespace nc2zarr {
namespace {

// Missing chunks would read as fill values: every planned chunk must be
// journaled and listed with the journaled size (and CRC32C where kept).
Status VerifyChunks(const Plan& plan, Store& store, const JournalReplay& replay) {
  ASSIGN_OR_RETURN(Listing listing, ListByKey(store));
  for (const auto& key : PlannedChunkKeys(plan)) {
    switch (CheckChunk(key, listing, replay)) {
      case ChunkState::kStored: break;
      case ChunkState::kMissing: return DataLoss("chunk " + key + " is missing from " + store.Describe());
      case ChunkState::kUnrecorded:
        return DataLoss("chunk " + key + " is in " + store.Describe() + " but no journal records writing it");
      case ChunkState::kDiffers:
        return DataLoss("chunk " + key + " in " + store.Describe() + " differs from what was written");
    }
  }
  return Status::Ok();
}

// A .zgroup makes its group open, the .zmetadata the whole store.
bool OpensSomething(const MetadataObject& object) {
  return object.key == kZmetadata || object.key.ends_with(kZgroup);
}

}  // namespace

Status WriteDatasetMetadata(const std::vector<MetadataObject>& objects, Store& store, int threads) {
  // Arrays' .zarray and .zattrs and groups' .zattrs open nothing by
  // themselves, so they go in parallel: to a bucket, a dataset of hundreds
  // of variables is otherwise hundreds of round trips one after another.
  {
    ObjectWriter writer(store, threads, threads, std::numeric_limits<std::size_t>::max());
    for (const auto& object : objects) {
      if (OpensSomething(object)) continue;
      const auto bytes = TextBytes(object.text);
      RETURN_IF_ERROR(writer.Submit(object.key, ByteBuffer(bytes.begin(), bytes.end()), Crc32c(bytes)));
    }
    RETURN_IF_ERROR(writer.Finish());
  }
  // What a group's .zgroup (or the .zmetadata) makes readable is durable
  // before it is written, so a crash of the node cannot leave a store that
  // opens with a chunk missing; and all of it before "complete" is said.
  // These few go one by one, in the order given (deepest group first).
  // Either of the root's .zgroup and .zmetadata opens the store, so when
  // one fails (a full disk) those already written are taken back: a failed
  // commit must not leave a store that opens.
  std::vector<std::string> written;
  auto withdraw = [&](Status failure) {
    for (auto key = written.rbegin(); key != written.rend(); ++key) (void)store.Delete(*key);
    return failure;
  };
  for (const auto& object : objects) {
    if (!OpensSomething(object)) continue;
    Status status = store.Sync();
    if (status.ok()) status = store.Write(object.key, TextBytes(object.text), WriteOnce());
    if (!status.ok()) return withdraw(status);
    written.push_back(object.key);
  }
  Status synced = store.Sync();
  return synced.ok() ? synced : withdraw(synced);
}

Status CommitStore(const Plan& plan, const RunState& state, Store& store, const std::string& journal_dir, int threads) {
  // Every rank has stopped writing: what a killed earlier run left half-written goes.
  RETURN_IF_ERROR(store.RemoveLeftovers());
  ASSIGN_OR_RETURN(JournalReplay replay, ReplayJournals(journal_dir, state.fingerprint));
  RETURN_IF_ERROR(VerifyChunks(plan, store, replay));
  // The record of what was stored travels with the store (no session URLs).
  RETURN_IF_ERROR(store.Write(kJournalMirrorKey, TextBytes(StoredRecordsText(state.fingerprint, replay)), WriteOnce()));
  return WriteDatasetMetadata(DatasetMetadata(plan), store, threads);
}

}  // namespace nc2zarr
