#include "nc2zarr/journal/journal.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "nc2zarr/pipeline/run_state.h"
#include "nc2zarr/plan/plan_diff.h"

namespace nc2zarr {
namespace {

class JournalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = (std::filesystem::temp_directory_path() / ("journal_test_" + std::to_string(::getpid()))).string();
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

TEST_F(JournalTest, RecordsAndReplaysAcrossRanksAndRuns) {
  {
    auto a = JournalWriter::Create(dir_, "fp1", "run1", 0);
    auto b = JournalWriter::Create(dir_, "fp1", "run1", 1);
    ASSERT_TRUE(a.ok() && b.ok());
    ASSERT_TRUE(a->RecordSession("tas/0.0", "http://host/upload?upload_id=1").ok());
    ASSERT_TRUE(a->RecordStored("tas/0.0", {100, 0xdeadbeef}).ok());
    ASSERT_TRUE(b->RecordSession("tas/1.0", "http://host/upload?upload_id=2").ok());
    ASSERT_TRUE(b->RecordStored("odd\tkey\n%", {7, 1}).ok());
    struct stat sb {};
    ASSERT_EQ(::stat(a->path().c_str(), &sb), 0);
    EXPECT_EQ(sb.st_mode & 077, 0u);  // session URLs authorize uploads: owner only
  }
  auto c = JournalWriter::Create(dir_, "fp1", "run2", 0);  // a later run appends its own file
  ASSERT_TRUE(c->RecordStored("tas/2.0", {5, 6}).ok());
  auto replay = ReplayJournals(dir_, "fp1");
  ASSERT_TRUE(replay.ok());
  EXPECT_EQ(replay->files, 3u);
  EXPECT_EQ(replay->stored.size(), 3u);
  EXPECT_EQ(replay->stored.at("tas/0.0"), (StoredObject{100, 0xdeadbeef}));
  EXPECT_EQ(replay->stored.at("odd\tkey\n%"), (StoredObject{7, 1}));
  // A finished upload's session is gone; an unfinished one remains.
  EXPECT_EQ(replay->sessions.count("tas/0.0"), 0u);
  EXPECT_EQ(replay->sessions.at("tas/1.0"), "http://host/upload?upload_id=2");
  EXPECT_TRUE(replay->notes.empty());
}

TEST_F(JournalTest, SkipsDamagedLinesAndOtherPlans) {
  std::string path;
  {
    auto w = JournalWriter::Create(dir_, "fp1", "run1", 0);
    ASSERT_TRUE(w->RecordStored("a/0", {1, 2}).ok());
    path = w->path();
  }
  {
    std::ofstream out(path, std::ios::app);
    out << "S\ta/1\t10\t0000000b\t12345678\n";  // wrong line CRC
    out << "S\ta/2\t1";                         // cut by a crash
  }
  ASSERT_TRUE(JournalWriter::Create(dir_, "another", "run9", 0).ok());
  auto replay = ReplayJournals(dir_, "fp1");
  ASSERT_TRUE(replay.ok());
  EXPECT_EQ(replay->stored.size(), 1u);
  EXPECT_EQ(replay->notes.size(), 2u);  // two damaged lines; another job's journal is no news
  std::ofstream(dir_ + "/run-2-rank-0.log") << "garbage\n";
  EXPECT_EQ(ReplayJournals(dir_, "fp1")->notes.size(), 3u);
  // The copy a store keeps is this job's, or it is damaged.
  std::string another_path;
  {
    auto w = JournalWriter::Create(dir_ + "/kept", "another", "run3", 0);
    ASSERT_TRUE(w.ok());
    another_path = w->path();
  }
  std::ifstream in(another_path);
  const std::string another_text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto kept = ReplayJournalText(another_text, "kept", "fp1");
  ASSERT_EQ(kept.notes.size(), 1u);
  EXPECT_NE(kept.notes[0].find("belongs to another plan"), std::string::npos);
  EXPECT_EQ(ReplayJournals(dir_ + "/absent", "fp1")->files, 0u);
}

TEST_F(JournalTest, RemovingThePlansJournalsLeavesOtherJobsInASharedDirectory) {
  for (const char* plan : {"mine", "old-mine", "other-job"}) {
    auto w = JournalWriter::Create(dir_, plan, std::string("run-of-") + plan, 0);
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE(w->RecordStored("tas/0.0", {1, 2}).ok());
  }
  std::ofstream(dir_ + "/notes.log") << "not a journal\n";
  RemoveJournals(dir_, {"mine", "old-mine"});
  EXPECT_EQ(ReplayJournals(dir_, "mine")->files, 0u);
  EXPECT_EQ(ReplayJournals(dir_, "old-mine")->files, 0u);
  auto other = ReplayJournals(dir_, "other-job");
  EXPECT_EQ(other->files, 1u);
  EXPECT_EQ(other->stored.count("tas/0.0"), 1u);
  EXPECT_TRUE(std::filesystem::exists(dir_ + "/notes.log"));  // not ours to delete
}

TEST_F(JournalTest, StoredRecordsTextReplaysToTheSameRecords) {
  JournalReplay replay;
  replay.stored["x/0"] = {3, 4};
  replay.sessions["x/1"] = "http://secret-session";
  std::string text = StoredRecordsText("fp", replay);
  EXPECT_EQ(text.find("secret-session"), std::string::npos);
  std::filesystem::create_directories(dir_);
  std::ofstream(dir_ + "/mirror.log") << text;
  auto back = ReplayJournals(dir_, "fp");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->stored, replay.stored);
}

TEST(RunState, RoundTripsTheDoneBitmapAndSessions) {
  RunState s;
  s.plan_json = "{}";
  s.fingerprint = "f";
  s.run_id = "r";
  s.done = {true, false, false, true, true, false, true, false, true};
  s.sessions["a/0"] = "http://s";
  auto back = RunStateFromText(RunStateToText(s));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->done, s.done);
  EXPECT_EQ(back->sessions, s.sessions);
  EXPECT_EQ(back->resumed_chunks(), 5u);
}

TEST(PlanDiff, SaysWhatChanged) {
  Plan before;
  before.files = {{"a.nc", 10, 1, 0, 1, {}, {}, {}}};
  PlannedVariable v;
  v.name = "tas";
  v.chunks = {2};
  before.variables = {v};
  Plan now = before;
  EXPECT_TRUE(DescribePlanChanges(before, now).empty());
  now.files[0].mtime_ns = 2;
  now.files.push_back({"b.nc", 1, 1, 1, 1, {}, {}, {}});
  now.variables[0].chunks = {3};
  now.compressor.level = 3;
  auto changes = DescribePlanChanges(before, now);
  ASSERT_EQ(changes.size(), 4u);
  EXPECT_EQ(changes[0], "input a.nc changed (size or modification time)");
  EXPECT_EQ(changes[1], "input b.nc is new");
  EXPECT_EQ(changes[2], "compressor zstd:1 became zstd:3");
  EXPECT_EQ(changes[3], "chunks of 'tas' were (2), now (3)");
  EXPECT_NE(PlanFingerprint("{}"), PlanFingerprint("{ }"));
}

}  // namespace
}  // namespace nc2zarr
