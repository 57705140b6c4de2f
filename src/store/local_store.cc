#include "nc2zarr/store/local_store.h"

#include "nc2zarr/base/byte_buffer.h"
#include "nc2zarr/codec/crc32c.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>

namespace nc2zarr {
namespace {

namespace fs = std::filesystem;

// A full disk or quota is the one write error the user fixes outside: say
// how, and that the rerun keeps what is written.
std::string SystemError(int error) {
  std::string text = std::strerror(error);
  if (error == ENOSPC || error == EDQUOT) {
    text += " (free space or raise the quota, then run the same command again: it keeps the chunks already written)";
  }
  return text;
}

std::string Errno() { return SystemError(errno); }

bool IsTemporary(const std::string& name) { return name.size() > 1 && name[0] == '.' && name.find(".tmp.") != std::string::npos; }

// The data reaches the disk before the object is renamed into place and
// journaled as stored: a journal line never outlives its chunk's bytes.
Status SyncData(int fd, const std::string& path) {
  if (::fdatasync(fd) != 0 && errno != EINVAL) return IoError("cannot write " + path + " to the disk: " + Errno());
  return Status::Ok();
}

Status WriteAll(int fd, std::span<const std::byte> data, const std::string& path) {
  std::size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoError("cannot write " + path + ": " + Errno());
    }
    done += static_cast<std::size_t>(n);
  }
  return Status::Ok();
}

// Large objects in page-aligned buffers go to the disk with O_DIRECT: the
// kernel's copy into the page cache cost a third of a local conversion's
// CPU time here. The whole pages go direct; the tail after the last whole
// page is written normally. Returns false when the file system refuses
// O_DIRECT (tmpfs, some FUSE), leaving nothing behind.
constexpr std::size_t kDirectMinBytes = 1 << 20;

Result<bool> WriteDirect(const std::string& path, std::span<const std::byte> data) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_DIRECT, 0644);
  if (fd < 0) {
    if (errno == EINVAL) return false;
    return IoError("cannot create " + path + ": " + Errno());
  }
  const std::size_t whole = data.size() / kPageAlignment * kPageAlignment;
  Status st = WriteAll(fd, data.first(whole), path);
  const int direct_errno = errno;
  ::close(fd);
  if (!st.ok()) {
    ::unlink(path.c_str());
    if (direct_errno == EINVAL) return false;
    return st;
  }
  // Reopened without O_DIRECT to write the tail after the last whole page,
  // and to sync the data with the size and block allocation O_DIRECT leaves
  // to the file system's journal.
  fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return IoError("cannot reopen " + path + ": " + Errno());
  if (whole < data.size()) {
    if (::lseek(fd, static_cast<off_t>(whole), SEEK_SET) < 0) st = IoError("cannot seek in " + path + ": " + Errno());
    if (st.ok()) st = WriteAll(fd, data.subspan(whole), path);
  }
  if (st.ok()) st = SyncData(fd, path);
  if (::close(fd) != 0 && st.ok()) st = IoError("cannot write " + path + ": " + Errno());
  if (!st.ok()) {
    ::unlink(path.c_str());
    return st;
  }
  return true;
}

// fsync of a directory makes the names created in it (renames, links)
// durable.
Status SyncDirectory(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return IoError("cannot open directory " + dir + ": " + Errno());
  Status st;
  if (::fsync(fd) != 0 && errno != EINVAL) st = IoError("cannot sync directory " + dir + ": " + Errno());
  ::close(fd);
  return st;
}

}  // namespace

LocalStore::LocalStore(std::string root) : root_(std::move(root)) {
  while (root_.size() > 1 && root_.back() == '/') root_.pop_back();
}

LocalStore::~LocalStore() {
  if (claim_fd_ >= 0) ::close(claim_fd_);  // the lock goes with it
}

Status LocalStore::ClaimForWriting() {
  if (claim_fd_ >= 0) return Status::Ok();
  int fd = ::open(root_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::Ok();  // not created yet: claimed once it is
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    ::close(fd);
    if (error == EWOULDBLOCK) {
      return AlreadyExists("another nc2zarr job is writing to " + root_ +
                           "; wait for it to end (see nc2zarr status " + root_ + "), or stop it first");
    }
    return Status::Ok();  // a file system without locks (some NFS and Lustre mounts): nothing to check with
  }
  claim_fd_ = fd;
  return Status::Ok();
}

std::string LocalStore::PathOf(const std::string& key) const { return root_ + "/" + key; }

Status LocalStore::EnsureDirectory(const std::string& dir) {
  {
    std::lock_guard lock(mutex_);
    if (made_dirs_.count(dir)) return Status::Ok();
  }
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return IoError("cannot create directory " + dir + ": " + SystemError(ec.value()));
  std::lock_guard lock(mutex_);
  made_dirs_.insert(dir);
  return Status::Ok();
}

