#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mapperd {

// A block device's number, as the kernel prints it in tables ("7:1").
struct DeviceNumber {
  std::uint32_t major = 0;
  std::uint32_t minor = 0;

  friend constexpr auto operator<=>(const DeviceNumber&, const DeviceNumber&) = default;

  std::string to_string() const;
  // "MAJOR:MINOR" in decimal within the kernel's ranges (12-bit major, 20-bit minor).
  static std::optional<DeviceNumber> parse(std::string_view text);
};

// A device as a table names it: "MAJOR:MINOR" or an absolute path under /dev. Nothing else is
// accepted, so no argument can smuggle extra words into the kernel's parser.
class DeviceRef {
 public:
  // Nothing when `text` is neither form; `why` (if given) then says what is wrong with it.
  static std::optional<DeviceRef> parse(std::string_view text, std::string* why = nullptr);
  static DeviceRef of(DeviceNumber number);

  bool is_number() const { return number_.has_value(); }
  // Only for is_number().
  DeviceNumber number() const { return *number_; }
  // The text as written: "7:1" or "/dev/loop1".
  const std::string& text() const { return text_; }

  friend bool operator==(const DeviceRef&, const DeviceRef&) = default;

 private:
  DeviceRef(std::string text, std::optional<DeviceNumber> number)
      : text_(std::move(text)), number_(number) {}

  std::string text_;
  std::optional<DeviceNumber> number_;
};

}  // namespace mapperd
