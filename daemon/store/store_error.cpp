#include "store/store_error.h"

#include <cstring>

namespace mapperd::store {

std::string shown(std::string_view text) {
  constexpr std::size_t kMaxShownBytes = 200;
  constexpr char kHex[] = "0123456789abcdef";
  std::string result = "'";
  for (std::size_t i = 0; i < text.size() && i < kMaxShownBytes; ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x20 || byte > 0x7e || byte == '\\' || byte == '\'') {
      result += "\\x";
      result += kHex[byte >> 4];
      result += kHex[byte & 0xf];
    } else {
      result += static_cast<char>(byte);
    }
  }
  result += "'";
  if (text.size() > kMaxShownBytes)
    result += "...";
  return result;
}

std::string errno_text(int error_number) {
  // strerrorname_np: glibc >= 2.32; nullptr for a number it does not know.
  const char* name = strerrorname_np(error_number);
  std::string text = name != nullptr ? std::string(name) : "errno " + std::to_string(error_number);
  return text + ": " + std::strerror(error_number);
}

Error store_error(std::string_view action, const std::filesystem::path& path, std::string_view step,
                  int error_number) {
  std::string message = std::string(action) + " " + path.string() + ": ";
  if (!step.empty())
    message.append(step).append(": ");
  message += errno_text(error_number);
  return Error(ErrorKind::Store, message, error_number);
}

}  // namespace mapperd::store
