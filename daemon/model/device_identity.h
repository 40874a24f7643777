#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "device_ref.h"

namespace mapperd {

// A loop device's binding: which file it shows, from where. The file's device and inode make sure
// a re-attach after a reboot shows the same file, not another one put at the same path.
struct LoopBacking {
  // Absolute path of the backing file.
  std::string file{};
  // st_dev and st_ino of the file when it was bound.
  DeviceNumber file_device{};
  std::uint64_t inode = 0;
  // Bytes into the file where the device starts, and how many bytes it shows (0: to the end).
  std::uint64_t offset = 0;
  std::uint64_t size_limit = 0;
  bool read_only = false;
  friend bool operator==(const LoopBacking&, const LoopBacking&) = default;
};

// How a device that a table uses is found again when its number may have changed (after a
// reboot, a re-plug, a loop attached in another order). The number and path are what the device
// was when identified; the rest, each when known, is what stays the same.
struct DeviceIdentity {
  DeviceNumber number{};
  // Its node then, "/dev/loop1", "/dev/sdb1", "/dev/dm-3".
  std::string path{};
  // A disk or partition, from udev: ID_WWN, ID_SERIAL, ID_PART_ENTRY_UUID, a /dev/disk/by-id link.
  std::string wwn{};
  std::string serial{};
  std::string partition_uuid{};
  std::string by_id{};
  // A loop device: what it is bound to.
  std::optional<LoopBacking> loop{};
  // A device-mapper device: its map's UUID.
  std::string map_uuid{};

  // Whether anything beyond number and path says which device this is.
  bool stable() const {
    return !wwn.empty() || !serial.empty() || !partition_uuid.empty() || !by_id.empty() ||
           loop.has_value() || !map_uuid.empty();
  }
  friend bool operator==(const DeviceIdentity&, const DeviceIdentity&) = default;
};

}  // namespace mapperd
