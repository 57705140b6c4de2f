#include "nc2zarr/journal/journal.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "nc2zarr/codec/crc32c.h"

namespace nc2zarr {
namespace {

constexpr const char* kMagic = "nc2zarr-journal 1";

std::string Hex(std::uint32_t v) {
  char buf[9];
  std::snprintf(buf, sizeof buf, "%08x", v);
  return buf;
}

std::uint32_t LineCrc(const std::string& content) {
  return Crc32c(std::as_bytes(std::span(content.data(), content.size())));
}

// Keys and URLs are percent-escaped so tabs and newlines cannot break a line.
std::string Escape(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (c == '%' || c == '\t' || c == '\n' || c == '\r') {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

std::string Unescape(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::vector<std::string> Fields(const std::string& line) {
  std::vector<std::string> out;
  std::stringstream in(line);
  for (std::string f; std::getline(in, f, '\t');) out.push_back(f);
  return out;
}

// "content\tCRC": the content when the CRC matches.
std::optional<std::string> CheckedContent(const std::string& line) {
  auto tab = line.rfind('\t');
  if (tab == std::string::npos) return std::nullopt;
  std::string content = line.substr(0, tab);
  if (Hex(LineCrc(content)) != line.substr(tab + 1)) return std::nullopt;
  return content;
}

// The plan fingerprint a journal's first line names; nullopt when the line
// is not a journal header (or is damaged).
std::optional<std::string> HeaderPlan(const std::string& line) {
  auto content = CheckedContent(line);
  const std::string prefix = std::string(kMagic) + "\t";
  if (!content || !content->starts_with(prefix)) return std::nullopt;
  return content->substr(prefix.size());
}

}  // namespace

Result<JournalWriter> JournalWriter::Create(const std::string& dir, const std::string& plan_fingerprint,
                                            const std::string& run_id, int rank) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return IoError("cannot create the journal directory " + dir + ": " + ec.message());
  std::string path = dir + "/run-" + run_id + "-rank-" + std::to_string(rank) + ".log";
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return IoError("cannot create the journal " + path + ": " + std::strerror(errno));
  JournalWriter writer(fd, path);
  RETURN_IF_ERROR(writer.AppendLine(std::string(kMagic) + "\t" + plan_fingerprint));
  return writer;
}

JournalWriter::JournalWriter(JournalWriter&& other) noexcept : fd_(other.fd_), path_(std::move(other.path_)) {
  other.fd_ = -1;
}

JournalWriter::~JournalWriter() {
  if (fd_ >= 0) ::close(fd_);
}

Status JournalWriter::AppendLine(const std::string& content) {
  std::string line = content + "\t" + Hex(LineCrc(content)) + "\n";
  // One write() per record: with O_APPEND a crash leaves whole lines or a
  // cut last line, never interleaved ones.
  ssize_t n = ::write(fd_, line.data(), line.size());
  if (n != static_cast<ssize_t>(line.size())) {
    return IoError("cannot append to the journal " + path_ + ": " + std::strerror(errno));
  }
  return Status::Ok();
}

Status JournalWriter::RecordStored(const std::string& key, const StoredObject& object) {
  return AppendLine("S\t" + Escape(key) + "\t" + std::to_string(object.size) + "\t" + Hex(object.crc32c));
}

Status JournalWriter::RecordSession(const std::string& key, const std::string& session_url) {
  return AppendLine("U\t" + Escape(key) + "\t" + Escape(session_url));
}

namespace {

// Adds one journal's records to replay; name is for notes. In a journal
// directory, another plan's journal is another job's (jobs may share the
// directory): skipped without a note.
void ReplayOne(std::istream& in, const std::string& name, const std::string& plan_fingerprint,
               bool other_plans_are_news, JournalReplay& replay) {
  std::string line;
  if (!std::getline(in, line)) return;
  const auto plan = HeaderPlan(line);
  if (!plan) {
    replay.notes.push_back(name + " is not a journal (or its first line is damaged); ignored");
    return;
  }
  if (*plan != plan_fingerprint) {
    if (other_plans_are_news) replay.notes.push_back(name + " belongs to another plan; ignored");
    return;
  }
  ++replay.files;
  std::size_t number = 1;
  while (std::getline(in, line)) {
    ++number;
    auto content = CheckedContent(line);
    auto f = content ? Fields(*content) : std::vector<std::string>{};
    if (f.size() == 4 && f[0] == "S") {
      try {
        replay.stored[Unescape(f[1])] = StoredObject{std::stoull(f[2]), static_cast<std::uint32_t>(std::stoul(f[3], nullptr, 16))};
        replay.sessions.erase(Unescape(f[1]));
        continue;
      } catch (...) {
      }
    } else if (f.size() == 3 && f[0] == "U") {
      replay.sessions[Unescape(f[1])] = Unescape(f[2]);
      continue;
    }
    replay.notes.push_back(name + " line " + std::to_string(number) + " is damaged (cut by a crash?); ignored");
  }
}

}  // namespace

Result<JournalReplay> ReplayJournals(const std::string& dir, const std::string& plan_fingerprint) {
  JournalReplay replay;
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return replay;
  std::vector<std::string> paths;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".log") paths.push_back(entry.path().string());
  }
  std::sort(paths.begin(), paths.end());
  for (const auto& path : paths) {
    std::ifstream in(path);
    ReplayOne(in, path, plan_fingerprint, /*other_plans_are_news=*/false, replay);
  }
  return replay;
}

void RemoveJournals(const std::string& dir, const std::vector<std::string>& plan_fingerprints) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (!name.starts_with("run-") || entry.path().extension() != ".log") continue;
    std::ifstream in(entry.path());
    std::string line;
    const auto plan = std::getline(in, line) ? HeaderPlan(line) : std::nullopt;
    if (plan && std::find(plan_fingerprints.begin(), plan_fingerprints.end(), *plan) != plan_fingerprints.end()) {
      std::filesystem::remove(entry.path(), ec);
    }
  }
}

JournalReplay ReplayJournalText(const std::string& text, const std::string& name, const std::string& plan_fingerprint) {
  JournalReplay replay;
  std::istringstream in(text);
  ReplayOne(in, name, plan_fingerprint, /*other_plans_are_news=*/true, replay);
  return replay;
}

std::string StoredRecordsText(const std::string& plan_fingerprint, const JournalReplay& replay) {
  auto line = [](const std::string& content) { return content + "\t" + Hex(LineCrc(content)) + "\n"; };
  std::string text = line(std::string(kMagic) + "\t" + plan_fingerprint);
  for (const auto& [key, o] : replay.stored) {
    text += line("S\t" + Escape(key) + "\t" + std::to_string(o.size) + "\t" + Hex(o.crc32c));
  }
  return text;
}

}  // namespace nc2zarr
