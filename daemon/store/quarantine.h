#pragma once
// Where a state file goes when it cannot be used: aside, so the rest still comes up, and kept,
// so an administrator can read it, mend it and move it back (docs/state-format.md).

#include <filesystem>
#include <string>

namespace mapperd {

// A state file that could not be used: moved aside so the rest still comes up.
struct QuarantinedFile {
  std::filesystem::path file;
  // Where it went (DIRECTORY/quarantine/...), empty if even the move failed.
  std::filesystem::path moved_to;
  // "field 'table': expected a string, found number", "written by a newer mapperd (format 2;
  // this one reads 1)", ...; when the move failed, also why.
  std::string reason;
};

namespace store {

// Moves FILE into QUARANTINE_DIRECTORY (made if missing) as "<file name>.<UTC time>", e.g.
// "a.json.20250102T030405Z", with ".1", ".2", ... added when that name is taken. Never throws
// for a failed move: the file then stays where it is, moved_to is empty and the reason says why
// the move failed.
QuarantinedFile quarantine_file(const std::filesystem::path& file,
                                const std::filesystem::path& quarantine_directory,
                                std::string reason);

}  // namespace store
}  // namespace mapperd
