#include "kernel/kernel_thread.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <future>
#include <vector>

#include "model/error.h"

namespace mapperd {
namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

void close_if_open(int fd) {
  if (fd >= 0)
    ::close(fd);
}

// "60 s", "0.1 s": deadlines are whole seconds in the daemon and fractions in tests.
std::string seconds_text(milliseconds duration) {
  char text[32];
  if (duration.count() % 1000 == 0)
    std::snprintf(text, sizeof text, "%lld s", static_cast<long long>(duration.count() / 1000));
  else
    std::snprintf(text, sizeof text, "%.1f s", static_cast<double>(duration.count()) / 1000.0);
  return text;
}

std::exception_ptr blocked_error(const std::string& what, milliseconds deadline) {
  return std::make_exception_ptr(Error(
      ErrorKind::TimedOut,
      "device-mapper has not returned from " + what + " in " + seconds_text(deadline) +
          ": the kernel call is blocked, most likely waiting for I/O to a device below that is "
          "suspended or stuck. Resume that device (dmsetup info shows which are SUSPENDED; "
          "dmsetup resume NAME) and the call will finish; it may still take effect, so check "
          "with mapperctl info"));
}

std::exception_ptr withdrawn_error(const std::string& blocker, milliseconds blocked_for,
                                   milliseconds deadline) {
  const std::string behind =
      blocker.empty() ? "other device-mapper calls"
                      : blocker + " (blocked in the kernel for " + seconds_text(blocked_for) + ")";
  return std::make_exception_ptr(
      Error(ErrorKind::TimedOut,
            "not run: waited " + seconds_text(deadline) + " behind " + behind +
                "; nothing was changed. Resume the suspended device below it (dmsetup info "
                "shows which are SUSPENDED; dmsetup resume NAME), then try again"));
}

}  // namespace

KernelThread::KernelThread(std::function<std::unique_ptr<KernelBackend>()> make_backend,
                           milliseconds job_deadline)
    : job_deadline_(job_deadline) {
  if (job_deadline_.count() <= 0)
    throw Error(ErrorKind::InvalidArgument, "kernel thread: the job deadline must be positive");
  event_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  timer_fd_ = ::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  // One descriptor for the event loop: an epoll set is readable while any of its members is.
  epoll_event readable{};
  readable.events = EPOLLIN;
  const bool made = event_fd_ >= 0 && timer_fd_ >= 0 && epoll_fd_ >= 0 &&
                    ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, event_fd_, &readable) == 0 &&
                    ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, timer_fd_, &readable) == 0;
  if (!made) {
    const int error_number = errno;
    close_if_open(epoll_fd_);
    close_if_open(timer_fd_);
    close_if_open(event_fd_);
    throw Error(
        ErrorKind::Failed,
        std::string("kernel thread: cannot create its descriptors: ") + std::strerror(error_number),
        error_number);
  }
  std::promise<void> started;
  std::future<void> backend_made = started.get_future();
  thread_ = std::thread(
      [this, make_backend = std::move(make_backend), started = std::move(started)]() mutable {
        std::unique_ptr<KernelBackend> backend;
        try {
          backend = make_backend();
          if (!backend)
            throw Error(ErrorKind::Failed, "kernel thread: no backend was made");
        } catch (...) {
          started.set_exception(std::current_exception());
          return;
        }
        started.set_value();
        run(std::move(backend));
      });
  try {
    backend_made.get();
  } catch (...) {
    thread_.join();
    ::close(epoll_fd_);
    ::close(timer_fd_);
    ::close(event_fd_);
    throw;
  }
}

void KernelThread::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable())
    thread_.join();
}

KernelThread::~KernelThread() {
  stop();
  ::close(epoll_fd_);
  ::close(timer_fd_);
  ::close(event_fd_);
}

