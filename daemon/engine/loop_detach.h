#pragma once
// Detaching a loop device once udev has let go of it.

#include <chrono>
#include <cstdint>

#include "interfaces/loop_devices.h"
#include "interfaces/udev_activity.h"

namespace mapperd {

struct LoopDetachTiming {
  // How long a detach waits for udev in all before it tries a last time.
  std::chrono::milliseconds timeout{std::chrono::seconds(2)};
  // The longest single wait on udev between two looks at it: a guard for an event the monitor
  // missed, not the normal way to notice that udev is done.
  std::chrono::milliseconds recheck{std::chrono::milliseconds(500)};
};

// Unbinds /dev/loop<index>. udev opens a loop device for a moment after every bind (blkid
// probing), and the driver calls that "in use". So while udev has events queued or running this
// waits for udev's processed events (not a timer) and detaches once udev is settled; refused
// then because udev started on a new event, it waits again. At `timing.timeout` it tries a last
// time whatever udev does. A device refused while udev is settled is held by something else (a
// map, a mount, a process): that Busy is thrown at once. Without `udev` it detaches at once.
// Runs on the kernel thread, like `loops`. Throws what LoopDevices::detach() throws.
void detach_when_udev_lets_go(LoopDevices& loops, UdevActivity* udev, std::uint32_t index,
                              const LoopDetachTiming& timing = {});

}  // namespace mapperd
