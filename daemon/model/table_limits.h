#pragma once

#include <cstddef>
#include <cstdint>

namespace mapperd {

// Bounds on every size a caller controls in a table. A table at a limit is accepted; one past
// it is refused with InvalidTable before anything is parsed further. docs/tables.md lists them.
inline constexpr std::size_t kMaxTableBytes = 1024 * 1024;
inline constexpr std::size_t kMaxSegments = 1024;
inline constexpr std::size_t kMaxArgumentsPerLine = 512;
inline constexpr std::size_t kMaxStripes = 128;

// The kernel keeps snapshot chunk sizes in an int of bytes (INT_MAX >> SECTOR_SHIFT sectors), and
// they must be powers of two.
inline constexpr std::uint64_t kMaxSnapshotChunkSectors = 1u << 21;
// dm-stripe keeps the chunk size in a 32-bit unsigned.
inline constexpr std::uint64_t kMaxStripeChunkSectors = UINT32_MAX;

}  // namespace mapperd
