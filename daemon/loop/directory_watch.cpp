#include "directory_watch.h"

#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace mapperd {

DirectoryWatch::DirectoryWatch(const std::filesystem::path& directory)
    : fd_(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) {
  if (fd_ < 0)
    throw std::system_error(errno, std::generic_category(), "inotify_init1");
  if (::inotify_add_watch(fd_, directory.c_str(),
                          IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_ONLYDIR) < 0) {
    const int error = errno;
    ::close(fd_);
    throw std::system_error(error, std::generic_category(), "watch " + directory.string());
  }
}

DirectoryWatch::~DirectoryWatch() {
  ::close(fd_);
}

bool DirectoryWatch::drain() {
  // What happened does not matter, only that something did: the caller re-reads everything.
  alignas(inotify_event) char buffer[4096];
  bool any = false;
  while (::read(fd_, buffer, sizeof buffer) > 0)
    any = true;
  return any;
}

}  // namespace mapperd
