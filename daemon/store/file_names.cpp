#include "store/file_names.h"

#include <cstdint>
#include <vector>

#include "model/error.h"
#include "model/names.h"
#include "store/store_error.h"

namespace mapperd::store {
namespace {

constexpr std::string_view kJsonSuffix = ".json";
constexpr std::size_t kMaxIntentIdBytes = 128;
// '~' never comes out of escape_path (it is escaped as \x7e): it marks a shortened name.
constexpr char kShortenedMark = '~';

bool is_ascii_alphanumeric(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// What systemd's unit name escaping leaves as it is.
bool is_kept_by_escape(char c) {
  return is_ascii_alphanumeric(c) || c == ':' || c == '_' || c == '.';
}

void append_escaped_byte(std::string& text, char c) {
  constexpr char kHex[] = "0123456789abcdef";
  const auto byte = static_cast<unsigned char>(c);
  text += "\\x";
  text += kHex[byte >> 4];
  text += kHex[byte & 0xf];
}

std::string hex64(std::uint64_t value) {
  constexpr char kHex[] = "0123456789abcdef";
  std::string text(16, '0');
  for (int i = 15; i >= 0; --i, value >>= 4)
    text[static_cast<std::size_t>(i)] = kHex[value & 0xf];
  return text;
}

std::uint64_t fnv1a64(std::string_view text) {
  std::uint64_t hash = 0xcbf29ce484222325ull;
  for (char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ull;
  }
  return hash;
}

// The longest start of ESCAPED within LIMIT bytes that does not split a "\xNN".
std::string_view cut_escaped(std::string_view escaped, std::size_t limit) {
  std::size_t end = std::min(limit, escaped.size());
  const std::size_t backslash = escaped.rfind('\\', end == 0 ? 0 : end - 1);
  if (backslash != std::string_view::npos && backslash + 4 > end)
    end = backslash;
  return escaped.substr(0, end);
}

}  // namespace

void check_map_name(std::string_view name) {
  validate_map_name(name);
  // validate_map_name's characters have no '/'; the store depends on it, so it checks itself.
  if (name.find('/') != std::string_view::npos)
    throw Error(ErrorKind::InvalidName, "map name " + shown(name) + " has a '/'");
  if (name.starts_with('.')) {
    throw Error(ErrorKind::InvalidName,
                "map name " + shown(name) +
                    " starts with '.', which mapperd keeps for its own temporary files");
  }
}

std::string map_file_name(std::string_view name) {
  check_map_name(name);
  return std::string(name) + std::string(kJsonSuffix);
}

std::string escape_path(std::string_view path) {
  const std::string what = "loop backing file " + shown(path);
  if (!path.starts_with('/'))
    throw Error(ErrorKind::InvalidArgument, what + " is not an absolute path");
  if (path.find('\0') != std::string_view::npos)
    throw Error(ErrorKind::InvalidArgument, what + " has a NUL byte");
  std::vector<std::string_view> components;
  for (std::size_t begin = 0; begin < path.size();) {
    std::size_t end = path.find('/', begin);
    if (end == std::string_view::npos)
      end = path.size();
    const std::string_view component = path.substr(begin, end - begin);
    if (component == "..")
      throw Error(ErrorKind::InvalidArgument, what + " has a '..' component");
    if (!component.empty() && component != ".")
      components.push_back(component);
    begin = end + 1;
  }
  if (components.empty())
    return "-";
  std::string escaped;
  for (std::string_view component : components) {
    if (!escaped.empty())
      escaped += '-';
    for (char c : component) {
      // systemd escapes a leading '.' so that no unit name is a dot file; we rely on the same.
      if (is_kept_by_escape(c) && !(escaped.empty() && c == '.'))
        escaped += c;
      else
        append_escaped_byte(escaped, c);
    }
  }
  return escaped;
}

std::string loop_file_name(const LoopBacking& backing) {
  const std::string escaped = escape_path(backing.file);
  const std::string tail = "@" + std::to_string(backing.offset) + std::string(kJsonSuffix);
  if (escaped.size() + tail.size() <= kMaxFileNameBytes)
    return escaped + tail;
  const std::string hash = kShortenedMark + hex64(fnv1a64(backing.file));
  return std::string(cut_escaped(escaped, kMaxFileNameBytes - tail.size() - hash.size())) + hash +
         tail;
}

std::string facts_file_name(std::string_view uuid) {
  try {
    validate_uuid(uuid);
  } catch (const Error& e) {
    throw Error(ErrorKind::InvalidName, e.what());
  }
  if (!uuid.starts_with(kOwnedUuidPrefix)) {
    throw Error(ErrorKind::InvalidName,
                "UUID " + shown(uuid) + " does not start with " + std::string(kOwnedUuidPrefix));
  }
  return std::string(uuid) + std::string(kJsonSuffix);
}

std::string intent_file_name(std::string_view id) {
  const std::string what = "operation id " + shown(id);
  if (id.empty())
    throw Error(ErrorKind::InvalidName, "operation id is empty");
  if (id.size() > kMaxIntentIdBytes) {
    throw Error(ErrorKind::InvalidName, "operation id is " + std::to_string(id.size()) +
                                            " bytes long; the limit is " +
                                            std::to_string(kMaxIntentIdBytes));
  }
  if (id.starts_with('.'))
    throw Error(ErrorKind::InvalidName, what + " starts with '.'");
  for (char c : id) {
    if (!is_ascii_alphanumeric(c) && c != '_' && c != '.' && c != ':' && c != '@' && c != '-') {
      throw Error(ErrorKind::InvalidName, what + " has a character outside [A-Za-z0-9_.:@-]");
    }
  }
  return std::string(id) + std::string(kJsonSuffix);
}

}  // namespace mapperd::store
