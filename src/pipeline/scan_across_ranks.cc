#include "nc2zarr/pipeline/scan_across_ranks.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>

#include "nc2zarr/base/base64.h"
#include "nc2zarr/base/interrupt.h"
#include "nc2zarr/base/log.h"
#include "nc2zarr/pipeline/inputs.h"
#include "nc2zarr/plan/attribute_json.h"

namespace nc2zarr {
namespace {

using nlohmann::json;

json GroupJson(const GroupSchema& g) {
  json dims = json::array();
  for (const auto& d : g.dimensions)
    dims.push_back({{"name", d.name}, {"length", d.length}, {"unlimited", d.unlimited}});
  return {{"path", g.path}, {"attributes", AttributesJson(g.attributes)}, {"dimensions", dims}};
}

json VariableJson(const VariableSchema& v) {
  return {{"group", v.group},
          {"name", v.name},
          {"type", TypeName(v.type)},
          {"dims", v.dims},
          {"shape", v.shape},
          {"attributes", AttributesJson(v.attributes)},
          {"unsupported", v.unsupported},
          {"storage_chunks", v.storage_chunks}};
}

Result<GroupSchema> GroupFrom(const json& j) {
  GroupSchema g;
  g.path = j.at("path").get<std::string>();
  ASSIGN_OR_RETURN(g.attributes, AttributesFrom(j.at("attributes")));
  for (const auto& d : j.at("dimensions")) {
    g.dimensions.push_back(
        Dimension{d.at("name").get<std::string>(), d.at("length").get<std::size_t>(), d.at("unlimited").get<bool>()});
  }
  return g;
}

Result<VariableSchema> VariableFrom(const json& j) {
  VariableSchema v;
  v.group = j.at("group").get<std::string>();
  v.name = j.at("name").get<std::string>();
  auto type = TypeFromName(j.at("type").get<std::string>());
  if (!type) return Internal("a scan names an unknown type");
  v.type = *type;
  v.dims = j.at("dims").get<std::vector<std::string>>();
  v.shape = j.at("shape").get<std::vector<std::size_t>>();
  ASSIGN_OR_RETURN(v.attributes, AttributesFrom(j.at("attributes")));
  v.unsupported = j.at("unsupported").get<std::string>();
  v.storage_chunks = j.at("storage_chunks").get<std::vector<std::size_t>>();
  return v;
}

// Coordinate values as base64 of their doubles: JSON has no NaN.
std::string DoublesText(const std::vector<double>& values) {
  return Base64Encode(std::as_bytes(std::span(values.data(), values.size())));
}

Result<std::vector<double>> DoublesFrom(const std::string& text) {
  auto bytes = Base64Decode(text);
  if (!bytes || bytes->size() % sizeof(double) != 0) return Internal("a scan holds malformed coordinate values");
  std::vector<double> values(bytes->size() / sizeof(double));
  if (!values.empty()) std::memcpy(values.data(), bytes->data(), bytes->size());
  return values;
}

json ScanJson(const ScannedFile& file) {
  const FileSchema& s = file.scan.schema;
  json groups = json::array(), variables = json::array(), coordinates = json::object();
  for (const auto& g : s.groups) groups.push_back(GroupJson(g));
  for (const auto& v : s.variables) variables.push_back(VariableJson(v));
  for (const auto& [path, values] : file.scan.coordinates) coordinates[path] = DoublesText(values);
  return {
      {"path", s.path},   {"format", s.format},     {"size_bytes", s.size_bytes}, {"mtime_ns", s.mtime_ns},
      {"groups", groups}, {"variables", variables}, {"coordinates", coordinates}, {"fingerprints", file.fingerprints}};
}

Result<ScannedFile> ScanFrom(const json& j) {
  ScannedFile file;
  FileSchema& s = file.scan.schema;
  s.path = j.at("path").get<std::string>();
  s.format = j.at("format").get<std::string>();
  s.size_bytes = j.at("size_bytes").get<std::uint64_t>();
  s.mtime_ns = j.at("mtime_ns").get<std::int64_t>();
  for (const auto& g : j.at("groups")) {
    ASSIGN_OR_RETURN(GroupSchema group, GroupFrom(g));
    s.groups.push_back(std::move(group));
  }
  std::vector<VariableSchema> variables;
  for (const auto& v : j.at("variables")) {
    ASSIGN_OR_RETURN(VariableSchema variable, VariableFrom(v));
    variables.push_back(std::move(variable));
  }
  s.variables = std::move(variables);
  for (const auto& [path, text] : j.at("coordinates").items()) {
    ASSIGN_OR_RETURN(file.scan.coordinates[path], DoublesFrom(text.get<std::string>()));
  }
  file.fingerprints = j.at("fingerprints").get<std::map<std::string, std::uint64_t>>();
  return file;
}

// Each file's coordinates, variable attributes and variables take the
// storage of the same ones in the file before when they match: a grid's
// values and the variables of a run's files are then kept once on rank 0.
class ScanSharing {
 public:
  void Share(FileScan& scan) {
    for (auto& [path, values] : scan.coordinates) ShareWithLast(last_values_, path, values);
    for (auto& v : scan.schema.variables.Mutable()) ShareWithLast(last_attributes_, v.path(), v.attributes);
    scan.schema.variables.ShareIfSame(last_variables_);  // compares the attributes shared above by address
    last_variables_ = scan.schema.variables;
  }

