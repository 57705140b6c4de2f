// CF time units ("days since 1850-01-01 00:00:00") and the offset between
// two of them in one calendar, so files that count time from different
// reference dates can be concatenated: values are moved to the first
// file's units, which is how xarray's open_mfdataset shows them decoded.
#pragma once

#include <string>

#include "nc2zarr/base/status.h"

namespace nc2zarr {

struct TimeUnits {
  double seconds_per_unit = 0;  // days: 86400, hours: 3600, ...
  std::string calendar;         // normalised: "standard", "proleptic_gregorian", "noleap", ...
  // The reference instant in UTC: whole days from 0001-01-01 of the calendar
  // and nanoseconds into that day, apart so fractions of a second stay exact.
  long reference_day = 0;
  long long reference_nanosecond_of_day = 0;
};

// kInvalidInput when the units are not "<unit> since <date>" with a unit of
// days, hours, minutes, seconds, milliseconds or microseconds, or the
// calendar is unknown (months and years have no fixed length, so they are
// refused). A UTC offset after the date ("+01:00") moves the reference.
Result<TimeUnits> ParseTimeUnits(const std::string& units, const std::string& calendar);

// What to add to a value in `from` units to express it in `to` units; both
// must use the same calendar and unit size.
Result<double> TimeOffset(const TimeUnits& from, const TimeUnits& to);

}  // namespace nc2zarr
