#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/device_ref.h"

namespace mapperd {

// The sparse files mapperd makes to hold snapshots' COW data (CreateSnapshot with a size instead
// of a device), in one directory only mapperd writes (/var/lib/mapperd/cow). A file is named
// after the snapshot it serves, "<UUID>.cow", so the file of a snapshot that is gone can be told
// and released. A loop device shows each to the kernel (LoopDevices).
//
// CowFileDirectory (daemon/loopdev) is the real one; tests use an in-memory one. Errors are
// mapperd::Error with the file and the errno's meaning: InvalidArgument for a COW that cannot
// live there (its file system is on the origin), AlreadyExists, NoSpace-like refusals as Failed.
// Used on the kernel thread only.
class CowFiles {
 public:
  virtual ~CowFiles() = default;

  // The file for `snapshot_uuid`, whether or not it exists.
  virtual std::string path_for(const std::string& snapshot_uuid) const = 0;
  // The snapshot UUID whose COW file `path` is; nothing for any path not made by path_for().
  virtual std::optional<std::string> owner_of(const std::string& path) const = 0;

  // Makes the file for `snapshot_uuid`, `bytes` long and sparse, readable by root only, making
  // the directory first if need be. Refused (InvalidArgument) when the directory's file system
  // lives on `origin` or on a device stacked on it: a write to the origin would wait for a write
  // to the COW, which waits for the origin. Returns its path.
  virtual std::string make(const std::string& snapshot_uuid, std::uint64_t bytes,
                           DeviceNumber origin) = 0;
  // Its size in bytes; NotFound when it is gone.
  virtual std::uint64_t size_of(const std::string& path) const = 0;
  // Grows it to `bytes` (sparse). Refused (Failed) when its file system has less room free than
  // the growth, so a grown COW never overflows for want of space where it lives.
  virtual void grow(const std::string& path, std::uint64_t bytes) = 0;
  // Deletes it; nothing when it is gone already.
  virtual void remove(const std::string& path) = 0;
  // Every COW file in the directory (paths); none when there is no directory.
  virtual std::vector<std::string> list() const = 0;
};

}  // namespace mapperd
