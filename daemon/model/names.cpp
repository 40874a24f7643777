#include "names.h"

#include <array>
#include <random>

#include "error.h"
#include "quoted.h"

namespace mapperd {
namespace {

// The characters udev and dmsetup pass through unmangled; anything else would be escaped in
// /dev/mapper and could not be named back.
bool is_name_character(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '#' ||
         c == '+' || c == '-' || c == '.' || c == ':' || c == '=' || c == '@' || c == '_';
}

// Empty when `text` is 1..max_bytes of name characters, else why not. `what` is "map name" or
// "UUID".
std::string charset_problem(std::string_view what, std::string_view text, std::size_t max_bytes) {
  if (text.empty())
    return std::string(what) + " is empty";
  if (text.size() > max_bytes) {
    return std::string(what) + " " + quoted(text) + " is " + std::to_string(text.size()) +
           " bytes long; the limit is " + std::to_string(max_bytes);
  }
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (!is_name_character(text[i])) {
      return std::string(what) + " " + quoted(text) + ": character " + describe_byte(text[i]) +
             " at byte " + std::to_string(i + 1) +
             " is not allowed (only A-Z a-z 0-9 and # + - . : = @ _)";
    }
  }
  return {};
}

std::string random_hex_digits(std::size_t count) {
  static constexpr std::array<char, 16> kHexDigits = {'0', '1', '2', '3', '4', '5', '6', '7',
                                                      '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'};
  std::random_device random;
  std::uniform_int_distribution<std::size_t> digit(0, kHexDigits.size() - 1);
  std::string result;
  for (std::size_t i = 0; i < count; ++i)
    result += kHexDigits[digit(random)];
  return result;
}

}  // namespace

void validate_map_name(std::string_view name) {
  if (std::string problem = charset_problem("map name", name, kMaxNameBytes); !problem.empty()) {
    throw Error(ErrorKind::InvalidName, problem);
  }
  // dmsetup and our own client would read a leading '-' as an option.
  if (name.front() == '-') {
    throw Error(ErrorKind::InvalidName, "map name " + quoted(name) + " starts with '-'");
  }
  if (name == "." || name == ".." || name == "control") {
    throw Error(ErrorKind::InvalidName, "map name " + quoted(name) +
                                            " is reserved (it would shadow /dev/mapper/" +
                                            std::string(name) + ")");
  }
}

void validate_uuid(std::string_view uuid) {
  if (std::string problem = charset_problem("UUID", uuid, kMaxUuidBytes); !problem.empty()) {
    throw Error(ErrorKind::InvalidArgument, problem);
  }
}

std::string owned_uuid(std::string_view caller_uuid) {
  // 128 random bits, the same strength as a random RFC 4122 UUID.
  if (caller_uuid.empty())
    return std::string(kOwnedUuidPrefix) + random_hex_digits(32);
  validate_uuid(caller_uuid);
  if (caller_uuid.starts_with(kOwnedUuidPrefix))
    return std::string(caller_uuid);
  std::string uuid = std::string(kOwnedUuidPrefix) + std::string(caller_uuid);
  if (uuid.size() > kMaxUuidBytes) {
    throw Error(ErrorKind::InvalidArgument,
                "UUID " + quoted(caller_uuid) + " is " + std::to_string(caller_uuid.size()) +
                    " bytes long; with the " + std::string(kOwnedUuidPrefix) +
                    " prefix it would be " + std::to_string(uuid.size()) + ", past the limit of " +
                    std::to_string(kMaxUuidBytes));
  }
  return uuid;
}

MapOwner owner_of(std::string_view uuid) {
  if (uuid.starts_with(kOwnedUuidPrefix))
    return MapOwner::Mapperd;
  if (uuid.starts_with("LVM-"))
    return MapOwner::Lvm;
  if (uuid.starts_with("CRYPT-"))
    return MapOwner::Cryptsetup;
  return MapOwner::Other;
}

}  // namespace mapperd
