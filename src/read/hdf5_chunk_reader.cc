#include "nc2zarr/read/hdf5_chunk_reader.h"

#include <hdf5.h>
#include <libdeflate.h>

#include <algorithm>
#include <cstring>
#include <optional>

#include "nc2zarr/codec/shuffle.h"
#include "nc2zarr/read/netcdf_lock.h"

namespace nc2zarr {

struct Hdf5ChunkReader::Dataset {
  hid_t id = -1;
  bool as_stored = false;  // little-endian numbers, or characters, of the element size read: bytes as stored
  bool deflated_chunks = false;  // chunked and deflated: read chunk by chunk
  bool shuffle = false;  // shuffle before deflate when written
  int deflate_index = -1, shuffle_index = -1;  // positions in the filter pipeline
  std::vector<hsize_t> dims, chunk;
  ~Dataset() {
    if (id >= 0) H5Dclose(id);
  }
};

namespace {

// Whether the dataset holds little-endian numbers of element_size (or
// netCDF's single characters, fixed-size HDF5 strings of one byte), and its
// layout: whether its chunks are deflated ones this reader inflates.
void Describe(hid_t dset, std::size_t element_size, Hdf5ChunkReader::Dataset& d);

}  // namespace

std::unique_ptr<Hdf5ChunkReader> Hdf5ChunkReader::Open(const std::string& path) {
  auto lock = LockNetcdfLibraries();
  htri_t is_hdf5 = -1;
  H5E_BEGIN_TRY { is_hdf5 = H5Fis_hdf5(path.c_str()); }
  H5E_END_TRY;
  if (is_hdf5 <= 0) return nullptr;  // classic formats
  hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
  // netCDF-C may hold the same file open; its close degree must match.
  H5Pset_fclose_degree(fapl, H5F_CLOSE_WEAK);
  hid_t file = -1;
  H5E_BEGIN_TRY { file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, fapl); }
  H5E_END_TRY;
  H5Pclose(fapl);
  if (file < 0) return nullptr;
  return std::unique_ptr<Hdf5ChunkReader>(new Hdf5ChunkReader(file, path));
}

Hdf5ChunkReader::Hdf5ChunkReader(long long file, std::string path)
    : file_(file), path_(std::move(path)), inflater_(libdeflate_alloc_decompressor()) {}

Hdf5ChunkReader::~Hdf5ChunkReader() {
  auto lock = LockNetcdfLibraries();
  datasets_.clear();
  if (file_ >= 0) H5Fclose(static_cast<hid_t>(file_));
  if (inflater_) libdeflate_free_decompressor(static_cast<libdeflate_decompressor*>(inflater_));
}

Hdf5ChunkReader::Dataset* Hdf5ChunkReader::Find(const std::string& variable_path, std::size_t element_size) {
  auto& slot = datasets_[variable_path];
  if (!slot) {
    slot = std::make_unique<Dataset>();
    H5E_BEGIN_TRY { slot->id = H5Dopen2(static_cast<hid_t>(file_), ("/" + variable_path).c_str(), H5P_DEFAULT); }
    H5E_END_TRY;
    if (slot->id >= 0) Describe(slot->id, element_size, *slot);
  }
  return slot->as_stored ? slot.get() : nullptr;
}

