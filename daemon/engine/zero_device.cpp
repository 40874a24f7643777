#include "zero_device.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
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

}  // namespace

void zero_device_start(const DeviceRef& device, Sectors length) {
  const std::string path = path_of(device);
  const std::string what = "zero the first " + to_string(length) + " sectors of " + path;
  FileDescriptor fd(::open(path.c_str(), O_WRONLY | O_EXCL | O_CLOEXEC));
  if (fd.get() < 0) {
    const int error_number = errno;
    if (error_number == ENOENT || error_number == ENXIO || error_number == ENODEV) {
      throw Error(ErrorKind::DeviceMissing, what + ": " + errno_text(error_number), error_number);
    }
    if (error_number == EBUSY) {
      throw Error(ErrorKind::Busy,
                  what + ": " + errno_text(error_number) + " (the device is in use)", error_number);
    }
    throw Error(ErrorKind::Kernel, what + ": " + errno_text(error_number), error_number);
  }
  struct stat status {};
  if (::fstat(fd.get(), &status) != 0 || !S_ISBLK(status.st_mode)) {
    throw Error(ErrorKind::InvalidArgument, what + ": not a block device");
  }
  const std::vector<char> zeros(length.count() * kSectorBytes, 0);
  std::size_t written = 0;
  while (written < zeros.size()) {
    const ssize_t n = ::pwrite(fd.get(), zeros.data() + written, zeros.size() - written,
                               static_cast<off_t>(written));
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      const int error_number = n < 0 ? errno : ENOSPC;
      throw Error(ErrorKind::Kernel, what + ": " + errno_text(error_number), error_number);
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd.get()) != 0) {
    const int error_number = errno;
    throw Error(ErrorKind::Kernel, what + ": " + errno_text(error_number), error_number);
  }
}

}  // namespace mapperd
