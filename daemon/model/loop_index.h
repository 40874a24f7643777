#pragma once

#include <charconv>
#include <cstdint>
#include <optional>
#include <string_view>

namespace mapperd {

// "12" -> 12: a loop device's index as /dev/loopN and the bus's .../loop/N spell it, one
// canonical way (decimal, no sign, no leading zero). Nothing for anything else.
inline std::optional<std::uint32_t> parse_loop_index_digits(std::string_view digits) {
  if (digits.empty() || (digits.size() > 1 && digits.front() == '0'))
    return std::nullopt;
  std::uint32_t index = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), index);
  if (error != std::errc() || end != digits.data() + digits.size())
    return std::nullopt;
  return index;
}

// N of a loop device's name "loopN" (decimal, no sign, no leading zero); nothing for any other
// name ("loop", "loop0p1", "loop-control", "sda").
inline std::optional<std::uint32_t> parse_loop_index(std::string_view name) {
  constexpr std::string_view kPrefix = "loop";
  if (!name.starts_with(kPrefix))
    return std::nullopt;
  return parse_loop_index_digits(name.substr(kPrefix.size()));
}

}  // namespace mapperd
