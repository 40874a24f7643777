#include "udev/device_mapper_events.h"

#include <libudev.h>

#include <cstring>

namespace mapperd {

bool DeviceMapperEvents::drain() {
  bool any = false;
  monitor_.drain([&any](udev_device& device) {
    // Every device-mapper device is a "dm-N" disk; its partitions and everything else are not
    // ours to follow.
    const char* name = udev_device_get_sysname(&device);
    if (name != nullptr && std::strncmp(name, "dm-", 3) == 0)
      any = true;
  });
  return any;
}

}  // namespace mapperd
