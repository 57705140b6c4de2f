#include "nc2zarr/model/shared_values.h"

#include <cstring>

namespace nc2zarr {

SharedValues::SharedValues() : SharedValues(std::vector<double>{}) {}

SharedValues::SharedValues(std::vector<double> values)
    : values_(std::make_shared<const std::vector<double>>(std::move(values))) {}

SharedValues::SharedValues(std::initializer_list<double> values) : SharedValues(std::vector<double>(values)) {}

void SharedValues::ShareIfSame(const SharedValues& other) {
  if (SharesWith(other) || size() != other.size()) return;
  if (!empty() && std::memcmp(data(), other.data(), size() * sizeof(double)) != 0) return;
  values_ = other.values_;
}

}  // namespace nc2zarr
