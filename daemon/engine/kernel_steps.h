#pragma once
// The multi-step kernel sequences of the use cases, each with its rollback. They run on the
// kernel thread, inside one job each, so no other kernel call interleaves with a sequence.
// Every function throws mapperd::Error; on failure the kernel is put back as it was (see
// run_undoable() for what happens when that fails too).

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "kernel/kernel_backend.h"
#include "model/table.h"
#include "reconcile.h"

namespace mapperd {

// Writes zeros over the first `length` sectors of `device`, synchronously, and fails when the
// device is in use (exclusive open). Runs on the kernel thread.
using ZeroDeviceStart = std::function<void(const DeviceRef& device, Sectors length)>;

// What one read of the kernel saw: every map (`complete`), or only the maps called `names`, of
// which those missing from `maps` are not in the kernel (any more).
struct KernelReading {
  bool complete = false;
  std::set<std::string> names;
  std::vector<KernelMap> maps;
};

// Every map with its info, table, dependencies and (for snapshots) status. Maps that disappear
// while being read are left out.
std::vector<KernelMap> read_all_maps(KernelBackend& kernel);
// The same for the maps called `names` only: a few calls per name, however many maps the kernel
// has. A name with no map is simply not in the result.
std::vector<KernelMap> read_named_maps(KernelBackend& kernel, const std::set<std::string>& names);
// read_all_maps() as a complete reading; read_named_maps() as a reading of `names`.
KernelReading read_everything(KernelBackend& kernel);
KernelReading read_names(KernelBackend& kernel, std::set<std::string> names);

// "<origin>-real": the hidden layer that carries an origin's table once it has snapshots.
inline std::string snapshot_layer_name(const std::string& origin) {
  return origin + "-real";
}

struct SnapshotSteps {
  std::string origin;
  // "<origin>-real"; created (with `real_layer_uuid`) unless `real_layer_exists`.
  std::string real_layer;
  std::string real_layer_uuid;
  bool real_layer_exists = false;
  std::string snapshot;
  std::string snapshot_uuid;
  DeviceRef cow = DeviceRef::of({});
  SnapshotStore store = SnapshotStore::Persistent;
  Sectors chunk_size{8};
};

// LVM's sequence: zero the COW's first chunk; on the first snapshot, create the -real layer with
// the origin's table; suspend the origin; load "snapshot-origin <layer>" into it (first snapshot
// only); create the snapshot over the layer and the COW; resume the origin, which swaps its new
// table in. The origin is suspended only while the snapshot's table loads (the kernel's rule, so
// no write races the snapshot's creation) and is never left suspended.
void create_snapshot_layers(KernelBackend& kernel, const SnapshotSteps& steps,
                            const ZeroDeviceStart& zero_device_start);

struct RemovalSteps {
  std::string name;
  RemoveOptions options;
  // The map was the last snapshot of `fold_origin`, whose layer `fold_layer` goes back into it:
  // the origin reloads the layer's table and the layer is removed.
  std::optional<std::string> fold_origin;
  std::optional<std::string> fold_layer;
  // The map was an origin whose layer (no snapshots left) goes with it.
  std::optional<std::string> layer_to_remove;
};

// Removes the map, then folds or removes its layer. Once the map is gone it stays gone: a failure
// afterwards is reported (the map's removal is not undone, the origin still works over its layer).
void remove_with_layers(KernelBackend& kernel, const RemovalSteps& steps);

// Renames the map and, when it has one, its layer to "<new_name>-real"; a failed layer rename
// renames the map back.
void rename_with_layer(KernelBackend& kernel, const std::string& name, const std::string& new_name,
                       const std::optional<std::string>& layer);

}  // namespace mapperd
