#include "private_bus.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <stdexcept>

namespace mapperd::testing {
namespace {

// The session configuration, with every user allowed to connect (by default only the bus's own
// user may).
constexpr const char* kAnyUserConfig = R"(<!DOCTYPE busconfig PUBLIC
 "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir=/tmp</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
)";

}  // namespace

PrivateBus::PrivateBus(Callers callers) {
  std::string command = "dbus-daemon --session --fork --print-address=1 --print-pid=1";
  std::string config_file;
  if (callers == Callers::AnyUser) {
    char pattern[] = "/tmp/mapperd-bus-config-XXXXXX";
    const int fd = ::mkstemp(pattern);
    if (fd < 0)
      throw std::runtime_error("cannot write a dbus-daemon configuration");
    ::close(fd);
    config_file = pattern;
    std::ofstream(config_file) << kAnyUserConfig;
    command =
        "dbus-daemon --config-file=" + config_file + " --fork --print-address=1 --print-pid=1";
  }
  // --fork returns once the daemon listens; it prints the address and then the pid.
  FILE* out = ::popen(command.c_str(), "r");
  if (out == nullptr)
    throw std::runtime_error("cannot run dbus-daemon");
  char address[1024] = {};
  char pid[64] = {};
  const bool read = std::fgets(address, sizeof address, out) && std::fgets(pid, sizeof pid, out);
  ::pclose(out);
  // Read at start; the daemon does not need it any more.
  if (!config_file.empty())
    ::unlink(config_file.c_str());
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
