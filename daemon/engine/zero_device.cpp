#include "zero_device.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "model/error.h"

namespace mapperd {
namespace {

std::string errno_text(int error_number) {
  return std::string(strerrorname_np(error_number) ? strerrorname_np(error_number) : "E?") + ": " +
         std::strerror(error_number);
}

// A reference by number goes through the kernel's own /dev/block/MAJOR:MINOR links.
std::string path_of(const DeviceRef& device) {
  return device.is_number() ? "/dev/block/" + device.number().to_string() : device.text();
}

class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0)
      ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// Zeros are written from one buffer of this size, however long the length asked.
constexpr std::size_t kZeroBufferBytes = 64 * 1024;

std::string kind_of(mode_t mode) {
  if (S_ISREG(mode))
    return "is a regular file";
  if (S_ISCHR(mode))
    return "is a character device";
  if (S_ISFIFO(mode))
    return "is a pipe";
  if (S_ISSOCK(mode))
    return "is a socket";
  if (S_ISDIR(mode))
    return "is a directory";
  return "is not a device";
}

Error open_error(const std::string& what, int error_number) {
  if (error_number == ENOENT || error_number == ENXIO || error_number == ENODEV ||
      error_number == ENOTDIR) {
    return Error(ErrorKind::DeviceMissing, what + ": " + errno_text(error_number), error_number);
  }
  if (error_number == EBUSY) {
    return Error(ErrorKind::Busy,
                 what + ": " + errno_text(error_number) + " (the device is in use)", error_number);
  }
  return Error(ErrorKind::Kernel, what + ": " + errno_text(error_number), error_number);
}

}  // namespace

void zero_device_start(const DeviceRef& device, Sectors length) {
  const std::string path = path_of(device);
  const std::string what = "zero the first " + to_string(length) + " sectors of " + path;
  // Symbolic links are followed on purpose (/dev/mapper, /dev/disk/by-*, /dev/block are links),
  // but O_PATH opens no device: nothing is opened for writing until the node it ends at is known
  // to be a block device, so no FIFO, tty or watchdog is ever opened as root.
  const FileDescriptor node(::open(path.c_str(), O_PATH | O_CLOEXEC));
  if (node.get() < 0)
    throw open_error(what, errno);
  struct stat status {};
  if (::fstat(node.get(), &status) != 0)
    throw Error(ErrorKind::Kernel, what + ": " + errno_text(errno), errno);
  if (!S_ISBLK(status.st_mode))
    throw Error(ErrorKind::InvalidArgument, what + ": " + kind_of(status.st_mode) +
                                                ", not a block device; nothing was written");
  // Reopening the O_PATH descriptor opens that very node, whatever the path names by now.
  const std::string reopen = "/proc/self/fd/" + std::to_string(node.get());
  const FileDescriptor fd(
      ::open(reopen.c_str(), O_WRONLY | O_EXCL | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
  if (fd.get() < 0)
    throw open_error(what, errno);

  // One bounded buffer, written as often as the length needs.
  const std::vector<char> zeros(kZeroBufferBytes, 0);
  const std::uint64_t total = length.count() * kSectorBytes;
  std::uint64_t written = 0;
  while (written < total) {
    const std::size_t chunk =
        static_cast<std::size_t>(std::min<std::uint64_t>(zeros.size(), total - written));
    const ssize_t n = ::pwrite(fd.get(), zeros.data(), chunk, static_cast<off_t>(written));
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      const int error_number = n < 0 ? errno : ENOSPC;
      throw Error(ErrorKind::Kernel, what + ": " + errno_text(error_number), error_number);
    }
    written += static_cast<std::uint64_t>(n);
  }
  if (::fsync(fd.get()) != 0) {
    const int error_number = errno;
    throw Error(ErrorKind::Kernel, what + ": " + errno_text(error_number), error_number);
  }
}

}  // namespace mapperd
