#include "nc2zarr/plan/time_units.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>

namespace nc2zarr {
namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string Trim(const std::string& s) {
  auto a = s.find_first_not_of(" \t"), b = s.find_last_not_of(" \t");
  return a == std::string::npos ? "" : s.substr(a, b - a + 1);
}

// CF's names for the same calendars.
std::optional<std::string> NormaliseCalendar(std::string c) {
  c = Lower(Trim(c));
  if (c.empty() || c == "standard" || c == "gregorian") return "standard";
  if (c == "proleptic_gregorian") return "proleptic_gregorian";
  if (c == "noleap" || c == "365_day") return "noleap";
  if (c == "all_leap" || c == "366_day") return "all_leap";
  if (c == "360_day") return "360_day";
  if (c == "julian") return "julian";
  return std::nullopt;
}

bool GregorianLeap(long y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
bool JulianLeap(long y) { return y % 4 == 0; }

// Days from 0001-01-01 to y-m-d in a calendar with the given leap rule.
long DaysWithLeapRule(long y, int m, int d, bool (*leap)(long)) {
  static const int kCumulative[] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
  long days = 0;
  for (long year = 1; year < y; ++year) days += leap(year) ? 366 : 365;
  days += kCumulative[m - 1] + (m > 2 && leap(y) ? 1 : 0) + (d - 1);
  return days;
}

long DayNumber(const std::string& calendar, long y, int m, int d) {
  if (calendar == "360_day") return (y - 1) * 360 + (m - 1) * 30 + (d - 1);
  if (calendar == "noleap") return DaysWithLeapRule(y, m, d, [](long) { return false; });
  if (calendar == "all_leap") return DaysWithLeapRule(y, m, d, [](long) { return true; });
  if (calendar == "julian") return DaysWithLeapRule(y, m, d, JulianLeap);
  if (calendar == "proleptic_gregorian") return DaysWithLeapRule(y, m, d, GregorianLeap);
  // standard: Julian before 1582-10-15, Gregorian from then on, with the
  // ten days between them skipped.
  const bool gregorian = y > 1582 || (y == 1582 && (m > 10 || (m == 10 && d >= 15)));
  if (gregorian) return DaysWithLeapRule(y, m, d, GregorianLeap) + 2;  // the calendars differ by 2 days at year 1
  return DaysWithLeapRule(y, m, d, JulianLeap);
}

int DaysInMonth(const std::string& calendar, long y, int m) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (calendar == "360_day") return 30;
  if (m != 2) return kDays[m - 1];
  if (calendar == "noleap") return 28;
  if (calendar == "all_leap") return 29;
  bool leap = calendar == "julian" || (calendar == "standard" && y < 1582) ? JulianLeap(y) : GregorianLeap(y);
  return leap ? 29 : 28;
}

struct ReferenceDate {
  long year = 0;
  int month = 0, day = 0, hour = 0, minute = 0;
  double second = 0;
  int zone_seconds = 0;  // the UTC offset, "+01:00" -> 3600
};

// Reads digits at text[at...], at most max_digits of them.
std::optional<long> Digits(const std::string& text, std::size_t& at, std::size_t max_digits = 9) {
  std::size_t begin = at;
  long value = 0;
  while (at < text.size() && at - begin < max_digits && std::isdigit(static_cast<unsigned char>(text[at]))) {
    value = value * 10 + (text[at++] - '0');
  }
  if (at == begin) return std::nullopt;
  return value;
}

// "YYYY-MM-DD[(T| )hh[:mm[:ss[.f]]]][ ][Z|UTC|GMT|(+|-)hh[[:]mm]]", lower case; anything
// else is refused rather than half read, since a date read wrong moves every value.
std::optional<ReferenceDate> ParseReferenceDate(const std::string& text) {
  ReferenceDate r;
  std::size_t at = 0;
  auto expect = [&](char c) { return at < text.size() && text[at] == c ? (++at, true) : false; };
  auto year = Digits(text, at);
  if (!year || !expect('-')) return std::nullopt;
  auto month = Digits(text, at, 2);
  if (!month || !expect('-')) return std::nullopt;
  auto day = Digits(text, at, 2);
  if (!day) return std::nullopt;
  r.year = *year;
  r.month = static_cast<int>(*month);
  r.day = static_cast<int>(*day);
  const std::size_t after_date = at;
  if (expect('t') || expect(' ')) {
    while (expect(' ')) {}
    if (auto hour = Digits(text, at, 2)) {
      r.hour = static_cast<int>(*hour);
      if (expect(':')) {
        auto minute = Digits(text, at, 2);
        if (!minute) return std::nullopt;
        r.minute = static_cast<int>(*minute);
        if (expect(':')) {
          std::size_t begin = at;
          while (at < text.size() && (std::isdigit(static_cast<unsigned char>(text[at])) || text[at] == '.')) ++at;
          char* end = nullptr;
          const std::string seconds = text.substr(begin, at - begin);
          r.second = std::strtod(seconds.c_str(), &end);
          if (seconds.empty() || *end != '\0') return std::nullopt;
        }
      }
    } else {
      at = after_date;  // "2000-01-01 utc": no time of day
    }
  }
  while (expect(' ')) {}
  const std::string zone = text.substr(at);
  // " 00:00" after the time: a zone without its sign, as some files write UTC.
  if (zone.empty() || zone == "z" || zone == "utc" || zone == "gmt" || zone == "00:00" || zone == "0:00") return r;
  if (zone[0] != '+' && zone[0] != '-') return std::nullopt;
  at += 1;
  auto hours = Digits(text, at, 2);
  if (!hours || *hours > 14) return std::nullopt;
  long minutes = 0;
  if (at < text.size()) {
    expect(':');
    auto m = Digits(text, at, 2);
    if (!m || *m > 59 || at != text.size()) return std::nullopt;
    minutes = *m;
  }
  r.zone_seconds = static_cast<int>((zone[0] == '-' ? -1 : 1) * (*hours * 3600 + minutes * 60));
  return r;
}

}  // namespace