namespace {

void Describe(hid_t dset, std::size_t element_size, Hdf5ChunkReader::Dataset& d) {
  hid_t type = H5Dget_type(dset);
  H5T_class_t cls = H5Tget_class(type);
  const bool numbers = (cls == H5T_INTEGER || cls == H5T_FLOAT) && H5Tget_order(type) == H5T_ORDER_LE;
  const bool characters = cls == H5T_STRING && H5Tis_variable_str(type) == 0 && element_size == 1;
  const bool as_stored = (numbers || characters) && H5Tget_size(type) == element_size;
  H5Tclose(type);
  if (!as_stored) return;

  hid_t space = H5Dget_space(dset);
  int rank = H5Sget_simple_extent_ndims(space);
  d.dims.resize(static_cast<std::size_t>(std::max(rank, 0)));
  if (rank > 0) H5Sget_simple_extent_dims(space, d.dims.data(), nullptr);
  H5Sclose(space);
  if (rank <= 0) return;  // scalars: netCDF-C
  d.as_stored = true;

  hid_t plist = H5Dget_create_plist(dset);
  bool ok = H5Pget_layout(plist) == H5D_CHUNKED;
  if (ok) {
    d.chunk.resize(d.dims.size());
    ok = H5Pget_chunk(plist, rank, d.chunk.data()) == rank;
  }
  int filters = ok ? H5Pget_nfilters(plist) : 0;
  for (int i = 0; ok && i < filters; ++i) {
    unsigned flags = 0, config = 0;
    std::size_t nvalues = 0;
    H5Z_filter_t f = H5Pget_filter2(plist, static_cast<unsigned>(i), &flags, &nvalues, nullptr, 0, nullptr, &config);
    if (f == H5Z_FILTER_DEFLATE && d.deflate_index < 0) {
      d.deflate_index = i;
    } else if (f == H5Z_FILTER_SHUFFLE && d.shuffle_index < 0 && d.deflate_index < 0) {
      d.shuffle_index = i;  // shuffle must come before deflate
    } else {
      ok = false;  // fletcher32, szip, plugins: netCDF-C knows them
    }
  }
  H5Pclose(plist);
  d.shuffle = d.shuffle_index >= 0;
  d.deflated_chunks = ok && d.deflate_index >= 0;
}

// Copies the part of a dense block (shape `from_shape`, origin `from_at` in
// array coordinates) that lies in [start, start+count) into a dense array
// of shape count.
void CopyOverlap(const std::byte* chunk, const std::vector<hsize_t>& chunk_origin, const std::vector<hsize_t>& chunk_shape,
                 std::span<const std::size_t> start, std::span<const std::size_t> count, std::size_t es,
                 std::byte* out) {
  const std::size_t rank = chunk_shape.size();
  std::vector<std::size_t> lo(rank), hi(rank);
  for (std::size_t a = 0; a < rank; ++a) {
    lo[a] = std::max<std::size_t>(start[a], chunk_origin[a]);
    hi[a] = std::min<std::size_t>(start[a] + count[a], chunk_origin[a] + chunk_shape[a]);
    if (lo[a] >= hi[a]) return;
  }
  const std::size_t row = (hi[rank - 1] - lo[rank - 1]) * es;
  std::vector<std::size_t> idx(lo);
  while (true) {
    std::size_t src = 0, dst = 0;
    for (std::size_t a = 0; a < rank; ++a) {
      src = src * chunk_shape[a] + (idx[a] - chunk_origin[a]);
      dst = dst * count[a] + (idx[a] - start[a]);
    }
    std::memcpy(out + dst * es, chunk + src * es, row);
    std::size_t a = rank - 1;
    while (a-- > 0) {
      if (++idx[a] < hi[a]) break;
      idx[a] = lo[a];
    }
    if (a == static_cast<std::size_t>(-1)) return;
  }
}

// Where a chunk lies in the slab's dense layout when it fills one
// contiguous run of it (wholly inside the slab, single rows before some
// axis, whole extents after it); nullopt otherwise.
std::optional<std::size_t> ContiguousOffset(const std::vector<hsize_t>& origin, const std::vector<hsize_t>& chunk,
                                            std::span<const std::size_t> start, std::span<const std::size_t> count) {
  const std::size_t rank = chunk.size();
  for (std::size_t a = 0; a < rank; ++a) {
    if (origin[a] < start[a] || origin[a] + chunk[a] > start[a] + count[a]) return std::nullopt;
  }
  std::size_t m = 0;
  while (m < rank && chunk[m] == 1) ++m;
  for (std::size_t k = m + 1; k < rank; ++k) {
    if (chunk[k] != count[k]) return std::nullopt;
  }
  std::size_t offset = 0;
  for (std::size_t a = 0; a < rank; ++a) offset = offset * count[a] + (origin[a] - start[a]);
  return offset;
}

}  // namespace

bool Hdf5ChunkReader::ReadThroughHdf5(const Dataset& d, std::span<const std::size_t> start,
                                      std::span<const std::size_t> count, void* out) const {
  const std::vector<hsize_t> offset(start.begin(), start.end()), extent(count.begin(), count.end());
  hid_t file_space = H5Dget_space(d.id);
  hid_t memory_space = H5Screate_simple(static_cast<int>(extent.size()), extent.data(), nullptr);
  hid_t type = H5Dget_type(d.id);  // little-endian numbers as stored: no conversion
  herr_t st = -1;
  if (file_space >= 0 && memory_space >= 0 && type >= 0 &&
      H5Sselect_hyperslab(file_space, H5S_SELECT_SET, offset.data(), nullptr, extent.data(), nullptr) >= 0) {
    H5E_BEGIN_TRY { st = H5Dread(d.id, type, memory_space, file_space, H5P_DEFAULT, out); }
    H5E_END_TRY;
  }
  if (type >= 0) H5Tclose(type);
  if (memory_space >= 0) H5Sclose(memory_space);
  if (file_space >= 0) H5Sclose(file_space);
  return st >= 0;  // else netCDF-C reads it, or says what is wrong
}

