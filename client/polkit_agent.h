#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>

namespace mapperctl {

// A text-mode polkit agent for the length of one mapperctl run, as systemctl starts one: when an
// action needs the user to authenticate and no agent of the session answers (an ssh login, a
// console), polkit asks this one, which prompts on the terminal. pkttyagent is started with
// --fallback, so a desktop session's own agent still wins.
//
// Started only where someone can answer and it can help: see wanted().
class PolkitAgent {
 public:
  // The agent's binary, as Debian's polkitd installs it.
  static constexpr const char* kDefaultPath = "/usr/bin/pkttyagent";

  // Whether a run should have one: interactive authorization allowed (no --no-ask-password), a
  // terminal on stdin to read the answer from, the local bus (a remote host's polkit cannot ask
  // an agent here), and not root (polkit asks root nothing).
  static bool wanted(bool interactive_allowed, bool stdin_is_terminal, bool remote, uid_t uid);

  PolkitAgent() = default;
  ~PolkitAgent();
  PolkitAgent(const PolkitAgent&) = delete;
  PolkitAgent& operator=(const PolkitAgent&) = delete;

  // Starts `path` (--notify-fd N --fallback) and waits, at most `wait`, for it to say it is
  // registered (it closes N). True when it runs; false when it cannot be started (not installed),
  // and mapperctl goes on without it, as systemctl does. Does nothing the second time.
  bool start(const std::string& path = kDefaultPath,
             std::chrono::milliseconds wait = std::chrono::seconds(5));
  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
};

}  // namespace mapperctl
