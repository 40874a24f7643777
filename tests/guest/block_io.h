#pragma once
// Byte-level checks: distinct contents per sector, written and read around every cache.

#include <cstdint>
#include <string>

#include "model/sectors.h"

namespace mapperd::guest {

// 512 bytes that say which `tag` wrote them for which `sector`, different for every pair, so a
// sector that landed in the wrong place is recognised for what it is.
std::string sector_pattern(const std::string& tag, std::uint64_t sector);
// `count` sectors of sector_pattern(tag, first + i).
std::string sector_patterns(const std::string& tag, std::uint64_t first, std::uint64_t count);

// Writes `data` (whole sectors) to the block device at `sector` with O_DIRECT, so it has reached
// the device below when this returns. Throws std::runtime_error.
void write_device(const std::string& path, std::uint64_t sector, const std::string& data);
// Reads `count` sectors of the block device with O_DIRECT, past any page cache.
std::string read_device(const std::string& path, std::uint64_t sector, std::uint64_t count = 1);
// The block device's size (BLKGETSIZE64), in sectors.
Sectors device_size(const std::string& path);
// `count` sectors of a regular file from `sector`.
std::string read_file(const std::string& path, std::uint64_t sector, std::uint64_t count = 1);

// What a sector's bytes are, for failure messages: "sector 12 of twoasone" or "zeros" or
// "unknown bytes".
std::string describe(const std::string& data);

}  // namespace mapperd::guest
