#include "nc2zarr/model/attribute.h"

namespace nc2zarr {
namespace {

template <typename T>
T Load(const std::vector<std::byte>& bytes, std::size_t i) {
  T v;
  std::memcpy(&v, bytes.data() + i * sizeof(T), sizeof(T));
  return v;
}

}  // namespace

std::size_t Attribute::count() const {
  if (type == DataType::kChar) return strings.empty() ? 0 : strings.front().size();
  if (type == DataType::kString) return strings.size();
  return bytes.size() / SizeOf(type);
}

double Attribute::DoubleAt(std::size_t i) const {
  switch (type) {
    case DataType::kInt8: return Load<std::int8_t>(bytes, i);
    case DataType::kUInt8: return Load<std::uint8_t>(bytes, i);
    case DataType::kInt16: return Load<std::int16_t>(bytes, i);
    case DataType::kUInt16: return Load<std::uint16_t>(bytes, i);
    case DataType::kInt32: return Load<std::int32_t>(bytes, i);
    case DataType::kUInt32: return Load<std::uint32_t>(bytes, i);
    case DataType::kInt64: return static_cast<double>(Load<std::int64_t>(bytes, i));
    case DataType::kUInt64: return static_cast<double>(Load<std::uint64_t>(bytes, i));
    case DataType::kFloat32: return Load<float>(bytes, i);
    case DataType::kFloat64: return Load<double>(bytes, i);
    default: return 0.0;
  }
}

std::optional<std::int64_t> Attribute::SignedAt(std::size_t i) const {
  switch (type) {
    case DataType::kInt8: return Load<std::int8_t>(bytes, i);
    case DataType::kUInt8: return Load<std::uint8_t>(bytes, i);
    case DataType::kInt16: return Load<std::int16_t>(bytes, i);
    case DataType::kUInt16: return Load<std::uint16_t>(bytes, i);
    case DataType::kInt32: return Load<std::int32_t>(bytes, i);
    case DataType::kUInt32: return Load<std::uint32_t>(bytes, i);
    case DataType::kInt64: return Load<std::int64_t>(bytes, i);
    default: return std::nullopt;
  }
}

std::optional<std::uint64_t> Attribute::UnsignedAt(std::size_t i) const {
  if (type == DataType::kUInt64) return Load<std::uint64_t>(bytes, i);
  return std::nullopt;
}

Attribute Attribute::Text(std::string name, std::string value) {
  Attribute a;
  a.name = std::move(name);
  a.type = DataType::kChar;
  a.strings.push_back(std::move(value));
  return a;
}

const Attribute* FindAttribute(const std::vector<Attribute>& attributes, const std::string& name) {
  for (const auto& a : attributes) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

std::optional<std::string> TextAttribute(const std::vector<Attribute>& attributes,
                                         const std::string& name) {
  const Attribute* a = FindAttribute(attributes, name);
  if (a == nullptr) return std::nullopt;
  if (a->type == DataType::kChar) return a->strings.empty() ? std::string() : a->strings.front();
  if (a->type == DataType::kString && a->strings.size() == 1) return a->strings.front();
  return std::nullopt;
}

}  // namespace nc2zarr
