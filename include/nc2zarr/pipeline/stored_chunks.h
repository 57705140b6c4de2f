// Whether each planned chunk is at the destination as it was written: the
// listing (size, and CRC32C where the store keeps one) against the record
// of what was stored (the journals, or the copy a committed store keeps);
// and whether a committed store's metadata is still the plan's.
// The commit, a resume, a rerun of a finished job and `status` all ask.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "nc2zarr/base/status.h"
#include "nc2zarr/journal/journal.h"
#include "nc2zarr/plan/plan.h"
#include "nc2zarr/store/store.h"

namespace nc2zarr {

enum class ChunkState {
  kMissing,     // not listed
  kDiffers,     // listed with another size or CRC32C than recorded
  kStored,      // listed as recorded
  kUnrecorded,  // listed, but no record says it was written whole
};

// The destination's listing, by key.
using Listing = std::map<std::string, ObjectInfo>;
Result<Listing> ListByKey(Store& store);

ChunkState CheckChunk(const std::string& key, const Listing& listing, const JournalReplay& records);

// Every planned chunk's key, variable by variable.
std::vector<std::string> PlannedChunkKeys(const Plan& plan);

// What a committed store records as written: the copy it keeps at
// kJournalMirrorKey and the journals in journal_dir, the journals' records
// winning. Its notes say only what is wrong with the kept copy (damaged, or
// another plan's): then its chunks cannot be judged by the listing alone.
Result<JournalReplay> CommittedRecords(Store& store, const std::string& journal_dir,
                                       const std::string& plan_fingerprint);

// Of keys (listed with their recorded size), those whose bytes, read back,
// have another CRC32C than recorded: for a store that lists no CRC32C (a
// local directory), where a chunk changed in place keeps its size.
Result<std::vector<std::string>> ChunksReadingBackDifferently(Store& store, const std::vector<std::string>& keys,
                                                              const JournalReplay& records, int threads);

// A committed store's chunks that no record names (committed by an older
// version, or its journals gone): each one that still decodes to a whole
// chunk is recorded as it is, so a repair rewrites only the others, which
// are returned.
Result<std::vector<std::string>> RecordUnrecordedChunks(const Plan& plan, Store& store, JournalReplay& records,
                                                        int threads);

// The metadata objects (.zarray, .zattrs, .zgroup, .zmetadata) that are
// missing or hold other bytes than this plan's: a committed store whose
// metadata was changed since opens wrongly, or not at all.
Result<std::vector<std::string>> MetadataDiffering(const Plan& plan, Store& store, int threads);

}  // namespace nc2zarr
