#pragma once

#include <cstdint>

#include "model/device_ref.h"

namespace mapperd::bus {

// A device number as the DeviceNumber properties (Map's and Loop's) show it: makedev()'s layout,
// the glibc encoding of dev_t, which is what stat() and udev report.
inline std::uint64_t device_number_value(const DeviceNumber& device) {
  const std::uint64_t major = device.major;
  const std::uint64_t minor = device.minor;
  return ((major & 0x00000fffULL) << 8) | ((major & 0xfffff000ULL) << 32) |
         (minor & 0x000000ffULL) | ((minor & 0xffffff00ULL) << 12);
}

}  // namespace mapperd::bus
