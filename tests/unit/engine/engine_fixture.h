#pragma once
// An Engine over the fake kernel backend on a real KernelThread, served by a real EventLoop:
// the same wiring as mapperd's main, with the fake in place of libdevmapper.

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "events/event_loop.h"
#include "fakes/fake_kernel_backend.h"
#include "kernel/kernel_thread.h"
#include "model/error.h"
#include "recording_observer.h"

namespace mapperd::testing {

// Two 4096-sector disks and two COW devices, as the tutorial's loops.
inline constexpr DeviceNumber kLoop1{7, 1};
inline constexpr DeviceNumber kLoop2{7, 2};
inline constexpr DeviceNumber kCow1{7, 3};
inline constexpr DeviceNumber kCow2{7, 4};

class EngineFixture : public ::testing::Test {
 protected:
  EngineFixture();
  ~EngineFixture() override;

  // Runs `change` on the kernel thread, against the fake, and waits for it.
  void on_kernel(const std::function<void(FakeKernelBackend&)>& change);
  // The fake's call log, read on the kernel thread.
  std::vector<std::string> kernel_calls();
  // The fake's read log (FakeKernelBackend::reads()), read on the kernel thread.
  std::vector<std::string> kernel_reads();
  // Runs the loop until `outcome` is set (at most 10 s); fails the test otherwise.
  template <class T>
  const Outcome<T>& wait_for(const std::optional<Outcome<T>>& outcome) {
    const bool arrived =
        loop_.run_until([&] { return outcome.has_value(); }, std::chrono::seconds(10));
    if (!arrived)
      throw std::runtime_error("the engine did not complete within 10 s");
    return *outcome;
  }
  // A completion that stores its outcome in `slot`.
  template <class T>
  static Completion<T> into(std::optional<Outcome<T>>& slot) {
    return [&slot](Outcome<T> outcome) { slot = std::move(outcome); };
  }

  void start_engine();
  // Each operation run to completion; the value, or the mapperd::Error it failed with thrown.
  MapRecord create(const std::string& name, const std::string& table, const std::string& uuid = "");
  MapRecord snapshot(const std::string& origin, const std::string& name,
                     const std::string& cow = "/dev/cow1", Sectors chunk = Sectors(8));
  void remove(const std::string& name, RemoveOptions options = {});
  // The kind of the mapperd::Error `action` throws; fails the test when it throws nothing.
  ErrorKind error_kind_of(const std::function<void()>& action);

  const MapRecord& map(const std::string& name);
  std::string linear_table(DeviceNumber device = kLoop1, std::uint64_t length = 4096);

  std::vector<std::pair<DeviceRef, Sectors>> zeroed_;
  KernelThread kernel_;
  EventLoop loop_;
  RecordingObserver observer_;
  Engine engine_;
};

}  // namespace mapperd::testing
