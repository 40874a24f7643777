#pragma once

#include <cstdint>
#include <filesystem>

#include "model/block_devices.h"

namespace mapperd {

// The host's block devices as the kernel shows them: a "MAJOR:MINOR" reference exists when
// <sysfs>/dev/block/MAJOR:MINOR does; a path names the block device stat() finds behind it
// (symlinks followed), provided that number exists too; anything but a block device names
// nothing. Sizes come from
// <sysfs>/dev/block/MAJOR:MINOR/size, which counts 512-byte sectors whatever the device's
// logical block size. Never throws; what cannot be read is reported as unknown.
class SysfsBlockDevices final : public BlockDevices {
 public:
  explicit SysfsBlockDevices(std::filesystem::path sysfs = "/sys");

  std::optional<DeviceNumber> resolve(const DeviceRef& ref) const override;
  std::optional<Sectors> size_of(DeviceNumber device) const override;
  // The writes completed on `device` since it appeared (the fifth field of
  // <sysfs>/dev/block/MAJOR:MINOR/stat): what the engine's fill watch compares between looks.
  std::optional<std::uint64_t> writes_completed(DeviceNumber device) const;

 private:
  std::filesystem::path device_dir(DeviceNumber device) const;

  std::filesystem::path sysfs_;
};

}  // namespace mapperd
