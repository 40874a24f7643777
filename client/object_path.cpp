#include "object_path.h"

#include <charconv>

namespace mapperctl {
namespace {

bool is_ascii_letter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_ascii_digit(char c) {
  return c >= '0' && c <= '9';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

// A decimal number in its one spelling: digits, no sign, no leading zero (but "0" itself).
std::optional<std::uint32_t> canonical_number(std::string_view digits) {
  if (digits.empty() || (digits.size() > 1 && digits.front() == '0'))
    return std::nullopt;
  std::uint32_t value = 0;
  const char* end = digits.data() + digits.size();
  const auto [ptr, error] = std::from_chars(digits.data(), end, value);
  if (error != std::errc() || ptr != end)
    return std::nullopt;
  return value;
}

}  // namespace

std::string map_object_path(std::string_view name) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string path = std::string(kMapPathPrefix) + "/";
  if (name.empty())
    return path + "_";
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    // As systemd's bus_label_escape(): a leading digit is escaped too, so the element never
    // starts with one.
    if (is_ascii_letter(c) || (i > 0 && is_ascii_digit(c))) {
      path += c;
    } else {
      const auto byte = static_cast<unsigned char>(c);
      path += '_';
      path += kHex[byte >> 4];
      path += kHex[byte & 0xf];
    }
  }
  return path;
}

std::optional<std::string> map_name_from_path(std::string_view path) {
  const std::string prefix = std::string(kMapPathPrefix) + "/";
  if (!path.starts_with(prefix))
    return std::nullopt;
  const std::string_view label = path.substr(prefix.size());
  if (label.empty() || label.find('/') != std::string_view::npos)
    return std::nullopt;
  if (label == "_")
    return std::string();
  std::string name;
  for (std::size_t i = 0; i < label.size(); ++i) {
    if (label[i] != '_') {
      name += label[i];
      continue;
    }
    if (i + 2 >= label.size())
      return std::nullopt;
    const int high = hex_value(label[i + 1]);
    const int low = hex_value(label[i + 2]);
    if (high < 0 || low < 0)
      return std::nullopt;
    name += static_cast<char>(high * 16 + low);
    i += 2;
  }
  return name;
}

std::string loop_object_path(std::uint32_t index) {
  return std::string(kLoopPathPrefix) + "/" + std::to_string(index);
}

std::optional<std::uint32_t> loop_index_from_path(std::string_view path) {
  const std::string prefix = std::string(kLoopPathPrefix) + "/";
  if (!path.starts_with(prefix))
    return std::nullopt;
  return canonical_number(path.substr(prefix.size()));
}

std::optional<std::uint32_t> parse_loop_device(std::string_view text) {
  if (text.starts_with("/dev/"))
    text.remove_prefix(5);
  if (text.starts_with("loop"))
    text.remove_prefix(4);
  return canonical_number(text);
}

}  // namespace mapperctl