Result<TimeUnits> ParseTimeUnits(const std::string& units, const std::string& calendar_text) {
  auto bad = [&](const std::string& why) {
    return InvalidInput("time units '" + units + "' (calendar '" + calendar_text + "'): " + why);
  };
  const std::string lower = Lower(units);
  const auto since = lower.find(" since ");
  if (since == std::string::npos) return bad("not '<unit> since <date>'");
  static const std::map<std::string, double> kUnits = {
      {"days", 86400},   {"day", 86400},   {"d", 86400},      {"hours", 3600}, {"hour", 3600},  {"hrs", 3600},
      {"hr", 3600},      {"h", 3600},      {"minutes", 60},   {"minute", 60},  {"mins", 60},    {"min", 60},
      {"seconds", 1},    {"second", 1},    {"secs", 1},       {"sec", 1},      {"s", 1},
      {"milliseconds", 1e-3}, {"millisecond", 1e-3}, {"msecs", 1e-3}, {"msec", 1e-3}, {"ms", 1e-3},
      {"microseconds", 1e-6}, {"microsecond", 1e-6}, {"usecs", 1e-6}, {"usec", 1e-6}, {"us", 1e-6}};
  auto unit = kUnits.find(Trim(lower.substr(0, since)));
  if (unit == kUnits.end()) return bad("only days, hours, minutes, seconds, milliseconds and microseconds have a fixed length");
  auto calendar = NormaliseCalendar(calendar_text);
  if (!calendar) return bad("unknown calendar");

  auto date = ParseReferenceDate(Trim(lower.substr(since + 7)));
  if (!date) return bad("the reference date is not YYYY-MM-DD[ hh:mm[:ss]][ +hh:mm]");
  const auto& [y, mo, d, h, mi, s, zone_seconds] = *date;
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > DaysInMonth(*calendar, y, mo) || h > 23 || mi > 59 || s >= 61) {
    return bad("the reference date is out of range");
  }
  TimeUnits t;
  t.seconds_per_unit = unit->second;
  t.calendar = *calendar;
  t.reference_day = DayNumber(*calendar, y, mo, d);
  // A UTC offset names local time: the instant in UTC is that much earlier.
  t.reference_nanosecond_of_day = (h * 3600LL + mi * 60LL - zone_seconds) * 1000000000LL + std::llround(s * 1e9);
  return t;
}

Result<double> TimeOffset(const TimeUnits& from, const TimeUnits& to) {
  // "standard" and "proleptic_gregorian" agree only from 1582-10-15 on;
  // values may reach before it, so they are not mixed either.
  if (from.calendar != to.calendar) {
    return InvalidInput("the calendars '" + from.calendar + "' and '" + to.calendar + "' differ");
  }
  if (from.seconds_per_unit != to.seconds_per_unit) {
    return InvalidInput("the time units differ in size (not only in their reference date)");
  }
  // In whole numbers where they are exact (1e-3 is not a binary fraction):
  // units in a day, nanoseconds in a unit.
  const double spu = to.seconds_per_unit;
  const double units_per_day = spu >= 1 ? 86400.0 / spu : 86400.0 * std::round(1 / spu);
  const long long nanoseconds_per_unit = spu >= 1 ? std::llround(spu * 1e9) : std::llround(1e9 / std::round(1 / spu));
  const long long nanoseconds = from.reference_nanosecond_of_day - to.reference_nanosecond_of_day;
  const double part_of_day = nanoseconds % nanoseconds_per_unit == 0
                                 ? static_cast<double>(nanoseconds / nanoseconds_per_unit)
                                 : static_cast<double>(nanoseconds) / static_cast<double>(nanoseconds_per_unit);
  return static_cast<double>(from.reference_day - to.reference_day) * units_per_day + part_of_day;
}

}  // namespace nc2zarr
