#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/device_ref.h"
#include "model/sectors.h"
#include "model/snapshot_policy.h"

namespace mapperd {

// What a map is doing, as the bus shows it in Map.State.
enum class MapState {
  Active,     // live table, resumed
  Suspended,  // I/O is held (dmsetup suspend)
  Pending,    // no live table yet: a stored map waiting for its devices, or one being made
  Degraded,   // resumed, but a device under it vanished or is itself degraded or failed, or a
              // segment maps to a failing target (error, flakey)
  Failed,     // a snapshot the kernel marked invalid or overflowed
};

// "active", "suspended", ...
std::string_view map_state_name(MapState state);

// A snapshot's COW use, from the kernel's status line "<allocated>/<total> <metadata>".
struct SnapshotUsage {
  Sectors allocated;
  Sectors total;
  Sectors metadata;
  bool invalid = false;  // "Invalid" or "Overflow": the snapshot can no longer be read
  friend bool operator==(const SnapshotUsage&, const SnapshotUsage&) = default;
};

// How full a snapshot's COW is, 0..100: what is allocated (data and metadata) of its size; 100
// for an invalid one.
double fill_percent(const SnapshotUsage& usage);

// Everything mapperd knows about one map: what the kernel reports, plus what only we keep
// (persistent, created_by_uid) and what we derive from the tables (snapshot relations).
struct MapRecord {
  std::string name;
  std::string uuid;
  DeviceNumber device;
  Sectors size;
  // The live table as the kernel prints it, one "start length type args\n" line per segment,
  // key material masked as `dmsetup table` masks it without --showkeys. For a stored map that
  // is not running, its definition's table as written, keys unmasked: whatever shows it masks
  // it (mask_table_keys), as the bus's Table property does.
  std::string table;
  MapState state = MapState::Active;
  bool read_only = false;
  // Stored in /etc/mapperd: comes back at boot.
  bool persistent = false;
  std::vector<DeviceNumber> dependencies;
  // Devices the map needs that are not there: for a pending map, the stored references it waits
  // for ("/dev/loop1 (file /srv/a.img)"); for an active one, dependencies that vanished.
  std::vector<std::string> missing_devices;
  // Ours (MAPPERD- UUID): only owned maps are ever changed.
  bool owned = false;
  std::uint32_t created_by_uid = 0;

  // Snapshot relations, derived from the tables (see reconcile.h).
  // For a snapshot: its origin map.
  std::optional<std::string> origin;
  // For an origin: its snapshots, sorted by name.
  std::vector<std::string> snapshots;
  // For an origin made by CreateSnapshot: its hidden "NAME-real" layer.
  std::optional<std::string> real_layer;
  // For a hidden "NAME-real" layer: the origin it carries. Such maps are not exported.
  std::optional<std::string> layer_of;
  // For an origin: a snapshot is merging into it (its table is snapshot-merge over its layer).
  bool merging = false;
  // For a stored snapshot: a merge was asked for while the origin or the snapshot was open; it
  // starts at the next activation (the stored definition keeps it).
  bool merge_pending = false;
  // For a snapshot: when its fill is announced and whether its COW file grows.
  SnapshotPolicy snapshot_policy{};

  // Read at every change the engine makes or sees, and by read_status(); the bus serves them
  // from here so a property read never waits on the kernel. No event announces open_count;
  // usage is announced (MapField::Usage) whenever a reading finds it changed, and is read again
  // when a dm event fires and while snapshots are written (Engine's fill watch).
  std::int32_t open_count = 0;
  std::optional<SnapshotUsage> usage;  // snapshots only

  bool hidden() const { return layer_of.has_value(); }
  std::string device_path() const { return "/dev/mapper/" + name; }

  friend bool operator==(const MapRecord&, const MapRecord&) = default;
};

// The parts of a record whose change is announced (PropertiesChanged). The name moves the whole
// object (a rename), and open_count is never announced, so neither is listed.
enum class MapField {
  Uuid,
  Device,
  Size,
  Table,
  State,
  ReadOnly,
  Persistent,
  Dependencies,
  MissingDevices,
  Owned,
  CreatedByUid,
  Origin,
  Snapshots,
  MergePending,
  Usage,  // a snapshot's COW use: allocated, total, metadata, invalid (and the fill it makes)
};

// The announced fields that differ between two records of the same map, in enum order.
std::vector<MapField> changed_fields(const MapRecord& before, const MapRecord& after);

}  // namespace mapperd
