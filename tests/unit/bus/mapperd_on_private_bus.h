#pragma once
// mapperd's bus layer and engine over the fake kernel backend, serving a private bus from a
// thread of its own, wired as main wires the real parts.

#include <atomic>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <thread>

#include "fakes/fake_kernel_backend.h"
#include "kernel/kernel_thread.h"

namespace mapperd::testing {

class MapperdOnPrivateBus {
 public:
  // Returns once the name org.mapperd.Mapper1 is taken and the engine has started.
  explicit MapperdOnPrivateBus(const std::string& bus_address);
  // Stops the loop and joins the thread.
  ~MapperdOnPrivateBus();
  MapperdOnPrivateBus(const MapperdOnPrivateBus&) = delete;
  MapperdOnPrivateBus& operator=(const MapperdOnPrivateBus&) = delete;

  // Runs `job` on the kernel thread against the fake (for setup), without waiting for it; the
  // kernel thread runs jobs in order, so later daemon work waits for it.
  void on_kernel(std::function<void(FakeKernelBackend&)> job);

 private:
  void serve(const std::string& bus_address, std::promise<void>& ready);

  KernelThread kernel_;
  int stop_fd_ = -1;
  std::thread thread_;
};

}  // namespace mapperd::testing
