#include "kernel_report.h"

#include <charconv>

namespace mapperd {
namespace {

std::string line_text(const TargetLine& line, std::string_view params) {
  // dmsetup prints "%s %s" for type and parameters, so a target without parameters keeps the
  // space after its type ("0 8 zero "): so do we, to show the same bytes.
  return to_string(line.start) + " " + to_string(line.length) + " " + line.type + " " +
         std::string(params) + "\n";
}

void mask_word(std::string& text, std::size_t begin, std::size_t end) {
  for (std::size_t i = begin; i < end; ++i)
    text[i] = '0';
}

// crypt <cipher> <key> <iv_offset> ...: the key is the second word.
std::string mask_crypt(std::string params) {
  std::size_t key_begin = params.find(' ');
  if (key_begin == std::string::npos)
    return params;
  ++key_begin;
  std::size_t key_end = params.find(' ', key_begin);
  if (key_end == std::string::npos)
    key_end = params.size();
  const std::string_view key(params.data() + key_begin, key_end - key_begin);
  // ":32:logon:cryptsetup:..." names a kernel keyring entry and "-" means no key: neither
  // carries key material, and dmsetup shows both as they are.
  if (key.empty() || key.front() == ':' || key == "-")
    return params;
  mask_word(params, key_begin, key_end);
  return params;
}

// integrity ... internal_hash:<alg>[:<key>] journal_crypt:<alg>[:<key>] journal_mac:<alg>[:<key>]
std::string mask_integrity(std::string params) {
  static constexpr std::string_view kKeyedOptions[] = {
      "internal_hash:", "journal_crypt:", "journal_mac:"};
  std::size_t word_begin = 0;
  while (word_begin < params.size()) {
    std::size_t word_end = params.find(' ', word_begin);
    if (word_end == std::string::npos)
      word_end = params.size();
    const std::string_view word(params.data() + word_begin, word_end - word_begin);
    for (std::string_view option : kKeyedOptions) {
      if (!word.starts_with(option))
        continue;
      const std::size_t key_colon = word.find(':', option.size());
      if (key_colon != std::string_view::npos) {
        mask_word(params, word_begin + key_colon + 1, word_end);
      }
    }
    word_begin = word_end + 1;
  }
  return params;
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

std::string mask_key_material(std::string_view type, std::string_view params) {
  if (type == "crypt")
    return mask_crypt(std::string(params));
  if (type == "integrity")
    return mask_integrity(std::string(params));
  return std::string(params);
}

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
