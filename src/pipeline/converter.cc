#include "nc2zarr/pipeline/converter.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>

#include "nc2zarr/base/interrupt.h"
#include "nc2zarr/base/log.h"
#include "nc2zarr/base/megabytes.h"
#include "nc2zarr/base/worker_pool.h"
#include "nc2zarr/codec/crc32c.h"
#include "nc2zarr/gcs/gcs_path.h"
#include "nc2zarr/journal/journal.h"
#include "nc2zarr/pipeline/chunk_encoder.h"
#include "nc2zarr/pipeline/chunk_reader.h"
#include "nc2zarr/pipeline/chunk_threads.h"
#include "nc2zarr/pipeline/commit.h"
#include "nc2zarr/pipeline/destination.h"
#include "nc2zarr/pipeline/file_cache.h"
#include "nc2zarr/pipeline/input_check.h"
#include "nc2zarr/pipeline/inputs.h"
#include "nc2zarr/pipeline/object_writer.h"
#include "nc2zarr/pipeline/scan_across_ranks.h"
#include "nc2zarr/read/netcdf_file.h"
#include "nc2zarr/plan/plan_json.h"
#include "nc2zarr/plan/work_list.h"
#include "nc2zarr/zarr/keys.h"

namespace nc2zarr {
namespace {

// A Status crosses ranks as "<code>\n<message>".
std::string EncodeStatus(const Status& s) { return std::to_string(static_cast<int>(s.code())) + "\n" + s.message(); }
Status DecodeStatus(const std::string& text) {
  auto nl = text.find('\n');
  int code = std::stoi(text.substr(0, nl));
  return code == 0 ? Status::Ok() : Status(static_cast<ErrorCode>(code), text.substr(nl + 1));
}

// Of several ranks' failures, the one to report: a real error explains more
// than an interruption, which explains more than "stopped because another
// rank failed".
int Rank(ErrorCode code) { return code == ErrorCode::kCancelled ? 0 : code == ErrorCode::kInterrupted ? 1 : 2; }

// This program's peak resident set size: VmHWM, which starts afresh at
// exec (getrusage's maxrss keeps the parent's peak when the parent vforked,
// as Python's subprocess does).
std::uint64_t PeakResidentBytes() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stoull(line.substr(6)) * 1024;  // in kB
  }
  return 0;
}

Status Interrupted() {
  const char* name = sigabbrev_np(InterruptSignal());
  return Status(ErrorCode::kInterrupted, std::string("stopped by SIG") + (name ? name : "?") +
                                             "; what is stored is journaled: run the same command again to finish");
}

// Rank 0, before the scan: the destination opens and the inputs expand.
Result<std::vector<std::string>> OpenDestinationAndListInputs(const ConvertOptions& options,
                                                              std::unique_ptr<Store>& store) {
  ASSIGN_OR_RETURN(store, OpenStore(options.output, options.destination));
  // A missing bucket or denied access shows before a scan of thousands of
  // files, by a read; the write probe follows once the scan says there is
  // something to write.
  if (IsRemoteDestination(options.output)) RETURN_IF_ERROR(store->List("", 1).status());
  return ExpandInputs(options.inputs);
}

