#include "store/runtime_state.h"

#include <algorithm>
#include <utility>

#include "model/error.h"
#include "store/atomic_file.h"
#include "store/definition_format.h"
#include "store/file_names.h"
#include "store/store_error.h"

namespace mapperd {

RuntimeState::RuntimeState(std::filesystem::path directory) : directory_(std::move(directory)) {}

std::vector<RuntimeMapFacts> RuntimeState::load_facts() {
  std::vector<RuntimeMapFacts> all;
  for (const std::filesystem::path& file : store::state_files_in(maps_directory())) {
    try {
      RuntimeMapFacts facts = store::parse_facts(store::read_file(file));
      // parse_facts checked the UUID, so it makes a file name.
      if (store::facts_file_name(facts.uuid) != file.filename().string()) {
        throw store::FormatError("uuid", store::shown(facts.uuid) +
                                             " does not match the file name " +
                                             store::shown(file.filename().string()));
      }
      all.push_back(std::move(facts));
    } catch (const Error& e) {
      quarantined_.push_back(
          store::quarantine_file(file, quarantine_directory() / "maps", e.what()));
    }
  }
  std::sort(all.begin(), all.end(),
            [](const RuntimeMapFacts& a, const RuntimeMapFacts& b) { return a.uuid < b.uuid; });
  return all;
}

void RuntimeState::save_facts(const RuntimeMapFacts& facts) {
  const std::filesystem::path file = maps_directory() / store::facts_file_name(facts.uuid);
  const std::string text = store::format_facts(facts);
  store::ensure_directory(maps_directory());
  store::write_file_atomically(file, text);
}

void RuntimeState::remove_facts(std::string_view uuid) {
  store::remove_file(maps_directory() / store::facts_file_name(uuid));
}

std::vector<OperationIntent> RuntimeState::load_intents() {
  std::vector<OperationIntent> all;
  for (const std::filesystem::path& file : store::state_files_in(operations_directory())) {
    try {
      OperationIntent intent = store::parse_intent(store::read_file(file));
      if (store::intent_file_name(intent.id) != file.filename().string()) {
        throw store::FormatError("id", store::shown(intent.id) + " does not match the file name " +
                                           store::shown(file.filename().string()));
      }
      all.push_back(std::move(intent));
    } catch (const Error& e) {
      quarantined_.push_back(
          store::quarantine_file(file, quarantine_directory() / "operations", e.what()));
    }
  }
  std::sort(all.begin(), all.end(),
            [](const OperationIntent& a, const OperationIntent& b) { return a.id < b.id; });
  return all;
}

void RuntimeState::save_intent(const OperationIntent& intent) {
  const std::filesystem::path file = operations_directory() / store::intent_file_name(intent.id);
  const std::string text = store::format_intent(intent);
  store::ensure_directory(operations_directory());
  store::write_file_atomically(file, text);
}

void RuntimeState::remove_intent(std::string_view id) {
  store::remove_file(operations_directory() / store::intent_file_name(id));
}

std::vector<QuarantinedFile> RuntimeState::take_quarantined() {
  return std::exchange(quarantined_, {});
}

}  // namespace mapperd
