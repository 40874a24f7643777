#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mapperd {

// Whether a file outlives a reboot, told by where it is: /tmp (emptied at every boot on Debian,
// a tmpfs or systemd-tmpfiles' cleaning), /run and /dev/shm (tmpfs) do not keep their files.
// `path` is absolute and canonical (as the kernel names an open file). Returns the directory
// that loses it ("/tmp"), or nothing for a path elsewhere (/var/tmp, /home, /srv keep theirs).
std::optional<std::string_view> directory_emptied_at_boot(std::string_view path);

// What to tell whoever attaches a loop on `backing_file`: a persistent loop whose file is in
// such a directory will not be attached again at the next boot (a warning, not a refusal: the
// loop works until then). Empty for a loop that is not persistent or a file that stays.
std::vector<std::string> loop_boot_warnings(std::string_view backing_file, bool persistent);

}  // namespace mapperd
