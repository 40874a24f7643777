#pragma once

#include "interfaces/device_directory.h"
#include "interfaces/loop_devices.h"

struct udev;
struct udev_device;

namespace mapperd {

// DeviceDirectory over libudev (the "block" subsystem, initialised devices only), with loop
// devices' bindings from `LoopDevices` and device-mapper UUIDs from sysfs
// (<syspath>/dm/uuid). Every call reads udev's database afresh: nothing is cached.
//
// Not thread-safe (a libudev context is not): one owner thread.
class UdevDeviceDirectory final : public DeviceDirectory {
 public:
  // `loops` must outlive the directory. Throws Error(Failed) when no udev context can be made.
  explicit UdevDeviceDirectory(const LoopDevices& loops);
  ~UdevDeviceDirectory() override;
  UdevDeviceDirectory(const UdevDeviceDirectory&) = delete;
  UdevDeviceDirectory& operator=(const UdevDeviceDirectory&) = delete;

  DeviceIdentity identify(DeviceNumber number) const override;
  std::optional<DeviceNumber> locate(const DeviceIdentity& identity) const override;
  std::vector<DeviceIdentity> enumerate() const override;

 private:
  DeviceIdentity identity_of(udev_device& device) const;

  udev* udev_ = nullptr;
  const LoopDevices& loops_;
};

}  // namespace mapperd
