#pragma once

#include <string>

#include "device_ref.h"

namespace mapperd {

// What happened to a block device, as the udev seam reports it once udev has processed it.
struct BlockDeviceEvent {
  enum class Action {
    // Present and usable now: a disk or partition added; a loop device bound to its file (its
    // `change` event, never its `add`); a device-mapper device given its first table. May be
    // reported again for a device already seen (after an overflow, or for a device that was
    // already there when the monitor opened): treat it as "is present now".
    Appeared,
    // Still present, something about it changed (a resize, a reload, a new partition table).
    Changed,
    // Gone or no longer usable: removed, a loop device's file unbound, a medium ejected. May be
    // reported for a device the caller never saw (an unbound loop device's change): ignore it.
    Vanished,
  };
  Action action = Action::Changed;
  DeviceNumber number;
  // Its node, "/dev/loop3".
  std::string path;
  bool is_loop = false;
  // A loop device with a backing file (loop/backing_file exists) when the event was read.
  bool loop_bound = false;
  friend bool operator==(const BlockDeviceEvent&, const BlockDeviceEvent&) = default;
};

}  // namespace mapperd
