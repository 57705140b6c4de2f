#include "nc2zarr/plan/time_units.h"

#include <gtest/gtest.h>

namespace nc2zarr {
namespace {

// Days from `since` to `to` (both "YYYY-MM-DD ..."), as nc2zarr computes them.
double Between(const std::string& to, const std::string& since, const std::string& calendar,
               const std::string& unit = "days") {
  auto a = ParseTimeUnits(unit + " since " + to, calendar);
  auto b = ParseTimeUnits(unit + " since " + since, calendar);
  EXPECT_TRUE(a.ok() && b.ok()) << (a.ok() ? b.status().message() : a.status().message());
  return *TimeOffset(*a, *b);
}

TEST(TimeUnits, AgreesWithCftimeInEveryCalendar) {
  // The figures cftime.date2num gives for 2000-01-01 in "days since 1850-01-01".
  EXPECT_EQ(Between("2000-01-01", "1850-01-01", "proleptic_gregorian"), 54786);
  EXPECT_EQ(Between("2000-01-01", "1850-01-01", "standard"), 54786);
  EXPECT_EQ(Between("2000-01-01", "1850-1-1 00:00:00", "gregorian"), 54786);
  EXPECT_EQ(Between("2000-01-01", "1850-01-01", "noleap"), 54750);
  EXPECT_EQ(Between("2000-01-01", "1850-01-01", "365_day"), 54750);
  EXPECT_EQ(Between("2000-01-01", "1850-01-01", "360_day"), 54000);
  EXPECT_EQ(Between("2000-01-01", "1850-01-01", "julian"), 54787);
  EXPECT_EQ(Between("2000-01-01", "1850-01-01", "all_leap"), 54900);
  // The standard calendar jumps from 1582-10-04 to 1582-10-15.
  EXPECT_EQ(Between("1582-10-15", "1582-10-04", "standard"), 1);
  EXPECT_EQ(Between("1000-03-01", "0001-01-01 06:00", "standard", "hours"), 8758650);
  EXPECT_EQ(Between("2017-01-02", "1900-01-01", "standard", "hours"), 1025640);
}

TEST(TimeUnits, StandardAndProlepticGregorianAreNotMixed) {
  // They agree from 1582-10-15 on, but values can reach before it.
  auto a = ParseTimeUnits("days since 2006-01-01", "standard"), b = ParseTimeUnits("days since 2006-01-01",
                                                                                     "proleptic_gregorian");
  EXPECT_FALSE(TimeOffset(*a, *b).ok());
}

TEST(TimeUnits, ReadsTheUsualSpellings) {
  EXPECT_TRUE(ParseTimeUnits("days since 2000-01-01T00:00:00Z", "").ok());
  EXPECT_TRUE(ParseTimeUnits("hours since 1800-01-01", "proleptic_gregorian").ok());
  EXPECT_TRUE(ParseTimeUnits("seconds since 2000-01-01 00:00:00.0", "standard").ok());
  EXPECT_TRUE(ParseTimeUnits("hours since 1900-01-01 00:00:0.0", "standard").ok());
  EXPECT_TRUE(ParseTimeUnits("Days Since 1949-12-01 00:00:00 UTC", "standard").ok());
  EXPECT_EQ(*TimeOffset(*ParseTimeUnits("hours since 2000-01-02", ""), *ParseTimeUnits("hours since 2000-01-01", "")),
            24);
}

TEST(TimeUnits, AUtcOffsetMovesTheReference) {
  // cftime/pandas: 0 hours since 2000-01-01 00:00 +01:00 is 1999-12-31 23:00 UTC.
  auto utc = *ParseTimeUnits("hours since 2000-01-01 00:00:00", "standard");
  EXPECT_EQ(*TimeOffset(*ParseTimeUnits("hours since 2000-01-01 00:00:00 +01:00", "standard"), utc), -1);
  EXPECT_EQ(*TimeOffset(*ParseTimeUnits("hours since 2000-01-01T00:00:00-0530", "standard"), utc), 5.5);
  EXPECT_EQ(*TimeOffset(*ParseTimeUnits("hours since 2000-01-01 00:00 +1", "standard"), utc), -1);
  EXPECT_EQ(*TimeOffset(*ParseTimeUnits("hours since 2000-01-01 00:00:00 UTC", "standard"), utc), 0);
  EXPECT_EQ(*TimeOffset(*ParseTimeUnits("hours since 2000-01-01 utc", "standard"), utc), 0);
  EXPECT_EQ(*TimeOffset(*ParseTimeUnits("hours since 2000-01-01 00:00:00+00:00", "standard"), utc), 0);
  EXPECT_EQ(*TimeOffset(*ParseTimeUnits("hours since 2000-01-01 00:00:00 00:00", "standard"), utc), 0);
  // What cannot be read whole is refused, not read in part.
  EXPECT_FALSE(ParseTimeUnits("hours since 2000-01-01 00:00:00 CET", "standard").ok());
  EXPECT_FALSE(ParseTimeUnits("hours since 2000-01-01 00:00:00 +01:00 extra", "standard").ok());
  EXPECT_FALSE(ParseTimeUnits("hours since 2000-01-01 00:", "standard").ok());
}

TEST(TimeUnits, MillisecondsAndMicrosecondsHaveFixedLengths) {
  EXPECT_EQ(Between("2000-01-02", "2000-01-01", "standard", "milliseconds"), 86400000);
  EXPECT_EQ(Between("2000-01-02", "2000-01-01", "noleap", "microseconds"), 86400000000.0);
  EXPECT_EQ(Between("2000-01-01 00:00:00.001", "2000-01-01", "standard", "milliseconds"), 1);
  EXPECT_EQ(Between("2000-01-02 06:00:00.123", "2000-01-01", "standard", "milliseconds"), 108000123);  // exactly
  EXPECT_EQ(Between("2000-01-01 00:00:00.5", "2000-01-01", "standard", "seconds"), 0.5);
}

TEST(TimeUnits, RefusesWhatHasNoFixedLength) {
  EXPECT_FALSE(ParseTimeUnits("months since 2000-01-01", "standard").ok());
  EXPECT_FALSE(ParseTimeUnits("days since 2000-02-30", "standard").ok());
  EXPECT_TRUE(ParseTimeUnits("days since 2000-02-30", "360_day").ok());
  EXPECT_FALSE(ParseTimeUnits("days since yesterday", "standard").ok());
  EXPECT_FALSE(ParseTimeUnits("days since 2000-01-01", "martian").ok());
  EXPECT_FALSE(TimeOffset(*ParseTimeUnits("days since 2000-01-01", "noleap"),
                          *ParseTimeUnits("days since 2000-01-01", "standard")).ok());
  EXPECT_FALSE(TimeOffset(*ParseTimeUnits("hours since 2000-01-01", ""), *ParseTimeUnits("days since 2000-01-01", "")).ok());
}

}  // namespace
}  // namespace nc2zarr
