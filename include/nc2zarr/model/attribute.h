// A NetCDF attribute as stored: its type and raw values, so nothing is lost
// between reading a file and writing Zarr metadata.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "nc2zarr/model/data_type.h"

namespace nc2zarr {

struct Attribute {
  std::string name;
  DataType type = DataType::kChar;
  // Numeric types: count * SizeOf(type) bytes in native byte order.
  std::vector<std::byte> bytes;
  // kChar: one string holding the raw characters; kString: one per value.
  std::vector<std::string> strings;

  std::size_t count() const;
  // The i-th numeric value converted to double (integers above 2^53 lose
  // precision; use IntegerAt for those).
  double DoubleAt(std::size_t i) const;
  // The i-th value of an integer attribute; nullopt for other types.
  std::optional<std::int64_t> SignedAt(std::size_t i) const;
  std::optional<std::uint64_t> UnsignedAt(std::size_t i) const;

  bool operator==(const Attribute&) const = default;

  static Attribute Text(std::string name, std::string value);
  template <typename T>
  static Attribute Numeric(std::string name, DataType type, const std::vector<T>& values) {
    Attribute a;
    a.name = std::move(name);
    a.type = type;
    a.bytes.resize(values.size() * sizeof(T));
    if (!values.empty()) std::memcpy(a.bytes.data(), values.data(), a.bytes.size());
    return a;
  }
};

const Attribute* FindAttribute(const std::vector<Attribute>& attributes, const std::string& name);
// The value of a text attribute (NC_CHAR, or a single NC_STRING), if present.
std::optional<std::string> TextAttribute(const std::vector<Attribute>& attributes,
                                         const std::string& name);

}  // namespace nc2zarr
