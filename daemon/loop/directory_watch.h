#pragma once

#include <filesystem>

namespace mapperd {

// An inotify descriptor that becomes readable when entries appear in, leave or move within one
// directory. mapperd watches /dev/mapper with it: udev's dm rules add and remove a link there for
// every map any tool creates, removes or renames, so it is the cheapest sign that the kernel's
// maps may have changed behind our back.
class DirectoryWatch {
 public:
  // Throws std::system_error when the directory cannot be watched.
  explicit DirectoryWatch(const std::filesystem::path& directory);
  ~DirectoryWatch();
  DirectoryWatch(const DirectoryWatch&) = delete;
  DirectoryWatch& operator=(const DirectoryWatch&) = delete;

  int fd() const { return fd_; }
  // Reads every queued event; true when there was at least one. Never blocks.
  bool drain();

 private:
  int fd_ = -1;
};

}  // namespace mapperd
