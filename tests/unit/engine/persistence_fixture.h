#pragma once
// An Engine with storage: definitions and runtime state in temporary directories, the fake
// kernel, fake loop devices and a fake device directory, so that stored maps, restores after a
// "reboot" (the fake kernel emptied, devices renumbered) and daemon restarts (a second engine on
// the same state) run on the host.

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "../kernel/temp_dir.h"
#include "engine/engine.h"
#include "events/event_loop.h"
#include "fakes/fake_cow_files.h"
#include "fakes/fake_device_directory.h"
#include "fakes/fake_kernel_backend.h"
#include "fakes/fake_loop_devices.h"
#include "fakes/scripted_udev_activity.h"
#include "kernel/kernel_thread.h"
#include "recording_observer.h"
#include "store/definition_store.h"
#include "store/runtime_state.h"

namespace mapperd::testing {

// The host's block devices as the test sets them up, for the engine's table checks.
class TestBlockDevices final : public BlockDevices {
 public:
  void add(DeviceNumber number, Sectors size, const std::string& path);
  void remove(DeviceNumber number);
  std::optional<DeviceNumber> resolve(const DeviceRef& ref) const override;
  std::optional<Sectors> size_of(DeviceNumber device) const override;

 private:
  std::map<DeviceNumber, std::pair<Sectors, std::string>> devices_;
};

class PersistenceFixture : public ::testing::Test {
 protected:
  // `job_deadline`: how long a kernel job may take before its caller is told TimedOut.
  explicit PersistenceFixture(
      std::chrono::milliseconds job_deadline = KernelThread::kDefaultJobDeadline);
  ~PersistenceFixture() override;

  // A disk with a serial, known to the kernel, the block devices and the directory.
  void plug_disk(DeviceNumber number, const std::string& serial, Sectors size = Sectors(4096));
  void unplug(DeviceNumber number);
  // A loop device bound (by mapperd or as if by losetup) to a file the fake loops know.
  std::string make_file(const std::string& path, std::uint64_t bytes = 4096 * 512);
  // Everything in the kernel gone (maps and loops), as after a reboot; the engine is made anew.
  void reboot();
  // The daemon restarting: a new engine on the same kernel and state.
  void restart_daemon();

  Engine& engine() { return *engine_; }
  RecordingObserver& observer() { return *observer_; }
  void start();
  MapRecord create(CreateMapRequest request);
  void remove(RemoveMapRequest request);
  template <class T>
  const Outcome<T>& wait_for(const std::optional<Outcome<T>>& outcome) {
    if (!loop_.run_until([&] { return outcome.has_value(); }, std::chrono::seconds(10)))
      throw std::runtime_error("the engine did not complete within 10 s");
    return *outcome;
  }
  template <class T>
  static Completion<T> into(std::optional<Outcome<T>>& slot) {
    return [&slot](Outcome<T> outcome) { slot = std::move(outcome); };
  }
  // Runs the loop until the engine is idle after request_restore().
  void restore_now();
  void on_kernel(const std::function<void(FakeKernelBackend&)>& change);
  std::vector<std::string> kernel_map_names();
  std::string kernel_table(const std::string& name);
  const std::filesystem::path& state_dir() const { return state_.path(); }
  const std::filesystem::path& runtime_dir() const { return runtime_.path(); }

  TempDir state_;
  TempDir runtime_;
  TestBlockDevices block_devices_;
  FakeDeviceDirectory directory_;
  FakeLoopDevices loops_;
  FakeCowFiles cow_files_{loops_};
  // Settled unless a test scripts it; used on the kernel thread, inside jobs.
  ScriptedUdevActivity udev_;
  FakeKernelBackend* fake_kernel_ = nullptr;
  DefinitionStore definitions_;
  RuntimeState runtime_state_;
  KernelThread kernel_;
  EventLoop loop_;
  std::vector<RestoreReport> reports_;
  std::unique_ptr<RecordingObserver> observer_;
  std::unique_ptr<Engine> engine_;

 private:
  void make_engine();
};

}  // namespace mapperd::testing
