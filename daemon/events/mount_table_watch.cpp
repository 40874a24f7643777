#include "mount_table_watch.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "model/error.h"

namespace mapperd {

MountTableWatch::MountTableWatch()
    : fd_(::open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC | O_NONBLOCK)) {
  if (fd_ < 0) {
    throw Error(ErrorKind::Failed,
                std::string("cannot watch mounts: /proc/self/mountinfo: ") + std::strerror(errno));
  }
  acknowledge();
}

MountTableWatch::~MountTableWatch() {
  ::close(fd_);
}

void MountTableWatch::acknowledge() {
  // The kernel notes the table's generation at each read; reading to the end from the start is
  // what marks the change as seen.
  ::lseek(fd_, 0, SEEK_SET);
  char buffer[4096];
  while (::read(fd_, buffer, sizeof buffer) > 0) {
  }
}

}  // namespace mapperd
