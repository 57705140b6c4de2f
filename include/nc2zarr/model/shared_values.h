// Numbers many files hold alike (a grid's latitudes and longitudes in every
// file of a run), kept once: rank 0 holds every file's scan while it plans,
// and a 0.25-degree grid's coordinates are 17 KB a file.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <memory>
#include <vector>

namespace nc2zarr {

class SharedValues {
 public:
  SharedValues();
  SharedValues(std::vector<double> values);  // NOLINT: a vector converts, as it did before sharing
  SharedValues(std::initializer_list<double> values);

  const std::vector<double>& values() const { return *values_; }
  operator const std::vector<double>&() const { return *values_; }  // NOLINT: reads as the vector

  std::size_t size() const { return values_->size(); }
  bool empty() const { return values_->empty(); }
  const double* data() const { return values_->data(); }
  double operator[](std::size_t i) const { return (*values_)[i]; }
  double front() const { return values_->front(); }
  double back() const { return values_->back(); }
  std::vector<double>::const_iterator begin() const { return values_->begin(); }
  std::vector<double>::const_iterator end() const { return values_->end(); }

  // Takes other's storage when both hold the same values bit for bit (NaN
  // payloads and -0 included), so this copy's memory goes.
  void ShareIfSame(const SharedValues& other);
  bool SharesWith(const SharedValues& other) const { return values_ == other.values_; }

 private:
  std::shared_ptr<const std::vector<double>> values_;
};

}  // namespace nc2zarr
