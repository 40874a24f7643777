#pragma once

#include <cstdint>
#include <string>

namespace sdbus {
class IObject;
}

namespace mapperd::bus {

// Who sent the method call being handled.
struct Caller {
  // The unique bus name, ":1.42".
  std::string sender;
  std::uint32_t uid = 0;

  // ":1.42 (uid 1000)": for logs (MAPPERD_CALLER=) and messages.
  std::string describe() const;
};

// The sender of the call `object` is handling right now, with its uid from the bus (credentials
// the bus daemon vouches for, never what the caller claims). Only valid inside a handler, before
// it returns. Throws sdbus::Error when the bus cannot say.
Caller current_caller(const sdbus::IObject& object);

}  // namespace mapperd::bus
