#pragma once
// Runs a test's change on the kernel thread, against the fake, and waits for it on the loop:
// how engine tests reach the fake kernel the engine uses.

#include <chrono>
#include <exception>
#include <functional>
#include <optional>
#include <stdexcept>

#include "events/event_loop.h"
#include "fakes/fake_kernel_backend.h"
#include "kernel/kernel_thread.h"

namespace mapperd::testing {

inline void run_on_kernel(KernelThread& kernel, EventLoop& loop,
                          const std::function<void(FakeKernelBackend&)>& change) {
  std::optional<std::exception_ptr> finished;
  kernel.submit(
      [&change](KernelBackend& backend) { change(dynamic_cast<FakeKernelBackend&>(backend)); },
      [&finished](std::exception_ptr error) { finished = error; });
  loop.run_until([&] { return finished.has_value(); }, std::chrono::seconds(10));
  if (!finished)
    throw std::runtime_error("the kernel thread did not answer within 10 s");
  if (*finished)
    std::rethrow_exception(*finished);
}

}  // namespace mapperd::testing
