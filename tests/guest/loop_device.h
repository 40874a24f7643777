#pragma once
// Loop devices over sparse files in /tmp, the guest tests' disks.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "model/device_ref.h"
#include "model/sectors.h"

namespace mapperd::guest {

// A sparse file of `bytes` bound to a loop device, both gone with the object. The kernel reads
// and writes the file through its page cache, so what reaches the device can be checked by
// reading the file.
class LoopDevice {
 public:
  // Binds a free loop device (LOOP_CTL_GET_FREE), or loop<minor> made for the purpose
  // (LOOP_CTL_ADD) when `minor` is given. `fill`, when given, writes the file's initial bytes
  // sector by sector before it is bound. Throws std::runtime_error saying what failed.
  LoopDevice(const std::string& tag, std::uint64_t bytes,
             std::function<std::string(std::uint64_t sector)> fill = {},
             std::optional<std::uint32_t> minor = std::nullopt);
  ~LoopDevice();
  LoopDevice(const LoopDevice&) = delete;
  LoopDevice& operator=(const LoopDevice&) = delete;

  DeviceNumber number() const { return number_; }
  // "/dev/loopN".
  const std::string& path() const { return path_; }
  // What the kernel says the device holds (blockdev --getsize): the file's size in sectors.
  Sectors size() const;
  // `count` sectors of the backing file from `sector`.
  std::string read_backing(std::uint64_t sector, std::uint64_t count = 1) const;

 private:
  std::string file_;
  std::string path_;
  DeviceNumber number_;
  int loop_fd_ = -1;
  bool added_ = false;
};

}  // namespace mapperd::guest
