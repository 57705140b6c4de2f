#include "nc2zarr/pipeline/destination.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <optional>
#include <random>
#include <set>
#include <vector>

#include "nc2zarr/base/file_stamp.h"
#include "nc2zarr/base/log.h"
#include "nc2zarr/gcs/gcs_path.h"
#include "nc2zarr/journal/journal.h"
#include "nc2zarr/pipeline/store_admin.h"
#include "nc2zarr/pipeline/stored_chunks.h"
#include "nc2zarr/plan/plan_diff.h"
#include "nc2zarr/plan/plan_json.h"
#include "nc2zarr/plan/work_list.h"
#include "nc2zarr/zarr/keys.h"

namespace nc2zarr {
namespace {

std::string Text(const std::vector<std::byte>& b) { return std::string(reinterpret_cast<const char*>(b.data()), b.size()); }

std::string NewRunId() {
  auto seconds = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
  return std::to_string(seconds.count()) + "-" + std::to_string(std::random_device{}() % 100000);
}

constexpr const char* kProbePrefix = ".nc2zarr/probe-";

// A tiny object written, read back and deleted before the heavy work, so a
// denied write shows before any chunk is read.
Status ProbeDestination(Store& store) {
  const std::string key = kProbePrefix + std::to_string(std::random_device{}());
  const std::string text = "nc2zarr write probe";
  RETURN_IF_ERROR(store.Write(key, TextBytes(text), WriteOnce()).WithContext("cannot write to " + store.Describe()));
  ASSIGN_OR_RETURN(auto back, store.Read(key));
  if (Text(back) != text) {
    return DataLoss(store.Describe() + ": a probe object read back differently from what was written");
  }
  return store.Delete(key).WithContext("cannot delete from " + store.Describe());
}

// A run killed between writing its probe and deleting it leaves the probe
// behind: it is nobody's data, and must not make the rerun refuse the
// destination as "not a Zarr store".
Status RemoveProbeLeftovers(Store& store) {
  ASSIGN_OR_RETURN(auto probes, store.List(kProbePrefix));
  for (const auto& probe : probes) RETURN_IF_ERROR(store.Delete(probe.key));
  return Status::Ok();
}

// fingerprints: this run's plan and the one recorded at the destination,
// whose journals are stale once the run starts again.
Status StartAfresh(Store& store, const DestinationPolicy& policy, bool had_objects,
                   const std::vector<std::string>& fingerprints) {
  if (had_objects) {
    LogInfo("deleting what is at " + store.Describe() + " to start again");
    ASSIGN_OR_RETURN(StoreSummary summary, SummarizeStore(store));
    RETURN_IF_ERROR(DeleteStore(store, summary));
    store.RemoveEmptyDirectories(false);  // arrays the new job lacks leave no trace; the root keeps its mode
  }
  RemoveJournals(policy.journal_dir, fingerprints);
  return Status::Ok();
}

// The recorded plan is this one but for how its files were spelled (a
// relative path an older version recorded, another symbolic link to the
// same directory): the same job.
bool SameFilesSpelledOtherwise(Plan recorded, const Plan& plan, const std::string& plan_json) {
  if (recorded.files.size() != plan.files.size()) return false;
  for (std::size_t i = 0; i < plan.files.size(); ++i) {
    if (recorded.files[i].path == plan.files[i].path) continue;
    const auto then = FileIdentity(recorded.files[i].path);
    if (!then || then != FileIdentity(plan.files[i].path)) return false;
    recorded.files[i].path = plan.files[i].path;
  }
  return PlanToJson(recorded) == plan_json;
}

// Planned chunks a committed store lacks or holds otherwise than recorded.
Result<std::vector<std::string>> DamagedChunks(const Plan& plan, Store& store, const JournalReplay& records) {
  ASSIGN_OR_RETURN(Listing listing, ListByKey(store));
  std::vector<std::string> damaged;
  for (auto& key : PlannedChunkKeys(plan)) {
    const ChunkState state = CheckChunk(key, listing, records);
    if (state == ChunkState::kMissing || state == ChunkState::kDiffers) damaged.push_back(std::move(key));
  }
  return damaged;
}

// What makes a store or one of its groups open goes (.zmetadata first,
// then the root .zgroup, then the groups'), with the record of the commit:
// the rerun's commit writes them again.
Status Uncommit(Store& store) {
  std::vector<std::string> keys = {kZmetadata, kZgroup};
  ASSIGN_OR_RETURN(auto listing, store.List(""));
  for (const auto& o : listing) {
    if (o.key.ends_with(std::string("/") + kZgroup)) keys.push_back(o.key);
  }
  keys.push_back(kJournalMirrorKey);
  for (const auto& key : keys) {
    Status deleted = store.Delete(key);
    if (!deleted.ok() && deleted.code() != ErrorCode::kNotFound) return deleted;
  }
  return Status::Ok();
}

// Which chunks an earlier run stored: journaled (or recorded by the commit
// being repaired), and listed at the destination with the recorded size and
// CRC32C; a store that lists no CRC32C has the chunks it keeps read back.
Result<RunState> ResumeState(const Plan& plan, Store& store, const DestinationPolicy& policy, RunState state,
                             const JournalReplay& committed = {}) {
  ASSIGN_OR_RETURN(JournalReplay replay, ReplayJournals(policy.journal_dir, state.fingerprint));
  for (const auto& note : replay.notes) LogWarning(note);
  std::set<std::string> only_committed;
  for (const auto& [key, object] : committed.stored) {
    if (replay.stored.try_emplace(key, object).second) only_committed.insert(key);
  }
  if (replay.files == 0 && replay.stored.empty()) {
    LogWarning("no journal of the interrupted run at " + policy.journal_dir +
               "; every chunk is written again (objects already stored with the same bytes are kept)");
  }
  ASSIGN_OR_RETURN(Listing listing, ListByKey(store));
  const WorkList work = MakeWorkList(plan);
  std::vector<std::string> keys;
  for (const auto* items : {&work.root_items, &work.shared_items}) {
    for (const auto& item : *items) {
      const PlannedVariable& v = plan.variables[item.variable];
      keys.push_back(ChunkKey(v.path(), ChunkAt(v, item.chunk).index));
    }
  }
  std::vector<ChunkState> states;
  std::vector<std::string> unconfirmed;
  for (const auto& key : keys) {
    states.push_back(CheckChunk(key, listing, replay));
    if (states.back() == ChunkState::kStored && !listing.at(key).crc32c) unconfirmed.push_back(key);
  }
  ASSIGN_OR_RETURN(auto changed, ChunksReadingBackDifferently(store, unconfirmed, replay, policy.threads));
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (std::binary_search(changed.begin(), changed.end(), keys[i])) states[i] = ChunkState::kDiffers;
    if (states[i] == ChunkState::kDiffers) {
      // Our own chunk, changed since it was recorded: the rerun's
      // write-once upload would refuse the key, so it goes first.
      LogWarning(store.Describe() + ": " + keys[i] + " differs from what was written; writing it again");
      RETURN_IF_ERROR(store.Delete(keys[i]));
    }
    state.done[i] = states[i] == ChunkState::kStored;
    if (!state.done[i]) {
      if (auto s = replay.sessions.find(keys[i]); s != replay.sessions.end()) state.sessions[keys[i]] = s->second;
    }
  }
  // Chunks known whole only from the commit being repaired (run from
  // another directory than the journals) are journaled again, so this run's
  // commit counts them and records them in its turn.
  std::optional<JournalWriter> journal;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (!state.done[i] || !only_committed.count(keys[i])) continue;
    if (!journal) {
      ASSIGN_OR_RETURN(JournalWriter created,
                       JournalWriter::Create(policy.journal_dir, state.fingerprint, state.run_id + "-kept", 0));
      journal.emplace(std::move(created));
    }
    RETURN_IF_ERROR(journal->RecordStored(keys[i], replay.stored.at(keys[i])));
  }
  LogInfo("resuming: " + std::to_string(state.resumed_chunks()) + " of " + std::to_string(state.done.size()) +
          " chunks are stored and verified; " + std::to_string(state.sessions.size()) +
          " interrupted upload(s) to continue");
  return state;
}

}  // namespace

