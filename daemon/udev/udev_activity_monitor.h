#pragma once

#include <chrono>
#include <memory>

#include "interfaces/udev_activity.h"
#include "udev/block_event_monitor.h"

struct udev_queue;

namespace mapperd {

// UdevActivity over a libudev monitor: udev's processed events for the "block" subsystem, as udev
// broadcasts them after running their rules. The monitor is opened by the constructor, before
// any cookie is waited for, so no event that completes a cookie can slip by unseen.
class UdevActivityMonitor final : public UdevActivity {
 public:
  // Throws Error(Failed) when the netlink monitor cannot be opened.
  UdevActivityMonitor();
  ~UdevActivityMonitor() override;
  UdevActivityMonitor(const UdevActivityMonitor&) = delete;
  UdevActivityMonitor& operator=(const UdevActivityMonitor&) = delete;

  // poll()s the monitor for up to `timeout`; when events arrived, drains every one that is
  // queued (they are only a wake-up: what they say is not needed). Never throws.
  void wait(std::chrono::milliseconds timeout) override;
  // udev's queue (/run/udev/queue) is empty; also true when udev is not running at all.
  bool settled() override;

 private:
  BlockEventMonitor monitor_;
  udev_queue* queue_ = nullptr;
};

}  // namespace mapperd
