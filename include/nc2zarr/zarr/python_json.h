// JSON text exactly as zarr-python writes metadata (json.dumps with
// indent=4, sort_keys=True, ensure_ascii=True): floats in Python's repr form,
// NaN and Infinity as bare tokens, non-ASCII escaped. Matching it keeps our
// metadata byte-comparable with stores written by xarray.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace nc2zarr {

std::string DumpPythonJson(const nlohmann::json& value);

// repr(float(x)) as Python prints it: "0.1", "1e+20", "1.0", "-0.0".
std::string FormatPythonFloat(double x);

// Replaces invalid UTF-8 sequences with U+FFFD, as Python's
// bytes.decode("utf-8", errors="replace") does.
std::string SanitizeUtf8(const std::string& bytes);

}  // namespace nc2zarr
