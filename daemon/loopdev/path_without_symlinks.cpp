#include "loopdev/path_without_symlinks.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

namespace mapperd {

int open_path_without_symlinks(const std::string& path) {
  open_how how{};
  how.flags = O_PATH | O_CLOEXEC;
  how.resolve = RESOLVE_NO_SYMLINKS;
  const long fd = ::syscall(SYS_openat2, AT_FDCWD, path.c_str(), &how, sizeof how);
  if (fd >= 0 || errno != ENOSYS)
    return static_cast<int>(fd);
  return walk_path_without_symlinks(path);
}

int walk_path_without_symlinks(const std::string& path) {
  if (path.empty() || path.front() != '/') {
    errno = EINVAL;
    return -1;
  }
  int at = ::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  std::size_t begin = 1;
  while (at >= 0 && begin <= path.size()) {
    std::size_t end = path.find('/', begin);
    if (end == std::string::npos)
      end = path.size();
    const std::string component = path.substr(begin, end - begin);
    begin = end + 1;
    if (component.empty())
      continue;
    const int next = ::openat(at, component.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
    const int open_errno = errno;
    ::close(at);
    struct stat st {};
    if (next >= 0 && ::fstat(next, &st) == 0 && S_ISLNK(st.st_mode)) {
      ::close(next);
      errno = ELOOP;
      return -1;
    }
    errno = open_errno;
    at = next;
  }
  return at;
}

}  // namespace mapperd
