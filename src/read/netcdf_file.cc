#include "nc2zarr/read/netcdf_file.h"

#include <netcdf.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>
#include <string_view>

#include "nc2zarr/base/file_stamp.h"
#include "nc2zarr/read/netcdf_lock.h"

namespace nc2zarr {
namespace {

std::optional<DataType> FromNcType(nc_type t) {
  switch (t) {
    case NC_BYTE: return DataType::kInt8;
    case NC_UBYTE: return DataType::kUInt8;
    case NC_SHORT: return DataType::kInt16;
    case NC_USHORT: return DataType::kUInt16;
    case NC_INT: return DataType::kInt32;
    case NC_UINT: return DataType::kUInt32;
    case NC_INT64: return DataType::kInt64;
    case NC_UINT64: return DataType::kUInt64;
    case NC_FLOAT: return DataType::kFloat32;
    case NC_DOUBLE: return DataType::kFloat64;
    case NC_CHAR: return DataType::kChar;
    case NC_STRING: return DataType::kString;
    default: return std::nullopt;
  }
}

std::string FormatName(int format, int mode) {
  switch (format) {
    case NC_FORMAT_CLASSIC: return "classic";
    case NC_FORMAT_64BIT_OFFSET: return "64-bit offset";
    case NC_FORMAT_CDF5: return "cdf5";
    case NC_FORMAT_NETCDF4_CLASSIC: return "netCDF-4 classic model";
    case NC_FORMAT_NETCDF4: return "netCDF-4";
    default: return "format " + std::to_string(format) + " mode " + std::to_string(mode);
  }
}

// Attributes of user-defined types (compound, enum, ...) have no Zarr
// equivalent; they are skipped, as they are rare and never CF encodings.
Status ReadAttributes(int group_id, int var_id, std::vector<Attribute>& out) {
  int natts = 0;
  int st = var_id == NC_GLOBAL ? nc_inq_natts(group_id, &natts) : nc_inq_varnatts(group_id, var_id, &natts);
  if (st != NC_NOERR) return IoError(std::string("cannot list attributes: ") + nc_strerror(st));
  for (int i = 0; i < natts; ++i) {
    char name[NC_MAX_NAME + 1] = {0};
    if ((st = nc_inq_attname(group_id, var_id, i, name)) != NC_NOERR) {
      return IoError(std::string("cannot read attribute name: ") + nc_strerror(st));
    }
    nc_type type;
    std::size_t len = 0;
    if ((st = nc_inq_att(group_id, var_id, name, &type, &len)) != NC_NOERR) {
      return IoError(std::string("cannot read attribute ") + name + ": " + nc_strerror(st));
    }
    auto dt = FromNcType(type);
    if (!dt) continue;
    Attribute a;
    a.name = name;
    a.type = *dt;
    if (*dt == DataType::kChar) {
      std::string text(len, '\0');
      if (len > 0) st = nc_get_att_text(group_id, var_id, name, text.data());
      // netCDF4-python drops NUL characters, which CMOR ends its name lists
      // with ("time_bnds\0"): read so, "coordinates" and "bounds" name
      // variables everywhere, not only in the store's .zattrs. A char
      // variable's fill value may be the NUL itself.
      if (std::string_view(name) != "_FillValue" && std::string_view(name) != "missing_value") {
        text.erase(std::remove(text.begin(), text.end(), '\0'), text.end());
      }
      a.strings.push_back(std::move(text));
    } else if (*dt == DataType::kString) {
      std::vector<char*> ptrs(len, nullptr);
      if (len > 0) st = nc_get_att_string(group_id, var_id, name, ptrs.data());
      if (st == NC_NOERR) {
        for (char* p : ptrs) a.strings.emplace_back(p ? p : "");  // NIL reads as ""
        nc_free_string(len, ptrs.data());
      }
    } else {
      a.bytes.resize(len * SizeOf(*dt));
      if (len > 0) st = nc_get_att(group_id, var_id, name, a.bytes.data());
    }
    if (st != NC_NOERR) {
      return IoError(std::string("cannot read attribute ") + name + ": " + nc_strerror(st));
    }
    out.push_back(std::move(a));
  }
  return Status::Ok();
}

}  // namespace

NetcdfFile::NetcdfFile(int ncid, std::string path) : ncid_(ncid), path_(std::move(path)) {}

void SetChunkCachePerVariable(std::size_t bytes) {
  // Slots: a prime well above the chunks a cache of this size can hold.
  auto lock = LockNetcdfLibraries();
  nc_set_chunk_cache(bytes, 1009, 0.75f);
}

Result<NetcdfFile> NetcdfFile::Open(const std::string& path) {
  NetcdfFile file(-1, path);
  RETURN_IF_ERROR(file.EnsureOpen());
  return file;
}

NetcdfFile NetcdfFile::OpenWhenRead(const std::string& path) { return NetcdfFile(-1, path); }

Status NetcdfFile::EnsureOpen() const {
  if (ncid_ >= 0) return Status::Ok();
  auto lock = LockNetcdfLibraries();
  int st = nc_open(path_.c_str(), NC_NOWRITE, &ncid_);
  lock.unlock();
  if (st == NC_NOERR) return Status::Ok();
  ncid_ = -1;
  std::string why = nc_strerror(st);
  if (st == NC_ENOTNC || st == NC_EHDFERR || st == NC_EINVAL || st == NC_ENOTBUILT) {
    why += " (not a readable NetCDF file, or corrupt or cut short: copy it again from its source)";
  }
  std::error_code ec;
  if (std::filesystem::is_directory(path_, ec)) why = "it is a directory, not a file";
  if (st == ENOENT) why = "no such file";
  return InvalidInput("cannot open " + path_ + ": " + why);
}

NetcdfFile::NetcdfFile(NetcdfFile&& other) noexcept
    : ncid_(other.ncid_),
      path_(std::move(other.path_)),
      ids_(std::move(other.ids_)),
      direct_tried_(other.direct_tried_),
      direct_(std::move(other.direct_)) {
  other.ncid_ = -1;
}

NetcdfFile& NetcdfFile::operator=(NetcdfFile&& other) noexcept {
  if (this != &other) {
    Close();
    ncid_ = other.ncid_;
    path_ = std::move(other.path_);
    ids_ = std::move(other.ids_);
    direct_tried_ = other.direct_tried_;
    direct_ = std::move(other.direct_);
    other.ncid_ = -1;
  }
  return *this;
}

NetcdfFile::~NetcdfFile() { Close(); }

void NetcdfFile::Close() {
  if (ncid_ < 0) return;
  auto lock = LockNetcdfLibraries();
  nc_close(ncid_);
  ncid_ = -1;
}

Status NetcdfFile::Error(int nc_status, const std::string& what) const {
  return InvalidInput(what + " in " + path_ + ": " + nc_strerror(nc_status) +
                      " (the file may be truncated or corrupt)");
}

Result<FileSchema> NetcdfFile::ReadSchema() const {
  RETURN_IF_ERROR(EnsureOpen());
  FileSchema schema;
  schema.path = path_;
  if (auto stamp = StampOf(path_)) {
    schema.size_bytes = stamp->size_bytes;
    schema.mtime_ns = stamp->mtime_ns;
  }
  auto lock = LockNetcdfLibraries();
  int format = 0, mode = 0;
  nc_inq_format_extended(ncid_, &format, &mode);
  int simple_format = 0;
  nc_inq_format(ncid_, &simple_format);
  schema.format = FormatName(simple_format, mode);

  // Dimension ids are unique in a file. The length of an unlimited one is
  // the longest of its variables', which netCDF-4 finds by asking HDF5 for
  // every variable of the group: asked once per variable, a file of 250
  // variables took ~100 ms to scan.
  std::map<int, std::pair<std::string, std::size_t>> dimensions;
  auto dimension = [&](int gid, int id) -> Result<const std::pair<std::string, std::size_t>*> {
    auto [it, inserted] = dimensions.try_emplace(id);
    if (inserted) {
      char name[NC_MAX_NAME + 1] = {0};
      if (int st = nc_inq_dim(gid, id, name, &it->second.second); st != NC_NOERR) {
        dimensions.erase(it);
        return Error(st, "cannot read a dimension");
      }
      it->second.first = name;
    }
    return &it->second;
  };

  // Walk the group tree breadth-first so the root comes first.
  std::vector<std::pair<int, std::string>> pending = {{ncid_, ""}};
  for (std::size_t next = 0; next < pending.size(); ++next) {
    auto [gid, gpath] = pending[next];
    GroupSchema group;
    group.path = gpath;
    RETURN_IF_ERROR(ReadAttributes(gid, NC_GLOBAL, group.attributes).WithContext(path_));

    int ndims = 0;
    int st = nc_inq_dimids(gid, &ndims, nullptr, 0);
    if (st != NC_NOERR) return Error(st, "cannot list dimensions");
    std::vector<int> dimids(ndims);
    if (ndims > 0) nc_inq_dimids(gid, &ndims, dimids.data(), 0);
    int nunlim = 0;
    nc_inq_unlimdims(gid, &nunlim, nullptr);
    std::vector<int> unlimited(nunlim);
    if (nunlim > 0) nc_inq_unlimdims(gid, &nunlim, unlimited.data());
    for (int id : dimids) {
      Dimension d;
      ASSIGN_OR_RETURN(const auto* found, dimension(gid, id));
      d.name = found->first;
      d.length = found->second;
      for (int u : unlimited) d.unlimited = d.unlimited || u == id;
      group.dimensions.push_back(std::move(d));
    }

    int nvars = 0;
    nc_inq_varids(gid, &nvars, nullptr);
    std::vector<int> varids(nvars);
    if (nvars > 0) nc_inq_varids(gid, &nvars, varids.data());
    for (int vid : varids) {
      char name[NC_MAX_NAME + 1] = {0};
      nc_type type;
      int vndims = 0;
      if ((st = nc_inq_var(gid, vid, name, &type, &vndims, nullptr, nullptr)) != NC_NOERR) {
        return Error(st, "cannot read a variable");
      }
      std::vector<int> vdims(vndims);
      nc_inq_vardimid(gid, vid, vdims.data());
      VariableSchema v;
      v.group = gpath;
      v.name = name;
      auto dt = FromNcType(type);
      if (!dt) {
        v.unsupported = "its type is a user-defined (compound, enum, vlen or opaque) type";
        dt = DataType::kUInt8;
      }
      v.type = *dt;
      for (int d : vdims) {
        ASSIGN_OR_RETURN(const auto* found, dimension(gid, d));
        v.dims.push_back(found->first);
        v.shape.push_back(found->second);
      }
      RETURN_IF_ERROR(ReadAttributes(gid, vid, v.attributes.Mutable()).WithContext(path_ + ": " + v.path()));
      if (simple_format == NC_FORMAT_NETCDF4 || simple_format == NC_FORMAT_NETCDF4_CLASSIC) {
        int storage = 0;
        std::vector<std::size_t> chunks(static_cast<std::size_t>(vndims));
        if (vndims > 0 && nc_inq_var_chunking(gid, vid, &storage, chunks.data()) == NC_NOERR && storage == NC_CHUNKED) {
          v.storage_chunks = chunks;
        }
      }
      ids_[v.path()] = VariableId{gid, vid, type};
      schema.variables.push_back(std::move(v));
    }

    int ngroups = 0;
    nc_inq_grps(gid, &ngroups, nullptr);
    std::vector<int> children(ngroups);
    if (ngroups > 0) nc_inq_grps(gid, &ngroups, children.data());
    for (int child : children) {
      char cname[NC_MAX_NAME + 1] = {0};
      nc_inq_grpname(child, cname);
      pending.emplace_back(child, gpath.empty() ? std::string(cname) : gpath + "/" + cname);
    }
    schema.groups.push_back(std::move(group));
  }
  return schema;
}

Result<NetcdfFile::VariableId> NetcdfFile::Lookup(const std::string& variable_path) const {
  if (auto it = ids_.find(variable_path); it != ids_.end()) return it->second;
  int gid = ncid_;
  std::string name = variable_path;
  if (auto slash = variable_path.rfind('/'); slash != std::string::npos) {
    std::string group = "/" + variable_path.substr(0, slash);
    name = variable_path.substr(slash + 1);
    if (nc_inq_grp_full_ncid(ncid_, group.c_str(), &gid) != NC_NOERR) {
      return InvalidInput("group /" + variable_path.substr(0, slash) + " is missing from " + path_);
    }
  }
  int vid = -1;
  if (nc_inq_varid(gid, name.c_str(), &vid) != NC_NOERR) {
    return InvalidInput("variable '" + variable_path + "' is missing from " + path_);
  }
  nc_type type;
  nc_inq_vartype(gid, vid, &type);
  VariableId id{gid, vid, type};
  ids_[variable_path] = id;
  return id;
}

Status NetcdfFile::ReadSlab(const std::string& variable_path, DataType type, std::span<const std::size_t> start,
                            std::span<const std::size_t> count, void* out) const {
  if (type != DataType::kString) {  // text too: WRF's Times, read from every file of a run
    if (!direct_tried_) {
      direct_ = OpenDirectReader(path_);  // on first use: a scan that only looks needs no second open
      direct_tried_ = true;
    }
    if (direct_) {  // they lock only around their own HDF5 calls
      ASSIGN_OR_RETURN(bool done, direct_->ReadSlab(variable_path, start, count, SizeOf(type), out));
      if (done) return Status::Ok();
    }
  }
  RETURN_IF_ERROR(EnsureOpen());
  auto lock = LockNetcdfLibraries();
  ASSIGN_OR_RETURN(VariableId id, Lookup(variable_path));
  if (FromNcType(id.nc_type) != type) {
    return InvalidInput("variable '" + variable_path + "' in " + path_ + " is not of type " +
                        std::string(TypeName(type)) + " as when the files were scanned: the file changed; rerun");
  }
  int st = nc_get_vara(id.group_id, id.var_id, start.data(), count.data(), out);
  if (st != NC_NOERR) return Error(st, "cannot read variable '" + variable_path + "'");
  return Status::Ok();
}

Result<std::vector<double>> NetcdfFile::ReadDoubles(const std::string& variable_path, std::size_t count) const {
  RETURN_IF_ERROR(EnsureOpen());
  auto lock = LockNetcdfLibraries();
  ASSIGN_OR_RETURN(VariableId id, Lookup(variable_path));
  std::vector<double> values(count);
  int st = nc_get_var_double(id.group_id, id.var_id, values.data());
  if (st != NC_NOERR) return Error(st, "cannot read variable '" + variable_path + "'");
  return values;
}

Status NetcdfFile::ReadStrings(const std::string& variable_path, std::span<const std::size_t> start,
                               std::span<const std::size_t> count, std::vector<std::string>& out) const {
  RETURN_IF_ERROR(EnsureOpen());
  auto lock = LockNetcdfLibraries();
  ASSIGN_OR_RETURN(VariableId id, Lookup(variable_path));
  std::size_t n = 1;
  for (std::size_t c : count) n *= c;
  std::vector<char*> ptrs(n, nullptr);
  int st = nc_get_vara_string(id.group_id, id.var_id, start.data(), count.data(), ptrs.data());
  if (st != NC_NOERR) return Error(st, "cannot read variable '" + variable_path + "'");
  for (char* p : ptrs) out.emplace_back(p ? p : "");
  nc_free_string(n, ptrs.data());
  return Status::Ok();
}

}  // namespace nc2zarr
