#pragma once

#include <functional>

struct udev;
struct udev_device;
struct udev_monitor;

namespace mapperd {

// udev's processed events for the "block" subsystem, on a netlink socket that is open from
// construction on, so nothing that happens afterwards can be missed. Events come from "udev",
// not "kernel": udev broadcasts an event only after its rules ran.
class BlockEventMonitor {
 public:
  // Throws Error(Failed) when the monitor cannot be opened.
  BlockEventMonitor();
  ~BlockEventMonitor();
  BlockEventMonitor(const BlockEventMonitor&) = delete;
  BlockEventMonitor& operator=(const BlockEventMonitor&) = delete;

  udev* context() const { return udev_; }
  // Non-blocking; readable while events are queued.
  int fd() const;
  // Receives every queued event without blocking, calling `seen` for each. Returns true when
  // the socket overflowed (ENOBUFS) since the last drain: events were lost, and whatever the
  // caller follows must be read again. Never throws unless `seen` does.
  bool drain(const std::function<void(udev_device&)>& seen);

 private:
  udev* udev_ = nullptr;
  udev_monitor* monitor_ = nullptr;
};

}  // namespace mapperd
