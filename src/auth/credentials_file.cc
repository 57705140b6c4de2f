#include "nc2zarr/auth/credentials_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "nc2zarr/base/log.h"

namespace nc2zarr {
namespace {

constexpr std::size_t kMaxSecretFile = 64 * 1024;

std::string OctalMode(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
  return text;
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

Result<std::string> ReadSecretFile(const std::string& path, const std::string& what, bool warn_open_permissions) {
  // O_NONBLOCK: opening a named pipe would wait for a writer for ever; it
  // is refused below like any other file that is not a regular one.
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (fd.get() < 0) {
    const int error = errno;
    return IoError("cannot read " + what + ": " + std::strerror(error) +
                   (error == EACCES ? " (it must be readable by the user the job runs as)" : ""));
  }
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) return IoError("cannot read " + what + ": " + std::strerror(errno));
  if (!S_ISREG(info.st_mode)) {
    // Tokens are read again when they expire: a pipe or <(...) gives them once.
    return InvalidInput(what + " is not a regular file; write the credentials to a file (chmod 600) and give its path");
  }
  if (static_cast<std::size_t>(info.st_size) > kMaxSecretFile) {
    return InvalidInput(what + " is " + std::to_string(info.st_size) + " bytes, too large for a credentials file");
  }
  if (warn_open_permissions && (info.st_mode & 077) != 0) {
    LogWarning(what + " holds credentials but other users may access it (mode " + OctalMode(info.st_mode) +
               "); run chmod 600 " + path);
  }
  std::string text(static_cast<std::size_t>(info.st_size), '\0');
  std::size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::read(fd.get(), text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return IoError("cannot read " + what + ": " + std::strerror(errno));
    if (n == 0) break;
    done += static_cast<std::size_t>(n);
  }
  text.resize(done);
  return text;
}

Result<nlohmann::json> ParseCredentialsJson(const std::string& text, const std::string& what) {
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    // e.what() quotes the text near the error, which may be part of a key.
    std::size_t line = 1, column = 1;
    for (std::size_t i = 0; i + 1 < e.byte && i < text.size(); ++i) {
      if (text[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    return InvalidInput(what + " is not valid JSON (error at line " + std::to_string(line) + ", column " +
                        std::to_string(column) + "); download the key again (or, for gcloud's file, run `gcloud auth "
                        "application-default login` again), or give a bearer token with --token-file");
  }
  if (!json.is_object()) return InvalidInput(what + " is JSON but not an object; it is not a credentials file");
  return json;
}

Result<std::string> RequiredString(const nlohmann::json& object, const std::string& field, const std::string& what,
                                   const std::string& fix) {
  auto it = object.find(field);
  if (it == object.end() || !it->is_string() || it->get_ref<const std::string&>().empty()) {
    return InvalidInput(what + " has no \"" + field + "\" text; " + fix);
  }
  return it->get<std::string>();
}

std::string OptionalString(const nlohmann::json& object, const std::string& field, const std::string& fallback) {
  auto it = object.find(field);
  if (it == object.end() || !it->is_string() || it->get_ref<const std::string&>().empty()) return fallback;
  return it->get<std::string>();
}

}  // namespace nc2zarr
