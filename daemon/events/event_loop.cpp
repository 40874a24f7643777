#include "event_loop.h"

#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace mapperd {
namespace {

using Clock = std::chrono::steady_clock;

// The shorter of two poll() timeouts, where -1 means "none".
int earliest(int a, int b) {
  if (a < 0)
    return b;
  if (b < 0)
    return a;
  return std::min(a, b);
}

int milliseconds_until(Clock::time_point when) {
  const auto left = std::chrono::ceil<std::chrono::milliseconds>(when - Clock::now()).count();
  return static_cast<int>(std::clamp<long long>(left, 0, 24 * 3600 * 1000));
}

}  // namespace

void EventLoop::watch_fd(int fd, short events, Callback ready) {
  watches_.push_back(Watch{fd, events, std::move(ready)});
}

void EventLoop::add_source(std::function<PollRequest()> prepare, Callback dispatch) {
  sources_.push_back(Source{std::move(prepare), std::move(dispatch)});
}

void EventLoop::every(std::chrono::milliseconds interval, Callback tick) {
  timers_.push_back(Timer{interval, Clock::now() + interval, std::move(tick)});
}

void EventLoop::after(std::chrono::milliseconds delay, Callback then) {
  one_shots_.push_back(OneShot{Clock::now() + delay, std::move(then)});
}

void EventLoop::run() {
  quitting_ = false;
  while (!quitting_)
    turn(-1);
}

bool EventLoop::run_until(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  quitting_ = false;
  while (!done() && !quitting_) {
    if (Clock::now() >= deadline)
      return done();
    turn(milliseconds_until(deadline));
  }
  return done();
}

void EventLoop::turn(int limit_ms) {
  std::vector<pollfd> fds;
  int timeout = limit_ms;
  for (const Watch& watch : watches_)
    fds.push_back(pollfd{watch.fd, watch.events, 0});
  for (const Source& source : sources_) {
    const PollRequest request = source.prepare();
    fds.push_back(pollfd{request.fd, request.events, 0});
    timeout = earliest(timeout, request.timeout_ms);
  }
  for (const Timer& timer : timers_)
    timeout = earliest(timeout, milliseconds_until(timer.next));
  for (const OneShot& shot : one_shots_)
    timeout = earliest(timeout, milliseconds_until(shot.when));

  if (::poll(fds.data(), fds.size(), timeout) < 0 && errno != EINTR) {
    throw std::runtime_error(std::string("poll: ") + std::strerror(errno));
  }

  // Callbacks may register more watches; index, don't iterate.
  const std::size_t watch_count = watches_.size();
  for (std::size_t i = 0; i < watch_count && !quitting_; ++i) {
    if (fds[i].revents != 0)
      watches_[i].ready();
  }
  // A source dispatches every turn: sd-bus may hold queued messages its descriptor does not show.
  for (std::size_t i = 0; i < sources_.size() && !quitting_; ++i)
    sources_[i].dispatch();
  for (Timer& timer : timers_) {
    if (Clock::now() >= timer.next) {
      timer.next = Clock::now() + timer.interval;
      timer.tick();
    }
  }
  // The ones due, taken out first: a callback may schedule the next.
  std::vector<Callback> due;
  for (auto it = one_shots_.begin(); it != one_shots_.end();) {
    if (Clock::now() >= it->when) {
      due.push_back(std::move(it->then));
      it = one_shots_.erase(it);
    } else {
      ++it;
    }
  }
  for (Callback& then : due)
    then();
}

}  // namespace mapperd
