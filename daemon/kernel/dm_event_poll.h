#pragma once

#include <string>

namespace mapperd {

// The kernel's device-mapper events as a descriptor to poll: a table event on any map (a
// snapshot invalidated when its COW overflows, a mirror or raid event, a thin pool threshold)
// makes /dev/mapper/control readable once it is armed with DM_DEV_ARM_POLL (ioctl 4.37, kernel
// 4.13). libdevmapper's DM_DEVICE_ARM_POLL task arms its own private control descriptor, which
// cannot be polled, hence a descriptor of our own. The event does not say which map: the reader
// looks at the maps it cares about.
class DmEventPoll {
 public:
  // Opens and arms `control`. Throws std::system_error (no device-mapper, a kernel too old).
  explicit DmEventPoll(const std::string& control = "/dev/mapper/control");
  ~DmEventPoll();

  DmEventPoll(const DmEventPoll&) = delete;
  DmEventPoll& operator=(const DmEventPoll&) = delete;

  // Readable (POLLIN) when an event came since the last arm().
  int fd() const { return fd_; }
  // Arms again after a wake: call it before looking at the maps, so an event raised while they
  // are read wakes the loop once more rather than being lost. Throws std::system_error.
  void arm();

 private:
  int fd_ = -1;
};

}  // namespace mapperd
