#pragma once

#include <string>
#include <vector>

#include "model/device_ref.h"
#include "udev/block_event_monitor.h"

namespace mapperd {

// One processed udev event of a device-mapper device.
struct DeviceMapperEvent {
  // The map's name as udev or sysfs gave it; empty when neither did (a remove the device-mapper
  // udev rules did not see).
  std::string name;
  DeviceNumber device;
};

// What drain() read.
struct DeviceMapperEventBatch {
  std::vector<DeviceMapperEvent> events;
  // The monitor's socket overflowed: events were lost, so any map may have changed.
  bool overflowed = false;

  bool empty() const { return events.empty() && !overflowed; }
};

// A descriptor the event loop polls that becomes readable when udev has processed an event for
// a device-mapper device: a map created (add), reloaded and resumed or renamed (change), or
// removed (remove), by mapperd or by any other tool. Udev broadcasts an event only after its
// rules ran, so /dev/mapper already shows the change when it arrives.
class DeviceMapperEvents {
 public:
  // Throws Error(Failed) when the udev monitor cannot be opened.
  DeviceMapperEvents() = default;

  int fd() const { return monitor_.fd(); }
  // Reads every queued event without blocking and returns those for device-mapper devices: which
  // maps something happened to (what happened does not matter: the caller re-reads them), and
  // whether some were lost. Never throws.
  DeviceMapperEventBatch drain();

 private:
  BlockEventMonitor monitor_;
};

}  // namespace mapperd
