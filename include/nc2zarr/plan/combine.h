// Combining the schemas of many files into one dataset: which dimension they
// are concatenated along, in which order, and whether they agree.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "nc2zarr/base/status.h"
#include "nc2zarr/model/schema.h"
#include "nc2zarr/model/shared_vector.h"

namespace nc2zarr {

// What a first, cheap look at one file finds.
struct FileScan {
  FileSchema schema;
  // Values of every numeric 1-D coordinate variable (named as its
  // dimension), by variable path.
  std::map<std::string, SharedValues> coordinates;
};

struct Layout {
  std::string concat_dim;           // "" when there is nothing to concatenate
  std::vector<std::size_t> order;   // indices into the scans, in concat order
  std::vector<std::size_t> concat_lengths;  // per scan (not reordered)
  // Variables without the concat dimension: they must be identical in every
  // file, which the scan checks by content.
  std::vector<std::string> must_match;
  // Per scan: what to add to the values of concatenated time variables
  // (by path) to express them in the units of the first file in concat
  // order, when a file counts time from another reference date.
  std::vector<std::map<std::string, double>> value_offsets;
  // Concatenated numbers the files pack or mask differently (scale_factor,
  // add_offset, _FillValue, missing_value): stored unpacked (by path).
  std::set<std::string> unpacked;
};

// Picks the concat dimension (requested, else detected), checks that the
// files agree on variables, types and shapes, and orders them by the first
// value of the concat coordinate.
// Only the variables in selected (paths) are checked and combined, less the
// dropped ones; an empty selection means every variable of every file.
Result<Layout> CombineFiles(const std::vector<FileScan>& scans, const std::string& requested_concat_dim,
                            const std::vector<std::string>& selected = {},
                            const std::vector<std::string>& dropped = {});

// Content fingerprints of the must_match variables, per file (same order as
// the scans): every file must agree with the first in concat order.
Status CheckIdentical(const Layout& layout, const std::vector<FileScan>& scans,
                      const std::vector<std::map<std::string, std::uint64_t>>& fingerprints);

}  // namespace nc2zarr
