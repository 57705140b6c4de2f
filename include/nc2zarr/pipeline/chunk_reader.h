// Assembles one Zarr chunk from the input files: the hyperslab of every file
// the chunk overlaps, placed into a buffer laid out as a whole chunk (edge
// chunks are padded with zeros, which readers never look at).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "nc2zarr/base/status.h"
#include "nc2zarr/pipeline/file_cache.h"
#include "nc2zarr/plan/plan.h"

namespace nc2zarr {

class ChunkReader {
 public:
  ChunkReader(const Plan& plan, FileCache& files) : plan_(plan), files_(files) {}

  // Replaces out with the chunk's bytes, ready for the compressor: raw
  // little-endian elements in C order, or vlen-utf8 for string variables.
  Status Read(const PlannedVariable& variable, const ChunkRegion& region, std::vector<std::byte>& out);

 private:
  // One input file's share of a chunk.
  struct Piece {
    const InputFile* file;
    std::vector<std::size_t> start;  // in the file's variable
    std::vector<std::size_t> count;
    std::vector<std::size_t> at;     // position inside the chunk
  };
  std::vector<Piece> PiecesOf(const PlannedVariable& variable, const ChunkRegion& region) const;
  Status ReadStrings(const PlannedVariable& variable, const std::vector<Piece>& pieces, std::vector<std::byte>& out);

  const Plan& plan_;
  FileCache& files_;
  std::vector<std::byte> scratch_;
  std::vector<std::byte> unpacked_;  // a piece decoded, for variables stored unpacked
};

}  // namespace nc2zarr
