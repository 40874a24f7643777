#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/device_identity.h"
#include "model/device_ref.h"

namespace mapperd {

// A bound loop device: /dev/loopN showing (part of) a file.
//
// A loop device counts as present only once its file is bound: its `add` uevent comes when the
// (empty) device is made, long before; the `change` uevent that follows the bind, with
// loop/backing_file in sysfs, is the one that means "ready" (udev/block_device_events.h).
struct LoopDevice {
  // N in /dev/loopN.
  std::uint32_t index = 0;
  DeviceNumber number;
  // "/dev/loopN".
  std::string path;
  // What it shows. `file` is the path the kernel has for it (sysfs loop/backing_file), which
  // ends in " (deleted)" once the file has been unlinked.
  LoopBacking backing;
  // Detached by the kernel at its last close. mapperd never sets it; another tool may have.
  bool autoclear = false;
  friend bool operator==(const LoopDevice&, const LoopDevice&) = default;
};

struct LoopSettings {
  // Bytes into the file where the device starts.
  std::uint64_t offset = 0;
  // Bytes the device shows at most; 0: up to the end of the file.
  std::uint64_t size_limit = 0;
  bool read_only = false;
  friend bool operator==(const LoopSettings&, const LoopSettings&) = default;
};

// What a re-attach did: reused a loop device already bound to the file, or bound a new one.
struct Reattachment {
  LoopDevice device;
  bool reused = false;
  friend bool operator==(const Reattachment&, const Reattachment&) = default;
};

// The host's loop devices, one method per operation. KernelLoopDevices is the real one (the
// loop driver's ioctls and sysfs); FakeLoopDevices (tests/fakes) an in-memory one.
//
// Errors are mapperd::Error, messages "<operation> <object>: <ERRNO>: <what it means>":
//   InvalidArgument  the caller's file or settings cannot be attached (not a regular file, a
//                    symbolic link, a relative path, opened read-only for a writable loop, an
//                    offset past the end, not the file that was attached before);
//   NotFound         no such file, or no such bound loop device;
//   Busy             a loop device that is in use cannot be detached;
//   Kernel           the loop driver refused, with its errno;
//   Failed           anything else (with errno when there is one).
// Not thread-safe: one owner thread. Nothing here waits for udev.
class LoopDevices {
 public:
  virtual ~LoopDevices() = default;

  // Every bound loop device, by index. Never throws: what cannot be read (a device unbound
  // while being read) is left out.
  virtual std::vector<LoopDevice> list() const = 0;
  // The loop device /dev/loop<index> when it is bound, else nothing. Never throws.
  virtual std::optional<LoopDevice> bound_at(std::uint32_t index) const = 0;
  // A bound loop device showing the same file (file_device and inode) from the same offset,
  // whatever its path, size limit or read-only flag; the lowest index when several do. Never
  // throws.
  virtual std::optional<LoopDevice> find_bound(const LoopBacking& backing) const = 0;

  // Binds a free loop device to `fd`, a regular file the caller opened (and still owns: the
  // kernel takes its own reference). Read-write needs `fd` open for writing. The device never
  // autoclears and is not scanned for partitions. Its backing path is the one /proc/self/fd
  // shows: the caller's path, which mapperd need not see itself (a client's /tmp or /home); the
  // descriptor's device and inode say which file it is. Refused (InvalidArgument) when the file
  // was deleted or its name was taken by another file after it was opened. Returns it as bound.
  virtual LoopDevice attach(int fd, const LoopSettings& settings) = 0;
  // attach() of the file at `path`, which must be absolute and is opened without following a
  // symbolic link at its end (O_NOFOLLOW), read-write unless `settings.read_only`.
  virtual LoopDevice attach_file(const std::string& path, const LoopSettings& settings) = 0;
  // Brings a stored binding back (at boot): a loop device already bound to the same file and
  // offset (find_bound) is reused as it is; otherwise `backing.file` is opened with O_NOFOLLOW
  // and attached with the stored offset, size limit and read-only flag, provided it is still
  // the same file. Throws NotFound when there is no file at that path (its filesystem may not
  // be mounted yet) and InvalidArgument ("... was inode X on D, now inode Y on E ...") when the
  // path now names another file.
  virtual Reattachment reattach(const LoopBacking& backing) = 0;
  // Unbinds /dev/loop<index> (LOOP_CLR_FD). Refuses (Busy, saying by whom when it can tell) a
  // device that is in use: held by a device-mapper map or a mount, or open in any process (udev
  // probing it just after a bind counts: detach once udev has processed its events). NotFound
  // when it is not bound. The kernel would defer the detach of a device in use to its last
  // close; this never leaves such a deferred detach behind.
  virtual void detach(std::uint32_t index) = 0;
  // Tells the loop driver that /dev/loop<index>'s file grew (LOOP_SET_CAPACITY): a device bound
  // up to the end of its file shows the new end. NotFound when it is not bound.
  virtual void refresh_size(std::uint32_t index) = 0;

  // The binding the file at `path` would have with `settings` (lstat(): the path itself, not
  // what a symbolic link points to); nothing when there is no such file. Throws InvalidArgument
  // for a relative path, a symbolic link or anything but a regular file.
  virtual std::optional<LoopBacking> backing_of_path(const std::string& path,
                                                     const LoopSettings& settings) const = 0;
};

}  // namespace mapperd
