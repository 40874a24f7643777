#pragma once

#include <chrono>
#include <functional>
#include <vector>

namespace mapperd {

// The daemon's one event loop: poll() over every descriptor the main thread serves (the bus,
// the kernel thread's completions, signals), plus periodic ticks (the watchdog). Everything
// registered runs on the thread that calls run(). Not thread-safe.
class EventLoop {
 public:
  using Callback = std::function<void()>;

  // What a source wants polled this turn. timeout_ms: -1 for none.
  struct PollRequest {
    int fd = -1;
    short events = 0;
    int timeout_ms = -1;
  };

  // Calls `ready` whenever `fd` polls with any of `events`.
  void watch_fd(int fd, short events, Callback ready);
  // A source whose descriptor, events and timeout change from turn to turn (an sd-bus
  // connection): `prepare` is asked before each poll, `dispatch` runs after each poll.
  void add_source(std::function<PollRequest()> prepare, Callback dispatch);
  // Calls `tick` every `interval`, first one interval from now.
  void every(std::chrono::milliseconds interval, Callback tick);
  // Calls `then` once, `delay` from now (a job's next look at its progress).
  void after(std::chrono::milliseconds delay, Callback then);

  // Runs until quit(). Throws what a callback throws (after which the loop can be run again).
  void run();
  // Runs until `done()` is true or `timeout` has passed; returns done(). For tests and for
  // bounded waits at start-up.
  bool run_until(const std::function<bool()>& done, std::chrono::milliseconds timeout);
  // Makes run() return after the current callback.
  void quit() { quitting_ = true; }

 private:
  struct Watch {
    int fd;
    short events;
    Callback ready;
  };
  struct Source {
    std::function<PollRequest()> prepare;
    Callback dispatch;
  };
  struct Timer {
    std::chrono::milliseconds interval;
    std::chrono::steady_clock::time_point next;
    Callback tick;
  };

  // One poll() and the callbacks it makes due; waits at most `limit_ms` (-1: no limit).
  void turn(int limit_ms);

  std::vector<Watch> watches_;
  std::vector<Source> sources_;
  std::vector<Timer> timers_;
  struct OneShot {
    std::chrono::steady_clock::time_point when;
    Callback then;
  };
  std::vector<OneShot> one_shots_;
  bool quitting_ = false;
};

}  // namespace mapperd
