#include "store_writer.h"

#include <atomic>

#include "store/definition_store.h"

namespace mapperd {

void StoreWriter::save(const MapDefinition& definition) {
  if (!enabled())
    return;
  storage_.definitions->save_map(definition);
  delta_.saved.push_back(definition);
}

void StoreWriter::rename(const std::string& old_name, const MapDefinition& definition) {
  if (!enabled())
    return;
  storage_.definitions->rename_map(old_name, definition);
  delta_.removed.push_back(old_name);
  delta_.saved.push_back(definition);
}

void StoreWriter::remove(const std::string& name) {
  if (!enabled())
    return;
  storage_.definitions->remove_map(name);
  delta_.removed.push_back(name);
}

void StoreWriter::save_loop(const LoopDefinition& definition) {
  if (!enabled())
    return;
  storage_.definitions->save_loop(definition);
  delta_.loops_saved.push_back(definition);
}

void StoreWriter::remove_loop(const LoopBacking& backing) {
  if (!enabled())
    return;
  storage_.definitions->remove_loop(backing);
  delta_.loops_removed.push_back(backing);
}

void StoreWriter::save_facts(const RuntimeMapFacts& facts) {
  if (!enabled())
    return;
  storage_.runtime->save_facts(facts);
  delta_.facts_saved.push_back(facts);
}

void StoreWriter::remove_facts(const std::string& uuid) {
  if (!enabled())
    return;
  storage_.runtime->remove_facts(uuid);
  delta_.facts_removed.push_back(uuid);
}

IntentScope::IntentScope(const EngineStorage& storage, OperationIntent intent) : storage_(storage) {
  if (!storage_.enabled())
    return;
  static std::atomic<std::uint64_t> sequence{0};
  intent.id = intent.kind + "-" + (intent.maps.empty() ? "" : intent.maps.front()) + "-" +
              std::to_string(++sequence);
  storage_.runtime->save_intent(intent);
  id_ = intent.id;
}

IntentScope::~IntentScope() {
  if (id_.empty())
    return;
  try {
    storage_.runtime->remove_intent(id_);
  } catch (...) {
    // Left for recovery at next start, which finds the operation complete or undone.
  }
}

}  // namespace mapperd
