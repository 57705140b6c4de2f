#include "nc2zarr/store/gcs_store.h"

#include "nc2zarr/codec/crc32c.h"

namespace nc2zarr {

GcsStore::GcsStore(GcsPath path, GcsOptions options, std::shared_ptr<Credentials> credentials,
                   TransportFactory transports, std::shared_ptr<RequestPacer> pacer)
    : path_(std::move(path)), options_(std::move(options)), credentials_(std::move(credentials)),
      transports_(std::move(transports)), pacer_(std::move(pacer)) {}

GcsStore::Lease::~Lease() {
  std::lock_guard lock(store_.mutex_);
  store_.idle_.push_back(std::move(client_));
}

GcsStore::Lease GcsStore::Borrow() {
  std::lock_guard lock(mutex_);
  if (!idle_.empty()) {
    auto client = std::move(idle_.back());
    idle_.pop_back();
    return Lease(*this, std::move(client));
  }
  auto client = std::make_unique<GcsClient>(options_, credentials_, transports_());
  all_.push_back(client.get());
  return Lease(*this, std::move(client));
}

std::uint64_t GcsStore::retried_requests() const {
  std::lock_guard lock(mutex_);
  std::uint64_t n = 0;
  for (const GcsClient* c : all_) n += c->counters().retries;
  return n;
}

Status GcsStore::Write(const std::string& key, std::span<const std::byte> data, const WriteOptions& options) {
  if (pacer_) pacer_->Acquire();
  std::uint32_t crc = options.crc32c ? *options.crc32c : Crc32c(data);
  auto uploaded = Borrow()->Upload(path_.bucket, path_.ObjectName(key), data, crc, options.only_if_absent,
                                   UploadHooks{options.resume_session, options.on_session});
  return uploaded.ok() ? Status::Ok() : uploaded.status();
}

Result<std::vector<std::byte>> GcsStore::Read(const std::string& key) {
  return Borrow()->Download(path_.bucket, path_.ObjectName(key));
}

Result<ObjectInfo> GcsStore::Stat(const std::string& key) {
  ASSIGN_OR_RETURN(GcsObject o, Borrow()->GetMetadata(path_.bucket, path_.ObjectName(key)));
  return ObjectInfo{key, o.size, o.crc32c};
}

Result<std::vector<ObjectInfo>> GcsStore::List(const std::string& prefix, std::size_t limit) {
  // Keys live under "prefix/"; never match a sibling like "run.zarr2/".
  const std::string base = path_.prefix.empty() ? "" : path_.prefix + "/";
  std::vector<ObjectInfo> out;
  std::string token;
  auto client = Borrow();
  do {
    std::size_t page_size = limit == 0 ? 1000 : std::min<std::size_t>(1000, limit - out.size());
    ASSIGN_OR_RETURN(GcsListPage page, client->List(path_.bucket, base + prefix, "", token, page_size));
    for (auto& o : page.objects) out.push_back(ObjectInfo{o.name.substr(base.size()), o.size, o.crc32c});
    token = page.next_page_token;
  } while (!token.empty() && (limit == 0 || out.size() < limit));
  if (limit != 0 && out.size() > limit) out.resize(limit);
  return out;
}

Status GcsStore::Delete(const std::string& key) { return Borrow()->Delete(path_.bucket, path_.ObjectName(key)); }

Status GcsStore::CheckBucket() { return Borrow()->CheckBucket(path_.bucket); }

}  // namespace nc2zarr
