#include "polkit_agent.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <string>

namespace mapperctl {

bool PolkitAgent::wanted(bool interactive_allowed, bool stdin_is_terminal, bool remote,
                         uid_t uid) {
  return interactive_allowed && stdin_is_terminal && !remote && uid != 0;
}

PolkitAgent::~PolkitAgent() {
  if (pid_ <= 0)
    return;
  ::kill(pid_, SIGTERM);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
}

bool PolkitAgent::start(const std::string& path, std::chrono::milliseconds wait) {
  if (pid_ > 0)
    return true;
  if (::access(path.c_str(), X_OK) != 0)
    return false;
  int notify[2];
  if (::pipe2(notify, O_CLOEXEC) != 0)
    return false;
  const std::string notify_fd = std::to_string(notify[1]);
  const pid_t child = ::fork();
  if (child < 0) {
    ::close(notify[0]);
    ::close(notify[1]);
    return false;
  }
  if (child == 0) {
    // The write end is the one descriptor the agent inherits beyond the terminal's three.
    ::close(notify[0]);
    const int flags = ::fcntl(notify[1], F_GETFD);
    ::fcntl(notify[1], F_SETFD, flags & ~FD_CLOEXEC);
    ::execl(path.c_str(), path.c_str(), "--notify-fd", notify_fd.c_str(), "--fallback",
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(notify[1]);
  pid_ = child;
  // Registered once it closes its end (or exits): then polkit knows where to ask.
  pollfd ready{notify[0], POLLIN, 0};
  while (::poll(&ready, 1, static_cast<int>(wait.count())) < 0 && errno == EINTR) {
  }
  ::close(notify[0]);
  return true;
}

}  // namespace mapperctl
