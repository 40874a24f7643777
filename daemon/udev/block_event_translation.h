#pragma once
// udev's block events as values: what an event says (read off the libudev device when it is
// received) turned into a BlockDeviceEvent by pure functions, tested on the host with plain
// values.

#include <cstdint>
#include <optional>
#include <set>
#include <string>

#include "model/block_device_event.h"

namespace mapperd {

// One udev event for a block device, as received.
struct UdevBlockEvent {
  // "add", "change", "remove", "move", ...
  std::string action;
  // "loop3", "sdb1", "dm-2".
  std::string sysname;
  // "/dev/loop3".
  std::string devnode;
  DeviceNumber number;
  // udev ran its rules for it (always so for events udev broadcasts; checked anyway).
  bool initialized = true;
  // <syspath>/loop/backing_file exists (only read for loop devices).
  bool loop_bound = false;
  // <syspath>/size, in 512-byte sectors (0 for a loop device with no file, a device-mapper
  // device with no table yet, a drive with no medium); nothing when it could not be read.
  std::optional<std::uint64_t> size;
};

// A whole loop device, "loopN" (not "loop0p1", not "loop-control").
bool is_loop_name(const std::string& sysname);

// Whether the device is usable now: it has a size, and a loop device has its file bound. A
// device-mapper device's `add` comes before its first table, a loop device's `add` before its
// file, so neither counts until its `change`.
bool is_ready(const UdevBlockEvent& event);

// The event `event` means, given whether its device was `known_ready` (reported Appeared and not
// Vanished since): nothing for an uninitialised device, for an `add` of a device that is not
// usable yet, and for actions that say nothing about presence; Appeared for a usable device not
// known before; Changed for a known one; Vanished on `remove` and for a device that is no longer
// usable (an unbound loop device). Pure.
std::optional<BlockDeviceEvent> translate(const UdevBlockEvent& event, bool known_ready);

// translate() over a stream of events, remembering which devices are ready.
class BlockEventTranslator {
 public:
  std::optional<BlockDeviceEvent> translate(const UdevBlockEvent& event);
  // The stream had a hole (the socket overflowed): nothing is known any more, so the next
  // event of every usable device is Appeared again.
  void forget() { ready_.clear(); }

 private:
  std::set<DeviceNumber> ready_;
};

}  // namespace mapperd
