#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "map_definition.h"
#include "quarantine.h"

namespace mapperd {

// What mapperd knows about a map it owns that the kernel does not keep and that must survive a
// daemon restart but not a reboot (in /run/mapperd/maps/UUID.json).
struct RuntimeMapFacts {
  std::string uuid{};
  bool persistent = true;
  std::uint32_t created_by_uid = 0;
  // A stored map removed with keep-definition: not brought back before the next boot.
  bool deactivated = false;
  // A transient snapshot's policy (a stored one keeps it in its definition).
  SnapshotPolicy snapshot_policy{};
  friend bool operator==(const RuntimeMapFacts&, const RuntimeMapFacts&) = default;
};

// An operation that changes the kernel and the definitions together, written down before its
// first kernel step and erased after its last (in /run/mapperd/operations/ID.json). One that is
// still there when mapperd starts was cut short (a crash, kill -9): recovery reads it to either
// complete the operation or roll it back, so the kernel and the definitions agree.
struct OperationIntent {
  // Unique among the operations in flight; the file's name.
  std::string id{};
  // "create", "snapshot", "remove", "rename", "reload".
  std::string kind{};
  // The maps it touches, by name.
  std::vector<std::string> maps{};
  // The definitions to store when it completes (for a remove: none), and the ones to drop.
  std::vector<MapDefinition> to_save{};
  std::vector<std::string> to_remove{};
  friend bool operator==(const OperationIntent&, const OperationIntent&) = default;
};

// /run/mapperd: the same file discipline as DefinitionStore (crash-safe writes, quarantine of
// unreadable files, errors as ErrorKind::Store), in DIRECTORY/maps/UUID.json,
// DIRECTORY/operations/ID.json and DIRECTORY/quarantine/{maps,operations}/.
//
// Loads never throw for a bad file: it is quarantined, and take_quarantined() tells which (for
// the caller to log). They throw Error(Store) only when a directory cannot be listed. Saves
// throw Error(InvalidName) for a UUID or id that cannot be a file name (facts_file_name,
// intent_file_name in file_names.h), Error(InvalidArgument) for contents that would not be read
// back, Error(Store) when the write fails. Removing what is not there does nothing.
// Not thread-safe: one owner.
class RuntimeState {
 public:
  // DIRECTORY is /run/mapperd in production; its subdirectories are made on the first write.
  explicit RuntimeState(std::filesystem::path directory);

  const std::filesystem::path& directory() const { return directory_; }

  // Sorted by UUID.
  std::vector<RuntimeMapFacts> load_facts();
  void save_facts(const RuntimeMapFacts& facts);
  void remove_facts(std::string_view uuid);

  // Sorted by id.
  std::vector<OperationIntent> load_intents();
  void save_intent(const OperationIntent& intent);
  void remove_intent(std::string_view id);

  // The files the loads since the last call moved to quarantine, oldest first; the list is then
  // empty.
  std::vector<QuarantinedFile> take_quarantined();

 private:
  std::filesystem::path maps_directory() const { return directory_ / "maps"; }
  std::filesystem::path operations_directory() const { return directory_ / "operations"; }
  std::filesystem::path quarantine_directory() const { return directory_ / "quarantine"; }

  std::filesystem::path directory_;
  std::vector<QuarantinedFile> quarantined_{};
};

}  // namespace mapperd
