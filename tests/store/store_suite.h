// One test suite every Store implementation must pass. A store's test file
// instantiates it with a factory:
//   INSTANTIATE_TEST_SUITE_P(Local, StoreSuite, ::testing::Values(StoreFactory{...}));
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>

#include "nc2zarr/store/store.h"

namespace nc2zarr {

struct StoreFactory {
  std::string name;
  std::function<std::unique_ptr<Store>()> make;  // a new, empty store
};

inline std::ostream& operator<<(std::ostream& os, const StoreFactory& f) { return os << f.name; }

class StoreSuite : public ::testing::TestWithParam<StoreFactory> {
 protected:
  void SetUp() override { store_ = GetParam().make(); }
  std::unique_ptr<Store> store_;
};

}  // namespace nc2zarr
