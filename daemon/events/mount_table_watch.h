#pragma once

namespace mapperd {

// Mounts and unmounts as an event: /proc/self/mountinfo polls POLLPRI (and POLLERR) when the
// mount table changes (proc(5)). A stored loop whose backing file lives on a filesystem that is
// not mounted yet is bound when that filesystem appears.
class MountTableWatch {
 public:
  // Throws Error(Failed) when /proc/self/mountinfo cannot be opened.
  MountTableWatch();
  ~MountTableWatch();
  MountTableWatch(const MountTableWatch&) = delete;
  MountTableWatch& operator=(const MountTableWatch&) = delete;

  // Poll for POLLPRI.
  int fd() const { return fd_; }
  // Reads the table through, which re-arms the notification. Call when fd() polled.
  void acknowledge();

 private:
  int fd_ = -1;
};

}  // namespace mapperd
