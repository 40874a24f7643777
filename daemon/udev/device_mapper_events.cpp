#include "udev/device_mapper_events.h"

#include <libudev.h>
#include <sys/sysmacros.h>

#include <cstring>

namespace mapperd {
namespace {

std::string text_or_empty(const char* text) {
  return text != nullptr ? std::string(text) : std::string();
}

// The device-mapper udev rules export DM_NAME (kept in udev's database, so a remove has it too);
// without those rules the kernel's own sysfs attribute names the map while it exists.
std::string map_name_of(udev_device& device) {
  std::string name = text_or_empty(udev_device_get_property_value(&device, "DM_NAME"));
  if (name.empty())
    name = text_or_empty(udev_device_get_sysattr_value(&device, "dm/name"));
  return name;
}

}  // namespace

DeviceMapperEventBatch DeviceMapperEvents::drain() {
  DeviceMapperEventBatch batch;
  batch.overflowed = monitor_.drain([&batch](udev_device& device) {
    // Every device-mapper device is a "dm-N" disk; its partitions and everything else are not
    // ours to follow.
    const char* sysname = udev_device_get_sysname(&device);
    if (sysname == nullptr || std::strncmp(sysname, "dm-", 3) != 0)
      return;
    const dev_t number = udev_device_get_devnum(&device);
    batch.events.push_back(
        DeviceMapperEvent{map_name_of(device), DeviceNumber{::major(number), ::minor(number)}});
  });
  return batch;
}

}  // namespace mapperd
