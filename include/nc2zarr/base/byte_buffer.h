// Buffers for compressed chunks, aligned to a page: the local store can then
// hand them to the disk with O_DIRECT, without the kernel's copy into the
// page cache (a third of the CPU time of a local conversion, measured).
#pragma once

#include <cstddef>
#include <cstdlib>
#include <new>
#include <utility>
#include <vector>

namespace nc2zarr {

inline constexpr std::size_t kPageAlignment = 4096;

template <typename T>
struct PageAlignedAllocator {
  using value_type = T;
  PageAlignedAllocator() = default;
  template <typename U>
  PageAlignedAllocator(const PageAlignedAllocator<U>&) noexcept {}  // NOLINT: rebinding

  T* allocate(std::size_t n) {
    std::size_t bytes = (n * sizeof(T) + kPageAlignment - 1) / kPageAlignment * kPageAlignment;
    void* p = std::aligned_alloc(kPageAlignment, bytes == 0 ? kPageAlignment : bytes);
    if (p == nullptr) throw std::bad_alloc();
    return static_cast<T*>(p);
  }
  void deallocate(T* p, std::size_t) noexcept { std::free(p); }
  // resize() leaves new bytes as they are instead of zeroing them: the
  // compressor overwrites them anyway, and pages it never reaches (past
  // the compressed size) are then never touched, so they cost no memory.
  template <typename U>
  void construct(U* p) noexcept {
    ::new (static_cast<void*>(p)) U;
  }
  template <typename U, typename... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
  template <typename U>
  bool operator==(const PageAlignedAllocator<U>&) const noexcept {
    return true;
  }
};

using ByteBuffer = std::vector<std::byte, PageAlignedAllocator<std::byte>>;

}  // namespace nc2zarr
