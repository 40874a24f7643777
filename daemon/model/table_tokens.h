#pragma once
// Internal to the model: cutting table text into lines and words, and reading its numbers.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mapperd {

// One line of a table that holds a segment, cut into words.
struct TableLine {
  std::uint32_t number = 0;  // 1-based, counting blank and comment lines too
  std::vector<std::string_view> words;
};

// The lines of `text` that describe segments. Words are separated by spaces and tabs, as dmsetup
// reads them; blank lines and lines whose first word starts with '#' are skipped.
std::vector<TableLine> segment_lines(std::string_view text);

// `word` as a plain decimal number (digits only, no sign) that fits in 64 bits; nothing
// otherwise, with `why` saying what is wrong.
std::optional<std::uint64_t> parse_decimal(std::string_view word, std::string& why);

}  // namespace mapperd