// `done`, carrying a `late` that will not run along with it, so that `late` (and what it holds
// of the caller's) is destroyed where `done` is: on the thread that dispatches completions.
KernelThread::Done KernelThread::carrying(Done done, Done late) {
  if (!late)
    return done;
  return [done = std::move(done), late = std::move(late)](std::exception_ptr error) {
    done(std::move(error));
  };
}

void KernelThread::submit(Job job, Done done) {
  submit(std::string(), std::move(job), std::move(done));
}

void KernelThread::submit(std::string what, Job job, Done done) {
  submit(std::move(what), std::move(job), std::move(done), nullptr);
}

void KernelThread::submit(std::string what, Job job, Done done, Done late) {
  {
    std::lock_guard lock(mutex_);
    const std::uint64_t number = ++submitted_;
    if (what.empty())
      what = "kernel job " + std::to_string(number);
    jobs_.push_back({number, current_lane(), std::move(what), Clock::now(), std::move(job),
                     std::move(done), std::move(late)});
    arm_timer_locked();
  }
  wake_.notify_one();
}

int KernelThread::completion_fd() const {
  return epoll_fd_;
}

void KernelThread::on_late_return(LateReturn handler) {
  late_return_ = std::move(handler);
}

void KernelThread::run(std::unique_ptr<KernelBackend> backend) {
  for (;;) {
    Job job;
    std::vector<Job> withdrawn;  // destroyed after the lock is released
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
      // A job whose deadline passed while a blocked one held the thread is not started late:
      // its caller is told so now, as the event loop would have told it.
      if (expire_locked(Clock::now(), withdrawn))
        signal_completion();
      // Stopping still drains the queue: a submitted job always runs (unless its deadline
      // withdrew it).
      if (jobs_.empty()) {
        if (stopping_)
          break;
        continue;
      }
      const auto chosen = next_job_locked();
      Queued& next = *chosen;
      last_lane_ = next.lane;
      job = std::move(next.job);
      running_ = Running{next.number,          std::move(next.what), next.submitted, Clock::now(),
                         std::move(next.done), std::move(next.late), false};
      jobs_.erase(chosen);
    }
    std::exception_ptr failure;
    try {
      job(*backend);
    } catch (...) {
      failure = std::current_exception();
    }
    job = nullptr;
    {
      std::lock_guard lock(mutex_);
      Running finished = std::move(*running_);
      running_.reset();
      if (!finished.timed_out) {
        // Moved, not copied: this thread keeps no reference to what the caller receives.
        done_.emplace_back(carrying(std::move(finished.done), std::move(finished.late)),
                           std::move(failure));
      } else {
        // Its caller was told TimedOut long ago: the outcome goes to its `late`, then the log.
        const milliseconds took = duration_cast<milliseconds>(Clock::now() - finished.started);
        done_.emplace_back(
            [this, what = std::move(finished.what), took,
             late = std::move(finished.late)](std::exception_ptr error) {
              if (late)
                late(error);
              if (late_return_)
                late_return_(what, took, error);
            },
            std::move(failure));
      }
    }
    signal_completion();
  }
  // The backend goes on the thread that made and used it.
  backend.reset();
}

void KernelThread::signal_completion() const {
  // Adds 1 to the counter; it cannot overflow in practice, and EAGAIN would only mean it is
  // already readable.
  const std::uint64_t one = 1;
  [[maybe_unused]] const ssize_t n = ::write(event_fd_, &one, sizeof(one));
}

namespace {
thread_local std::string t_lane;
}  // namespace

KernelThread::LaneScope::LaneScope(std::string lane) : previous_(std::exchange(t_lane, lane)) {}

KernelThread::LaneScope::~LaneScope() {
  t_lane = std::move(previous_);
}

const std::string& KernelThread::current_lane() {
  return t_lane;
}

