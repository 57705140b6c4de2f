#include "nc2zarr/cli/options.h"

#include <gtest/gtest.h>

#include <vector>

namespace nc2zarr {
namespace {

ParsedCommandLine Parse(std::vector<const char*> args) {
  args.insert(args.begin(), "nc2zarr");
  return ParseCommandLine(static_cast<int>(args.size()), args.data());
}

TEST(ParseCommandLine, Convert) {
  auto p = Parse({"convert", "a.nc", "run/*.nc", "-o", "out.zarr", "--chunks", "time=24,lat=-1", "--variables",
                  "tas,pr", "--variables", "orog", "--compressor", "zstd:3", "--concat-dim", "time", "--overwrite",
                  "--target-chunk-mb", "50", "--write-buffer-mb", "64"});
  ASSERT_TRUE(p.options.has_value()) << p.message;
  const ConvertOptions& c = p.options->convert;
  EXPECT_EQ(p.options->command, Command::kConvert);
  EXPECT_EQ(c.inputs, (std::vector<std::string>{"a.nc", "run/*.nc"}));
  EXPECT_EQ(c.output, "out.zarr");
  EXPECT_EQ(c.request.chunks.sizes, (std::vector<std::pair<std::string, long long>>{{"time", 24}, {"lat", -1}}));
  EXPECT_EQ(c.request.chunks.target_mb, 50);
  EXPECT_EQ(c.request.variables, (std::vector<std::string>{"tas", "pr", "orog"}));
  EXPECT_EQ(c.request.compressor.level, 3);
  EXPECT_EQ(c.request.concat_dim, "time");
  EXPECT_TRUE(c.overwrite);
  EXPECT_EQ(c.write_buffer_bytes, std::size_t{64} << 20);
  EXPECT_TRUE(c.resume);
  EXPECT_TRUE(c.direct_chunk_reads);
}

TEST(ParseCommandLine, WriteBufferDefaultsByDestination) {
  auto p = Parse({"convert", "a.nc", "-o", "out.zarr"});
  ASSERT_TRUE(p.options.has_value()) << p.message;
  EXPECT_FALSE(p.options->convert.write_buffer_bytes.has_value());
  EXPECT_EQ(DefaultWriteBufferBytes("out.zarr"), std::size_t{32} << 20);
  EXPECT_EQ(DefaultWriteBufferBytes("gs://bucket/run.zarr"), std::size_t{128} << 20);
  auto zero = Parse({"convert", "a.nc", "-o", "out.zarr", "--write-buffer-mb", "0"});
  ASSERT_TRUE(zero.options.has_value()) << zero.message;
  EXPECT_EQ(zero.options->convert.write_buffer_bytes, std::size_t{0});
  auto negative = Parse({"convert", "a.nc", "-o", "out.zarr", "--write-buffer-mb", "-1"});
  EXPECT_EQ(negative.exit_code, 2);
  EXPECT_NE(negative.message.find("--write-buffer-mb must not be negative"), std::string::npos) << negative.message;
}

TEST(ParseCommandLine, NoResumeAndNoDirectReadsTurnThemOff) {
  auto p = Parse({"convert", "a.nc", "-o", "out.zarr", "--no-resume", "--no-direct-reads"});
  ASSERT_TRUE(p.options.has_value()) << p.message;
  EXPECT_FALSE(p.options->convert.resume);
  EXPECT_FALSE(p.options->convert.direct_chunk_reads);
  auto both = Parse({"convert", "a.nc", "-o", "out.zarr", "--no-resume", "--resume"});
  EXPECT_EQ(both.exit_code, 2);
  EXPECT_NE(both.message.find("excludes"), std::string::npos) << both.message;
}

TEST(ParseCommandLine, ErrorsAreOneLineNamingWhatIsWrong) {
  for (auto [args, says] : std::vector<std::pair<std::vector<const char*>, std::string>>{
           {{"inspect"}, "unknown command 'inspect'"},
           {{"convert", "a.nc", "-o", "x", "--piece-mb", "0"}, "--piece-mb must be positive"},
           {{"convert", "a.nc", "-o", "x", "--retry-attempts", "0"}, "--retry-attempts must be positive"},
           {{"convert", "a.nc", "-o", "x", "--threads", "0"}, "--threads"}}) {
    auto p = Parse(args);
    EXPECT_EQ(p.exit_code, 2);
    EXPECT_NE(p.message.find(says), std::string::npos) << p.message;
    EXPECT_EQ(p.message.find('\n'), p.message.size() - 1) << p.message;
  }
}

TEST(ParseCommandLine, HelpForAnUnknownCommandIsAnError) {
  auto p = Parse({"inspect", "--help"});
  EXPECT_EQ(p.exit_code, 2);
  EXPECT_FALSE(p.options.has_value());
  EXPECT_NE(p.message.find("unknown command 'inspect'"), std::string::npos) << p.message;
  auto known = Parse({"status", "--help"});
  EXPECT_EQ(known.exit_code, 0);
  EXPECT_NE(known.message.find("status [OPTIONS] target"), std::string::npos) << known.message;
}

TEST(ParseCommandLine, OnlyCommandsThatWriteObjectsTakeUploadOptions) {
  for (const char* upload_option : {"--piece-mb", "--resumable-threshold-mb", "--initial-request-rate", "--gcs-api"}) {
    const char* value = std::string(upload_option) == "--gcs-api" ? "xml" : "4";
    for (const char* command : {"status", "ls", "rm"}) {
      auto p = Parse({command, "gs://b/x.zarr", upload_option, value});
      EXPECT_EQ(p.exit_code, 2) << command << " " << upload_option;
      auto help = Parse({command, "--help"});
      EXPECT_EQ(help.message.find(upload_option), std::string::npos) << help.message;
    }
    auto convert = Parse({"convert", "a.nc", "-o", "gs://b/x.zarr", upload_option, value});
    EXPECT_TRUE(convert.options.has_value()) << convert.message;
    auto check = Parse({"auth", "check", "gs://b/x.zarr", upload_option, value});
    EXPECT_TRUE(check.options.has_value()) << check.message;
  }
}

TEST(ParseCommandLine, VariablesTakeOneValueAnOccurrenceSoInputsMayFollow) {
  auto p = Parse({"convert", "--variables", "tas", "a.nc", "b.nc", "--drop-variables", "x,y", "--drop-variables", "z",
                  "c.nc", "-o", "out.zarr"});
  ASSERT_TRUE(p.options.has_value()) << p.message;
  EXPECT_EQ(p.options->convert.inputs, (std::vector<std::string>{"a.nc", "b.nc", "c.nc"}));
  EXPECT_EQ(p.options->convert.request.variables, (std::vector<std::string>{"tas"}));
  EXPECT_EQ(p.options->convert.request.drop_variables, (std::vector<std::string>{"x", "y", "z"}));
}

TEST(ParseCommandLine, PlanNeedsNoOutput) {
  auto p = Parse({"plan", "a.nc", "--json", "-q"});
  ASSERT_TRUE(p.options.has_value()) << p.message;
  EXPECT_EQ(p.options->command, Command::kPlan);
  EXPECT_TRUE(p.options->plan_json);
  EXPECT_EQ(p.options->log_level, LogLevel::kQuiet);
}

TEST(ParseCommandLine, UsageErrorsExitWithTwo) {
  for (auto args : std::vector<std::vector<const char*>>{
           {"convert", "a.nc"},                                   // no -o
           {"convert", "-o", "x.zarr"},                           // no inputs
           {"convert", "a.nc", "-o", "x", "--chunks", "time"},     // no size
           {"convert", "a.nc", "-o", "x", "--chunks", "time=0"},
           {"convert", "a.nc", "-o", "x", "--compressor", "gzip"},
           {"convert", "a.nc", "-o", "x", "--target-chunk-mb", "-5"},
           {"convert", "a.nc", "-o", "x", "--write-buffer-mb", "-1"},
           {"convert", "a.nc", "-o", "x", "--variables", ","},  // not "every variable"
           {"convert", "a.nc", "-o", "x", "--target-chunk-mb", "inf"},  // not a chunk size: no plan is written
           {"convert", "a.nc", "-o", "x", "--target-chunk-mb", "nan"},
           {"convert", "a.nc", "-o", "x", "--grace-seconds", "-inf"},
           {"convert", "a.nc", "-o", "x", "--timeout-seconds", "infinity"},
           {"frobnicate"},
           {}}) {
    auto p = Parse(args);
    EXPECT_FALSE(p.options.has_value());
    EXPECT_EQ(p.exit_code, 2) << p.message;
    EXPECT_NE(p.message.find("error"), std::string::npos) << p.message;
  }
}

TEST(ParseCommandLine, HelpAndVersionExitWithZero) {
  auto help = Parse({"convert", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.message.find("--chunks"), std::string::npos);
  auto version = Parse({"--version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_NE(version.message.find("nc2zarr"), std::string::npos);
}

TEST(ParseChunkSizes, RejectsRepeatsAndGarbage) {
  EXPECT_TRUE(ParseChunkSizes("").ok());
  EXPECT_FALSE(ParseChunkSizes("time=1,time=2").ok());
  EXPECT_FALSE(ParseChunkSizes("=3").ok());
  EXPECT_FALSE(ParseChunkSizes("time=3x").ok());
  EXPECT_FALSE(ParseChunkSizes("time=-2").ok());
}

}  // namespace
}  // namespace nc2zarr
