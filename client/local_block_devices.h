#pragma once

#include <optional>
#include <string>

#include "model/block_devices.h"

namespace mapperctl {

// The block devices of the machine mapperctl runs on, for what needs no daemon: the sizes the
// layout verbs compute with, and `check --offline`. Reads only what an unprivileged user may:
// stat() of the device node and /sys/dev/block/MAJ:MIN/size (the BLKGETSIZE64 ioctl, which
// needs the device opened, is the fallback for a machine without sysfs).
class LocalBlockDevices final : public mapperd::BlockDevices {
 public:
  // `sysfs_root` is "/sys" except in tests.
  explicit LocalBlockDevices(std::string sysfs_root = "/sys")
      : sysfs_root_(std::move(sysfs_root)) {}

  std::optional<mapperd::DeviceNumber> resolve(const mapperd::DeviceRef& ref) const override;
  std::optional<mapperd::Sectors> size_of(mapperd::DeviceNumber device) const override;

  // The size of the device `device` names ("/dev/loop1" or "7:1"). Throws
  // CommandError(DeviceMissing) when it is not a block device, Failed when it cannot be read.
  mapperd::Sectors size_of(const std::string& device) const;

 private:
  std::string sysfs_directory(mapperd::DeviceNumber device) const;

  std::string sysfs_root_;
};

}  // namespace mapperctl
