#pragma once

#include "udev/block_event_monitor.h"

namespace mapperd {

// A descriptor the event loop polls that becomes readable when udev has processed an event for
// a device-mapper device: a map created (add), reloaded and resumed or renamed (change), or
// removed (remove), by mapperd or by any other tool. Udev broadcasts an event only after its
// rules ran, so /dev/mapper already shows the change when it arrives.
class DeviceMapperEvents {
 public:
  // Throws Error(Failed) when the udev monitor cannot be opened.
  DeviceMapperEvents() = default;

  int fd() const { return monitor_.fd(); }
  // Reads every queued event without blocking; true when at least one was for a device-mapper
  // device. What happened does not matter, only that something did: the caller re-reads the
  // kernel's maps. Never throws.
  bool drain();

 private:
  BlockEventMonitor monitor_;
};

}  // namespace mapperd
