#pragma once
// mapperd's bus layer and engine over the fake kernel backend, serving a private bus from a
// thread of its own, wired as main wires the real parts.

#include <atomic>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "../kernel/temp_dir.h"
#include "fakes/fake_device_directory.h"
#include "fakes/fake_kernel_backend.h"
#include "fakes/fake_loop_devices.h"
#include "kernel/kernel_thread.h"
#include "log/event_log.h"
#include "model/block_devices.h"
#include "store/definition_store.h"
#include "store/runtime_state.h"

namespace mapperd::testing {

// The block devices the engine's table checks see. Read on the daemon's thread, changed on the
// kernel thread (as loop devices are bound): hence the lock.
class TestBlockDevices final : public BlockDevices {
 public:
  // One more path for `number` when it is known already (a by-id link).
  void add(DeviceNumber number, Sectors size, const std::string& path);
  void remove(DeviceNumber number);
  std::optional<DeviceNumber> resolve(const DeviceRef& ref) const override;
  std::optional<Sectors> size_of(DeviceNumber device) const override;

 private:
  mutable std::mutex mutex_;
  std::map<DeviceNumber, std::pair<Sectors, std::vector<std::string>>> devices_;
};

// The fake loop devices behind a descriptor a client really passed: a test makes the file both
// on disk (to open and pass) and in the fake (FakeLoopDevices::add_file() at the same path), and
// attach() finds it by the path /proc/self/fd shows, opened as the descriptor was.
class PassedDescriptorLoops final : public LoopDevices {
 public:
  explicit PassedDescriptorLoops(FakeLoopDevices& fake) : fake_(fake) {}

  std::vector<LoopDevice> list() const override { return fake_.list(); }
  std::optional<LoopDevice> bound_at(std::uint32_t index) const override {
    return fake_.bound_at(index);
  }
  std::optional<LoopDevice> find_bound(const LoopBacking& backing) const override {
    return fake_.find_bound(backing);
  }
  LoopDevice attach(int fd, const LoopSettings& settings) override;
  LoopDevice attach_file(const std::string& path, const LoopSettings& settings) override {
    return fake_.attach_file(path, settings);
  }
  Reattachment reattach(const LoopBacking& backing) override { return fake_.reattach(backing); }
  void detach(std::uint32_t index) override { fake_.detach(index); }
  void refresh_size(std::uint32_t index) override { fake_.refresh_size(index); }
  std::optional<LoopBacking> backing_of_path(const std::string& path,
                                             const LoopSettings& settings) const override {
    return fake_.backing_of_path(path, settings);
  }

 private:
  FakeLoopDevices& fake_;
};

// What the daemon logs, each message with its fields as " NAME=value", written on the daemon's
// thread and read by the test's: hence the lock.
class RecordingLog final : public EventLog {
 public:
  void write(LogLevel level, std::string_view message,
             const std::vector<LogField>& fields) noexcept override;
  std::vector<std::string> lines() const;

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> lines_;
};

class MapperdOnPrivateBus {
 public:
  // Off: the engine stores nothing and has no loop devices (the fake kernel has /dev/loop1,
  // /dev/loop2 and /dev/cow1 as plain block devices). On: definitions and runtime state in
  // temporary directories, fake loop devices (loop devices are 7:N as the fake binds them), a
  // fake device directory, and the disks /dev/sdb (8:16, serial DISK-B) and /dev/sdc (8:32).
  enum class Storage { Off, On };

  // Returns once the name org.mapperd.Mapper1 is taken and the engine has started.
  explicit MapperdOnPrivateBus(const std::string& bus_address, Storage storage = Storage::Off);
  // Stops the loop and joins the thread.
  ~MapperdOnPrivateBus();
  MapperdOnPrivateBus(const MapperdOnPrivateBus&) = delete;
  MapperdOnPrivateBus& operator=(const MapperdOnPrivateBus&) = delete;

  // Runs `job` on the kernel thread against the fake (for setup), without waiting for it; the
  // kernel thread runs jobs in order, so later daemon work waits for it.
  void on_kernel(std::function<void(FakeKernelBackend&)> job);

  // Storage::On only. As on_kernel(), against the fake loop devices (which, like the engine's
  // storage, live on the kernel thread).
  void on_loops(std::function<void(FakeLoopDevices&)> job);
  // A disk appears: in the kernel, the block devices and the device directory, with udev's
  // by-id link. Then request_restore() has the engine notice it, as a udev event would.
  void plug_disk(DeviceNumber number, Sectors size, const std::string& path,
                 const std::string& by_id);
  // The disk `number` goes (from the kernel, the block devices and the directory); maps on it
  // stay. Then request_restore().
  void unplug_disk(DeviceNumber number);
  // What main does on a udev event: Engine::request_restore(), on the daemon's thread.
  void request_restore();
  // What main does on udev's event for the device-mapper device of map `name` (another tool
  // made, changed or removed it): Engine::request_rescan() naming it, on the daemon's thread.
  void device_mapper_event(const std::string& name);
  // Every line the daemon logged so far.
  std::vector<std::string> logged() const { return log_.lines(); }

 private:
  void serve(const std::string& bus_address, std::promise<void>& ready);

  Storage storage_mode_;
  RecordingLog log_;
  TempDir state_;
  TempDir runtime_;
  TestBlockDevices block_devices_;
  FakeDeviceDirectory directory_;
  FakeLoopDevices fake_loops_;
  PassedDescriptorLoops loops_{fake_loops_};
  DefinitionStore definitions_;
  RuntimeState runtime_state_;
  FakeKernelBackend* fake_kernel_ = nullptr;
  KernelThread kernel_;
  int stop_fd_ = -1;
  int restore_fd_ = -1;
  int event_fd_ = -1;
  std::mutex events_mutex_;
  std::vector<std::string> event_names_;
  std::thread thread_;
};

}  // namespace mapperd::testing