Status LocalStore::Write(const std::string& key, std::span<const std::byte> data, const WriteOptions& options) {
  if (key.empty() || key.front() == '/' || key.find("..") != std::string::npos) {
    return Internal("refusing to write the unsafe key '" + key + "'");
  }
  const std::string path = PathOf(key);
  const auto slash = path.rfind('/');
  const std::string dir = path.substr(0, slash);
  RETURN_IF_ERROR(EnsureDirectory(dir));

  static std::atomic<unsigned long> counter{0};
  const std::string tmp = dir + "/." + path.substr(slash + 1) + ".tmp." + std::to_string(::getpid()) + "." +
                          std::to_string(counter++);
  bool done = false;
  if (direct_ && data.size() >= kDirectMinBytes && reinterpret_cast<std::uintptr_t>(data.data()) % kPageAlignment == 0) {
    ASSIGN_OR_RETURN(done, WriteDirect(tmp, data));
    if (!done) direct_ = false;  // this file system does not take O_DIRECT: stop trying
  }
  if (!done) {
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) return IoError("cannot create " + tmp + ": " + Errno());
    Status written = WriteAll(fd, data, path);
    if (written.ok()) written = SyncData(fd, path);
    if (::close(fd) != 0 && written.ok()) written = IoError("cannot write " + path + ": " + Errno());
    if (!written.ok()) {
      ::unlink(tmp.c_str());
      return written;
    }
  }
  if (options.only_if_absent) {
    // link() refuses to replace an existing name, atomically.
    int rc = ::link(tmp.c_str(), path.c_str());
    int err = errno;
    ::unlink(tmp.c_str());
    if (rc == 0) return Status::Ok();
    if (err != EEXIST) return IoError("cannot create " + path + ": " + SystemError(err));
    ASSIGN_OR_RETURN(std::vector<std::byte> existing, Read(key));
    std::uint32_t crc = options.crc32c ? *options.crc32c : Crc32c(data);
    if (existing.size() == data.size() && Crc32c(existing) == crc) return Status::Ok();
    return AlreadyExists(path + " already exists with different content");
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    std::string why = Errno();
    ::unlink(tmp.c_str());
    return IoError("cannot rename " + tmp + " to " + path + ": " + why);
  }
  return Status::Ok();
}

Result<std::vector<std::byte>> LocalStore::Read(const std::string& key) {
  const std::string path = PathOf(key);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT || errno == ENOTDIR) return NotFound(path + " does not exist");
    return IoError("cannot open " + path + ": " + Errno());
  }
  std::vector<std::byte> out;
  struct stat sb {};
  if (::fstat(fd, &sb) == 0) out.reserve(static_cast<std::size_t>(sb.st_size));
  std::byte buf[1 << 16];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      std::string why = Errno();
      ::close(fd);
      return IoError("cannot read " + path + ": " + why);
    }
    if (n == 0) break;
    out.insert(out.end(), buf, buf + n);
  }
  ::close(fd);
  return out;
}

Result<ObjectInfo> LocalStore::Stat(const std::string& key) {
  const std::string path = PathOf(key);
  struct stat sb {};
  if (::stat(path.c_str(), &sb) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return NotFound(path + " does not exist");
    return IoError("cannot stat " + path + ": " + Errno());
  }
  if (!S_ISREG(sb.st_mode)) return NotFound(path + " is not a file");
  return ObjectInfo{key, static_cast<std::uint64_t>(sb.st_size), std::nullopt};
}

Result<std::vector<ObjectInfo>> LocalStore::List(const std::string& prefix, std::size_t limit) {
  std::vector<ObjectInfo> out;
  // Walk only the directory the prefix is inside.
  const auto slash = prefix.rfind('/');
  const std::string start = slash == std::string::npos ? root_ : PathOf(prefix.substr(0, slash));
  std::error_code ec;
  if (!fs::exists(start, ec)) return out;
  fs::recursive_directory_iterator it(start, ec), end;
  if (ec) return IoError("cannot list " + start + ": " + ec.message());
  for (; it != end; it.increment(ec)) {
    if (ec) return IoError("cannot list " + start + ": " + ec.message());
    if (!it->is_regular_file(ec)) continue;
    const std::string name = it->path().filename().string();
    if (IsTemporary(name)) continue;
    std::string key = it->path().string().substr(root_.size() + 1);
    if (key.rfind(prefix, 0) != 0) continue;
    out.push_back(ObjectInfo{key, static_cast<std::uint64_t>(it->file_size(ec)), std::nullopt});
  }
  std::sort(out.begin(), out.end(), [](const ObjectInfo& a, const ObjectInfo& b) { return a.key < b.key; });
  if (limit != 0 && out.size() > limit) out.resize(limit);
  return out;
}

Status LocalStore::RemoveLeftovers() {
  std::error_code ec;
  std::vector<fs::path> leftovers;
  for (fs::recursive_directory_iterator it(root_, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_regular_file(ec) && IsTemporary(it->path().filename().string())) leftovers.push_back(it->path());
  }
  if (ec) return IoError("cannot list " + root_ + ": " + ec.message());
  for (const auto& path : leftovers) {
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) return IoError("cannot delete " + path.string() + ": " + Errno());
  }
  return Status::Ok();
}

void LocalStore::RemoveEmptyDirectories(bool and_root) {
  std::error_code ec;
  std::vector<std::string> dirs;
  for (fs::recursive_directory_iterator it(root_, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_directory(ec) && !it->is_symlink(ec)) dirs.push_back(it->path().string());
  }
  // Deepest first, so a parent is empty by the time it comes.
  std::sort(dirs.begin(), dirs.end(), [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  if (and_root && !fs::is_symlink(root_, ec)) dirs.push_back(root_);
  for (const auto& dir : dirs) (void)::rmdir(dir.c_str());  // not empty, busy or in use: it stays
  std::lock_guard lock(mutex_);
  made_dirs_.clear();
}

Status LocalStore::Sync() {
  std::vector<std::string> dirs{root_};
  std::error_code ec;
  for (fs::recursive_directory_iterator it(root_, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_directory(ec)) dirs.push_back(it->path().string());
  }
  if (ec) return IoError("cannot list " + root_ + ": " + ec.message());
  for (const auto& dir : dirs) RETURN_IF_ERROR(SyncDirectory(dir));
  return Status::Ok();
}

Status LocalStore::Delete(const std::string& key) {
  const std::string path = PathOf(key);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return IoError("cannot delete " + path + ": " + Errno());
  return Status::Ok();
}

}  // namespace nc2zarr
