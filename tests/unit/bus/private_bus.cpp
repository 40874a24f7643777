#include "private_bus.h"

#include <signal.h>
#include <sys/wait.h>

#include <cstdio>
#include <stdexcept>

namespace mapperd::testing {

PrivateBus::PrivateBus() {
  // --fork returns once the daemon listens; it prints the address and then the pid.
  FILE* out = ::popen("dbus-daemon --session --fork --print-address=1 --print-pid=1", "r");
  if (out == nullptr)
    throw std::runtime_error("cannot run dbus-daemon");
  char address[1024] = {};
  char pid[64] = {};
  const bool read = std::fgets(address, sizeof address, out) && std::fgets(pid, sizeof pid, out);
  ::pclose(out);
  if (!read)
    throw std::runtime_error("dbus-daemon printed no address (is dbus-daemon installed?)");
  address_ = address;
  address_.erase(address_.find_last_not_of('\n') + 1);
  pid_ = static_cast<pid_t>(std::stol(pid));
}

PrivateBus::~PrivateBus() {
  if (pid_ > 0)
    ::kill(pid_, SIGTERM);
}

}  // namespace mapperd::testing
