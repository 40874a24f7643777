#pragma once

#include <chrono>

namespace mapperd {

// What a udev cookie wait blocks on between two looks at the cookie. A cookie is a SysV semaphore
// with no file descriptor to wait on, but udev broadcasts each event to its monitors only after
// the event's rules (and so the dm rules' "dmsetup udevcomplete") ran: an event on a monitor is
// the moment the cookie may have become ready.
//
// The kernel seam's cookie waits use it; daemon/udev implements it over libudev (the only folder
// that may include libudev); main.cpp hands the one to the other, and tests can drive it by hand.
class UdevActivity {
 public:
  virtual ~UdevActivity() = default;

  // Returns when udev may have finished processing an event, or once `timeout` has passed,
  // whichever comes first. May return early for unrelated events; callers check again. Never
  // throws.
  virtual void wait(std::chrono::milliseconds timeout) = 0;

  // True when udev has no event queued or being processed (what "udevadm settle" waits for).
  // udev's rules open new and changed devices for a moment (blkid): while udev is not settled,
  // an open count above 0 may be udev's own. Never throws.
  virtual bool settled() = 0;
};

}  // namespace mapperd
