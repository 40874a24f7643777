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

UdevActivityMonitor::UdevActivityMonitor() {
  queue_ = udev_queue_new(monitor_.context());
  if (queue_ == nullptr)
    throw Error(ErrorKind::Failed, "udev monitor: cannot open udev's queue", errno);
}

UdevActivityMonitor::~UdevActivityMonitor() {
  udev_queue_unref(queue_);
}

bool UdevActivityMonitor::settled() {
  return udev_queue_get_queue_is_empty(queue_) != 0;
}

void UdevActivityMonitor::wait(std::chrono::milliseconds timeout) {
  pollfd fd{monitor_.fd(), POLLIN, 0};
  const auto milliseconds = std::clamp<std::chrono::milliseconds::rep>(
      timeout.count(), 0, std::numeric_limits<int>::max());
  const int ready = ::poll(&fd, 1, static_cast<int>(milliseconds));
  if (ready <= 0)
    return;  // time is up, or a signal: the caller looks again either way
  monitor_.drain([](udev_device&) {});
}

}  // namespace mapperd
