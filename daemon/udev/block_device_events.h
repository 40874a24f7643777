#pragma once

#include <vector>

#include "model/block_device_event.h"
#include "udev/block_event_monitor.h"
#include "udev/block_event_translation.h"

namespace mapperd {

// What drain() read: the events in the order udev broadcast them, and whether some were lost.
struct BlockDeviceEventBatch {
  std::vector<BlockDeviceEvent> events;
  // The monitor's socket overflowed (ENOBUFS): events are missing, so the caller must
  // enumerate the devices again (DeviceDirectory::enumerate()) rather than trust the stream.
  bool overflowed = false;
};

// udev's processed events for every block device, as values (BlockDeviceEvent), for the main
// loop: poll fd(), then drain().
//
// The monitor is open and receiving from construction on. Construct it FIRST, then enumerate
// the devices that are already there (DeviceDirectory): a device that appears in between is
// then in the enumeration, or in the next drain(), or both (Appeared is "present now", so a
// repeat is harmless), and never in neither.
//
// Devices udev has not initialised are left out. A loop device is Appeared only once its file
// is bound (the `change` after the bind; its `add` comes earlier, with no file), and Vanished
// when the file is unbound; a device-mapper device is Appeared at its first table, not at its
// `add`.
class BlockDeviceEvents {
 public:
  // Throws Error(Failed) when the udev monitor cannot be opened.
  BlockDeviceEvents() = default;

  // Non-blocking; readable while events are queued.
  int fd() const { return monitor_.fd(); }
  // Every queued event, read without blocking. Never throws.
  BlockDeviceEventBatch drain();

 private:
  BlockEventMonitor monitor_;
  BlockEventTranslator translator_;
};

}  // namespace mapperd
