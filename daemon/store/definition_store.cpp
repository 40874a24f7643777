#include "store/definition_store.h"

#include <algorithm>
#include <limits>
#include <map>
#include <optional>
#include <tuple>
#include <utility>

#include "model/error.h"
#include "store/atomic_file.h"
#include "store/definition_format.h"
#include "store/file_names.h"
#include "store/store_error.h"

namespace mapperd {
namespace {

// A map file that was read and is valid on its own; it may still lose to another file with its
// UUID.
struct MapCandidate {
  std::filesystem::path file;
  store::StoredMap stored;
};

std::string file_in_directory(const std::filesystem::path& file) {
  return file.parent_path().filename().string() + "/" + file.filename().string();
}

// Of several files for one UUID, the one written last wins (a rename writes the new name before
// it removes the old one, so a crash between the two leaves both). Equal generations only come
// from copying by hand; then the first by file name wins, so the choice is at least stable.
std::string duplicate_reason(const MapCandidate& loser, const MapCandidate& winner) {
  const std::string uuid = store::shown(loser.stored.definition.uuid);
  const std::string other = file_in_directory(winner.file);
  if (winner.stored.generation > loser.stored.generation) {
    return "same UUID " + uuid + " as " + other + ", which was written later (generation " +
           std::to_string(winner.stored.generation) + "; this file's is " +
           std::to_string(loser.stored.generation) + ")";
  }
  return "same UUID " + uuid + " and generation " + std::to_string(loser.stored.generation) +
         " as " + other + ", which comes first by name and is kept";
}

std::uint64_t next_generation(std::uint64_t generation) {
  // A hand-edited file could hold the largest number; ties then fall back to names.
  return generation == std::numeric_limits<std::uint64_t>::max() ? generation : generation + 1;
}

}  // namespace

DefinitionStore::DefinitionStore(std::filesystem::path directory)
    : directory_(std::move(directory)) {}

StoredDefinitions DefinitionStore::load() {
  StoredDefinitions result;
  const auto quarantine = [&](const std::filesystem::path& file, std::string_view subdirectory,
                              std::string reason) {
    result.quarantined.push_back(
        store::quarantine_file(file, quarantine_directory() / subdirectory, std::move(reason)));
  };
  // The file's text; nothing when it cannot be read now (an errno: EMFILE, EIO, ...), which is
  // noted and left for the next load: only what was read and is wrong goes to quarantine.
  const auto read_or_note = [&](const std::filesystem::path& file,
                                std::string_view subdirectory) -> std::optional<std::string> {
    try {
      return store::read_file(file);
    } catch (const Error& e) {
      if (e.error_number() != 0)
        result.unreadable.push_back(QuarantinedFile{file, {}, e.what()});
      else
        quarantine(file, subdirectory, e.what());
      return std::nullopt;
    }
  };

  std::vector<MapCandidate> candidates;
  for (const std::filesystem::path& file : store::state_files_in(maps_directory())) {
    const std::optional<std::string> text = read_or_note(file, "maps");
    if (!text)
      continue;
    try {
      store::StoredMap stored = store::parse_map(*text);
      // parse_map checked the name, so it makes a file name.
      const std::string expected = store::map_file_name(stored.definition.name);
      if (expected != file.filename().string()) {
        throw store::FormatError("name", store::shown(stored.definition.name) +
                                             " does not match the file name " +
                                             store::shown(file.filename().string()));
      }
      candidates.push_back({file, std::move(stored)});
    } catch (const Error& e) {
      quarantine(file, "maps", e.what());
    }
  }

  // Candidates come sorted by file name, so the first of equal generations is the first by name.
  std::map<std::string, std::size_t> winners;
  std::vector<bool> lost(candidates.size(), false);
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    generation_ = std::max(generation_, candidates[i].stored.generation);
    const auto [found, first] = winners.emplace(candidates[i].stored.definition.uuid, i);
    if (first)
      continue;
    std::size_t& winner = found->second;
    std::size_t loser = i;
    if (candidates[i].stored.generation > candidates[winner].stored.generation) {
      loser = winner;
      winner = i;
    }
    lost[loser] = true;
    quarantine(candidates[loser].file, "maps",
               duplicate_reason(candidates[loser], candidates[winner]));
  }
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    if (!lost[i])
      result.maps.push_back(std::move(candidates[i].stored.definition));
  }
  std::sort(result.maps.begin(), result.maps.end(),
            [](const MapDefinition& a, const MapDefinition& b) { return a.name < b.name; });

  for (const std::filesystem::path& file : store::state_files_in(loops_directory())) {
    const std::optional<std::string> text = read_or_note(file, "loops");
    if (!text)
      continue;
    try {
      LoopDefinition definition = store::parse_loop(*text);
      const std::string expected = store::loop_file_name(definition.backing);
      if (expected != file.filename().string()) {
        throw store::FormatError("", "the file name " + store::shown(file.filename().string()) +
                                         " does not match " + store::shown(expected) +
                                         ", the name of the loop on " +
                                         store::shown(definition.backing.file) + " at offset " +
                                         std::to_string(definition.backing.offset));
      }
      result.loops.push_back(std::move(definition));
    } catch (const Error& e) {
      quarantine(file, "loops", e.what());
    }
  }
  std::sort(result.loops.begin(), result.loops.end(),
            [](const LoopDefinition& a, const LoopDefinition& b) {
              return std::tie(a.backing.file, a.backing.offset) <
                     std::tie(b.backing.file, b.backing.offset);
            });
  return result;
}

void DefinitionStore::write_map(const MapDefinition& definition) {
  const std::filesystem::path file = maps_directory() / store::map_file_name(definition.name);
  const std::uint64_t generation = next_generation(generation_);
  const std::string text = store::format_map(definition, generation);
  store::ensure_directory(maps_directory());
  store::ensure_directory(loops_directory());
  store::write_file_atomically(file, text);
  generation_ = generation;
}

void DefinitionStore::save_map(const MapDefinition& definition) {
  write_map(definition);
}

void DefinitionStore::rename_map(std::string_view old_name, const MapDefinition& definition) {
  const std::filesystem::path old_file = maps_directory() / store::map_file_name(old_name);
  if (old_name == definition.name) {
    write_map(definition);
    return;
  }
  // The new file must be the later one even when this store has not loaded the old one: a crash
  // between the write and the removal leaves both, and load() keeps the later.
  try {
    generation_ = std::max(generation_, store::parse_map(store::read_file(old_file)).generation);
  } catch (const Error&) {
    // No old file, or one that load() will quarantine anyway: nothing to be later than.
  }
  write_map(definition);
  store::remove_file(old_file);
}

void DefinitionStore::remove_map(std::string_view name) {
  store::remove_file(maps_directory() / store::map_file_name(name));
}

void DefinitionStore::save_loop(const LoopDefinition& definition) {
  const std::filesystem::path file = loops_directory() / store::loop_file_name(definition.backing);
  const std::string text = store::format_loop(definition);
  store::ensure_directory(maps_directory());
  store::ensure_directory(loops_directory());
  store::write_file_atomically(file, text);
}

void DefinitionStore::remove_loop(const LoopBacking& backing) {
  store::remove_file(loops_directory() / store::loop_file_name(backing));
}

}  // namespace mapperd
