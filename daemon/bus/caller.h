#pragma once

#include <cstdint>
#include <string>

namespace sdbus {
class IObject;
}

namespace mapperd::bus {

// The kernel's "no uid" ((uid_t)-1): what a Caller's uid is until the bus says otherwise.
inline constexpr std::uint32_t kUnknownUid = static_cast<std::uint32_t>(-1);

// Who sent the method call being handled.
struct Caller {
  // The unique bus name, ":1.42".
  std::string sender;
  // Fail-closed: a Caller nobody filled in is nobody, never root; authorization refuses it.
  std::uint32_t uid = kUnknownUid;

  // ":1.42 (uid 1000)": for logs (MAPPERD_CALLER=) and messages.
  std::string describe() const;
};

// The sender of the call `object` is handling right now, with its uid from the bus (credentials
// the bus daemon vouches for, never what the caller claims). Only valid inside a handler, before
// it returns. Throws sdbus::Error when the bus cannot say.
Caller current_caller(const sdbus::IObject& object);

}  // namespace mapperd::bus