Result<bool> Hdf5ChunkReader::ReadSlab(const std::string& variable_path, std::span<const std::size_t> start,
                                       std::span<const std::size_t> count, std::size_t element_size, void* out) {
  auto lock = LockNetcdfLibraries();  // released while inflating
  Dataset* d = Find(variable_path, element_size);
  if (d == nullptr || start.size() != d->dims.size()) return false;
  const std::size_t rank = d->dims.size();
  for (std::size_t a = 0; a < rank; ++a) {
    if (count[a] == 0) return true;
    if (start[a] + count[a] > d->dims[a]) return false;  // past its own extent: netCDF-C fills it
  }
  if (!d->deflated_chunks) return ReadThroughHdf5(*d, start, count, out);
  std::size_t chunk_bytes = element_size;
  for (hsize_t c : d->chunk) chunk_bytes *= c;

  // Every HDF5 chunk the slab touches, in C order.
  std::vector<hsize_t> first(rank), last(rank), index(rank);
  for (std::size_t a = 0; a < rank; ++a) {
    first[a] = start[a] / d->chunk[a];
    last[a] = (start[a] + count[a] - 1) / d->chunk[a];
  }
  index = first;
  auto* inflater = static_cast<libdeflate_decompressor*>(inflater_);
  while (true) {
    std::vector<hsize_t> origin(rank);
    for (std::size_t a = 0; a < rank; ++a) origin[a] = index[a] * d->chunk[a];
    unsigned mask = 0;
    haddr_t address = HADDR_UNDEF;
    hsize_t size = 0;
    if (!lock.owns_lock()) lock.lock();
    if (H5Dget_chunk_info_by_coord(d->id, origin.data(), &mask, &address, &size) < 0 || address == HADDR_UNDEF) {
      return ReadThroughHdf5(*d, start, count, out);  // an unwritten chunk: HDF5 gives its fill values
    }
    compressed_.resize(size);
    uint32_t filters = 0;
    if (H5Dread_chunk(d->id, H5P_DEFAULT, origin.data(), &filters, compressed_.data()) < 0) {
      return InvalidInput("cannot read an HDF5 chunk of '" + variable_path + "' in " + path_ +
                          " (the file may be truncated or corrupt)");
    }
    lock.unlock();
    // A chunk that fills a contiguous run of the slab is inflated (or
    // unshuffled) straight into place, saving a copy.
    const auto place = ContiguousOffset(origin, d->chunk, start, count);
    std::byte* target = place ? static_cast<std::byte*>(out) + *place * element_size : nullptr;
    const bool inflate = !(filters & (1u << d->deflate_index));
    const bool unshuffle = d->shuffle && !(filters & (1u << d->shuffle_index));
    const std::byte* data = compressed_.data();
    if (inflate) {
      std::byte* into = target && !unshuffle ? target : (inflated_.resize(chunk_bytes), inflated_.data());
      std::size_t produced = 0;
      auto rc = libdeflate_zlib_decompress(inflater, compressed_.data(), compressed_.size(), into, chunk_bytes,
                                           &produced);
      if (rc != LIBDEFLATE_SUCCESS || produced != chunk_bytes) {
        return InvalidInput("a compressed HDF5 chunk of '" + variable_path + "' in " + path_ +
                            " does not inflate (the file is corrupt)");
      }
      data = into;
    } else if (compressed_.size() != chunk_bytes) {
      lock.lock();
      return ReadThroughHdf5(*d, start, count, out);
    }
    if (unshuffle) {
      if (target) {
        UnshuffleInto(std::span(data, chunk_bytes), element_size, target);
        data = target;
      } else {
        UnshuffleBytes(std::span(data, chunk_bytes), element_size, unshuffled_);
        data = unshuffled_.data();
      }
    }
    if (data != target) {
      CopyOverlap(data, origin, d->chunk, start, count, element_size, static_cast<std::byte*>(out));
    }

    std::size_t a = rank;
    while (a-- > 0) {
      if (++index[a] <= last[a]) break;
      index[a] = first[a];
    }
    if (a == static_cast<std::size_t>(-1)) return true;
  }
}

}  // namespace nc2zarr
