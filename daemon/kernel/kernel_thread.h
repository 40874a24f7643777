#pragma once
// CONTRACT fixed by the lead (the daemon codes against it): implement it, keep the signatures.

#include <exception>
#include <functional>
#include <memory>

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
  // on that one thread.
  explicit KernelThread(std::function<std::unique_ptr<KernelBackend>()> make_backend);
  // Finishes the jobs already submitted, then joins. Completions not yet dispatched are dropped.
  ~KernelThread();

  KernelThread(const KernelThread&) = delete;
  KernelThread& operator=(const KernelThread&) = delete;

  // Queues `job`; jobs run one at a time in submission order. `done` runs later, inside
  // dispatch_completions(), on the thread that calls it. Thread-safe.
  void submit(Job job, Done done);

  // An eventfd that is readable while completions wait; poll it in the event loop.
  int completion_fd() const;
  // Runs every waiting `done`, in completion order. Call from the event loop's thread.
  void dispatch_completions();
};

}  // namespace mapperd
