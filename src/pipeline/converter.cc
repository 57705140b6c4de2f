#include "nc2zarr/pipeline/converter.h"

#include <chrono>
#include <random>
#include <set>

#include "nc2zarr/base/log.h"
#include "nc2zarr/codec/compressor.h"
#include "nc2zarr/codec/crc32c.h"
#include "nc2zarr/pipeline/chunk_reader.h"
#include "nc2zarr/pipeline/dataset_metadata.h"
#include "nc2zarr/pipeline/file_cache.h"
#include "nc2zarr/pipeline/object_writer.h"
#include "nc2zarr/pipeline/scan.h"
#include "nc2zarr/plan/plan_json.h"
#include "nc2zarr/plan/work_list.h"
#include "nc2zarr/store/open_store.h"
#include "nc2zarr/zarr/keys.h"

namespace nc2zarr {
namespace {

constexpr const char* kPlanKey = ".nc2zarr/plan.json";

std::span<const std::byte> AsBytes(const std::string& s) { return std::as_bytes(std::span(s.data(), s.size())); }


// A Status crosses ranks as "<code>\n<message>".
std::string EncodeStatus(const Status& s) { return std::to_string(static_cast<int>(s.code())) + "\n" + s.message(); }
Status DecodeStatus(const std::string& text) {
  auto nl = text.find('\n');
  int code = std::stoi(text.substr(0, nl));
  return code == 0 ? Status::Ok() : Status(static_cast<ErrorCode>(code), text.substr(nl + 1));
}

// Rank 0 makes sure the destination may be written: not an existing store
// (unless --overwrite), not some other non-empty directory.
// Every object is written once (ifGenerationMatch=0 on GCS): a repeated
// request can never leave two versions.
WriteOptions WriteOnce() {
  WriteOptions o;
  o.only_if_absent = true;
  return o;
}

// A tiny object written, read back and deleted before the heavy work, so a
// missing bucket or a denied write shows at once.
Status ProbeDestination(Store& store) {
  const std::string key = ".nc2zarr/probe-" + std::to_string(std::random_device{}());
  const std::string text = "nc2zarr write probe";
  RETURN_IF_ERROR(store.Write(key, AsBytes(text), WriteOnce()).WithContext("cannot write to " + store.Describe()));
  ASSIGN_OR_RETURN(auto back, store.Read(key));
  if (std::string(reinterpret_cast<const char*>(back.data()), back.size()) != text) {
    return DataLoss(store.Describe() + ": a probe object read back differently from what was written");
  }
  return store.Delete(key).WithContext("cannot delete from " + store.Describe());
}

Status PrepareDestination(Store& store, bool overwrite) {
  const bool committed = store.Stat(kZmetadata).ok() || store.Stat(kZgroup).ok();
  const bool unfinished = store.Stat(kPlanKey).ok();
  if (!committed && !unfinished) {
    ASSIGN_OR_RETURN(auto any, store.List("", 1));
    if (!any.empty()) {
      return AlreadyExists(store.Describe() + " exists and is not a Zarr store; choose a new destination");
    }
    return Status::Ok();
  }
  if (!overwrite) {
    return AlreadyExists(store.Describe() +
                         (committed ? " already holds a Zarr store" : " holds an unfinished nc2zarr conversion") +
                         "; pass --overwrite to replace it");
  }
  LogInfo("--overwrite: deleting the store at " + store.Describe());
  // The commit point goes first, so a half-deleted store never looks complete.
  RETURN_IF_ERROR(store.Delete(kZmetadata));
  ASSIGN_OR_RETURN(auto objects, store.List(""));
  for (const auto& o : objects) RETURN_IF_ERROR(store.Delete(o.key));
  return Status::Ok();
}

// Rank 0: scan, plan, check and claim the destination. Returns the plan as
// JSON for the other ranks.
Result<std::string> PlanOnRankZero(const ConvertOptions& options) {
  ASSIGN_OR_RETURN(Plan plan, ScanAndPlan(options.inputs, options.request));
  for (const auto& w : plan.warnings) LogWarning(w);
  ASSIGN_OR_RETURN(auto store, OpenStore(options.output, options.destination));
  RETURN_IF_ERROR(PrepareDestination(*store, options.overwrite));
  RETURN_IF_ERROR(ProbeDestination(*store));
  std::string json = PlanToJson(plan);
  RETURN_IF_ERROR(store->Write(kPlanKey, AsBytes(json), WriteOnce()));
  LogInfo("plan: " + std::to_string(plan.variables.size()) + " arrays, " + std::to_string(plan.total_chunks()) +
          " chunks, " + std::to_string(plan.raw_bytes() >> 20) + " MiB raw");
  return json;
}

// Missing chunks would read as fill values: before committing, every
// planned chunk must be listed in the store.
Status VerifyChunksStored(const Plan& plan, Store& store) {
  ASSIGN_OR_RETURN(auto listing, store.List(""));
  std::set<std::string> present;
  for (auto& o : listing) present.insert(std::move(o.key));
  for (const auto& v : plan.variables) {
    for (std::size_t k = 0, n = v.chunk_count(); k < n; ++k) {
      std::string key = ChunkKey(v.path(), ChunkAt(v, k).index);
      if (!present.count(key)) return DataLoss("chunk " + key + " is missing from " + store.Describe() + " after writing");
    }
  }
  return Status::Ok();
}

// Bytes of array data a chunk holds (edge chunks hold less than their size).
std::uint64_t RegionBytes(const PlannedVariable& v, const ChunkRegion& region) {
  std::uint64_t n = v.element_size() == 0 ? 1 : v.element_size();
  for (std::size_t c : region.count) n *= c;
  return n;
}

struct RankTotals {
  std::uint64_t chunks = 0, raw = 0, stored = 0;
};

// Reads, compresses and queues one chunk for writing.
Status ProduceChunk(const Plan& plan, const WorkItem& item, ChunkReader& reader, Compressor& compressor,
                    ObjectWriter& writer, std::vector<std::byte>& raw, RankTotals& totals) {
  const PlannedVariable& v = plan.variables[item.variable];
  const ChunkRegion region = ChunkAt(v, item.chunk);
  const std::string key = ChunkKey(v.path(), region.index);
  std::vector<std::byte> encoded;
  Status st = reader.Read(v, region, raw);
  if (st.ok()) st = compressor.Encode(raw, encoded);
  if (!st.ok()) return st.WithContext("chunk " + key);
  ++totals.chunks;
  totals.raw += RegionBytes(v, region);
  totals.stored += encoded.size();
  const std::uint32_t crc = Crc32c(encoded);
  return writer.Submit(key, std::move(encoded), crc);
}

// This rank's share of the chunks: rank 0 first writes the coordinates, then
// every rank takes chunks from the queue until none remain.
Status WriteChunks(const Plan& plan, Store& store, WorkQueue& queue, int write_threads, bool root,
                   RankTotals& totals) {
  const WorkList work = MakeWorkList(plan);
  FileCache files;
  ChunkReader reader(plan, files);
  auto compressor = MakeCompressor(plan.compressor);
  ObjectWriter writer(store, write_threads, write_threads);
  std::vector<std::byte> raw;
  Status st;
  if (root) {
    for (const auto& item : work.root_items) {
      if (!(st = ProduceChunk(plan, item, reader, *compressor, writer, raw, totals)).ok()) break;
    }
  }
  while (st.ok()) {
    auto range = queue.Next();
    if (!range) break;
    for (std::size_t i = range->first; i < range->second && st.ok(); ++i) {
      st = ProduceChunk(plan, work.shared_items[i], reader, *compressor, writer, raw, totals);
    }
  }
  Status written = writer.Finish();
  if (st.ok()) st = written;
  if (!st.ok()) queue.Abort();
  return st;
}

Status Commit(const Plan& plan, Store& store) {
  RETURN_IF_ERROR(VerifyChunksStored(plan, store));
  for (const auto& object : DatasetMetadata(plan)) {
    RETURN_IF_ERROR(store.Write(object.key, AsBytes(object.text), WriteOnce()));
  }
  return Status::Ok();
}

}  // namespace

Status Convert(const ConvertOptions& options, Comm& comm, ConvertSummary* summary) {
  const auto started = std::chrono::steady_clock::now();
  const bool root = comm.rank() == 0;

  std::string message;
  if (root) {
    auto planned = PlanOnRankZero(options);
    message = planned.ok() ? "0\n" + *planned : EncodeStatus(planned.status());
  }
  comm.Broadcast(message, 0);
  Status planning = DecodeStatus(message);
  if (!planning.ok()) return planning;
  ASSIGN_OR_RETURN(Plan plan, PlanFromJson(message.substr(message.find('\n') + 1)));
  ASSIGN_OR_RETURN(auto store, OpenStore(options.output, options.destination));

  RankTotals totals;
  auto queue = comm.StartWorkQueue(MakeWorkList(plan).shared_items.size());
  Status mine = WriteChunks(plan, *store, *queue, options.write_threads, root, totals);
  queue->Finish();

  // Agree on the outcome; rank 0 commits only if every rank succeeded.
  std::string outcome;
  if (!comm.AllTrue(mine.ok())) {
    auto errors = comm.Gather(mine.ok() ? "" : EncodeStatus(mine), 0);
    for (const auto& e : errors) {
      if (!e.empty() && outcome.empty()) outcome = e;
    }
  } else if (root) {
    outcome = EncodeStatus(Commit(plan, *store));
  }
  comm.Broadcast(outcome, 0);
  Status result = DecodeStatus(outcome);

  // Collective on every rank, whether or not the caller wants the figures.
  ConvertSummary sums;
  sums.chunks = static_cast<std::uint64_t>(comm.SumDouble(static_cast<double>(totals.chunks)));
  sums.raw_bytes = static_cast<std::uint64_t>(comm.SumDouble(static_cast<double>(totals.raw)));
  sums.stored_bytes = static_cast<std::uint64_t>(comm.SumDouble(static_cast<double>(totals.stored)));
  sums.retries = static_cast<std::uint64_t>(comm.SumDouble(static_cast<double>(store->retried_requests())));
  sums.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (summary != nullptr) *summary = sums;
  return result;
}

}  // namespace nc2zarr