std::string JournalDirectory(const std::string& output, const std::string& flag) {
  if (!flag.empty()) return flag;
  if (IsGcsUrl(output)) {
    auto path = ParseGcsUrl(output);
    std::string where = path.ok() ? path->bucket + (path->prefix.empty() ? "" : "/" + path->prefix) : "unknown";
    return (std::filesystem::current_path() / ".nc2zarr-journal" / where).string();
  }
  return output + "/.nc2zarr/journal";
}

Result<RunState> PrepareDestination(const Plan& plan, Store& store, const DestinationPolicy& policy) {
  RETURN_IF_ERROR(store.ClaimForWriting());
  RunState state;
  state.plan_json = PlanToJson(plan);
  state.fingerprint = PlanFingerprint(state.plan_json);
  state.run_id = NewRunId();
  state.done.assign(plan.total_chunks(), false);

  auto recorded_text = store.Read(kPlanKey);
  if (!recorded_text.ok() && recorded_text.status().code() != ErrorCode::kNotFound) return recorded_text.status();
  // nc2zarr's own stores are committed by their .zmetadata alone: one killed
  // between the root .zgroup and the .zmetadata is resumed, which writes it.
  // Without nc2zarr's plan record, a .zgroup is somebody else's store.
  ASSIGN_OR_RETURN(const bool has_zmetadata, store.Exists(kZmetadata));
  bool committed = has_zmetadata;
  if (!committed && !recorded_text.ok()) {
    ASSIGN_OR_RETURN(committed, store.Exists(kZgroup));
  }
  std::optional<Plan> recorded;
  if (recorded_text.ok()) {
    auto parsed = PlanFromJson(Text(*recorded_text));
    if (parsed.ok()) recorded = *parsed;
  }
  bool same_plan = recorded_text.ok() && PlanFingerprint(Text(*recorded_text)) == state.fingerprint;
  if (!same_plan && recorded && SameFilesSpelledOtherwise(*recorded, plan, state.plan_json)) {
    // The journals and the commit's record carry the recorded plan's fingerprint.
    same_plan = true;
    state.fingerprint = PlanFingerprint(Text(*recorded_text));
  }
  std::vector<std::string> stale_plans = {state.fingerprint};
  if (recorded_text.ok()) stale_plans.push_back(PlanFingerprint(Text(*recorded_text)));
  auto changes = [&] {
    if (!recorded) return std::string("its recorded plan is unreadable");
    // The first few: a refusal stays one readable line with 200 files renamed.
    constexpr std::size_t kShown = 5;
    const auto all = DescribePlanChanges(*recorded, plan);
    std::string out;
    for (std::size_t i = 0; i < all.size() && i < kShown; ++i) out += (i ? "; " : "") + all[i];
    if (all.size() > kShown) out += "; and " + std::to_string(all.size() - kShown) + " more";
    return out;
  };

  if (committed) {
    if (same_plan && !policy.overwrite) {
      // A run killed after its commit may have left a temporary file behind.
      RETURN_IF_ERROR(store.RemoveLeftovers());
      ASSIGN_OR_RETURN(JournalReplay records, CommittedRecords(store, policy.journal_dir, state.fingerprint));
      for (const auto& note : records.notes) LogWarning(note);
      ASSIGN_OR_RETURN(std::vector<std::string> damaged, DamagedChunks(plan, store, records));
      // A repair, or a kept record that cannot be trusted: the chunks no
      // record names must still decode to whole chunks.
      std::vector<std::string> broken;
      if (!damaged.empty() || !records.notes.empty()) {
        ASSIGN_OR_RETURN(broken, RecordUnrecordedChunks(plan, store, records, policy.threads));
      }
      ASSIGN_OR_RETURN(std::vector<std::string> metadata, MetadataDiffering(plan, store, policy.threads));
      if (damaged.empty() && broken.empty() && records.notes.empty() && metadata.empty()) {
        state.complete = true;
        return state;
      }
      if (!metadata.empty()) {
        LogWarning(store.Describe() + " is committed but " + std::to_string(metadata.size()) +
                   " metadata object(s) (" + metadata.front() + (metadata.size() > 1 ? ", ..." : "") +
                   ") are missing or differ from what this job writes: writing them again");
        // Before the commit point goes: what opens the store opens nothing wrong meanwhile.
        RETURN_IF_ERROR(Uncommit(store));
        for (const auto& key : metadata) RETURN_IF_ERROR(store.Delete(key));  // the commit writes each once
        if (damaged.empty() && broken.empty() && records.notes.empty()) {
          RETURN_IF_ERROR(RemoveProbeLeftovers(store));
          RETURN_IF_ERROR(ProbeDestination(store));
          return ResumeState(plan, store, policy, state, records);
        }
      }
      // Chunks deleted or changed since the commit read as fill values or
      // wrong ones: the store stops opening until the rerun has written them
      // and commits again (with a sound record).
      std::vector<std::string> all = damaged;
      all.insert(all.end(), broken.begin(), broken.end());
      if (all.empty()) {
        LogWarning(store.Describe() + " is committed, but its record of the chunks is damaged; every chunk "
                                      "decodes whole: writing the record again");
      } else {
        LogWarning(store.Describe() + " is committed but " + std::to_string(all.size()) + " chunk(s) (" +
                   all.front() + (all.size() > 1 ? ", ..." : "") + ") are missing or differ from what was written" +
                   (records.notes.empty() ? "" : ", and its record of the chunks is damaged") + ": writing them again");
      }
      RETURN_IF_ERROR(Uncommit(store));
      for (const auto& key : broken) {
        LogWarning(store.Describe() + ": " + key + " does not decode to a whole chunk; writing it again");
        RETURN_IF_ERROR(store.Delete(key));  // the rerun's write-once upload would refuse the key
      }
      RETURN_IF_ERROR(RemoveProbeLeftovers(store));
      RETURN_IF_ERROR(ProbeDestination(store));
      return ResumeState(plan, store, policy, state, records);
    }
    if (!policy.overwrite) {
      std::string why = recorded ? " made from other inputs or options (" + changes() + ")" : "";
      return AlreadyExists(store.Describe() + " already holds a Zarr store" + why + "; pass --overwrite to replace it");
    }
    RETURN_IF_ERROR(StartAfresh(store, policy, true, stale_plans));
  } else if (recorded_text.ok()) {
    if (policy.overwrite || !policy.resume) {
      RETURN_IF_ERROR(StartAfresh(store, policy, true, stale_plans));
    } else if (!same_plan) {
      return AlreadyExists(store.Describe() + " holds an interrupted conversion of a different job (" + changes() +
                           "), or one still running; rerun the original command to finish it, or, once no job "
                           "is writing there, pass --overwrite to start again");
    } else {
      RETURN_IF_ERROR(RemoveProbeLeftovers(store));
      RETURN_IF_ERROR(ProbeDestination(store));
      return ResumeState(plan, store, policy, state);
    }
  } else {
    RETURN_IF_ERROR(RemoveProbeLeftovers(store));
    ASSIGN_OR_RETURN(auto any, store.List("", 1));
    if (!any.empty()) {
      return AlreadyExists(store.Describe() + " exists and is not a Zarr store; choose a new destination");
    }
    // The destination is empty: journals of an earlier run of this job are stale.
    RemoveJournals(policy.journal_dir, {state.fingerprint});
  }
  RETURN_IF_ERROR(ProbeDestination(store));
  RETURN_IF_ERROR(store.ClaimForWriting());  // a new directory exists now
  RETURN_IF_ERROR(store.Write(kPlanKey, TextBytes(state.plan_json), WriteOnce()));
  return state;
}

}  // namespace nc2zarr
