#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/device_identity.h"
#include "model/device_ref.h"

namespace mapperd {

// A loop device mapperd attached (the bus's Loop object). Loops other tools attached are not
// recorded: they are only devices a table may use.
struct LoopRecord {
  // N of /dev/loopN; the object is /org/mapperd/Mapper1/loop/N.
  std::uint32_t index = 0;
  DeviceNumber device{};
  // What it shows: file, device and inode, offset, size limit (0: to the file's end), read-only.
  LoopBacking backing{};
  // Kept in /etc/mapperd/loops/ and attached again at boot.
  bool persistent = true;
  std::uint32_t created_by_uid = 0;
  // What its attacher should know (model/boot_lifetime.h: a persistent loop whose file a reboot
  // takes away); the bus's Warnings property.
  std::vector<std::string> warnings{};

  std::string device_path() const { return "/dev/loop" + std::to_string(index); }
  friend bool operator==(const LoopRecord&, const LoopRecord&) = default;
};

// What AttachLoop / AttachLoopFile ask for besides the file.
struct AttachLoopRequest {
  std::uint64_t offset = 0;
  std::uint64_t size_limit = 0;
  bool read_only = false;
  bool persistent = true;
  std::uint32_t caller_uid = 0;
};

// A stored definition as `mapperd definitions` shows it.
struct DefinitionStatus {
  std::string name{};
  // "active" (the map runs), "pending" (waiting for devices), "failed" (its last try failed).
  std::string state{};
  // For pending: the missing devices; for failed: the error. Empty when active.
  std::string reason{};
  friend bool operator==(const DefinitionStatus&, const DefinitionStatus&) = default;
};

}  // namespace mapperd
