#include "kernel/kernel_thread.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <future>

#include "model/error.h"

namespace mapperd {

KernelThread::KernelThread(std::function<std::unique_ptr<KernelBackend>()> make_backend)
    : event_fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
  if (event_fd_ < 0) {
    throw Error(ErrorKind::Failed,
                std::string("kernel thread: cannot create an eventfd: ") + std::strerror(errno),
                errno);
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
    ::close(event_fd_);
    throw;
  }
}

KernelThread::~KernelThread() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
  ::close(event_fd_);
}

void KernelThread::submit(Job job, Done done) {
  {
    std::lock_guard lock(mutex_);
    jobs_.push_back({std::move(job), std::move(done)});
  }
  wake_.notify_one();
}

int KernelThread::completion_fd() const {
  return event_fd_;
}

void KernelThread::run(std::unique_ptr<KernelBackend> backend) {
  for (;;) {
    Queued queued;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
      // Stopping still drains the queue: a submitted job always runs.
      if (jobs_.empty())
        break;
      queued = std::move(jobs_.front());
      jobs_.pop_front();
    }
    std::exception_ptr failure;
    try {
      queued.job(*backend);
    } catch (...) {
      failure = std::current_exception();
    }
    {
      std::lock_guard lock(mutex_);
      done_.emplace_back(std::move(queued.done), failure);
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

void KernelThread::dispatch_completions() {
  // Reset the counter first: a completion queued after the swap below signals again.
  std::uint64_t count = 0;
  [[maybe_unused]] const ssize_t n = ::read(event_fd_, &count, sizeof(count));
  std::deque<Completion> ready;
  {
    std::lock_guard lock(mutex_);
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
