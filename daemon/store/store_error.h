#pragma once
// Internal to the store: the one shape of its system-call errors.

#include <filesystem>
#include <string>
#include <string_view>

#include "model/error.h"

namespace mapperd::store {

// TEXT in single quotes, safe for a message, a log line and a D-Bus string: bytes outside
// printable ASCII, the backslash and the quote as \xNN; past 200 bytes cut and marked "...".
std::string shown(std::string_view text);

// "ENOSPC: No space left on device"; "errno 4242: Unknown error 4242" for a number glibc does
// not know.
std::string errno_text(int error_number);

// Error(Store) naming what was done to which file and why it failed:
// "write /etc/mapperd/maps/a.json: fsync the temporary file: EIO: Input/output error".
// `step` (may be empty) says which part of `action` failed.
Error store_error(std::string_view action, const std::filesystem::path& path, std::string_view step,
                  int error_number);

}  // namespace mapperd::store
