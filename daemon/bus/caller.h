#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>

namespace sdbus {
class IObject;
class Message;
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

// The uid of each sender seen on one bus connection, so that a call costs no round trip to the
// bus daemon: sd-bus asks it (GetConnectionCredentials, a blocking call on the main thread)
// whenever a message carries no credentials, which on dbus-daemon is always. A bus never gives a
// unique name to another connection, and a connection's uid cannot change, so an entry never
// goes stale; the table is only bounded (emptied when full, then filled again as calls come).
// Used on the connection's thread only.
class SenderUids {
 public:
  static constexpr std::size_t kMaxSenders = 4096;
  // The uid of `message`'s sender, from the bus the first time. Throws sdbus::Error when the bus
  // cannot say.
  std::uint32_t uid_of(const sdbus::Message& message);

 private:
  std::unordered_map<std::string, std::uint32_t> uids_;
};

// The sender of the call `object` is handling right now, with its uid from the bus (credentials
// the bus daemon vouches for, never what the caller claims), as `uids` knows it. Only valid
// inside a handler, before it returns. Throws sdbus::Error when the bus cannot say.
Caller current_caller(const sdbus::IObject& object, SenderUids& uids);

}  // namespace mapperd::bus
