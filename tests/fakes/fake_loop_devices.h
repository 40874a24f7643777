#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "interfaces/loop_devices.h"
#include "model/error.h"

namespace mapperd {

// An in-memory LoopDevices for unit tests of the layers above it (never for KernelLoopDevices
// itself, which the guest tests run on the real driver). Files are made by the test, descriptors
// are numbers the fake hands out, loop devices are loopN with number 7:N, lowest free N first.
// Errors have the real one's kinds and words (loopdev/loop_errors.h).
// Not thread-safe, like the real one.
class FakeLoopDevices final : public LoopDevices {
 public:
  static constexpr std::uint32_t kLoopMajor = 7;

  // --- the test's hands ---

  // A regular file of `bytes` at the absolute `path` on the filesystem `file_device`, with a
  // new inode number. Replaces whatever was at `path` (a new inode: as a restore from a backup
  // would). Returns its inode.
  std::uint64_t add_file(const std::string& path, std::uint64_t bytes,
                         DeviceNumber file_device = {8, 1});
  // A symbolic link at `path` (to anything: attach_file() refuses it either way).
  void add_symlink(const std::string& path);
  // A directory at `path`.
  void add_directory(const std::string& path);
  // Nothing at `path` any more (its filesystem unmounted, the file deleted). Bound loop devices
  // keep it, as the kernel's do.
  void remove_path(const std::string& path);
  // The file at `path` is now `bytes` long (same inode); bound devices learn it at
  // refresh_size().
  void resize_file(const std::string& path, std::uint64_t bytes);
  // A descriptor for the thing at `path`, as a client would pass it to attach(); opened
  // read-only or read-write. Throws Error(NotFound) when there is nothing at `path`.
  int open(const std::string& path, bool read_only = false);
  // As if another program (losetup) had bound the file at `path`.
  LoopDevice bind_externally(const std::string& path, const LoopSettings& settings,
                             bool autoclear = false);
  // As if a map, a mount or a process held /dev/loop<index>: detach() is refused as Busy with
  // `by` as the reason, until set_busy(index, "") .
  void set_busy(std::uint32_t index, std::string by);
  // The next call of `operation` ("attach", "reattach", "detach") throws `error` before changing
  // anything. attach_file() and reattach() count as "attach" too when they bind.
  void fail_next(std::string operation, Error error);
  // Every call that changed or tried to change something, in order: "attach /srv/a.img",
  // "detach 3", "reattach /srv/a.img", "refresh-size 3".
  const std::vector<std::string>& calls() const { return calls_; }
  // Called after every bind and unbind (to mirror loop devices into a fake kernel or directory).
  std::function<void(const LoopDevice&)> on_bound;
  std::function<void(const LoopDevice&)> on_unbound;
  // Called by refresh_size() with the device and its file's size now.
  std::function<void(const LoopDevice&, std::uint64_t bytes)> on_resized;

  // --- LoopDevices ---

  std::vector<LoopDevice> list() const override;
  std::optional<LoopDevice> bound_at(std::uint32_t index) const override;
  std::optional<LoopDevice> find_bound(const LoopBacking& backing) const override;
  LoopDevice attach(int fd, const LoopSettings& settings) override;
  LoopDevice attach_file(const std::string& path, const LoopSettings& settings) override;
  Reattachment reattach(const LoopBacking& backing) override;
  void detach(std::uint32_t index) override;
  void refresh_size(std::uint32_t index) override;
  std::optional<LoopBacking> backing_of_path(const std::string& path,
                                             const LoopSettings& settings) const override;

 private:
  enum class Kind { File, Symlink, Directory };
  struct Entry {
    Kind kind = Kind::File;
    DeviceNumber file_device;
    std::uint64_t inode = 0;
    std::uint64_t size = 0;
  };
  struct Descriptor {
    std::string path;
    Entry entry;
    bool read_only = false;
  };

  void step(const std::string& operation);
  const Entry& entry_at(std::string_view operation, const std::string& path) const;
  LoopDevice bind(std::string_view operation, const std::string& name, const std::string& path,
                  const Entry& entry, bool descriptor_read_only, const LoopSettings& settings,
                  bool autoclear);

  std::map<std::string, Entry> paths_;
  std::map<int, Descriptor> descriptors_;
  std::map<std::uint32_t, LoopDevice> bound_;
  std::map<std::uint32_t, std::string> busy_;
  std::map<std::string, Error> failures_;
  std::vector<std::string> calls_;
  std::uint64_t next_inode_ = 100;
  int next_descriptor_ = 1000;
};

}  // namespace mapperd
