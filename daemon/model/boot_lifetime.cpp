#include "boot_lifetime.h"

#include <array>

namespace mapperd {

std::optional<std::string_view> directory_emptied_at_boot(std::string_view path) {
  static constexpr std::array<std::string_view, 3> kEmptied = {"/tmp", "/run", "/dev/shm"};
  for (const std::string_view directory : kEmptied) {
    // "/tmp/a", not "/tmpdata/a".
    if (path.size() > directory.size() && path.starts_with(directory) &&
        path[directory.size()] == '/')
      return directory;
  }
  return std::nullopt;
}

std::vector<std::string> loop_boot_warnings(std::string_view backing_file, bool persistent) {
  if (!persistent)
    return {};
  const std::optional<std::string_view> directory = directory_emptied_at_boot(backing_file);
  if (!directory)
    return {};
  return {std::string(backing_file) + " is in " + std::string(*directory) +
          ", which does not keep its files across a reboot: this persistent loop will not be "
          "attached again at the next boot (keep the file elsewhere, or attach it with "
          "--not-persistent)"};
}

}  // namespace mapperd
