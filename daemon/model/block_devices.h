#pragma once

#include <optional>

#include "device_ref.h"
#include "sectors.h"

namespace mapperd {

// What the model needs to know about the host's block devices to check a table: which device a
// reference names and how big it is. The kernel seam implements it over stat() and sysfs; tests
// use an in-memory one.
class BlockDevices {
 public:
  virtual ~BlockDevices() = default;

  // The device `ref` names, or nothing when no such block device exists.
  virtual std::optional<DeviceNumber> resolve(const DeviceRef& ref) const = 0;
  // Its size, or nothing when it is unknown.
  virtual std::optional<Sectors> size_of(DeviceNumber device) const = 0;
};

}  // namespace mapperd
