#include "kernel/dm_event_poll.h"

#include <fcntl.h>
#include <linux/dm-ioctl.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

namespace mapperd {
namespace {

// The interface version that brought DM_DEV_ARM_POLL.
constexpr unsigned kArmPollMinor = 37;

}  // namespace

DmEventPoll::DmEventPoll(const std::string& control) {
  fd_ = ::open(control.c_str(), O_RDWR | O_CLOEXEC | O_NONBLOCK);
  if (fd_ < 0)
    throw std::system_error(errno, std::generic_category(), "cannot open " + control);
  try {
    arm();
  } catch (...) {
    ::close(fd_);
    throw;
  }
}

DmEventPoll::~DmEventPoll() {
  ::close(fd_);
}

void DmEventPoll::arm() {
  struct dm_ioctl request;
  std::memset(&request, 0, sizeof request);
  request.version[0] = DM_VERSION_MAJOR;
  request.version[1] = kArmPollMinor;
  request.version[2] = 0;
  request.data_size = sizeof request;
  request.data_start = sizeof request;
  if (::ioctl(fd_, DM_DEV_ARM_POLL, &request) != 0)
    throw std::system_error(errno, std::generic_category(), "DM_DEV_ARM_POLL");
}

}  // namespace mapperd
