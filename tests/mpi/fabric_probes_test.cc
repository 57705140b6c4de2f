#include "nc2zarr/mpi/fabric_probes.h"
#include "nc2zarr/mpi/mpi_comm.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>

namespace nc2zarr {
namespace {

namespace fs = std::filesystem;

// A fake node: an empty root where each test creates the device nodes it needs.
class FabricDeviceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("fabric_probes_test_" + std::to_string(::getpid()));
    fs::remove_all(root_);
    fs::create_directories(root_ / "dev");
    fs::create_directories(root_ / "sys/class");
  }
  void TearDown() override { fs::remove_all(root_); }
  void Touch(const std::string& relative) {
    fs::create_directories((root_ / relative).parent_path());
    std::ofstream(root_ / relative).put('\n');
  }
  fs::path root_;
};

TEST_F(FabricDeviceTest, APlainNodeHasNone) {
  Touch("dev/null");
  Touch("dev/hfi");  // not hfi1*
  fs::create_directories(root_ / "sys/class/infiniband");  // the class, but no device in it
  EXPECT_FALSE(NodeHasFabricDevice(root_));
}

TEST_F(FabricDeviceTest, EachFabricIsSeen) {
  for (const char* device : {"dev/hfi1_0", "dev/ipath0", "dev/cxi0", "dev/kgni0", "sys/class/infiniband/mlx5_0",
                             "sys/class/infiniband/efa_0", "sys/class/cxi/cxi0"}) {
    Touch(device);
    EXPECT_TRUE(NodeHasFabricDevice(root_)) << device;
    fs::remove(root_ / device);
    EXPECT_FALSE(NodeHasFabricDevice(root_)) << device;
  }
}

TEST_F(FabricDeviceTest, AMissingRootHasNone) { EXPECT_FALSE(NodeHasFabricDevice(root_ / "absent")); }

auto Environment(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const char* name) -> const char* {
    auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  };
}

TEST(FabricMtlExclusion, ExcludesTheFabricMtlsOnANodeWithoutFabric) {
  EXPECT_EQ(FabricMtlExclusion(Environment({{"PATH", "/usr/bin"}}), false), std::string("^psm,psm2,ofi"));
}

TEST(FabricMtlExclusion, LeavesANodeWithFabricAlone) {
  EXPECT_EQ(FabricMtlExclusion(Environment({}), true), std::nullopt);
}

TEST(FabricMtlExclusion, KeepsTheUsersChoice) {
  EXPECT_EQ(FabricMtlExclusion(Environment({{"OMPI_MCA_mtl", "psm2"}}), false), std::nullopt);
  EXPECT_EQ(FabricMtlExclusion(Environment({{"OMPI_MCA_pml", "cm"}}), false), std::nullopt);
  EXPECT_EQ(FabricMtlExclusion(Environment({{"OMPI_MCA_mtl", ""}}), false), std::nullopt);
}

TEST(StartedByAnMpiLauncher, MpirunOrPmixOrPmiElseOneProcessWithoutMpi) {
  EXPECT_FALSE(StartedByAnMpiLauncher(Environment({{"PATH", "/usr/bin"}, {"SLURM_PROCID", "0"}})));
  EXPECT_TRUE(StartedByAnMpiLauncher(Environment({{"OMPI_COMM_WORLD_SIZE", "2"}})));  // mpirun
  EXPECT_TRUE(StartedByAnMpiLauncher(Environment({{"PMIX_RANK", "1"}})));             // srun --mpi=pmix
  EXPECT_TRUE(StartedByAnMpiLauncher(Environment({{"PMI_RANK", "0"}})));              // PMI-2 launchers
  EXPECT_EQ(LauncherRank(Environment({})), 0);
  EXPECT_EQ(LauncherRank(Environment({{"OMPI_COMM_WORLD_RANK", "2"}})), 2);
  EXPECT_EQ(LauncherRank(Environment({{"PMIX_RANK", "1"}})), 1);
  EXPECT_EQ(LauncherRank(Environment({{"SLURM_PROCID", "3"}})), 3);  // srun without an MPI plugin
  EXPECT_EQ(LauncherRank(Environment({{"SLURM_PROCID", "0"}, {"PMIX_RANK", "2"}})), 2);
}

TEST(NonMpiSrunTasks, OnlyTasksOfAStepWithoutPmiOrPmix) {
  EXPECT_EQ(NonMpiSrunTasks(Environment({{"SLURM_STEP_NUM_TASKS", "4"}, {"SLURM_PROCID", "1"}})), 4);
  EXPECT_EQ(NonMpiSrunTasks(Environment({{"SLURM_STEP_NUM_TASKS", "4"}, {"PMIX_RANK", "1"}})), 0);  // --mpi=pmix
  EXPECT_EQ(NonMpiSrunTasks(Environment({{"SLURM_STEP_NUM_TASKS", "1"}})), 0);
  EXPECT_EQ(NonMpiSrunTasks(Environment({{"SLURM_NTASKS", "4"}, {"SLURM_PROCID", "0"}})), 0);  // the batch shell
}

}  // namespace
}  // namespace nc2zarr
