#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "kernel/kernel_backend.h"

namespace mapperd {

// What a map is to udev's rules, told to them through the cookie's flags, as LVM tells them of
// its layers. Without it, the hidden `ORIGIN-real` layer (which carries the origin's file system,
// UUID and label included) and every snapshot (a copy of that file system) would compete with the
// origin for /dev/disk/by-uuid and by-label, and an fstab UUID= line could mount a snapshot.
enum class UdevRole {
  Visible,      // an ordinary map: every rule runs
  HiddenLayer,  // ORIGIN-real: no disk rules (no blkid, no by-* links), no other rules
  Snapshot,     // a snapshot: every rule runs, its links at low priority (the origin wins)
};

// From what the map is: a UUID ending in "-real" is a layer under a snapshot-origin (mapperd's
// convention, LVM's too); a table with a snapshot line is a snapshot.
UdevRole udev_role(std::string_view uuid, const std::vector<TargetLine>& table);

// The DM_UDEV_* flags of `role`, to add to the cookie's own.
std::uint16_t udev_role_flags(UdevRole role);

}  // namespace mapperd
