// The data layout of a classic-format file (CDF-1, CDF-2, CDF-5), read from
// its header: where each variable's bytes lie. netCDF-C reads past the end
// of a truncated classic file as zeros without an error, so nc2zarr checks
// the size itself; ClassicReader reads data through this layout.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "nc2zarr/base/status.h"

namespace nc2zarr {

struct ClassicLayout {
  struct Variable {
    std::string name;
    std::uint64_t element_size = 0;
    // Dimension lengths; a record variable's first is the number of records.
    std::vector<std::uint64_t> shape;
    bool record = false;
    std::uint64_t begin = 0;  // file offset of the data (of the first record)
    std::uint64_t bytes = 0;  // the whole variable, or one record of it
  };
  std::uint64_t records = 0;
  bool records_known = true;  // false while a writer still streams records
  std::uint64_t record_size = 0;  // bytes from one record to the next
  std::uint64_t header_end = 0;
  std::vector<Variable> variables;

  // The number of bytes the file must have at least.
  std::uint64_t ExpectedSize() const;
};

// kInvalidInput naming the file when the header is malformed or cut short.
Result<ClassicLayout> ReadClassicLayout(const std::string& path);

// The number of bytes the header says the file must have at least.
Result<std::uint64_t> ClassicExpectedSize(const std::string& path);

// kInvalidInput naming the file when it is shorter than its header says.
Status CheckClassicFileComplete(const std::string& path);

}  // namespace nc2zarr
