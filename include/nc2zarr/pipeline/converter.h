// The convert command: plan on rank 0, write chunks on every rank, commit
// the metadata on rank 0 once every chunk is stored.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "nc2zarr/base/status.h"
#include "nc2zarr/mpi/comm.h"
#include "nc2zarr/pipeline/progress.h"
#include "nc2zarr/plan/make_plan.h"
#include "nc2zarr/store/open_store.h"

namespace nc2zarr {

struct ConvertOptions {
  std::vector<std::string> inputs;
  std::string output;
  PlanRequest request;
  bool overwrite = false;
  DestinationOptions destination;
  int write_threads = 4;  // writes in flight per rank, overlapped with reading
  // Threads per rank that read and compress chunks (--threads); 0: the
  // cores the rank may use (see pipeline/chunk_threads.h).
  int chunk_threads = 0;
  // Compressed bytes a rank holds for writes queued or in flight (and for
  // reuse): what bounds its memory when the destination is slow. Unset:
  // DefaultWriteBufferBytes(output).
  std::optional<std::size_t> write_buffer_bytes;
  bool resume = true;     // --resume (default) / --no-resume
  std::string journal_dir;  // --journal-dir; see JournalDirectory
  std::chrono::milliseconds grace{30000};  // after a signal, for writes in flight
  // HDF5 chunk cache per input variable. 0: each HDF5 chunk is read once
  // when Zarr chunks align with it (the usual case) and memory stays small;
  // raise it when Zarr chunks cut through HDF5 chunks.
  std::size_t hdf5_cache_bytes = 0;
  bool direct_chunk_reads = true;  // --no-direct-reads reads every input through netCDF-C
  ProgressMode progress = ProgressMode::kAuto;
  std::chrono::milliseconds progress_interval{10000};  // between lines in batch logs
};

// Uploads wait on the network, so a bucket gets room for several chunks in
// flight (128 MiB). A local or parallel filesystem write returns once its
// bytes are on the disk: more in flight than one chunk a rank holds memory
// without writing faster, and how much of it fills would follow the disk's
// moods (32 MiB).
std::size_t DefaultWriteBufferBytes(const std::string& output);

struct ConvertSummary {
  std::uint64_t chunks = 0;
  std::uint64_t raw_bytes = 0;
  std::uint64_t stored_bytes = 0;
  std::uint64_t retries = 0;
  std::uint64_t resumed_chunks = 0;  // stored by an earlier run, skipped
  bool already_complete = false;     // nothing was left to do
  double seconds = 0;
  // Where the time went, as rank 0 saw it: listing, scanning and planning
  // (and claiming the destination); chunks, until the last rank finished;
  // the commit.
  double plan_seconds = 0, chunks_seconds = 0, commit_seconds = 0;
  std::uint64_t peak_rss_bytes = 0;  // the largest of any rank's (on rank 0)
  std::uint64_t chunk_threads = 0;   // threads reading and compressing, all ranks together
};

// Every rank calls it and gets the same status: on failure the most telling
// error (a real failure before an interruption), so it is reported once.
// kInterrupted after SIGTERM/SIGINT/SIGUSR1: a rerun resumes.
Status Convert(const ConvertOptions& options, Comm& comm, ConvertSummary* summary = nullptr);

}  // namespace nc2zarr
