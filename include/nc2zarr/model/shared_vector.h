// Values many files hold alike, kept once: rank 0 holds every file's scan
// while it plans, and a 0.25-degree grid's coordinates are 17 KB a file,
// the attributes of 250 variables hundreds of KB. Copies share one
// immutable vector; a change copies it first.
#pragma once

#include <cstddef>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <type_traits>
#include <vector>

namespace nc2zarr {

template <typename T>
class SharedVector {
 public:
  SharedVector() : SharedVector(std::vector<T>{}) {}
  SharedVector(std::vector<T> values)  // NOLINT: a vector converts, as it did before sharing
      : values_(std::make_shared<const std::vector<T>>(std::move(values))) {}
  SharedVector(std::initializer_list<T> values) : SharedVector(std::vector<T>(values)) {}

  const std::vector<T>& values() const { return *values_; }
  operator const std::vector<T>&() const { return *values_; }  // NOLINT: reads as the vector

  std::size_t size() const { return values_->size(); }
  bool empty() const { return values_->empty(); }
  const T* data() const { return values_->data(); }
  const T& operator[](std::size_t i) const { return (*values_)[i]; }
  const T& front() const { return values_->front(); }
  const T& back() const { return values_->back(); }
  typename std::vector<T>::const_iterator begin() const { return values_->begin(); }
  typename std::vector<T>::const_iterator end() const { return values_->end(); }

  // A vector of its own to change (copied when shared).
  std::vector<T>& Mutable() {
    if (values_.use_count() != 1) values_ = std::make_shared<const std::vector<T>>(*values_);
    return const_cast<std::vector<T>&>(*values_);  // owned alone: nobody else sees the change
  }
  void push_back(T value) { Mutable().push_back(std::move(value)); }

  // Takes other's storage when both hold the same values (numbers bit for
  // bit, NaN payloads and -0 included), so this copy's memory goes.
  void ShareIfSame(const SharedVector& other) {
    if (SharesWith(other) || size() != other.size()) return;
    if constexpr (std::is_floating_point_v<T>) {
      if (!empty() && std::memcmp(data(), other.data(), size() * sizeof(T)) != 0) return;
    } else {
      if (!(*values_ == *other.values_)) return;
    }
    values_ = other.values_;
  }
  bool SharesWith(const SharedVector& other) const { return values_ == other.values_; }
  bool operator==(const SharedVector& other) const { return SharesWith(other) || *values_ == *other.values_; }

 private:
  std::shared_ptr<const std::vector<T>> values_;
};

using SharedValues = SharedVector<double>;

}  // namespace nc2zarr
