#include "recovery.h"

#include <algorithm>
#include <optional>

#include "definition_steps.h"
#include "model/error.h"
#include "store/definition_store.h"
#include "table_checks.h"

namespace mapperd {
namespace {

bool runs(const std::optional<MapInfo>& info) {
  return info && info->live_table && !info->suspended;
}

// Resumes a map of ours that the operation left suspended, dropping a table it had loaded but
// not swapped in. Returns whether it had to.
bool unsuspend(KernelBackend& kernel, const std::string& name) {
  const std::optional<MapInfo> info = kernel.info(name);
  if (!info || !info->suspended)
    return false;
  if (info->inactive_table)
    kernel.clear_inactive(name);
  kernel.resume(name);
  return true;
}

// Stores what the kernel runs now for `name`, if the map exists and had (or is to have) a
// definition; drops the definition of a map that is gone.
void store_as_running(KernelBackend& kernel, const EngineStorage& storage, const std::string& name,
                      std::uint32_t created_by_uid) {
  if (auto definition = define_from_kernel(kernel, storage, name, created_by_uid))
    storage.definitions->save_map(*definition);
  else
    storage.definitions->remove_map(name);
}

// The stored definition of `name`, if there is one.
std::optional<MapDefinition> stored_map(const EngineStorage& storage, const std::string& name) {
  for (MapDefinition& definition : storage.definitions->load().maps) {
    if (definition.name == name)
      return std::move(definition);
  }
  return std::nullopt;
}

std::string recover(KernelBackend& kernel, const EngineStorage& storage,
                    const OperationIntent& intent) {
  const std::string& kind = intent.kind;
  const std::string first = intent.maps.empty() ? "" : intent.maps.front();

  if (kind == kCreateIntent) {
    const std::optional<MapInfo> info = kernel.info(first);
    const bool ours = info && !intent.to_save.empty() && info->uuid == intent.to_save[0].uuid;
    if (runs(info) && (ours || intent.to_save.empty())) {
      for (const MapDefinition& definition : intent.to_save)
        storage.definitions->save_map(definition);
      return "create of '" + first + "' had reached the kernel: completed (definition stored)";
    }
    if (info && (ours || intent.to_save.empty())) {
      kernel.remove(first);
      return "create of '" + first + "' was half-made: removed";
    }
    return "create of '" + first + "' had not reached the kernel: nothing to undo";
  }

  if (kind == kReloadIntent) {
    const bool resumed = unsuspend(kernel, first);
    const std::optional<MapInfo> info = kernel.info(first);
    if (info && !intent.to_save.empty()) {
      const ResolvedTable stored =
          resolve_definition(intent.to_save[0], TableContext{}, locator(kernel, storage));
      if (stored.missing.empty() && stored.lines == kernel.table(first)) {
        storage.definitions->save_map(intent.to_save[0]);
        return "reload of '" + first + "' had swapped the new table in: definition updated";
      }
    }
    return "reload of '" + first + "' had not swapped the new table in: old table kept" +
           (resumed ? " (resumed)" : "");
  }

  if (kind == kRepairIntent) {
    // Cut short between its two reloads, the map may be on its interim table: the stored one
    // goes in if its devices are there, else the map stays degraded and waits as before.
    const bool resumed = unsuspend(kernel, first);
    const std::optional<MapInfo> info = kernel.info(first);
    if (info && !intent.to_save.empty()) {
      const ResolvedTable stored =
          resolve_definition(intent.to_save[0], TableContext{}, locator(kernel, storage));
      if (stored.missing.empty()) {
        if (stored.lines == kernel.table(first))
          return "repair of '" + first + "' had finished: back on its devices";
        kernel.reload(first, stored.lines);
        return "repair of '" + first + "' completed: back on its devices";
      }
    }
    return "repair of '" + first + "' could not be completed: its devices are not all there" +
           std::string(resumed ? " (resumed)" : "");
  }

  if (kind == kRenameIntent) {
    // maps = {old, new, old layer?, new layer?}
    const std::string& to = intent.maps.at(1);
    if (kernel.info(to) && !intent.to_save.empty()) {
      for (const MapDefinition& definition : intent.to_save)
        storage.definitions->save_map(definition);
      for (const std::string& old_name : intent.to_remove)
        storage.definitions->remove_map(old_name);
      return "rename of '" + first + "' to '" + to + "' had happened: definitions renamed";
    }
    return "rename of '" + first + "' had not happened: definitions kept";
  }

  if (kind == kRemoveIntent) {
    // maps: every map the removal touched; to_remove: the definitions that go with the maps that
    // are gone; to_save: maps that stay but change (an origin folded back), stored as they run.
    std::string dropped;
    for (const std::string& name : intent.maps) {
      unsuspend(kernel, name);
      const bool gone = !kernel.info(name);
      const bool drop = std::find(intent.to_remove.begin(), intent.to_remove.end(), name) !=
                        intent.to_remove.end();
      if (gone && drop) {
        storage.definitions->remove_map(name);
        dropped += (dropped.empty() ? "" : ", ") + name;
      }
    }
    for (const MapDefinition& changed : intent.to_save)
      store_as_running(kernel, storage, changed.name, changed.created_by_uid);
    return "removal of '" + first + "' recovered" +
           (dropped.empty() ? "" : "; definitions dropped: " + dropped);
  }

  if (kind == kSnapshotIntent || kind == kTransientSnapshotIntent) {
    const std::string& origin = intent.maps.at(0);
    const std::string& layer = intent.maps.at(1);
    const std::string& snapshot = intent.maps.at(2);
    const bool made_layer = !intent.to_remove.empty();
    const std::optional<MapInfo> origin_info = kernel.info(origin);
    const std::optional<MapInfo> snapshot_info = kernel.info(snapshot);
    if (runs(origin_info) && runs(snapshot_info)) {
      if (kind == kSnapshotIntent) {
        for (const std::string& name : {layer, origin, snapshot})
          store_as_running(kernel, storage, name, 0);
      }
      return "snapshot '" + snapshot + "' of '" + origin + "' had been made: completed";
    }
    // Undo in reverse: the snapshot, the origin's new table, the layer.
    unsuspend(kernel, origin);
    if (snapshot_info)
      kernel.remove(snapshot);
    if (made_layer && kernel.info(layer)) {
      const std::vector<TargetLine> origin_table = kernel.table(origin);
      const bool over_layer = !origin_table.empty() && origin_table[0].type == "snapshot-origin";
      if (over_layer)
        kernel.reload(origin, kernel.table(layer));
      kernel.remove(layer);
    }
    return "snapshot '" + snapshot + "' of '" + origin + "' was cut short: rolled back";
  }
  if (kind == kMergeIntent) {
    const std::string& origin = intent.maps.at(0);
    const std::string& snapshot = intent.maps.at(2);
    unsuspend(kernel, origin);
    const std::vector<TargetLine> origin_table = kernel.table(origin);
    if (!origin_table.empty() && origin_table[0].type == "snapshot-merge") {
      // The merge runs in the kernel; the engine's start follows it with a job.
      storage.definitions->remove_map(snapshot);
      if (const auto stored = stored_map(storage, origin))
        store_as_running(kernel, storage, origin, stored->created_by_uid);
      return "merge of '" + snapshot + "' into '" + origin + "' had begun: it goes on";
    }
    if (!kernel.info(snapshot) && !intent.to_save.empty()) {
      const ResolvedTable stored = resolve_definition(
          intent.to_save[0], table_context(kernel.targets()), locator(kernel, storage));
      if (stored.missing.empty()) {
        kernel.create(CreateRequest{.name = snapshot,
                                    .uuid = intent.to_save[0].uuid,
                                    .table = stored.lines,
                                    .read_only = intent.to_save[0].read_only});
        storage.definitions->save_map(intent.to_save[0]);
        return "merge of '" + snapshot + "' into '" + origin +
               "' had not begun: the snapshot is back";
      }
    }
    return "merge of '" + snapshot + "' into '" + origin + "' had not begun: nothing to undo";
  }

  if (kind == kMergeFinishIntent) {
    const std::string& layer = intent.maps.at(1);
    unsuspend(kernel, first);
    const std::vector<TargetLine> origin_table = kernel.table(first);
    if (!origin_table.empty() && origin_table[0].type == "snapshot-merge")
      return "merge into '" + first + "' had not folded back: its job goes on";
    if (kernel.info(layer))
      kernel.remove(layer);
    storage.definitions->remove_map(layer);
    if (const auto stored = stored_map(storage, first))
      store_as_running(kernel, storage, first, stored->created_by_uid);
    return "merge into '" + first + "' had folded back: completed";
  }
  return "operation of unknown kind '" + kind + "' on '" + first + "': left alone";
}

}  // namespace

RecoveryReport recover_operations(KernelBackend& kernel, const EngineStorage& storage,
                                  const std::vector<OperationIntent>& intents) {
  RecoveryReport report;
  for (const OperationIntent& intent : intents) {
    try {
      report.actions.push_back(recover(kernel, storage, intent));
      storage.runtime->remove_intent(intent.id);
    } catch (const std::exception& e) {
      report.failures.push_back(intent.kind + " of '" +
                                (intent.maps.empty() ? "" : intent.maps.front()) +
                                "' could not be recovered: " + e.what());
    }
  }
  return report;
}

}  // namespace mapperd
