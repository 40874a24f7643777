#pragma once
// A descriptor closed when its owner goes, for the loop devices and files this folder opens.

#include <unistd.h>

#include <utility>

namespace mapperd {

class OwnedFd {
 public:
  explicit OwnedFd(int fd = -1) : fd_(fd) {}
  ~OwnedFd() {
    if (fd_ >= 0)
      ::close(fd_);
  }
  OwnedFd(OwnedFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  OwnedFd(const OwnedFd&) = delete;
  OwnedFd& operator=(const OwnedFd&) = delete;
  OwnedFd& operator=(OwnedFd&&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace mapperd
