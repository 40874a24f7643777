#include "udev/udev_activity_monitor.h"

#include <libudev.h>
#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <string>

#include "model/error.h"

namespace mapperd {
namespace {

// Large enough for a burst of events while the backend is busy in an ioctl; libudev forces it
// with SO_RCVBUFFORCE when we may, and a smaller buffer only means an overrun, which the
// cookie wait's re-check covers.
constexpr int kReceiveBufferBytes = 4 * 1024 * 1024;

[[noreturn]] void fail(const char* what) {
  const int error_number = errno;
  throw Error(ErrorKind::Failed,
              std::string("udev monitor: ") + what + ": " + std::strerror(error_number),
              error_number);
}

}  // namespace

UdevActivityMonitor::UdevActivityMonitor() {
  udev_ = udev_new();
  if (udev_ == nullptr)
    fail("cannot create a udev context");
  // "udev", not "kernel": an event broadcast by udev has been through its rules.
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
  queue_ = udev_queue_new(udev_);
  if (queue_ == nullptr) {
    udev_monitor_unref(monitor_);
    udev_unref(udev_);
    fail("cannot open udev's queue");
  }
}

UdevActivityMonitor::~UdevActivityMonitor() {
  udev_queue_unref(queue_);
  udev_monitor_unref(monitor_);
  udev_unref(udev_);
}

bool UdevActivityMonitor::settled() {
  return udev_queue_get_queue_is_empty(queue_) != 0;
}

void UdevActivityMonitor::wait(std::chrono::milliseconds timeout) {
  pollfd fd{udev_monitor_get_fd(monitor_), POLLIN, 0};
  const auto milliseconds = std::clamp<std::chrono::milliseconds::rep>(
      timeout.count(), 0, std::numeric_limits<int>::max());
  const int ready = ::poll(&fd, 1, static_cast<int>(milliseconds));
  if (ready <= 0)
    return;  // time is up, or a signal: the caller looks again either way
  // The socket is non-blocking: receive until it is empty.
  while (udev_device* device = udev_monitor_receive_device(monitor_))
    udev_device_unref(device);
}

}  // namespace mapperd
