#pragma once
// Internal to the store: files that a crash leaves whole, old or new, never a mix.
//
// Every function throws Error(ErrorKind::Store) naming the file, the step and the errno text.

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace mapperd::store {

// A state file is small (one map's table is at most 1 MiB, model/table_limits.h); anything larger
// is not one of ours, and is refused before it is read into memory.
inline constexpr std::size_t kMaxStateFileBytes = 16 * 1024 * 1024;

// Replaces PATH's contents with TEXT, or leaves it as it was: writes a temporary file
// (temporary_file_prefix(PATH) + 6 random characters) in PATH's directory, fsyncs it, renames it
// over PATH, fsyncs the directory. The new file has mode 0600. On a failure the temporary file is
// removed and PATH is untouched. The directory must exist.
void write_file_atomically(const std::filesystem::path& path, std::string_view text);

// The whole of PATH, a regular file of at most kMaxStateFileBytes.
std::string read_file(const std::filesystem::path& path);

// Removes PATH and fsyncs its directory. False (and nothing done) when there is no such file.
bool remove_file(const std::filesystem::path& path);

// Moves FROM to TO (same filesystem), replacing TO, and fsyncs both directories.
void move_file(const std::filesystem::path& from, const std::filesystem::path& to);

// Makes DIRECTORY and any missing parents (mode 0755), fsyncing each parent that gained one.
void ensure_directory(const std::filesystem::path& directory);

// fsync of a directory: makes the creations, renames and removals in it durable.
void sync_directory(const std::filesystem::path& directory);

// ".a.json.tmp-": temporary files of write_file_atomically start so. A state file's own name never
// starts with '.', so a dot file that has ".tmp-" and six more characters at its end is a
// leftover of a write that a crash cut short.
std::string temporary_file_prefix(const std::filesystem::path& path);
bool is_temporary_file_name(std::string_view file_name);

// The files named NAME.json in DIRECTORY (regular files or links to them, not starting with '.'),
// sorted by name. Leftover temporary files are removed on the way; anything else (an editor's
// backup, a README, a directory) is left alone and not listed. A missing DIRECTORY has none.
std::vector<std::filesystem::path> state_files_in(const std::filesystem::path& directory);

}  // namespace mapperd::store
