#include "udev/udev_device_directory.h"

#include <libudev.h>
#include <sys/sysmacros.h>

#include <cerrno>
#include <fstream>
#include <string>

#include "model/device_matching.h"
#include "model/error.h"
#include "model/loop_index.h"
#include "udev/udev_identity.h"

namespace mapperd {
namespace {

// The udev device references libudev hands out, released at scope end.
struct UdevDeviceHandle {
  udev_device* device;
  ~UdevDeviceHandle() { udev_device_unref(device); }
};

std::string read_line(const std::string& file) {
  std::ifstream in(file);
  std::string line;
  std::getline(in, line);
  return line;
}

}  // namespace

UdevDeviceDirectory::UdevDeviceDirectory(const LoopDevices& loops) : loops_(loops) {
  udev_ = udev_new();
  if (udev_ == nullptr)
    throw Error(ErrorKind::Failed, "device directory: cannot create a udev context", errno);
}

UdevDeviceDirectory::~UdevDeviceDirectory() {
  udev_unref(udev_);
}

DeviceIdentity UdevDeviceDirectory::identity_of(udev_device& device) const {
  UdevDeviceFacts facts;
  const dev_t number = udev_device_get_devnum(&device);
  facts.number = DeviceNumber{::major(number), ::minor(number)};
  if (const char* node = udev_device_get_devnode(&device))
    facts.devnode = node;
  for (const char* name :
       {"ID_WWN", "ID_WWN_WITH_EXTENSION", "ID_SERIAL", "ID_PART_ENTRY_UUID", "DEVLINKS"}) {
    if (const char* value = udev_device_get_property_value(&device, name))
      facts.properties[name] = value;
  }
  DeviceIdentity identity = identity_from_udev(facts);

  const char* sysname = udev_device_get_sysname(&device);
  const std::string syspath = udev_device_get_syspath(&device);
  if (const std::optional<std::uint32_t> index = parse_loop_index(sysname ? sysname : "")) {
    if (const std::optional<LoopDevice> loop = loops_.bound_at(*index))
      identity.loop = loop->backing;
  }
  // Only device-mapper devices have dm/; a map made without a UUID has an empty one.
  identity.map_uuid = read_line(syspath + "/dm/uuid");
  return identity;
}

DeviceIdentity UdevDeviceDirectory::identify(DeviceNumber number) const {
  const UdevDeviceHandle device{
      udev_device_new_from_devnum(udev_, 'b', ::makedev(number.major, number.minor))};
  if (device.device == nullptr) {
    throw Error(ErrorKind::DeviceMissing,
                "identify " + number.to_string() + ": no such block device", errno);
  }
  if (udev_device_get_is_initialized(device.device) <= 0) {
    throw Error(ErrorKind::DeviceMissing,
                "identify " + number.to_string() +
                    ": udev has not processed this device yet; try again once it has");
  }
  return identity_of(*device.device);
}

std::vector<DeviceIdentity> UdevDeviceDirectory::enumerate() const {
  std::vector<DeviceIdentity> identities;
  udev_enumerate* enumerate = udev_enumerate_new(udev_);
  if (enumerate == nullptr)
    return identities;
  if (udev_enumerate_add_match_subsystem(enumerate, "block") >= 0 &&
      udev_enumerate_add_match_is_initialized(enumerate) >= 0 &&
      udev_enumerate_scan_devices(enumerate) >= 0) {
    udev_list_entry* entry = nullptr;
    udev_list_entry_foreach(entry, udev_enumerate_get_list_entry(enumerate)) {
      const UdevDeviceHandle device{
          udev_device_new_from_syspath(udev_, udev_list_entry_get_name(entry))};
      // Gone since the scan, or not initialised after all: not in the directory.
      if (device.device == nullptr || udev_device_get_is_initialized(device.device) <= 0 ||
          udev_device_get_devnum(device.device) == 0) {
        continue;
      }
      identities.push_back(identity_of(*device.device));
    }
  }
  udev_enumerate_unref(enumerate);
  return identities;
}

std::optional<DeviceNumber> UdevDeviceDirectory::locate(const DeviceIdentity& identity) const {
  return best_match(identity, enumerate());
}

}  // namespace mapperd
