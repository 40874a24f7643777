#include "merge_steps.h"

#include "kernel_report.h"
#include "model/error.h"
#include "model/names.h"
#include "undo_stack.h"

namespace mapperd {
namespace {

std::optional<MapInfo> require_info(KernelBackend& kernel, const std::string& name,
                                    const std::string& operation) {
  std::optional<MapInfo> info = kernel.info(name);
  if (!info)
    throw Error(ErrorKind::NotFound, operation + ": map '" + name + "' is gone from the kernel");
  return info;
}

}  // namespace

bool merge_maps_open(KernelBackend& kernel, const MergeSteps& steps) {
  const std::string operation = "merge " + steps.snapshot;
  return require_info(kernel, steps.origin, operation)->open_count > 0 ||
         require_info(kernel, steps.snapshot, operation)->open_count > 0;
}

void start_merge(KernelBackend& kernel, const MergeSteps& steps) {
  const std::string operation = "merge " + steps.snapshot + " into " + steps.origin;
  const std::vector<TargetLine> snapshot_table = kernel.table(steps.snapshot);
  if (snapshot_table.size() != 1 || snapshot_table[0].type != "snapshot") {
    throw Error(ErrorKind::Failed,
                operation + ": the snapshot's table is no longer one snapshot line; left alone");
  }
  const std::vector<TargetLine> origin_table = kernel.table(steps.origin);
  if (origin_table.size() != 1 || origin_table[0].type != "snapshot-origin") {
    throw Error(ErrorKind::Failed,
                operation + ": the origin's table is no longer its snapshot-origin; left alone");
  }
  TargetLine merge_line = snapshot_table[0];
  merge_line.type = "snapshot-merge";
  run_undoable([&](UndoStack& undo) {
    kernel.remove(steps.snapshot);
    undo.push("make " + steps.snapshot + " again", [&] {
      kernel.create(CreateRequest{.name = steps.snapshot,
                                  .uuid = steps.snapshot_uuid,
                                  .table = snapshot_table,
                                  .read_only = steps.snapshot_read_only});
    });
    kernel.reload(steps.origin, {merge_line});
  });
}

std::optional<SnapshotUsage> merge_status(KernelBackend& kernel, const std::string& origin) {
  for (const TargetLine& line : kernel.status(origin)) {
    if (line.type == "snapshot-merge")
      return parse_snapshot_usage(line.params);
  }
  return std::nullopt;
}

void finish_merge(KernelBackend& kernel, const std::string& origin, const std::string& layer) {
  const std::string operation = "finish the merge into " + origin;
  const std::optional<MapInfo> origin_info = require_info(kernel, origin, operation);
  const std::optional<MapInfo> layer_info = require_info(kernel, layer, operation);
  if (owner_of(origin_info->uuid) != MapOwner::Mapperd ||
      owner_of(layer_info->uuid) != MapOwner::Mapperd) {
    throw Error(ErrorKind::NotOwned, operation + ": the map is not mapperd's any more");
  }
  const std::vector<TargetLine> table = kernel.table(origin);
  if (table.size() != 1 || table[0].type != "snapshot-merge" ||
      first_word(table[0].params) != layer_info->device.to_string()) {
    throw Error(ErrorKind::Failed, operation + ": its table is no longer snapshot-merge over " +
                                       layer + ", so it is left as it is");
  }
  kernel.reload(origin, kernel.table(layer));
  kernel.remove(layer);
}

}  // namespace mapperd
