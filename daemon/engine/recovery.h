#pragma once
// Operations cut short (a crash, kill -9) finished or undone when mapperd starts again, from the
// intents they wrote in /run/mapperd before their first kernel step. Afterwards the kernel and
// the definitions agree and nothing of ours is left suspended. Runs on the kernel thread.

#include <string>
#include <vector>

#include "engine_storage.h"
#include "kernel/kernel_backend.h"
#include "store/runtime_state.h"

namespace mapperd {

// Intent kinds, as the engine writes them.
inline constexpr std::string_view kCreateIntent = "create";
inline constexpr std::string_view kReloadIntent = "reload";
inline constexpr std::string_view kRenameIntent = "rename";
// maps = {map}; to_save: its definition, whose devices it is being put back on (device_return.h).
inline constexpr std::string_view kRepairIntent = "repair";
inline constexpr std::string_view kRemoveIntent = "remove";
// maps = {origin, layer, snapshot}; to_remove names the layer when the operation created it.
inline constexpr std::string_view kSnapshotIntent = "snapshot";
inline constexpr std::string_view kTransientSnapshotIntent = "snapshot-transient";
// maps = {origin, layer, snapshot}; to_save: the snapshot's definition, when stored.
inline constexpr std::string_view kMergeIntent = "merge";
// maps = {origin, layer}: the origin folds its layer back once its merge is complete.
inline constexpr std::string_view kMergeFinishIntent = "merge-finish";

struct RecoveryReport {
  // "create of 'a' completed", "snapshot 's' of 'o' rolled back: ...".
  std::vector<std::string> actions;
  // Recovery steps that failed; the intent is kept for the next start.
  std::vector<std::string> failures;
};

// Finishes or undoes every intent, then erases it.
RecoveryReport recover_operations(KernelBackend& kernel, const EngineStorage& storage,
                                  const std::vector<OperationIntent>& intents);

}  // namespace mapperd
