#include "loop_device.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <linux/loop.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <utility>

#include "block_io.h"

namespace mapperd::guest {
namespace {

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error(what + ": " + std::strerror(errno));
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0)
      ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

}  // namespace

LoopDevice::LoopDevice(const std::string& tag, std::uint64_t bytes,
                       std::function<std::string(std::uint64_t sector)> fill,
                       std::optional<std::uint32_t> minor)
    : file_("/tmp/mapperd-guest-" + std::to_string(::getpid()) + "-" + tag + ".img") {
  Fd file(::open(file_.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (file.get() < 0)
    fail("create " + file_);
  if (::ftruncate(file.get(), static_cast<off_t>(bytes)) != 0)
    fail("size " + file_);
  if (fill) {
    // One write per MiB: system calls are slow under TCG.
    constexpr std::uint64_t kSectorsPerWrite = 2048;
    const std::uint64_t sectors = bytes / kSectorBytes;
    for (std::uint64_t first = 0; first < sectors; first += kSectorsPerWrite) {
      std::string data;
      for (std::uint64_t s = first; s < std::min(sectors, first + kSectorsPerWrite); ++s) {
        data += fill(s);
      }
      if (::pwrite(file.get(), data.data(), data.size(),
                   static_cast<off_t>(first * kSectorBytes)) != static_cast<ssize_t>(data.size())) {
        fail("fill " + file_);
      }
    }
  }

  Fd control(::open("/dev/loop-control", O_RDWR | O_CLOEXEC));
  if (control.get() < 0)
    fail("open /dev/loop-control");
  // Another binder can take a free device between GET_FREE and CONFIGURE: try again then.
  for (int attempt = 0;; ++attempt) {
    int index = 0;
    if (minor) {
      index = ::ioctl(control.get(), LOOP_CTL_ADD, *minor);
      if (index < 0)
        fail("make loop" + std::to_string(*minor));
      added_ = true;
    } else {
      index = ::ioctl(control.get(), LOOP_CTL_GET_FREE);
      if (index < 0)
        fail("find a free loop device");
    }
    path_ = "/dev/loop" + std::to_string(index);
    Fd loop(::open(path_.c_str(), O_RDWR | O_CLOEXEC));
    if (loop.get() < 0)
      fail("open " + path_);
    loop_config config{};
    config.fd = static_cast<__u32>(file.get());
    std::strncpy(reinterpret_cast<char*>(config.info.lo_file_name), file_.c_str(),
                 LO_NAME_SIZE - 1);
    if (::ioctl(loop.get(), LOOP_CONFIGURE, &config) == 0) {
      struct stat st {};
      if (::fstat(loop.get(), &st) != 0)
        fail("stat " + path_);
      number_ = DeviceNumber{::major(st.st_rdev), ::minor(st.st_rdev)};
      loop_fd_ = loop.release();
      return;
    }
    if (errno != EBUSY || minor || attempt >= 10)
      fail("bind " + file_ + " to " + path_);
  }
}

LoopDevice::~LoopDevice() {
  if (loop_fd_ >= 0) {
    ::ioctl(loop_fd_, LOOP_CLR_FD, 0);
    ::close(loop_fd_);
  }
  if (added_) {
    const int control = ::open("/dev/loop-control", O_RDWR | O_CLOEXEC);
    if (control >= 0) {
      ::ioctl(control, LOOP_CTL_REMOVE, number_.minor);
      ::close(control);
    }
  }
  ::unlink(file_.c_str());
}

Sectors LoopDevice::size() const {
  std::uint64_t bytes = 0;
  if (::ioctl(loop_fd_, BLKGETSIZE64, &bytes) != 0)
    fail("size of " + path_);
  return Sectors(bytes / kSectorBytes);
}

std::string LoopDevice::read_backing(std::uint64_t sector, std::uint64_t count) const {
  return read_file(file_, sector, count);
}

}  // namespace mapperd::guest
