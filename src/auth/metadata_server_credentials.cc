#include "nc2zarr/auth/metadata_server_credentials.h"

#include <algorithm>
#include <cctype>

namespace nc2zarr {
namespace {

constexpr char kTokenPath[] = "/computeMetadata/v1/instance/service-accounts/default/token";

class MetadataServerTokenSource final : public TokenSource {
 public:
  MetadataServerTokenSource(std::string host, std::string origin, std::vector<std::string> scopes,
                            TokenEndpointClient client)
      : host_(std::move(host)),
        origin_(std::move(origin)),
        url_(MetadataTokenUrl(host_, scopes)),
        client_(std::move(client)) {}

  Result<FetchedToken> Fetch() override {
    HttpRequest request;
    request.url = url_;
    request.headers = {{"Metadata-Flavor", "Google"}};
    TokenRequestContext context{
        "the metadata server at " + host_ + " (" + origin_ + ")",
        "to give a token",
        "give the VM a service account with access to the bucket and the storage scope, or use --credentials",
        {}};
    Result<HttpResponse> response = client_.Send(request, context);
    if (!response.ok()) return Status(ErrorCode::kUnavailable, response.status().message());
    // Anything at that address that lacks this header is not a metadata server.
    if (response->Header("metadata-flavor") != "Google") {
      return NotFound(host_ + " (" + origin_ + ") answered, but not as a metadata server (no Metadata-Flavor: Google)");
    }
    return ParseTokenResponse(*response, context);
  }

  std::string Describe() const override { return "metadata server " + host_ + " (" + origin_ + ")"; }

 private:
  std::string host_;
  std::string origin_;
  std::string url_;
  TokenEndpointClient client_;
};

}  // namespace

Status CheckMetadataHost(const std::string& host) {
  const bool ok = !host.empty() && std::all_of(host.begin(), host.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '.' || c == '-' || c == ':' || c == '[' || c == ']';
  });
  if (ok) return Status::Ok();
  return InvalidInput("GCE_METADATA_HOST must be a host or host:port (it is '" + host +
                      "'); fix or unset GCE_METADATA_HOST");
}

std::string MetadataTokenUrl(const std::string& host, const std::vector<std::string>& scopes) {
  std::string url = "http://" + host + kTokenPath;
  if (scopes.size() == 1 && scopes[0] == kStorageReadWriteScope) return url;
  std::string joined;
  for (const std::string& s : scopes) joined += (joined.empty() ? "" : ",") + s;
  return url + "?scopes=" + UrlEncode(joined);
}

std::unique_ptr<TokenSource> MakeMetadataServerTokenSource(std::string host, std::string origin,
                                                           std::vector<std::string> scopes,
                                                           TokenEndpointClient client) {
  return std::make_unique<MetadataServerTokenSource>(std::move(host), std::move(origin), std::move(scopes),
                                                     std::move(client));
}

}  // namespace nc2zarr
