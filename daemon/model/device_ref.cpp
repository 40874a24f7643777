#include "device_ref.h"

#include <charconv>
#include <cstddef>

#include "kernel_argument.h"
#include "quoted.h"

namespace mapperd {
namespace {

// The kernel's dev_t: 12 bits of major, 20 bits of minor (MINORBITS).
constexpr std::uint32_t kMajorLimit = 1u << 12;
constexpr std::uint32_t kMinorLimit = 1u << 20;

// Long enough for any real device path; what the kernel accepts as a path (PATH_MAX - 1).
constexpr std::size_t kMaxPathBytes = 4095;

constexpr std::string_view kDevPrefix = "/dev/";

bool all_digits(std::string_view text) {
  for (char c : text) {
    if (c < '0' || c > '9')
      return false;
  }
  return !text.empty();
}

// One part of "MAJOR:MINOR": a plain decimal below `limit`. Empty when it is one, else why not.
std::string number_part_problem(std::string_view part, std::string_view what, std::uint32_t limit,
                                std::uint32_t& value) {
  if (part.empty())
    return std::string(what) + " is empty";
  if (!all_digits(part))
    return std::string(what) + " " + quoted(part) + " is not a decimal number";
  const auto [end, error] = std::from_chars(part.data(), part.data() + part.size(), value);
  if (error != std::errc() || end != part.data() + part.size() || value >= limit) {
    return std::string(what) + " " + std::string(part) + " is out of range (0.." +
           std::to_string(limit - 1) + ")";
  }
  return {};
}

// Empty when `text` is a valid "MAJOR:MINOR", else why not.
std::string device_number_problem(std::string_view text, DeviceNumber& number) {
  const std::size_t colon = text.find(':');
  if (colon == std::string_view::npos)
    return "no ':' between major and minor";
  if (text.find(':', colon + 1) != std::string_view::npos)
    return "more than one ':'";
  std::string problem =
      number_part_problem(text.substr(0, colon), "major", kMajorLimit, number.major);
  if (problem.empty()) {
    problem = number_part_problem(text.substr(colon + 1), "minor", kMinorLimit, number.minor);
  }
  return problem;
}

bool has_dot_dot_component(std::string_view path) {
  std::size_t begin = 0;
  while (begin <= path.size()) {
    std::size_t end = path.find('/', begin);
    if (end == std::string_view::npos)
      end = path.size();
    if (path.substr(begin, end - begin) == "..")
      return true;
    begin = end + 1;
  }
  return false;
}

// Empty when `text` is an acceptable device path, else why not.
std::string device_path_problem(std::string_view text) {
  if (!text.starts_with(kDevPrefix))
    return "path " + quoted(text) + " is not under /dev/";
  if (text.size() == kDevPrefix.size())
    return "path " + quoted(text) + " names no device";
  if (text.size() > kMaxPathBytes) {
    return "path is " + std::to_string(text.size()) + " bytes long; the limit is " +
           std::to_string(kMaxPathBytes);
  }
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (!is_plain_argument_byte(text[i])) {
      return "path " + quoted(text) + ": character " + describe_byte(text[i]) + " at byte " +
             std::to_string(i + 1) +
             " is not allowed (only printable ASCII without spaces or backslashes)";
    }
  }
  // /dev/../tmp/file would name a file outside /dev.
  if (has_dot_dot_component(text))
    return "path " + quoted(text) + " has a '..' component";
  return {};
}

}  // namespace

std::string DeviceNumber::to_string() const {
  return std::to_string(major) + ":" + std::to_string(minor);
}

std::optional<DeviceNumber> DeviceNumber::parse(std::string_view text) {
  DeviceNumber number;
  if (!device_number_problem(text, number).empty())
    return std::nullopt;
  return number;
}

std::optional<DeviceRef> DeviceRef::parse(std::string_view text, std::string* why) {
  std::string problem;
  if (text.empty()) {
    problem = "device is empty";
  } else if (text.front() == '/') {
    problem = device_path_problem(text);
    if (problem.empty())
      return DeviceRef(std::string(text), std::nullopt);
  } else if (text.find(':') != std::string_view::npos) {
    DeviceNumber number;
    problem = device_number_problem(text, number);
    if (problem.empty())
      return DeviceRef::of(number);
    problem = quoted(text) + ": " + problem;
  } else {
    problem = quoted(text) + " is neither MAJOR:MINOR nor an absolute path under /dev/";
  }
  if (why != nullptr)
    *why = std::move(problem);
  return std::nullopt;
}

DeviceRef DeviceRef::of(DeviceNumber number) {
  return DeviceRef(number.to_string(), number);
}

}  // namespace mapperd
