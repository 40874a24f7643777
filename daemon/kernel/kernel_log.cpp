#include "kernel/kernel_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <charconv>

namespace mapperd {
namespace {

constexpr std::string_view kDeviceMapperPrefix = "device-mapper:";

template <class Number>
bool read_field(std::string_view& text, char separator, Number& value) {
  const std::size_t end = text.find(separator);
  if (end == std::string_view::npos || end == 0)
    return false;
  const auto [stop, error] = std::from_chars(text.data(), text.data() + end, value);
  if (error != std::errc() || stop != text.data() + end)
    return false;
  text.remove_prefix(end + 1);
  return true;
}

}  // namespace

std::optional<KmsgRecord> parse_kmsg_record(std::string_view raw) {
  const std::size_t semicolon = raw.find(';');
  if (semicolon == std::string_view::npos)
    return std::nullopt;
  std::string_view prefix = raw.substr(0, semicolon + 1);
  std::string_view text = raw.substr(semicolon + 1);

  // The prefix is comma-separated; fields after the fourth may be added by later kernels.
  KmsgRecord record;
  unsigned priority = 0;
  std::uint64_t microseconds = 0;
  if (!read_field(prefix, ',', priority) || !read_field(prefix, ',', record.sequence)) {
    return std::nullopt;
  }
  const char after_time = prefix.find(',') < prefix.find(';') ? ',' : ';';
  if (!read_field(prefix, after_time, microseconds))
    return std::nullopt;
  record.level = static_cast<int>(priority & 7U);  // the facility sits above the level bits

  // The message ends at the first newline; " KEY=value" lines may follow.
  const std::size_t newline = text.find('\n');
  record.message = std::string(text.substr(0, newline));
  return record;
}

std::vector<std::string> about_device(const std::vector<std::string>& messages,
                                      DeviceNumber device) {
  // dm_device_name() is "MAJOR:MINOR"; the table code prints it followed by ':'.
  const std::string name = device.to_string() + ":";
  std::vector<std::string> mentioning;
  for (const std::string& message : messages) {
    if (message.find(" " + name) != std::string::npos)
      mentioning.push_back(message);
  }
  return mentioning.empty() ? messages : mentioning;
}

KernelLogCursor::KernelLogCursor(const std::filesystem::path& path)
    : fd_(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC)) {
  // SEEK_END on /dev/kmsg moves to the record after the newest one: what follows is new.
  if (fd_ >= 0 && ::lseek(fd_, 0, SEEK_END) < 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

KernelLogCursor::~KernelLogCursor() {
  if (fd_ >= 0)
    ::close(fd_);
}

std::vector<std::string> KernelLogCursor::device_mapper_messages() {
  std::vector<std::string> messages;
  if (fd_ < 0)
    return messages;
  // Each read() returns exactly one record; 8 KiB holds the longest one the kernel makes.
  std::array<char, 8192> buffer{};
  for (;;) {
    const ssize_t n = ::read(fd_, buffer.data(), buffer.size());
    if (n < 0) {
      if (errno == EINTR)
        continue;
      // EPIPE: records were overwritten before we read them; the next read goes on after them.
      if (errno == EPIPE)
        continue;
      break;  // EAGAIN: nothing newer
    }
    if (n == 0)
      break;
    const std::optional<KmsgRecord> record =
        parse_kmsg_record(std::string_view(buffer.data(), static_cast<std::size_t>(n)));
    if (record && record->message.starts_with(kDeviceMapperPrefix)) {
      messages.push_back(record->message);
    }
  }
  return messages;
}

}  // namespace mapperd
