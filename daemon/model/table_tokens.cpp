#include "table_tokens.h"

#include <charconv>

#include "quoted.h"

namespace mapperd {
namespace {

bool is_separator(char c) {
  return c == ' ' || c == '\t';
}

std::vector<std::string_view> split_words(std::string_view line) {
  std::vector<std::string_view> words;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && is_separator(line[i]))
      ++i;
    const std::size_t begin = i;
    while (i < line.size() && !is_separator(line[i]))
      ++i;
    if (i > begin)
      words.push_back(line.substr(begin, i - begin));
  }
  return words;
}

}  // namespace

std::vector<TableLine> segment_lines(std::string_view text) {
  std::vector<TableLine> lines;
  std::uint32_t number = 0;
  std::size_t begin = 0;
  while (begin < text.size()) {
    std::size_t end = text.find('\n', begin);
    if (end == std::string_view::npos)
      end = text.size();
    ++number;
    std::vector<std::string_view> words = split_words(text.substr(begin, end - begin));
    if (!words.empty() && !words.front().starts_with('#')) {
      lines.push_back(TableLine{number, std::move(words)});
    }
    begin = end + 1;
  }
  return lines;
}

std::optional<std::uint64_t> parse_decimal(std::string_view word, std::string& why) {
  // Digits only: no sign, no space, no "0x", and not just a numeric prefix of the word.
  for (char c : word) {
    if (c < '0' || c > '9') {
      why = quoted(word) + " is not a plain decimal number";
      return std::nullopt;
    }
  }
  if (word.empty()) {
    why = "the number is empty";
    return std::nullopt;
  }
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(word.data(), word.data() + word.size(), value);
  if (error != std::errc() || end != word.data() + word.size()) {
    why = quoted(word) + " does not fit in 64 bits";
    return std::nullopt;
  }
  return value;
}

}  // namespace mapperd
