#include "quoted.h"

#include <cstddef>
#include <cstdio>

namespace mapperd {
namespace {

// Long enough to recognise the text, short enough that a megabyte of garbage does not end up
// in the journal.
constexpr std::size_t kMaxQuotedBytes = 64;

bool needs_escape(char byte) {
  const auto value = static_cast<unsigned char>(byte);
  return value < 0x20 || value >= 0x7f || byte == '\\' || byte == '\'';
}

std::string hex_escape(char byte) {
  char buffer[5];
  std::snprintf(buffer, sizeof buffer, "\\x%02x", static_cast<unsigned char>(byte));
  return buffer;
}

}  // namespace

std::string quoted(std::string_view text) {
  std::string result = "'";
  const std::string_view shown = text.substr(0, kMaxQuotedBytes);
  for (char byte : shown)
    result += needs_escape(byte) ? hex_escape(byte) : std::string(1, byte);
  result += "'";
  if (shown.size() < text.size())
    result += "...";
  return result;
}

std::string describe_byte(char byte) {
  if (needs_escape(byte))
    return hex_escape(byte);
  return std::string("'") + byte + "'";
}

}  // namespace mapperd
