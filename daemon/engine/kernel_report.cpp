#include "kernel_report.h"

#include <charconv>

#include "model/key_masking.h"

namespace mapperd {
namespace {

std::string line_text(const TargetLine& line, std::string_view params) {
  // dmsetup prints "%s %s" for type and parameters, so a target without parameters keeps the
  // space after its type ("0 8 zero "): so do we, to show the same bytes.
  return to_string(line.start) + " " + to_string(line.length) + " " + line.type + " " +
         std::string(params) + "\n";
}

std::optional<std::uint64_t> parse_number(std::string_view text) {
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) {
    return std::nullopt;
  }
  return value;
}

}  // namespace

std::string format_kernel_table(const std::vector<TargetLine>& table) {
  std::string text;
  for (const TargetLine& line : table) {
    text += line_text(line, mask_key_material(line.type, line.params));
  }
  return text;
}

std::string format_status_lines(const std::vector<TargetLine>& status) {
  std::string text;
  for (const TargetLine& line : status)
    text += line_text(line, line.params);
  return text;
}

std::optional<SnapshotUsage> parse_snapshot_usage(std::string_view params) {
  if (params == "Invalid" || params == "Overflow") {
    SnapshotUsage usage;
    usage.invalid = true;
    return usage;
  }
  // "<allocated>/<total> <metadata>"
  const std::size_t slash = params.find('/');
  const std::size_t space = params.find(' ');
  if (slash == std::string_view::npos || space == std::string_view::npos || space < slash) {
    return std::nullopt;
  }
  const auto allocated = parse_number(params.substr(0, slash));
  const auto total = parse_number(params.substr(slash + 1, space - slash - 1));
  const auto metadata = parse_number(params.substr(space + 1));
  if (!allocated || !total || !metadata)
    return std::nullopt;
  return SnapshotUsage{Sectors(*allocated), Sectors(*total), Sectors(*metadata), false};
}

Sectors table_size(const std::vector<TargetLine>& table) {
  Sectors end;
  for (const TargetLine& line : table) {
    if (line.start + line.length > end)
      end = line.start + line.length;
  }
  return end;
}

std::string_view first_word(std::string_view params) {
  const std::size_t space = params.find(' ');
  return space == std::string_view::npos ? params : params.substr(0, space);
}

}  // namespace mapperd
