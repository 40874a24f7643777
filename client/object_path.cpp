#include "object_path.h"

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

}  // namespace mapperctl
