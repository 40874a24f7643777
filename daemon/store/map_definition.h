#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/device_identity.h"
#include "model/snapshot_policy.h"

namespace mapperd {

// One device a stored table uses: the reference as the table writes it ("/dev/loop1", "7:1")
// and how to find that device again.
struct DeviceUse {
  std::string reference{};
  DeviceIdentity identity{};
  friend bool operator==(const DeviceUse&, const DeviceUse&) = default;
};

// A persistent map as /etc/mapperd/maps/NAME.json keeps it: enough to make it again after a
// reboot, on whatever numbers its devices have then.
struct MapDefinition {
  std::string name{};
  // The full UUID, "MAPPERD-...".
  std::string uuid{};
  // The table as given (dmsetup syntax), devices as written in it.
  std::string table{};
  bool read_only = false;
  std::uint32_t created_by_uid = 0;
  // One per distinct device reference in `table`, in order of first use.
  std::vector<DeviceUse> devices{};
  // A snapshot only: merge it into its origin at the next activation (asked for while the origin
  // or the snapshot was open). Stored as "merge-pending"; absent means false.
  bool merge_pending = false;
  // A snapshot only: its fill thresholds and COW growth ("fill-thresholds", "auto-extend",
  // "extend-percent"; each absent when it is the default).
  SnapshotPolicy snapshot_policy{};
  friend bool operator==(const MapDefinition&, const MapDefinition&) = default;
};

// A loop device mapperd attached and re-attaches at boot.
struct LoopDefinition {
  LoopBacking backing{};
  friend bool operator==(const LoopDefinition&, const LoopDefinition&) = default;
};

}  // namespace mapperd
