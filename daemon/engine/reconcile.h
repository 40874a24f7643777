#pragma once
// Reconciliation as pure functions: "what one pass over the kernel saw" becomes catalog records,
// and "what the catalog knows vs what the kernel has" becomes an ordered list of changes. The
// engine runs the same path at start (adoption), after each of its own operations, and on
// rescans, so there is one way the catalog learns anything. Tested with plain values.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "kernel/kernel_backend.h"
#include "map_record.h"

namespace mapperd {

// One map as a single pass over the kernel saw it.
struct KernelMap {
  MapInfo info;
  std::vector<TargetLine> table;
  std::vector<DeviceNumber> dependencies;
  // Read only for maps with a snapshot segment (their COW usage); empty otherwise.
  std::vector<TargetLine> status;
};

// What the kernel does not keep about a map, so the catalog carries it.
struct MapMetadata {
  bool persistent = false;
  std::uint32_t created_by_uid = 0;
  // A snapshot whose merge waits for its origin and itself to be closed (its definition says so).
  bool merge_pending = false;
  // A snapshot's fill thresholds and COW growth (its definition's, or its runtime facts').
  SnapshotPolicy snapshot_policy{};
};

// One record per map, sorted by name, with:
//  - values from the kernel (table with keys masked, size, state, open count, snapshot usage);
//  - owned set for MAPPERD- UUIDs;
//  - snapshot relations: a map with a "snapshot-origin D" segment is the origin of every map
//    with a "snapshot D ..." (or snapshot-merge) segment; when D is the device of an owned map
//    named "<origin>-real", that map is the origin's hidden layer (layer_of/real_layer), as LVM
//    names it; an origin whose table is "snapshot-merge <its -real layer> ..." is merging
//    (merging set, the layer hidden as before);
//  - default metadata (not persistent, created_by_uid 0): plan_reconciliation() fills in ours.
std::vector<MapRecord> records_from_kernel(const std::vector<KernelMap>& maps);
// The same over maps kept by name (the engine's last reading of each).
std::vector<MapRecord> records_from_kernel_by_name(const std::map<std::string, KernelMap>& maps);

// A resumed map over a map that is degraded or failed is degraded too: the I/O it sends there
// fails. Applied all the way up a stack (a map over that one, ...). Runs after the records'
// own states are known (their tables, missing devices, snapshot validity).
void mark_degraded_by_dependencies(std::vector<MapRecord>& records);

struct CatalogChange {
  enum class Kind { Removed, Renamed, Added, Changed };
  Kind kind = Kind::Changed;
  // The record as it is now; for Removed, as it was last known.
  MapRecord record;
  // Renamed only: the name the map had.
  std::string previous_name;
  // Changed only: the announced fields that differ. Empty when only values that are never
  // announced (open count, snapshot usage) moved: the catalog still takes the new record.
  std::vector<MapField> fields;
  friend bool operator==(const CatalogChange&, const CatalogChange&) = default;
};

// The changes that turn `known` into `observed`, in the order they must be announced: removals,
// renames, additions, changes, each group sorted by name. That order means no announced relation
// (Snapshots, SnapshotOrigin) ever names an object that is not exported yet.
//
// A map is the same map across a rename when its device number and UUID are unchanged; a stored
// map not in the kernel (device 0:0) is the same map as the kernel's one of its name and UUID.
// Metadata the kernel does not keep comes from `metadata` (by name: what the engine knows from
// its definitions, runtime state and operations in flight), else from the known record of the
// same map, else the defaults of an adopted map. Unchanged maps produce nothing.
std::vector<CatalogChange> plan_reconciliation(const std::map<std::string, MapRecord>& known,
                                               std::vector<MapRecord> observed,
                                               const std::map<std::string, MapMetadata>& metadata);

}  // namespace mapperd
