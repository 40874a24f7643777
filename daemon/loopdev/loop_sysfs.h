#pragma once
// Reading loop devices out of sysfs: pure file parsing, so it is tested on a tree made for the
// test. The loop driver makes <sysfs>/block/loopN/loop/ when a file is bound and removes it when
// the file is unbound, so its backing_file is what says "bound".

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "model/device_ref.h"

namespace mapperd {

// One bound loop device as sysfs shows it.
struct LoopSysfsEntry {
  std::uint32_t index = 0;
  // <dir>/dev, "7:3".
  DeviceNumber number;
  // <dir>/loop/backing_file: the file's path as the kernel prints it for the reader (" (deleted)"
  // appended once it is unlinked).
  std::string backing_file;
  // <dir>/loop/offset and sizelimit, bytes.
  std::uint64_t offset = 0;
  std::uint64_t size_limit = 0;
  // <dir>/loop/autoclear, <dir>/loop/partscan, <dir>/ro.
  bool autoclear = false;
  bool partscan = false;
  bool read_only = false;
  friend bool operator==(const LoopSysfsEntry&, const LoopSysfsEntry&) = default;
};

// The contents of a one-value sysfs file without its one trailing newline (the kernel prints
// "%s\n"; a path may itself end in a newline, so only one is taken off).
std::string strip_sysfs_newline(std::string text);

// The loop device in `block_dir` (<sysfs>/block/loopN) when it is bound; nothing when it is
// not, when the directory is no loop device's, or when a file in it cannot be read or parsed
// (it was unbound while being read). Never throws.
std::optional<LoopSysfsEntry> read_loop_sysfs(const std::filesystem::path& block_dir);

// Every bound loop device under <sysfs>/block, by index. Never throws.
std::vector<LoopSysfsEntry> read_bound_loops(const std::filesystem::path& sysfs);

}  // namespace mapperd
