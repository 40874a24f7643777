#pragma once
// What the store tests share: a temporary directory and definitions to store.

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <string>
#include <string_view>

#include "store/map_definition.h"
#include "store/runtime_state.h"

namespace mapperd::testing {

// A fresh directory under the system's temporary directory, removed with all in it.
class ScratchDirectory {
 public:
  ScratchDirectory() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "mapperd-store-test-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr)
      std::abort();
    path_ = pattern;
  }
  ~ScratchDirectory() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ScratchDirectory(const ScratchDirectory&) = delete;
  ScratchDirectory& operator=(const ScratchDirectory&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::filesystem::path& relative) const {
    return path_ / relative;
  }

  // Writes TEXT to RELATIVE, making the directories on the way.
  void write(const std::filesystem::path& relative, std::string_view text) const {
    std::filesystem::create_directories((path_ / relative).parent_path());
    std::ofstream(path_ / relative, std::ios::binary) << text;
  }

  std::string read(const std::filesystem::path& relative) const {
    std::ifstream file(path_ / relative, std::ios::binary);
    return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
  }

  bool has(const std::filesystem::path& relative) const {
    return std::filesystem::exists(path_ / relative);
  }

  // The names in RELATIVE (a directory), sorted; none when it is missing.
  std::set<std::string> names_in(const std::filesystem::path& relative) const {
    std::set<std::string> names;
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator(path_ / relative, error))
      names.insert(entry.path().filename().string());
    return names;
  }

 private:
  std::filesystem::path path_;
};

inline LoopBacking demo_backing(std::string file, std::uint64_t inode) {
  LoopBacking backing;
  backing.file = std::move(file);
  backing.file_device = DeviceNumber{254, 1};
  backing.inode = inode;
  return backing;
}

inline DeviceUse loop_use(std::uint32_t minor, std::string file, std::uint64_t inode) {
  DeviceUse use;
  use.reference = "/dev/loop" + std::to_string(minor);
  use.identity.number = DeviceNumber{7, minor};
  use.identity.path = use.reference;
  use.identity.loop = demo_backing(std::move(file), inode);
  return use;
}

// The dmsetup tutorial's "twoasone": two loop devices one after the other.
inline MapDefinition two_loop_map() {
  MapDefinition map;
  map.name = "twoasone";
  map.uuid = "MAPPERD-6f1c9a1e2b7d4c0e8a5f3b2d1c0e9f8a";
  map.table = "0 2048 linear /dev/loop0 0\n2048 2048 linear /dev/loop1 0\n";
  map.created_by_uid = 1000;
  map.devices.push_back(loop_use(0, "/var/lib/mapperd-demo/disk0.img", 131074));
  map.devices.push_back(loop_use(1, "/var/lib/mapperd-demo/disk1.img", 131075));
  return map;
}

// A map with a UUID of its own made from NAME, on one disk partition.
inline MapDefinition disk_map(const std::string& name) {
  MapDefinition map;
  map.name = name;
  map.uuid = "MAPPERD-" + name;
  map.table = "0 8 linear 8:17 0\n";
  DeviceUse use;
  use.reference = "8:17";
  use.identity.number = DeviceNumber{8, 17};
  use.identity.path = "/dev/sdb1";
  use.identity.partition_uuid = "0c1d4e2a-01";
  map.devices.push_back(use);
  return map;
}

}  // namespace mapperd::testing
