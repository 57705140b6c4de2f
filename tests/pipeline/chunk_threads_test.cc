#include "nc2zarr/pipeline/chunk_threads.h"

#include <gtest/gtest.h>

namespace nc2zarr {
namespace {

TEST(ChunkThreads, AProcessStartedAloneUsesTheCoresItMayRunOn) {
  EXPECT_EQ(DefaultChunkThreads(2, 2, 1), 2u);
  EXPECT_EQ(DefaultChunkThreads(4, 64, 1), 4u);  // srun --cpus-per-task=4 on a shared node
}

TEST(ChunkThreads, RanksBoundToOneCoreEachUseOneThread) {
  EXPECT_EQ(DefaultChunkThreads(1, 2, 2), 1u);  // mpirun -np 2 binds to cores
  EXPECT_EQ(DefaultChunkThreads(1, 128, 1), 1u);
}

TEST(ChunkThreads, UnboundRanksShareTheNodesCores) {
  EXPECT_EQ(DefaultChunkThreads(2, 2, 2), 1u);    // --bind-to none
  EXPECT_EQ(DefaultChunkThreads(2, 2, 3), 1u);    // oversubscribed: never zero
  EXPECT_EQ(DefaultChunkThreads(32, 64, 4), 8u);  // bound to a socket, 4 ranks on 64 cores
  EXPECT_EQ(DefaultChunkThreads(32, 64, 16), 4u);
}

TEST(ChunkThreads, TheDefaultStopsAtEight) {
  EXPECT_EQ(DefaultChunkThreads(128, 128, 1), kMaxDefaultChunkThreads);
  EXPECT_EQ(kMaxDefaultChunkThreads, 8u);
}

TEST(ChunkThreads, ThisProcessGetsAtLeastOne) {
  const std::size_t n = DefaultChunkThreads(1);
  EXPECT_GE(n, 1u);
  EXPECT_LE(n, kMaxDefaultChunkThreads);
}

}  // namespace
}  // namespace nc2zarr
