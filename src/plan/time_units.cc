#include "nc2zarr/plan/time_units.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
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
      {"seconds", 1},    {"second", 1},    {"secs", 1},       {"sec", 1},      {"s", 1}};
  auto unit = kUnits.find(Trim(lower.substr(0, since)));
  if (unit == kUnits.end()) return bad("only seconds, minutes, hours and days have a fixed length");
  auto calendar = NormaliseCalendar(calendar_text);
  if (!calendar) return bad("unknown calendar");

  std::string date = Trim(lower.substr(since + 7));
  std::replace(date.begin(), date.end(), 't', ' ');
  for (const char* zone : {" utc", "z", "+00:00", " +0:00", " 00:00"}) {
    const std::string z(zone);
    if (date.size() > z.size() && date.compare(date.size() - z.size(), z.size(), z) == 0) date.resize(date.size() - z.size());
  }
  long y = 0;
  int mo = 0, d = 0, h = 0, mi = 0;
  double s = 0;
  int n = std::sscanf(date.c_str(), "%ld-%d-%d %d:%d:%lf", &y, &mo, &d, &h, &mi, &s);
  if (n < 3 || (n > 3 && n < 5)) {
    // "1850-01-01 00:00" has no seconds; "1850-1-1" none of the time.
    n = std::sscanf(date.c_str(), "%ld-%d-%d %d:%d", &y, &mo, &d, &h, &mi);
    if (n != 3 && n != 5) return bad("the reference date is not YYYY-MM-DD[ hh:mm[:ss]]");
  }
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > DaysInMonth(*calendar, y, mo) || h < 0 || h > 23 || mi < 0 ||
      mi > 59 || s < 0 || s >= 61) {
    return bad("the reference date is out of range");
  }
  TimeUnits t;
  t.seconds_per_unit = unit->second;
  t.calendar = *calendar;
  t.reference_seconds = static_cast<double>(DayNumber(*calendar, y, mo, d)) * 86400.0 + h * 3600.0 + mi * 60.0 + s;
  return t;
}

Result<double> TimeOffset(const TimeUnits& from, const TimeUnits& to) {
  if (from.calendar != to.calendar) {
    return InvalidInput("the calendars '" + from.calendar + "' and '" + to.calendar + "' differ");
  }
  if (from.seconds_per_unit != to.seconds_per_unit) {
    return InvalidInput("the time units differ in size (not only in their reference date)");
  }
  return (from.reference_seconds - to.reference_seconds) / to.seconds_per_unit;
}

}  // namespace nc2zarr
