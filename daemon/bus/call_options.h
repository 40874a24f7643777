#pragma once

#include <sdbus-c++/Types.h>

#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mapperd::bus {

// The D-Bus type an option must have.
enum class OptionType { Boolean, String, UInt32, UInt64, UInt32Array };

// The D-Bus signature a value of `type` must have: "b", "s", "u", "t" or "au".
std::string_view signature_of(OptionType type);

struct OptionSpec {
  std::string_view key;
  OptionType type;
};

// Every method accepts this one (a boolean): polkit must not ask the user (issue 4 uses it).
inline constexpr std::string_view kNoUserInteraction = "auth.no_user_interaction";

// A method's a{sv} options, checked against what the method accepts.
class CallOptions {
 public:
  // Throws mapperd::Error(InvalidArgument) for a key neither in `accepted` nor
  // auth.no_user_interaction, and for a value of another type than its spec says, naming the key,
  // the type sent and the type expected.
  static CallOptions read(const std::map<std::string, sdbus::Variant>& options,
                          std::initializer_list<OptionSpec> accepted = {});

  // The value sent for `key`, or `fallback` when it was not sent. The key must be accepted with
  // that type.
  bool flag(std::string_view key, bool fallback = false) const;
  std::optional<std::string> text(std::string_view key) const;
  std::optional<std::uint64_t> number(std::string_view key) const;
  std::optional<std::uint32_t> number32(std::string_view key) const;
  std::optional<std::vector<std::uint32_t>> numbers32(std::string_view key) const;

  // auth.no_user_interaction, false when not sent.
  bool no_user_interaction() const { return flag(kNoUserInteraction); }

 private:
  std::map<std::string, sdbus::Variant, std::less<>> values_;
};

}  // namespace mapperd::bus
