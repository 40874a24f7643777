#pragma once

#include <sys/types.h>

#include <string>

namespace mapperd::testing {

// A dbus-daemon of our own (session configuration, so no root policy is needed), started for a
// test and killed after it, so bus tests never touch the machine's buses.
class PrivateBus {
 public:
  // Who may connect: the user running the test (dbus-daemon's default), or anyone, for tests
  // that call mapperd as another user.
  enum class Callers { TestUser, AnyUser };

  // Throws std::runtime_error when dbus-daemon cannot be started.
  explicit PrivateBus(Callers callers = Callers::TestUser);
  ~PrivateBus();
  PrivateBus(const PrivateBus&) = delete;
  PrivateBus& operator=(const PrivateBus&) = delete;

  const std::string& address() const { return address_; }

 private:
  std::string address_;
  pid_t pid_ = -1;
};

}  // namespace mapperd::testing
