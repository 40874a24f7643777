#pragma once
// Internal to the model: how error messages show text a caller gave us.

#include <string>
#include <string_view>

namespace mapperd {

// `text` in single quotes, safe to put in a message, a log line and a D-Bus string: bytes
// outside printable ASCII, backslash and quote are written as \xNN, and anything past 64 bytes
// is cut and marked "...".
std::string quoted(std::string_view text);

// One byte as a message shows it: 'a', or \x0a for a byte that is not printable.
std::string describe_byte(char byte);

}  // namespace mapperd
