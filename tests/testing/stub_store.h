// A store whose reads find nothing and whose deletes succeed: tests derive
// from it and override Write (and Sync) to watch what a writer does.
#pragma once

#include <string>
#include <vector>

#include "nc2zarr/store/store.h"

namespace nc2zarr::fakes {

class StubStore : public Store {
 public:
  Result<std::vector<std::byte>> Read(const std::string& key) override { return Status(ErrorCode::kNotFound, key); }
  Result<ObjectInfo> Stat(const std::string& key) override { return Status(ErrorCode::kNotFound, key); }
  Result<std::vector<ObjectInfo>> List(const std::string&, std::size_t) override { return std::vector<ObjectInfo>{}; }
  Status Delete(const std::string&) override { return Status::Ok(); }
  std::string Describe() const override { return "stub store"; }
};

}  // namespace nc2zarr::fakes
