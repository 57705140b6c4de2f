#include "nc2zarr/pipeline/job_status.h"

#include <cstdarg>
#include <cstdio>

#include "nc2zarr/journal/journal.h"
#include "nc2zarr/pipeline/destination.h"
#include "nc2zarr/pipeline/stored_chunks.h"
#include "nc2zarr/plan/plan_diff.h"
#include "nc2zarr/plan/plan_json.h"
#include "nc2zarr/zarr/keys.h"

namespace nc2zarr {
namespace {

// Reads of the metadata objects in flight: a bucket answers each in a round trip.
constexpr int kStatusReadThreads = 8;

std::string Line(const char* format, ...) __attribute__((format(printf, 1, 2)));
std::string Line(const char* format, ...) {
  char buf[512];
  va_list args;
  va_start(args, format);
  std::vsnprintf(buf, sizeof buf, format, args);
  va_end(args);
  return std::string(buf) + "\n";
}

// Decimal megabytes, as the convert summary and progress lines count them.
double Mb(std::uint64_t bytes) { return static_cast<double>(bytes) / 1e6; }

}  // namespace

Result<JobStatus> DescribeJobStatus(Store& store, const std::string& journal_dir) {
  auto plan_text = store.Read(kPlanKey);
  if (!plan_text.ok()) {
    if (plan_text.status().code() != ErrorCode::kNotFound) return plan_text.status();
    return NotFound(store.Describe() + " holds no nc2zarr conversion (no " + std::string(kPlanKey) + ")");
  }
  const std::string text(reinterpret_cast<const char*>(plan_text->data()), plan_text->size());
  ASSIGN_OR_RETURN(Plan plan, PlanFromJson(text));
  ASSIGN_OR_RETURN(const bool committed, store.Exists(kZmetadata));

  // A committed store is checked against what its commit recorded (chunks
  // it has no record of were verified before the commit); an unfinished
  // one counts what its journals record and the listing shows.
  JournalReplay replay;
  if (committed) {
    ASSIGN_OR_RETURN(replay, CommittedRecords(store, journal_dir, PlanFingerprint(text)));
  } else {
    ASSIGN_OR_RETURN(replay, ReplayJournals(journal_dir, PlanFingerprint(text)));
  }
  ASSIGN_OR_RETURN(Listing listing, ListByKey(store));

  std::string out = Line("plan: %zu input file(s)%s%s, %zu arrays, %zu chunks, %.1f MB raw", plan.files.size(),
              plan.concat_dim.empty() ? "" : " along ", plan.concat_dim.c_str(), plan.variables.size(),
              plan.total_chunks(), Mb(plan.raw_bytes()));
  std::size_t done_total = 0, chunks_total = 0, listed_total = 0;
  std::uint64_t stored_bytes = 0;
  std::string per_variable;
  for (const auto& v : plan.variables) {
    std::size_t done = 0, n = v.chunk_count();
    for (std::size_t k = 0; k < n; ++k) {
      const std::string key = ChunkKey(v.path(), ChunkAt(v, k).index);
      const ChunkState state = CheckChunk(key, listing, replay);
      if (state == ChunkState::kMissing) continue;
      ++listed_total;
      if (state == ChunkState::kStored || (committed && state == ChunkState::kUnrecorded)) {
        ++done;
        stored_bytes += listing.at(key).size;
      }
    }
    per_variable += Line("  %-24s %8zu / %-8zu chunks", v.path().c_str(), done, n);
    done_total += done;
    chunks_total += n;
  }
  // Counted, a committed store can still lack chunks deleted or changed since.
  // A kept record that cannot be read leaves the chunks unjudged: the rerun
  // checks each one by decoding it, and writes the record again.
  const bool record_damaged = committed && !replay.notes.empty();
  std::vector<std::string> metadata;
  if (committed) {
    ASSIGN_OR_RETURN(metadata, MetadataDiffering(plan, store, kStatusReadThreads));
  }
  const bool damaged = committed && (done_total < chunks_total || record_damaged || !metadata.empty());
  const std::string state =
      !committed       ? "not committed: interrupted, or still running"
      : record_damaged ? "DAMAGED: committed, but its record of the chunks is damaged (" + replay.notes.front() +
                             "); run the same convert command again to check every chunk and write it again"
      : done_total < chunks_total
          ? "DAMAGED: committed, but " + std::to_string(chunks_total - done_total) +
                " chunk(s) are missing or differ from what was written (readers get wrong values there, or "
                "errors); run the same convert command again to write them"
      : !metadata.empty() ? "DAMAGED: committed, but " + std::to_string(metadata.size()) + " metadata object(s) (" +
                      metadata.front() + (metadata.size() > 1 ? ", ..." : "") +
                      ") are missing or differ from what this job writes (readers open it wrongly, or not at all); "
                      "run the same convert command again to write them"
                : "complete (committed: .zmetadata is written)";
  out = Line("%s: %s", store.Describe().c_str(), state.c_str()) + out;
  out += Line("chunks stored: %zu of %zu (%.1f%%), %.1f MB stored", done_total, chunks_total,
              chunks_total ? 100.0 * static_cast<double>(done_total) / static_cast<double>(chunks_total) : 100.0,
              Mb(stored_bytes));
  out += per_variable;
  if (!committed) {
    out += Line("journals: %zu in %s; %zu upload(s) in progress", replay.files, journal_dir.c_str(),
                replay.sessions.size());
    if (replay.files == 0 && listed_total > 0) {
      out += Line("%zu chunk object(s) are stored, but no journal says they are whole: run from the directory the "
                  "conversion ran in, or pass its --journal-dir, or a rerun writes them all again",
                  listed_total);
    }
    out += "run the same convert command again to finish it\n";
  }
  return JobStatus{out, committed, damaged};
}

}  // namespace nc2zarr
