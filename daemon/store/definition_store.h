#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "map_definition.h"
#include "quarantine.h"

namespace mapperd {

struct StoredDefinitions {
  std::vector<MapDefinition> maps;  // sorted by name
  std::vector<LoopDefinition> loops;
  std::vector<QuarantinedFile> quarantined;
  // Files that could not be read this time (EMFILE, EIO, ...: store_error()'s message): left
  // where they are for the next load, never quarantined, since nothing is known of their contents.
  std::vector<QuarantinedFile> unreadable;  // moved_to empty
};

// The persistent definitions, one human-readable versioned file each (docs/state-format.md):
//   DIRECTORY/maps/NAME.json, DIRECTORY/loops/<escaped backing file>@<offset>.json,
//   DIRECTORY/quarantine/ for files that could not be read.
// Every write is crash-safe: a temporary file in the same directory, fsync, rename over the
// target, fsync of the directory; a crash leaves the old file or the new one, never a mix.
//
// Errors: writes and removals throw mapperd::Error(ErrorKind::Store) naming the file and errno;
// a map name that cannot be a file name (has '/', starts with '.', or fails validate_map_name)
// Error(InvalidName); a definition that would not load back (a UUID without "MAPPERD-", an empty
// table, a relative backing file, text that is not UTF-8, ...) Error(InvalidArgument), before
// anything is written.
// Not thread-safe: one owner.
class DefinitionStore {
 public:
  // DIRECTORY is /etc/mapperd in production; created (with maps/ and loops/) on the first write.
  explicit DefinitionStore(std::filesystem::path directory);

  const std::filesystem::path& directory() const { return directory_; }

  // Every definition; a corrupt file, one from a newer format, or one whose name disagrees with
  // its file is moved to quarantine/{maps,loops}/ and reported, never thrown. A file that cannot
  // be read (an errno from open or read) stays where it is and is reported as unreadable.
  // Leftover temporary files from a crash are removed. Two map files with one UUID (a crash in the
  // middle of a rename) keep the one written last (the larger "generation"). Throws Error(Store)
  // only when a directory cannot be listed; a missing one holds nothing.
  StoredDefinitions load();

  // The map file gets a generation above every one this store has loaded or written.
  void save_map(const MapDefinition& definition);
  // A rename: the new file is written (with a generation above the old file's) before the old
  // one goes. With OLD_NAME equal to the definition's name, a save.
  void rename_map(std::string_view old_name, const MapDefinition& definition);
  // Nothing happens when there is no such file.
  void remove_map(std::string_view name);

  void save_loop(const LoopDefinition& definition);
  void remove_loop(const LoopBacking& backing);

 private:
  std::filesystem::path maps_directory() const { return directory_ / "maps"; }
  std::filesystem::path loops_directory() const { return directory_ / "loops"; }
  std::filesystem::path quarantine_directory() const { return directory_ / "quarantine"; }
  // Writes DEFINITION's file with a generation above every one this store has seen.
  void write_map(const MapDefinition& definition);

  std::filesystem::path directory_;
  // The highest generation in a map file this store has loaded or written.
  std::uint64_t generation_ = 0;
};

}  // namespace mapperd
