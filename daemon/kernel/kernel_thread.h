#pragma once
// CONTRACT fixed by the lead (the daemon codes against it): implement it, keep the signatures.

#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>

#include "kernel/kernel_backend.h"

namespace mapperd {

// The one thread that calls into device-mapper. libdevmapper is not thread-safe and its calls
// block (a suspend flushes I/O), so the daemon's event loop never calls the backend itself: it
// submits jobs here and collects their completions on its own thread.
class KernelThread {
 public:
  using Job = std::function<void(KernelBackend&)>;
  // Gets the exception the job threw, or nullptr when it succeeded.
  using Done = std::function<void(std::exception_ptr)>;

  // Starts the thread; `make_backend` runs on it, so the backend is created, used and destroyed
  // on that one thread. Returns once the backend exists; when `make_backend` throws, the thread
  // is joined and its exception rethrown here (e.g. "device-mapper is not available"). Throws
  // Error(Failed) when the eventfd cannot be made.
  explicit KernelThread(std::function<std::unique_ptr<KernelBackend>()> make_backend);
  // Finishes the jobs already submitted, then joins. Completions not yet dispatched are dropped.
  // A job that never returns (wait_event() on a map with no events) keeps it waiting.
  ~KernelThread();

  KernelThread(const KernelThread&) = delete;
  KernelThread& operator=(const KernelThread&) = delete;

  // Queues `job`; jobs run one at a time in submission order. `done` runs later, inside
  // dispatch_completions(), on the thread that calls it. Thread-safe.
  void submit(Job job, Done done);

  // An eventfd that is readable while completions wait; poll it in the event loop.
  int completion_fd() const;
  // Runs every waiting `done`, in completion order. Call from the event loop's thread. When a
  // `done` throws, the ones after it stay queued (the fd stays readable) and the exception
  // propagates.
  void dispatch_completions();

 private:
  struct Queued {
    Job job;
    Done done;
  };
  using Completion = std::pair<Done, std::exception_ptr>;

  void run(std::unique_ptr<KernelBackend> backend);
  void signal_completion() const;

  int event_fd_ = -1;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Queued> jobs_;      // guarded by mutex_
  std::deque<Completion> done_;  // guarded by mutex_
  bool stopping_ = false;        // guarded by mutex_
  std::thread thread_;
};

}  // namespace mapperd
