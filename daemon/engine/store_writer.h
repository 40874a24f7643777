#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine_storage.h"
#include "store/map_definition.h"
#include "store/runtime_state.h"

namespace mapperd {

// What a job changed in the definitions, so the main thread's copy follows.
struct StoreDelta {
  std::vector<MapDefinition> saved;
  std::vector<std::string> removed;  // map names
  std::vector<LoopDefinition> loops_saved;
  std::vector<LoopBacking> loops_removed;
  std::vector<RuntimeMapFacts> facts_saved;
  std::vector<std::string> facts_removed;  // UUIDs
};

// A job's way to the definitions: writes through when storage is enabled (and records what it
// wrote), does nothing otherwise. Used on the kernel thread only.
class StoreWriter {
 public:
  StoreWriter(const EngineStorage& storage, StoreDelta& delta) : storage_(storage), delta_(delta) {}

  bool enabled() const { return storage_.enabled(); }
  const EngineStorage& storage() const { return storage_; }

  void save(const MapDefinition& definition);
  void rename(const std::string& old_name, const MapDefinition& definition);
  void remove(const std::string& name);
  void save_loop(const LoopDefinition& definition);
  void remove_loop(const LoopBacking& backing);
  void save_facts(const RuntimeMapFacts& facts);
  void remove_facts(const std::string& uuid);

 private:
  void note_saved(const MapDefinition& definition);
  void note_removed(const std::string& name);

  const EngineStorage& storage_;
  StoreDelta& delta_;
};

// Writes `intent` before an operation's first kernel step and erases it after its last, on
// success and on a failure the steps already undid. Only a crash leaves it for recovery.
class IntentScope {
 public:
  IntentScope(const EngineStorage& storage, OperationIntent intent);
  ~IntentScope();
  IntentScope(const IntentScope&) = delete;
  IntentScope& operator=(const IntentScope&) = delete;

 private:
  const EngineStorage& storage_;
  std::string id_;
};

}  // namespace mapperd
