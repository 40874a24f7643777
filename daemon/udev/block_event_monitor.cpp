#include "udev/block_event_monitor.h"

#include <libudev.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "model/error.h"

namespace mapperd {
namespace {

// Large enough for a burst of events while nobody reads; libudev forces it with SO_RCVBUFFORCE
// when we may, and a smaller buffer only means an overrun, which every user re-checks after.
constexpr int kReceiveBufferBytes = 4 * 1024 * 1024;

[[noreturn]] void fail(const char* what) {
  const int error_number = errno;
  throw Error(ErrorKind::Failed,
              std::string("udev monitor: ") + what + ": " + std::strerror(error_number),
              error_number);
}

}  // namespace

BlockEventMonitor::BlockEventMonitor() {
  udev_ = udev_new();
  if (udev_ == nullptr)
    fail("cannot create a udev context");
  monitor_ = udev_monitor_new_from_netlink(udev_, "udev");
  if (monitor_ == nullptr) {
    udev_unref(udev_);
    fail("cannot open the netlink monitor");
  }
  udev_monitor_set_receive_buffer_size(monitor_, kReceiveBufferBytes);
  if (udev_monitor_filter_add_match_subsystem_devtype(monitor_, "block", nullptr) < 0 ||
      udev_monitor_enable_receiving(monitor_) < 0) {
    udev_monitor_unref(monitor_);
    udev_unref(udev_);
    fail("cannot start receiving block events");
  }
}

BlockEventMonitor::~BlockEventMonitor() {
  udev_monitor_unref(monitor_);
  udev_unref(udev_);
}

int BlockEventMonitor::fd() const {
  return udev_monitor_get_fd(monitor_);
}

bool BlockEventMonitor::drain(const std::function<void(udev_device&)>& seen) {
  // The socket is non-blocking: receive until it is empty (EAGAIN). A netlink socket whose
  // buffer filled up reports ENOBUFS once, then goes on with the messages queued after the
  // hole.
  bool overflowed = false;
  for (;;) {
    errno = 0;
    udev_device* device = udev_monitor_receive_device(monitor_);
    if (device == nullptr) {
      if (errno == ENOBUFS) {
        overflowed = true;
        continue;
      }
      return overflowed;
    }
    try {
      seen(*device);
    } catch (...) {
      udev_device_unref(device);
      throw;
    }
    udev_device_unref(device);
  }
}

}  // namespace mapperd
