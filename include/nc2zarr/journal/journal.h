// An append-only record, per rank and run, of what is safely stored: object
// key, size and CRC32C, and the session URL of a resumable upload in
// progress. A rerun merges every journal of the same plan to skip what is
// done. Each record is one line ending in its own CRC32C and is written with
// a single write(), so a crash can at worst cut the last line, which replay
// then ignores.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "nc2zarr/base/status.h"

namespace nc2zarr {

struct StoredObject {
  std::uint64_t size = 0;
  std::uint32_t crc32c = 0;
  bool operator==(const StoredObject&) const = default;
};

class JournalWriter {
 public:
  // Creates DIR/run-<run_id>-rank-<rank>.log (and DIR), headed by the plan's
  // fingerprint. The file is readable by its owner only: session URLs
  // authorize uploads.
  static Result<JournalWriter> Create(const std::string& dir, const std::string& plan_fingerprint,
                                      const std::string& run_id, int rank);
  JournalWriter(JournalWriter&& other) noexcept;
  JournalWriter& operator=(JournalWriter&&) = delete;
  ~JournalWriter();

  Status RecordStored(const std::string& key, const StoredObject& object);
  Status RecordSession(const std::string& key, const std::string& session_url);
  const std::string& path() const { return path_; }

 private:
  JournalWriter(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  Status AppendLine(const std::string& content);
  int fd_;
  std::string path_;
};

struct JournalReplay {
  std::map<std::string, StoredObject> stored;    // by key, the last record wins
  std::map<std::string, std::string> sessions;   // uploads in progress, by key
  std::vector<std::string> notes;                // what was skipped, and why
  std::size_t files = 0;                         // journals of this plan read
};

// Reads every journal in dir written for this plan; journals of other
// plans and damaged lines are skipped with a note.
Result<JournalReplay> ReplayJournals(const std::string& dir, const std::string& plan_fingerprint);

// Deletes the journals in dir written for any of these plans (a run
// starting again). Journals of other plans stay: a --journal-dir shared by
// two jobs must not lose the other job's records.
void RemoveJournals(const std::string& dir, const std::vector<std::string>& plan_fingerprints);

// The same for one journal's text (the copy kept at the destination); name
// is for notes.
JournalReplay ReplayJournalText(const std::string& text, const std::string& name, const std::string& plan_fingerprint);

// Every StoredObject record of a replay, as journal text (no sessions): for
// the copy kept at the destination.
std::string StoredRecordsText(const std::string& plan_fingerprint, const JournalReplay& replay);

}  // namespace nc2zarr
