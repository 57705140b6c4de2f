#include "nc2zarr/zarr/python_json.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace nc2zarr {
namespace {

TEST(FormatPythonFloat, MatchesPythonRepr) {
  EXPECT_EQ(FormatPythonFloat(0.0), "0.0");
  EXPECT_EQ(FormatPythonFloat(-0.0), "-0.0");
  EXPECT_EQ(FormatPythonFloat(1.0), "1.0");
  EXPECT_EQ(FormatPythonFloat(0.1), "0.1");
  EXPECT_EQ(FormatPythonFloat(1e20), "1e+20");
  EXPECT_EQ(FormatPythonFloat(1e16), "1e+16");
  EXPECT_EQ(FormatPythonFloat(1e15), "1000000000000000.0");
  EXPECT_EQ(FormatPythonFloat(0.0001), "0.0001");
  EXPECT_EQ(FormatPythonFloat(0.00001), "1e-05");
  EXPECT_EQ(FormatPythonFloat(123.456), "123.456");
  EXPECT_EQ(FormatPythonFloat(static_cast<float>(0.01f)), "0.009999999776482582");
  EXPECT_EQ(FormatPythonFloat(-1.7250274674967954), "-1.7250274674967954");
  EXPECT_EQ(FormatPythonFloat(-9.969209968386869e+36), "-9.969209968386869e+36");
  EXPECT_EQ(FormatPythonFloat(5e-324), "5e-324");
  EXPECT_EQ(FormatPythonFloat(std::numeric_limits<double>::quiet_NaN()), "NaN");
  EXPECT_EQ(FormatPythonFloat(-std::numeric_limits<double>::infinity()), "-Infinity");
}

TEST(DumpPythonJson, IndentsSortsAndEscapesLikeZarrPython) {
  nlohmann::json j = {{"b", {1, 2.5}}, {"a", "caf\xc3\xa9 \"q\"\n"}, {"e", nlohmann::json::object()}, {"d", nlohmann::json::array()}};
  EXPECT_EQ(DumpPythonJson(j),
            "{\n    \"a\": \"caf\\u00e9 \\\"q\\\"\\n\",\n    \"b\": [\n        1,\n        2.5\n    ],\n"
            "    \"d\": [],\n    \"e\": {}\n}");
}

TEST(DumpPythonJson, WritesNaNAsPythonDoes) {
  nlohmann::json j = {{"x", std::numeric_limits<double>::quiet_NaN()}};
  EXPECT_EQ(DumpPythonJson(j), "{\n    \"x\": NaN\n}");
}

TEST(DumpPythonJson, EscapesAstralCharactersAsSurrogatePairs) {
  EXPECT_EQ(DumpPythonJson("\xf0\x9f\x98\x80"), "\"\\ud83d\\ude00\"");
  EXPECT_EQ(DumpPythonJson(std::string("\x7f\x01", 2)), "\"\\u007f\\u0001\"");
}

TEST(SanitizeUtf8, ReplacesInvalidBytes) {
  EXPECT_EQ(SanitizeUtf8("ok \xe2\x80\x93 dash"), "ok \xe2\x80\x93 dash");
  EXPECT_EQ(SanitizeUtf8("bad \xff end"), "bad \xef\xbf\xbd end");
}

}  // namespace
}  // namespace nc2zarr
