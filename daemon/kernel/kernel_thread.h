#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "kernel/kernel_backend.h"

namespace mapperd {

// The one thread that calls into device-mapper. libdevmapper is not thread-safe and its calls
// block (a suspend flushes I/O), so the daemon's event loop never calls the backend itself: it
// submits jobs here and collects their completions on its own thread.
//
// Deadlines: a device-mapper call can block for as long as the I/O it waits for, which is
// forever when that I/O goes to a device that is itself suspended. So every job must finish
// within `job_deadline` of its submission (time in the queue included: that is what the caller
// waits). When it has not, its `done` gets Error(TimedOut) saying the kernel is blocked and what
// to do; the jobs queued behind it get Error(TimedOut) as their own deadlines pass, naming the
// blocked job, and are withdrawn (they never run, so nothing they would have changed changes).
// When the blocked job finally returns, its own `late` (if it was given one) learns its outcome,
// on_late_return() reports it, and the thread goes on with the jobs still queued.
//
// Lanes: every job is queued in a lane, one per client (mapperd gives each bus connection its
// own), and the lanes take turns: the thread runs the oldest job of the lane after the one it
// served last (lanes in name order, wrapping round). A client with a hundred jobs queued so
// delays another client's job by at most one of its own, not by all of them. Within a lane jobs
// run in submission order; completions are dispatched in the order the jobs ran.
class KernelThread {
 public:
  using Job = std::function<void(KernelBackend&)>;
  // Gets the exception the job threw, or nullptr when it succeeded.
  using Done = std::function<void(std::exception_ptr)>;
  // A job whose `done` was already told TimedOut returned after all: what it was (as submitted),
  // how long it ran, and its exception (nullptr when it succeeded). For the log.
  using LateReturn = std::function<void(const std::string& what, std::chrono::milliseconds took,
                                        std::exception_ptr error)>;

  // A minute: longer than the 30 s one backend call may wait for udev
  // (DmBackendOptions::udev_timeout), so a slow udev ends a job with that call's own, more
  // precise TimedOut; far longer than a suspend's flush takes on a healthy device; and shorter
  // than mapperctl's 120 s method-call timeout, so a client hears mapperd's explanation rather
  // than the bus's NoReply. mapperd --kernel-timeout changes it.
  static constexpr std::chrono::milliseconds kDefaultJobDeadline{std::chrono::seconds(60)};

  // Starts the thread; `make_backend` runs on it, so the backend is created, used and destroyed
  // on that one thread. Returns once the backend exists; when `make_backend` throws, the thread
  // is joined and its exception rethrown here (e.g. "device-mapper is not available"). Throws
  // Error(Failed) when the descriptors cannot be made, Error(InvalidArgument) for a deadline that
  // is not positive.
  explicit KernelThread(std::function<std::unique_ptr<KernelBackend>()> make_backend,
                        std::chrono::milliseconds job_deadline = kDefaultJobDeadline);
  // Finishes the jobs already submitted, then joins. Completions not yet dispatched are dropped.
  // A job that never returns (wait_event() on a map with no events, a call blocked behind a
  // suspended device) keeps it waiting. A job submitted after stop() returned never runs.
  void stop();
  // stop(), unless done already.
  ~KernelThread();

  KernelThread(const KernelThread&) = delete;
  KernelThread& operator=(const KernelThread&) = delete;

  // While one exists, the jobs this thread (the submitting one) submits go in `lane`; without
  // one, in the lane "" (the daemon's own work). Scopes nest.
  class LaneScope {
   public:
    explicit LaneScope(std::string lane);
    ~LaneScope();
    LaneScope(const LaneScope&) = delete;
    LaneScope& operator=(const LaneScope&) = delete;

   private:
    std::string previous_;
  };
  // The lane the jobs this thread submits go in now.
  static const std::string& current_lane();

  // Queues `job` in the current lane; jobs run one at a time, in submission order within a
  // lane, the lanes taking turns. `done` runs later, inside
  // dispatch_completions(), on the thread that calls it, exactly once: with the job's outcome,
  // or with Error(TimedOut) when the deadline passed first. Thread-safe.
  void submit(Job job, Done done);
  // The same, with what the job does ("suspend upper") for the TimedOut messages and
  // on_late_return(); without it a job is named by its number.
  void submit(std::string what, Job job, Done done);
  // The same, and `late` runs (like `done`, inside dispatch_completions()) with the job's outcome
  // if the job returns after `done` was told TimedOut: what the job changed is then known to
  // whoever must take it in, as it would have been on time. Never runs for a job that ended in
  // time or was withdrawn unrun.
  void submit(std::string what, Job job, Done done, Done late);

  // Readable while completions wait, and when a job's deadline has passed (it is an epoll
  // descriptor over an eventfd and a timerfd); poll it for POLLIN in the event loop.
  int completion_fd() const;
  // Fails the jobs whose deadline has passed, then runs every waiting `done`, in completion
  // order. Call from the event loop's thread. When a `done` throws, the ones after it stay
  // queued (the fd stays readable) and the exception propagates.
  void dispatch_completions();

  // Called from dispatch_completions() when a job that timed out returns; nothing is called
  // without it. Call from the event loop's thread.
  void on_late_return(LateReturn handler);

 private:
  using Clock = std::chrono::steady_clock;
  struct Queued {
    std::uint64_t number = 0;
    std::string lane;
    std::string what;
    Clock::time_point submitted;
    Job job;
    Done done;
    Done late;
  };
  // The job on the thread now; its `done` stays here, so either the thread (it returned) or
  // the deadline (it did not) takes it, never both.
  struct Running {
    std::uint64_t number = 0;
    std::string what;
    Clock::time_point submitted;
    Clock::time_point started;
    Done done;
    Done late;
    bool timed_out = false;
  };
  using Completion = std::pair<Done, std::exception_ptr>;

  void run(std::unique_ptr<KernelBackend> backend);
  static Done carrying(Done done, Done late);
  void signal_completion() const;
  // Under mutex_: moves the `done` of every job whose deadline has passed to done_, and the
  // jobs that will now never run to `withdrawn` (for the caller to drop once it has unlocked);
  // whether there was one.
  bool expire_locked(Clock::time_point now, std::vector<Job>& withdrawn);
  // Under mutex_: sets the timer to the earliest deadline still to come, or disarms it.
  void arm_timer_locked();
  // Under mutex_, with a job queued: the job to run next (the lanes' turns) and its lane.
  std::deque<Queued>::iterator next_job_locked();

  std::chrono::milliseconds job_deadline_;
  int event_fd_ = -1;
  int timer_fd_ = -1;
  int epoll_fd_ = -1;
  LateReturn late_return_;  // used on the event loop's thread only
  std::mutex mutex_;
  std::condition_variable wake_;
  std::uint64_t submitted_ = 0;     // guarded by mutex_
  std::deque<Queued> jobs_;         // guarded by mutex_; in submission order, all lanes
  std::string last_lane_;           // guarded by mutex_; the lane of the job that ran last
  std::optional<Running> running_;  // guarded by mutex_
  std::deque<Completion> done_;     // guarded by mutex_
  bool stopping_ = false;           // guarded by mutex_
  std::thread thread_;
};

}  // namespace mapperd
