// A Zarr store under gs://bucket/prefix. Safe to use from several threads:
// each gets its own client (its own connection) from a pool.
#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include "nc2zarr/gcs/gcs_client.h"
#include "nc2zarr/gcs/gcs_path.h"
#include "nc2zarr/gcs/request_pacer.h"
#include "nc2zarr/store/store.h"

namespace nc2zarr {

class GcsStore final : public Store {
 public:
  using TransportFactory = std::function<std::unique_ptr<HttpTransport>()>;
  GcsStore(GcsPath path, GcsOptions options, std::shared_ptr<Credentials> credentials, TransportFactory transports,
           std::shared_ptr<RequestPacer> pacer = nullptr);

  Status Write(const std::string& key, std::span<const std::byte> data, const WriteOptions& options = {}) override;
  Result<std::vector<std::byte>> Read(const std::string& key) override;
  Result<ObjectInfo> Stat(const std::string& key) override;
  Result<std::vector<ObjectInfo>> List(const std::string& prefix, std::size_t limit = 0) override;
  Status Delete(const std::string& key) override;
  std::string Describe() const override { return path_.ToString(); }

  std::uint64_t retried_requests() const override;
  const GcsPath& path() const { return path_; }
  Status CheckBucket();

 private:
  // A client borrowed from the pool for one call.
  class Lease {
   public:
    Lease(GcsStore& store, std::unique_ptr<GcsClient> client) : store_(store), client_(std::move(client)) {}
    ~Lease();
    GcsClient* operator->() { return client_.get(); }

   private:
    GcsStore& store_;
    std::unique_ptr<GcsClient> client_;
  };
  Lease Borrow();

  GcsPath path_;
  GcsOptions options_;
  std::shared_ptr<Credentials> credentials_;
  TransportFactory transports_;
  std::shared_ptr<RequestPacer> pacer_;
  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<GcsClient>> idle_;
  std::vector<GcsClient*> all_;
};

}  // namespace nc2zarr