 private:
  template <typename T>
  static void ShareWithLast(std::map<std::string, SharedVector<T>>& last, const std::string& path,
                            SharedVector<T>& here) {
    auto [it, first_seen] = last.try_emplace(path, here);
    if (first_seen) return;
    here.ShareIfSame(it->second);
    it->second = here;
  }

  std::map<std::string, SharedValues> last_values_;
  std::map<std::string, SharedVector<Attribute>> last_attributes_;
  SharedVector<VariableSchema> last_variables_;
};

// What one rank scanned: its files in order, up to its first failure.
struct Share {
  std::vector<std::pair<std::size_t, ScannedFile>> scans;  // input index, scan
  std::optional<std::pair<std::size_t, Status>> failed;    // input index, why
};

Share ScanShare(const std::vector<std::string>& paths, int rank, int size, ScanSharing& sharing) {
  Share share;
  for (std::size_t i = static_cast<std::size_t>(rank); i < paths.size(); i += static_cast<std::size_t>(size)) {
    if (InterruptRequested()) {
      share.failed.emplace(i, Status(ErrorCode::kInterrupted, "stopped by a signal during the scan; run it again"));
      break;
    }
    Result<ScannedFile> file = ScanFile(paths[i]);
    if (!file.ok()) {
      // The files after this one in the share are not needed: an earlier
      // failure (this one, or another rank's) is what will be reported.
      share.failed.emplace(i, file.status());
      break;
    }
    sharing.Share(file->scan);
    share.scans.emplace_back(i, std::move(*file));
  }
  return share;
}

// A share crosses as CBOR records (the same values as the JSON text,
// several times faster to read), each after its length: one per file, then
// the failure if any. Encoded and decoded a file at a time, so no rank holds
// the JSON tree of a whole share (hundreds of MB for thousands of files of
// hundreds of variables) next to its scans.
void AppendRecord(std::string& out, const json& record) {
  const std::vector<std::uint8_t> bytes = json::to_cbor(record);
  const std::uint64_t size = bytes.size();
  out.append(reinterpret_cast<const char*>(&size), sizeof size);
  out.append(bytes.begin(), bytes.end());
}

std::string EncodeShare(Share share) {
  std::string out;
  for (auto& [index, file] : share.scans) {
    AppendRecord(out, {{"index", index}, {"scan", ScanJson(file)}});
    file = ScannedFile{};  // its copy is in out now
  }
  if (share.failed) {
    AppendRecord(out, {{"failed", {share.failed->first, static_cast<int>(share.failed->second.code()),
                                   share.failed->second.message()}}});
  }
  return out;
}

Result<Share> DecodeShare(const std::string& bytes, ScanSharing& sharing) {
  Share share;
  try {
    for (std::size_t at = 0; at < bytes.size();) {
      std::uint64_t size = 0;
      if (bytes.size() - at < sizeof size) return Internal("a rank's scan is cut short");
      std::memcpy(&size, bytes.data() + at, sizeof size);
      at += sizeof size;
      if (bytes.size() - at < size) return Internal("a rank's scan is cut short");
      const json record = json::from_cbor(bytes.begin() + static_cast<std::ptrdiff_t>(at),
                                          bytes.begin() + static_cast<std::ptrdiff_t>(at + size));
      at += size;
      if (record.contains("failed")) {
        const auto& f = record["failed"];
        share.failed.emplace(f.at(0).get<std::size_t>(),
                             Status(static_cast<ErrorCode>(f.at(1).get<int>()), f.at(2).get<std::string>()));
        continue;
      }
      ASSIGN_OR_RETURN(ScannedFile file, ScanFrom(record.at("scan")));
      sharing.Share(file.scan);
      share.scans.emplace_back(record.at("index").get<std::size_t>(), std::move(file));
    }
  } catch (const json::exception& e) {
    return Internal(std::string("malformed scan from a rank: ") + e.what());
  }
  return share;
}

}  // namespace

std::string ScannedFileToJson(const ScannedFile& file) { return ScanJson(file).dump(); }

Result<ScannedFile> ScannedFileFromJson(const std::string& text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Internal("a scan is not JSON");
  try {
    return ScanFrom(j);
  } catch (const json::exception& e) {
    return Internal(std::string("malformed scan: ") + e.what());
  }
}

Result<std::vector<ScannedFile>> ScanAcrossRanks(const std::vector<std::string>& paths, Comm& comm) {
  if (comm.rank() == 0) {
    const std::size_t ranks = std::min<std::size_t>(static_cast<std::size_t>(comm.size()), paths.size());
    LogInfo("scanning " + std::to_string(paths.size()) + " input file(s)" +
            (ranks > 1 ? " on " + std::to_string(ranks) + " ranks" : ""));
  }
  ScanSharing sharing;
  Share mine = ScanShare(paths, comm.rank(), comm.size(), sharing);
  // Rank 0 keeps its own share as it is; the others' cross as bytes.
  std::vector<std::string> others = comm.Gather(comm.rank() == 0 ? std::string() : EncodeShare(std::move(mine)), 0);
  if (comm.rank() != 0) return std::vector<ScannedFile>{};

  std::vector<std::optional<ScannedFile>> files(paths.size());
  std::optional<std::pair<std::size_t, Status>> first_failure;
  auto take = [&](Share& share) -> Status {
    if (share.failed && (!first_failure || share.failed->first < first_failure->first)) first_failure = share.failed;
    for (auto& [index, file] : share.scans) {
      if (index >= files.size()) return Internal("a rank sent the scan of an unknown file");
      files[index] = std::move(file);
    }
    return Status::Ok();
  };
  RETURN_IF_ERROR(take(mine));
  for (std::size_t r = 1; r < others.size(); ++r) {
    ASSIGN_OR_RETURN(Share share, DecodeShare(others[r], sharing));
    std::string().swap(others[r]);  // decoded: its bytes go
    RETURN_IF_ERROR(take(share));
  }
  if (first_failure) return first_failure->second;
  std::vector<ScannedFile> out;
  out.reserve(files.size());
  for (std::size_t i = 0; i < files.size(); ++i) {
    if (!files[i]) return Internal("no rank sent the scan of " + paths[i]);
    out.push_back(std::move(*files[i]));
  }
  return out;
}

Result<Plan> ScanAndPlan(const std::vector<std::string>& inputs, const PlanRequest& request) {
  ASSIGN_OR_RETURN(std::vector<std::string> paths, ExpandInputs(inputs));
  auto one_process = MakeSerialComm();
  ASSIGN_OR_RETURN(std::vector<ScannedFile> files, ScanAcrossRanks(paths, *one_process));
  return PlanFromScans(std::move(files), request);
}

}  // namespace nc2zarr
