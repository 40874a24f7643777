#pragma once
// The kernel side of a snapshot merge, on the kernel thread, inside one job each (as
// kernel_steps.h). The kernel's snapshot-merge target copies the COW's chunks back into the
// origin's layer while the origin stays usable, reads seeing the snapshot's data at once.

#include <optional>
#include <string>
#include <vector>

#include "kernel/kernel_backend.h"
#include "map_record.h"

namespace mapperd {

struct MergeSteps {
  std::string origin;
  // "<origin>-real", which the origin's snapshot-origin table names.
  std::string layer;
  std::string snapshot;
  // What recreates the snapshot when the origin refuses the merge table.
  std::string snapshot_uuid;
  bool snapshot_read_only = false;
};

// Whether the origin or the snapshot is open now (a mount, a dd): a merge must not change the
// table under it.
bool merge_maps_open(KernelBackend& kernel, const MergeSteps& steps);

// Removes the snapshot map (nothing holds it; its COW keeps every exception), then swaps the
// origin's table for "snapshot-merge <layer> <COW> <P|PO> <chunk>" with the snapshot's own
// arguments. When the swap fails the snapshot is made again, so nothing is lost.
void start_merge(KernelBackend& kernel, const MergeSteps& steps);

// The origin's merge usage, from its snapshot-merge status line; nothing when its table is no
// longer a merge.
std::optional<SnapshotUsage> merge_status(KernelBackend& kernel, const std::string& origin);

// Once the COW holds only its metadata: the origin takes its layer's table again (the plain
// table it had before its first snapshot) and the layer goes; the COW is no longer used. Only
// into mapperd's origin that still merges over that layer (Failed otherwise, nothing changed).
void finish_merge(KernelBackend& kernel, const std::string& origin, const std::string& layer);

}  // namespace mapperd