std::deque<KernelThread::Queued>::iterator KernelThread::next_job_locked() {
  // The oldest job of the first lane after last_lane_ in name order; else, wrapping round, of
  // the first lane of all. A scan: the queue holds what clients wait for, not thousands.
  auto after = jobs_.end();
  auto first = jobs_.end();
  for (auto job = jobs_.begin(); job != jobs_.end(); ++job) {
    if (job->lane > last_lane_ && (after == jobs_.end() || job->lane < after->lane))
      after = job;
    if (first == jobs_.end() || job->lane < first->lane)
      first = job;
  }
  return after != jobs_.end() ? after : first;
}

bool KernelThread::expire_locked(Clock::time_point now, std::vector<Job>& withdrawn) {
  const std::size_t before = done_.size();
  if (running_ && !running_->timed_out && running_->submitted + job_deadline_ <= now) {
    // The thread keeps running it; only the caller stops waiting.
    running_->timed_out = true;
    done_.emplace_back(std::move(running_->done), blocked_error(running_->what, job_deadline_));
  }
  // Deadlines follow submission order, so the expired jobs are at the front.
  while (!jobs_.empty() && jobs_.front().submitted + job_deadline_ <= now) {
    Queued expired = std::move(jobs_.front());
    jobs_.pop_front();
    const std::string blocker = running_ ? running_->what : std::string();
    const milliseconds blocked_for =
        running_ ? duration_cast<milliseconds>(now - running_->started) : milliseconds(0);
    done_.emplace_back(carrying(std::move(expired.done), std::move(expired.late)),
                       withdrawn_error(blocker, blocked_for, job_deadline_));
    withdrawn.push_back(std::move(expired.job));
  }
  return done_.size() != before;
}

void KernelThread::arm_timer_locked() {
  // Invariant: the timer is set no later than the earliest deadline still to come. A job that
  // ends on time leaves it set; the dispatch it then causes only re-arms it.
  std::optional<Clock::time_point> next;
  if (running_ && !running_->timed_out)
    next = running_->submitted + job_deadline_;
  else if (!jobs_.empty())
    next = jobs_.front().submitted + job_deadline_;
  itimerspec when{};
  if (next) {
    // steady_clock is CLOCK_MONOTONIC on Linux. An all-zero value would disarm instead.
    const auto since_boot =
        std::chrono::duration_cast<std::chrono::nanoseconds>(next->time_since_epoch()).count();
    when.it_value.tv_sec = static_cast<std::time_t>(since_boot / 1'000'000'000);
    when.it_value.tv_nsec = static_cast<long>(since_boot % 1'000'000'000);
    if (when.it_value.tv_sec == 0 && when.it_value.tv_nsec == 0)
      when.it_value.tv_nsec = 1;
  }
  [[maybe_unused]] const int result =
      ::timerfd_settime(timer_fd_, TFD_TIMER_ABSTIME, &when, nullptr);
}

void KernelThread::dispatch_completions() {
  // Reset the counters first: a completion queued after the swap below signals again, and a
  // deadline still to come is armed again below.
  std::uint64_t count = 0;
  [[maybe_unused]] const ssize_t events = ::read(event_fd_, &count, sizeof(count));
  [[maybe_unused]] const ssize_t expirations = ::read(timer_fd_, &count, sizeof(count));
  std::deque<Completion> ready;
  std::vector<Job> withdrawn;  // destroyed after the lock is released
  {
    std::lock_guard lock(mutex_);
    expire_locked(Clock::now(), withdrawn);
    arm_timer_locked();
    ready.swap(done_);
  }
  while (!ready.empty()) {
    Completion completion = std::move(ready.front());
    ready.pop_front();
    try {
      if (completion.first)
        completion.first(completion.second);
    } catch (...) {
      std::lock_guard lock(mutex_);
      done_.insert(done_.begin(), std::make_move_iterator(ready.begin()),
                   std::make_move_iterator(ready.end()));
      if (!done_.empty())
        signal_completion();
      throw;
    }
  }
}

}  // namespace mapperd