// Rank 0, after the scan: plan, and claim (or resume) the destination.
Result<RunState> PlanOnRankZero(Result<std::vector<ScannedFile>> scans, const ConvertOptions& options, Store& store,
                                const std::string& journal_dir) {
  if (InterruptRequested()) return Interrupted();
  RETURN_IF_ERROR(scans.status());
  ASSIGN_OR_RETURN(Plan plan, PlanFromScans(std::move(*scans), options.request));
  if (InterruptRequested()) return Interrupted();
  for (const auto& w : plan.warnings) LogWarning(w);
  DestinationPolicy policy{options.overwrite, options.resume, journal_dir, options.write_threads};
  ASSIGN_OR_RETURN(RunState state, PrepareDestination(plan, store, policy));
  if (!state.complete) {
    LogInfo("plan: " + std::to_string(plan.variables.size()) + " arrays, " + std::to_string(plan.total_chunks()) +
            " chunks, " + Megabytes(plan.raw_bytes()) + " raw");
  }
  return state;
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

// What one chunk thread reads and compresses with: its own open files,
// reader, encoder and buffer, so threads share nothing but the writer.
struct ChunkThreadState {
  explicit ChunkThreadState(const Plan& plan) : reader(plan, files), encoder(plan.compressor) {}
  FileCache files;
  ChunkReader reader;
  ChunkEncoder encoder;
  std::vector<std::byte> raw;
};

// Reads, compresses and queues one chunk for writing; adds to the totals.
Status ProduceChunk(const Plan& plan, const WorkItem& item, ChunkThreadState& thread, ObjectWriter& writer,
                    RankTotals& totals, std::mutex& totals_mutex, WorkQueue& queue) {
  if (InterruptRequested()) return Interrupted();
  const PlannedVariable& v = plan.variables[item.variable];
  const ChunkRegion region = ChunkAt(v, item.chunk);
  const std::string key = ChunkKey(v.path(), region.index);
  ByteBuffer encoded = writer.TakeBuffer();
  Status st = thread.reader.Read(v, region, thread.raw);
  if (st.ok()) st = thread.encoder.Encode(v, thread.raw, encoded);
  if (!st.ok()) return st.WithContext("chunk " + key);
  {
    std::lock_guard lock(totals_mutex);
    ++totals.chunks;
    totals.raw += RegionBytes(v, region);
    totals.stored += encoded.size();
    queue.ReportProgress(WorkProgress{totals.chunks, totals.raw, totals.stored});
  }
  const std::uint32_t crc = Crc32c(encoded);
  return writer.Submit(key, std::move(encoded), crc);
}

// --threads, or as many as the cores this rank may use.
std::size_t ChunkThreadsFor(const ConvertOptions& options, const Comm& comm) {
  if (options.chunk_threads > 0) return static_cast<std::size_t>(options.chunk_threads);
  return DefaultChunkThreads(static_cast<std::size_t>(comm.ranks_on_node()));
}

double SecondsBetween(std::chrono::steady_clock::time_point from, std::chrono::steady_clock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

// The chunks still to write, in work order: rank 0's own, and the shared ones.
WorkList RemainingWork(const Plan& plan, const RunState& state) {
  WorkList all = MakeWorkList(plan), left;
  std::size_t i = 0;
  for (const auto& item : all.root_items) {
    if (!state.done[i++]) left.root_items.push_back(item);
  }
  for (const auto& item : all.shared_items) {
    if (!state.done[i++]) left.shared_items.push_back(item);
  }
  return left;
}

// This rank's share: rank 0 first writes the coordinates, then every rank
// takes chunks from the queue until none remain or a signal asks to stop.
// This thread talks to the queue (and so to MPI); chunk_threads threads
// read and compress, each taking the next item when it is free.
Status WriteChunks(const Plan& plan, const WorkList& work, const RunState& state, Store& store, WorkQueue& queue,
                   JournalWriter& journal, const ConvertOptions& options, std::size_t chunk_threads, bool root,
                   RankTotals& totals) {
  SetChunkCachePerVariable(options.hdf5_cache_bytes);
  // A cache is HDF5's: with one, chunks are read through netCDF-C and HDF5.
  SetDirectReads({.classic = options.direct_chunk_reads,
                  .hdf5_chunks = options.direct_chunk_reads && options.hdf5_cache_bytes == 0});
  std::vector<std::unique_ptr<ChunkThreadState>> threads;
  for (std::size_t i = 0; i < chunk_threads; ++i) threads.push_back(std::make_unique<ChunkThreadState>(plan));
  // One chunk may wait while write_threads are in flight, within the write
  // buffer: memory stays at a few chunks however slow the destination.
  ObjectWriter writer(store, options.write_threads, 1,
                      options.write_buffer_bytes.value_or(DefaultWriteBufferBytes(options.output)), &journal,
                      &state.sessions);
  std::mutex totals_mutex;
  Status st;
  {
    WorkerPool pool(chunk_threads);
    auto add = [&](const WorkItem& item) {
      return pool.Add([&, item](std::size_t thread) {
        return ProduceChunk(plan, item, *threads[thread], writer, totals, totals_mutex, queue);
      });
    };
    bool adding = true;
    if (root) {
      for (const auto& item : work.root_items) {
        if (!(adding = add(item))) break;
      }
    }
    while (adding && !InterruptRequested()) {
      auto range = queue.Next();
      if (!range) break;
      for (std::size_t i = range->first; i < range->second && adding; ++i) adding = add(work.shared_items[i]);
    }
    st = pool.Finish();
    if (st.ok() && InterruptRequested()) st = Interrupted();
  }
  if (!st.ok()) queue.Abort();
  Status written = writer.Finish();  // in-flight writes end, or are abandoned after the grace period
  if (st.ok()) st = written;
  // What was compressed counts for progress; what was stored for the summary.
  totals.chunks = writer.objects_written();
  totals.stored = writer.bytes_written();
  // Writes abandoned after a signal are what the signal asked for: say so.
  if (InterruptRequested() && (st.ok() || st.code() == ErrorCode::kInterrupted)) st = Interrupted();
  return st;
}

}  // namespace

std::size_t DefaultWriteBufferBytes(const std::string& output) {
  return (IsGcsUrl(output) ? std::size_t{128} : std::size_t{32}) << 20;
}

Status Convert(const ConvertOptions& options, Comm& comm, ConvertSummary* summary) {
  SetGracePeriod(options.grace);
  const auto started = std::chrono::steady_clock::now();
  const bool root = comm.rank() == 0;
  const std::string journal_dir = JournalDirectory(options.output, options.journal_dir);

  // Rank 0 opens the destination and lists the inputs; every rank scans a
  // share of them; rank 0 plans and claims (or resumes) the destination.
  std::unique_ptr<Store> root_store;
  std::string listing;
  if (root) {
    auto paths = OpenDestinationAndListInputs(options, root_store);
    listing = paths.ok() ? "0\n" + nlohmann::json(*paths).dump() : EncodeStatus(paths.status());
  }
  comm.Broadcast(listing, 0);
  RETURN_IF_ERROR(DecodeStatus(listing));
  const auto paths = nlohmann::json::parse(listing.substr(listing.find('\n') + 1)).get<std::vector<std::string>>();
  auto scans = ScanAcrossRanks(paths, comm);

  std::string message;
  if (root) {
    auto state = PlanOnRankZero(std::move(scans), options, *root_store, journal_dir);
    message = state.ok() ? "0\n" + RunStateToText(*state) : EncodeStatus(state.status());
  }
  comm.Broadcast(message, 0);
  RETURN_IF_ERROR(DecodeStatus(message));
  ASSIGN_OR_RETURN(RunState state, RunStateFromText(message.substr(message.find('\n') + 1)));
  const auto planned = std::chrono::steady_clock::now();
  ConvertSummary sums;
  sums.plan_seconds = SecondsBetween(started, planned);
  if (state.complete) {
    sums.already_complete = true;
    if (summary != nullptr) *summary = sums;
    return Status::Ok();
  }
  ASSIGN_OR_RETURN(Plan plan, PlanFromJson(state.plan_json));
  ASSIGN_OR_RETURN(auto store, OpenStore(options.output, options.destination));

  RankTotals totals;
  const WorkList work = RemainingWork(plan, state);
  auto queue = comm.StartWorkQueue(work.shared_items.size());
  std::unique_ptr<ProgressDisplay> display;
  if (root) {
    ProgressSnapshot goal;
    goal.total_items = work.root_items.size() + work.shared_items.size();
    goal.skipped_items = state.resumed_chunks();
    for (const auto* items : {&work.root_items, &work.shared_items}) {
      for (const auto& item : *items) {
        const PlannedVariable& v = plan.variables[item.variable];
        goal.total_bytes += RegionBytes(v, ChunkAt(v, item.chunk));
      }
    }
    const auto begun = std::chrono::steady_clock::now();
    display = std::make_unique<ProgressDisplay>(options.progress, options.progress_interval, [&queue, goal, begun] {
      ProgressSnapshot s = goal;
      s.done = queue->JobProgress();
      s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - begun).count();
      return s;
    });
  }
  auto journal = JournalWriter::Create(journal_dir, state.fingerprint, state.run_id, comm.rank());
  const std::size_t chunk_threads = ChunkThreadsFor(options, comm);
  Status mine = journal.ok() ? WriteChunks(plan, work, state, *store, *queue, *journal, options, chunk_threads,
                                           root, totals)
                             : journal.status();
  if (!journal.ok()) queue->Abort();
  queue->Finish();
  if (display) display->Stop();
  // An input rewritten while it was read is found before anything is committed.
  if (mine.ok()) mine = CheckInputsUnchanged(plan, comm.rank(), comm.size());

  // Agree on the outcome; rank 0 commits only if every rank succeeded.
  std::string outcome;
  const bool all_ok = comm.AllTrue(mine.ok());
  const auto chunks_done = std::chrono::steady_clock::now();  // on every rank: this waited for the last
  if (!all_ok) {
    Status worst;
    for (const auto& e : comm.Gather(mine.ok() ? "" : EncodeStatus(mine), 0)) {
      if (e.empty()) continue;
      Status s = DecodeStatus(e);
      if (worst.ok() || Rank(s.code()) > Rank(worst.code())) worst = s;
    }
    outcome = EncodeStatus(worst);
  } else if (root) {
    outcome = EncodeStatus(CommitStore(plan, state, *store, journal_dir, options.write_threads));
  }
  comm.Broadcast(outcome, 0);
  Status result = DecodeStatus(outcome);
  if (result.code() == ErrorCode::kUnavailable) {
    // Retries ran out (a server or network down for longer than their budget).
    result = Status(result.code(), result.message() +
                                       "; what is stored is journaled: run the same command again to continue");
  }
  sums.chunks_seconds = SecondsBetween(planned, chunks_done);
  sums.commit_seconds = SecondsBetween(chunks_done, std::chrono::steady_clock::now());

  // Collective on every rank, whether or not the caller wants the figures.
  sums.chunks = static_cast<std::uint64_t>(comm.SumDouble(static_cast<double>(totals.chunks)));
  sums.raw_bytes = static_cast<std::uint64_t>(comm.SumDouble(static_cast<double>(totals.raw)));
  sums.stored_bytes = static_cast<std::uint64_t>(comm.SumDouble(static_cast<double>(totals.stored)));
  // Rank 0's own store also made requests: the probe, the plan, the commit.
  const std::uint64_t retried = store->retried_requests() + (root_store ? root_store->retried_requests() : 0);
  sums.retries = static_cast<std::uint64_t>(comm.SumDouble(static_cast<double>(retried)));
  sums.resumed_chunks = state.resumed_chunks();
  sums.chunk_threads = static_cast<std::uint64_t>(comm.SumDouble(static_cast<double>(chunk_threads)));
  sums.seconds = SecondsBetween(started, std::chrono::steady_clock::now());
  for (const auto& rss : comm.Gather(std::to_string(PeakResidentBytes()), 0)) {
    sums.peak_rss_bytes = std::max<std::uint64_t>(sums.peak_rss_bytes, std::stoull(rss));
  }
  if (summary != nullptr) *summary = sums;
  return result;
}

}  // namespace nc2zarr
