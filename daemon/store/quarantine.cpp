#include "store/quarantine.h"

#include <chrono>
#include <ctime>
#include <system_error>

#include "model/error.h"
#include "store/atomic_file.h"

namespace mapperd::store {
namespace {

// "20250102T030405Z": sorts by time, and has no ':' for tools that dislike one in a file name.
std::string utc_timestamp() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm parts{};
  ::gmtime_r(&now, &parts);
  char text[32];
  std::strftime(text, sizeof text, "%Y%m%dT%H%M%SZ", &parts);
  return text;
}

// A name in DIRECTORY that nothing has yet. The store has one owner, so nothing can take the name
// between this check and the rename.
std::filesystem::path free_name(const std::filesystem::path& directory, const std::string& base) {
  std::filesystem::path candidate = directory / base;
  for (unsigned counter = 1;; ++counter) {
    std::error_code ignored;
    if (!std::filesystem::exists(std::filesystem::symlink_status(candidate, ignored)))
      return candidate;
    candidate = directory / (base + "." + std::to_string(counter));
  }
}

}  // namespace

QuarantinedFile quarantine_file(const std::filesystem::path& file,
                                const std::filesystem::path& quarantine_directory,
                                std::string reason) {
  QuarantinedFile quarantined{file, {}, std::move(reason)};
  std::filesystem::path target;
  try {
    ensure_directory(quarantine_directory);
    target = free_name(quarantine_directory, file.filename().string() + "." + utc_timestamp());
    move_file(file, target);
    quarantined.moved_to = target;
  } catch (const Error& e) {
    // The rename may have happened and only an fsync after it failed: say where the file is.
    std::error_code ignored;
    if (!target.empty() && std::filesystem::exists(target, ignored) &&
        !std::filesystem::exists(file, ignored)) {
      quarantined.moved_to = target;
      quarantined.reason += " (moved, but " + std::string(e.what()) + ")";
    } else {
      quarantined.reason += " (left in place: " + std::string(e.what()) + ")";
    }
  }
  return quarantined;
}

}  // namespace mapperd::store
