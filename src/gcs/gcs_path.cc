#include "nc2zarr/gcs/gcs_path.h"

#include <cctype>

namespace nc2zarr {

bool IsGcsUrl(const std::string& text) { return text.rfind("gs://", 0) == 0; }

Result<GcsPath> ParseGcsUrl(const std::string& text) {
  auto bad = [&](const std::string& why) {
    return UsageError("'" + text + "' is not a valid gs:// URL: " + why + " (write gs://BUCKET/PATH)");
  };
  if (!IsGcsUrl(text)) return bad("it must start with gs://");
  std::string rest = text.substr(5);
  GcsPath path;
  auto slash = rest.find('/');
  path.bucket = rest.substr(0, slash);
  if (slash != std::string::npos) path.prefix = rest.substr(slash + 1);
  while (!path.prefix.empty() && path.prefix.back() == '/') path.prefix.pop_back();

  const std::string& b = path.bucket;
  if (b.size() < 3 || b.size() > 222) return bad("bucket names have 3 to 222 characters");
  for (char c : b) {
    if (!(std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '-' ||
          c == '_' || c == '.')) {
      return bad("bucket names use lower-case letters, digits, '-', '_' and '.'");
    }
  }
  if (!std::isalnum(static_cast<unsigned char>(b.front())) || !std::isalnum(static_cast<unsigned char>(b.back()))) {
    return bad("bucket names start and end with a letter or digit");
  }
  if (path.prefix.find("//") != std::string::npos || (!path.prefix.empty() && path.prefix.front() == '/')) {
    return bad("the path has an empty segment");
  }
  // "." and ".." segments: an HTTP client resolves them in XML API URLs
  // (writing elsewhere than asked), and GCS forbids such object names.
  for (std::size_t begin = 0; begin <= path.prefix.size() && !path.prefix.empty();) {
    auto end = path.prefix.find('/', begin);
    if (end == std::string::npos) end = path.prefix.size();
    const std::string segment = path.prefix.substr(begin, end - begin);
    if (segment == "." || segment == "..") return bad("the path has a '" + segment + "' segment");
    begin = end + 1;
  }
  if (path.prefix.size() > 900) return bad("the path is too long for object names");
  return path;
}

}  // namespace nc2zarr
