#include "loopdev/loop_sysfs.h"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <iterator>
#include <system_error>

#include "model/loop_index.h"

namespace mapperd {
namespace {

std::optional<std::string> read_text(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in)
    return std::nullopt;
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad())
    return std::nullopt;
  return strip_sysfs_newline(std::move(text));
}

std::optional<std::uint64_t> read_number(const std::filesystem::path& file) {
  const std::optional<std::string> text = read_text(file);
  if (!text || text->empty())
    return std::nullopt;
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (error != std::errc() || end != text->data() + text->size())
    return std::nullopt;
  return value;
}

std::optional<bool> read_flag(const std::filesystem::path& file) {
  const std::optional<std::uint64_t> value = read_number(file);
  if (!value || *value > 1)
    return std::nullopt;
  return *value == 1;
}

}  // namespace

std::string strip_sysfs_newline(std::string text) {
  if (!text.empty() && text.back() == '\n')
    text.pop_back();
  return text;
}

std::optional<LoopSysfsEntry> read_loop_sysfs(const std::filesystem::path& block_dir) {
  LoopSysfsEntry entry;
  const std::optional<std::uint32_t> index = parse_loop_index(block_dir.filename().string());
  if (!index)
    return std::nullopt;
  entry.index = *index;

  const std::filesystem::path loop = block_dir / "loop";
  std::optional<std::string> backing = read_text(loop / "backing_file");
  if (!backing || backing->empty())
    return std::nullopt;
  entry.backing_file = std::move(*backing);

  const std::optional<std::string> dev = read_text(block_dir / "dev");
  const std::optional<DeviceNumber> number = dev ? DeviceNumber::parse(*dev) : std::nullopt;
  const std::optional<std::uint64_t> offset = read_number(loop / "offset");
  const std::optional<std::uint64_t> size_limit = read_number(loop / "sizelimit");
  const std::optional<bool> autoclear = read_flag(loop / "autoclear");
  const std::optional<bool> partscan = read_flag(loop / "partscan");
  const std::optional<bool> read_only = read_flag(block_dir / "ro");
  if (!number || !offset || !size_limit || !autoclear || !partscan || !read_only)
    return std::nullopt;
  entry.number = *number;
  entry.offset = *offset;
  entry.size_limit = *size_limit;
  entry.autoclear = *autoclear;
  entry.partscan = *partscan;
  entry.read_only = *read_only;
  return entry;
}

std::vector<LoopSysfsEntry> read_bound_loops(const std::filesystem::path& sysfs) {
  std::vector<LoopSysfsEntry> bound;
  std::error_code error;
  std::filesystem::directory_iterator entry(sysfs / "block", error);
  for (; !error && entry != std::filesystem::directory_iterator(); entry.increment(error)) {
    if (std::optional<LoopSysfsEntry> loop = read_loop_sysfs(entry->path()))
      bound.push_back(std::move(*loop));
  }
  std::sort(bound.begin(), bound.end(),
            [](const LoopSysfsEntry& a, const LoopSysfsEntry& b) { return a.index < b.index; });
  return bound;
}

}  // namespace mapperd
