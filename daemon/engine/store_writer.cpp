#include "store_writer.h"

#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>

#include "store/definition_store.h"

namespace mapperd {

// The delta says what the files hold once the job is done, whatever the order of the writes: a
// job that saves a map and then removes it (a batch rolled back, an origin folded and then
// removed) must leave the main thread with neither, since Engine::apply() takes the removals
// first.
void StoreWriter::note_saved(const MapDefinition& definition) {
  std::erase(delta_.removed, definition.name);
  std::erase_if(delta_.saved,
                [&](const MapDefinition& saved) { return saved.name == definition.name; });
  delta_.saved.push_back(definition);
}

void StoreWriter::note_removed(const std::string& name) {
  std::erase_if(delta_.saved, [&](const MapDefinition& saved) { return saved.name == name; });
  delta_.removed.push_back(name);
}

void StoreWriter::save(const MapDefinition& definition) {
  if (!enabled())
    return;
  storage_.definitions->save_map(definition);
  note_saved(definition);
}

void StoreWriter::rename(const std::string& old_name, const MapDefinition& definition) {
  if (!enabled())
    return;
  storage_.definitions->rename_map(old_name, definition);
  note_removed(old_name);
  note_saved(definition);
}

void StoreWriter::remove(const std::string& name) {
  if (!enabled())
    return;
  storage_.definitions->remove_map(name);
  note_removed(name);
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
  std::erase(delta_.facts_removed, facts.uuid);
  std::erase_if(delta_.facts_saved,
                [&](const RuntimeMapFacts& saved) { return saved.uuid == facts.uuid; });
  delta_.facts_saved.push_back(facts);
}

void StoreWriter::remove_facts(const std::string& uuid) {
  if (!enabled())
    return;
  storage_.runtime->remove_facts(uuid);
  std::erase_if(delta_.facts_saved,
                [&](const RuntimeMapFacts& saved) { return saved.uuid == uuid; });
  delta_.facts_removed.push_back(uuid);
}

namespace {

// "<kind>-<realtime ns, hex>-<pid>-<sequence>": unique across processes, so an intent a crash left
// for recovery is never overwritten by the next daemon's (a counter alone restarts at 1 in every
// process). The map's name stays out: it may be 127 bytes of characters file names here refuse;
// the file lists the maps.
std::string new_intent_id(const std::string& kind) {
  static std::atomic<std::uint64_t> sequence{0};
  timespec now{};
  ::clock_gettime(CLOCK_REALTIME, &now);
  const auto nanoseconds = static_cast<std::uint64_t>(now.tv_sec) * 1000000000u +
                           static_cast<std::uint64_t>(now.tv_nsec);
  char stamp[17];
  std::snprintf(stamp, sizeof stamp, "%016llx", static_cast<unsigned long long>(nanoseconds));
  return kind + "-" + stamp + "-" + std::to_string(::getpid()) + "-" + std::to_string(++sequence);
}

}  // namespace

IntentScope::IntentScope(const EngineStorage& storage, OperationIntent intent) : storage_(storage) {
  if (!storage_.enabled())
    return;
  intent.id = new_intent_id(intent.kind);
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
