#include "mapperd_on_private_bus.h"

#include <fcntl.h>
#include <poll.h>
#include <sdbus-c++/sdbus-c++.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>

#include "bus/authorizer.h"
#include "bus/bus_event_source.h"
#include "bus/bus_service.h"
#include "bus/object_paths.h"
#include "engine/engine.h"
#include "events/event_loop.h"
#include "log/event_log.h"

namespace mapperd::testing {
namespace {

constexpr DeviceNumber kDiskB{8, 16};
constexpr DeviceNumber kDiskC{8, 32};

void signal(int fd) {
  const std::uint64_t one = 1;
  [[maybe_unused]] const ssize_t written = ::write(fd, &one, sizeof one);
}

void drain(int fd) {
  std::uint64_t count = 0;
  [[maybe_unused]] const ssize_t read = ::read(fd, &count, sizeof count);
}

}  // namespace

void TestBlockDevices::add(DeviceNumber number, Sectors size, const std::string& path) {
  std::lock_guard hold(mutex_);
  auto& [known_size, paths] = devices_[number];
  known_size = size;
  paths.push_back(path);
}

void TestBlockDevices::remove(DeviceNumber number) {
  std::lock_guard hold(mutex_);
  devices_.erase(number);
}

std::optional<DeviceNumber> TestBlockDevices::resolve(const DeviceRef& ref) const {
  std::lock_guard hold(mutex_);
  for (const auto& [number, device] : devices_) {
    const std::vector<std::string>& paths = device.second;
    if (ref.is_number() ? ref.number() == number
                        : std::find(paths.begin(), paths.end(), ref.text()) != paths.end())
      return number;
  }
  return std::nullopt;
}

std::optional<Sectors> TestBlockDevices::size_of(DeviceNumber device) const {
  std::lock_guard hold(mutex_);
  const auto found = devices_.find(device);
  if (found == devices_.end())
    return std::nullopt;
  return found->second.first;
}

LoopDevice PassedDescriptorLoops::attach(int fd, const LoopSettings& settings) {
  char target[4096] = {};
  const std::string link = "/proc/self/fd/" + std::to_string(fd);
  const ssize_t length = ::readlink(link.c_str(), target, sizeof target - 1);
  if (length <= 0)
    throw Error(ErrorKind::InvalidArgument, "attach: descriptor " + std::to_string(fd) + ": EBADF");
  const int flags = ::fcntl(fd, F_GETFL);
  const bool read_only = flags >= 0 && (flags & O_ACCMODE) == O_RDONLY;
  return fake_.attach(fake_.open(std::string(target, static_cast<std::size_t>(length)), read_only),
                      settings);
}

MapperdOnPrivateBus::MapperdOnPrivateBus(const std::string& bus_address, Storage storage)
    : storage_mode_(storage),
      definitions_(state_.path()),
      runtime_state_(runtime_.path()),
      kernel_([this]() -> std::unique_ptr<KernelBackend> {
        auto fake = std::make_unique<FakeKernelBackend>();
        if (storage_mode_ == Storage::Off) {
          fake->add_block_device(DeviceNumber{7, 1}, Sectors(4096), "/dev/loop1");
          fake->add_block_device(DeviceNumber{7, 2}, Sectors(4096), "/dev/loop2");
          fake->add_block_device(DeviceNumber{7, 3}, Sectors(2048), "/dev/cow1");
        } else {
          fake->add_block_device(kDiskB, Sectors(4096), "/dev/sdb");
          fake->add_block_device(kDiskC, Sectors(4096), "/dev/sdc");
        }
        fake_kernel_ = fake.get();
        return fake;
      }),
      stop_fd_(::eventfd(0, EFD_CLOEXEC)),
      restore_fd_(::eventfd(0, EFD_CLOEXEC)),
      event_fd_(::eventfd(0, EFD_CLOEXEC)) {
  if (storage_mode_ == Storage::On) {
    for (const auto& [number, path, serial] :
         {std::tuple{kDiskB, "/dev/sdb", "DISK-B"}, std::tuple{kDiskC, "/dev/sdc", "DISK-C"}}) {
      block_devices_.add(number, Sectors(4096), path);
      directory_.add(DeviceIdentity{.number = number, .path = path, .serial = serial});
    }
    // Loop devices are block devices to everyone else, as in the kernel. Called on the kernel
    // thread, inside the engine's jobs.
    fake_loops_.on_bound = [this](const LoopDevice& loop) {
      const Sectors size(loop.backing.size_limit ? loop.backing.size_limit / 512 : 4096);
      fake_kernel_->add_block_device(loop.number, size, loop.path);
      block_devices_.add(loop.number, size, loop.path);
      directory_.add(
          DeviceIdentity{.number = loop.number, .path = loop.path, .loop = loop.backing});
    };
    fake_loops_.on_unbound = [this](const LoopDevice& loop) {
      fake_kernel_->remove_block_device(loop.number);
      block_devices_.remove(loop.number);
      directory_.remove(loop.number);
    };
  }
  std::promise<void> ready;
  std::future<void> started = ready.get_future();
  thread_ = std::thread([this, bus_address, &ready] { serve(bus_address, ready); });
  started.get();
}

MapperdOnPrivateBus::~MapperdOnPrivateBus() {
  signal(stop_fd_);
  thread_.join();
  ::close(stop_fd_);
  ::close(restore_fd_);
  ::close(event_fd_);
}

void MapperdOnPrivateBus::on_kernel(std::function<void(FakeKernelBackend&)> job) {
  kernel_.submit([job](KernelBackend& kernel) { job(dynamic_cast<FakeKernelBackend&>(kernel)); },
                 [](std::exception_ptr) {});
}

void MapperdOnPrivateBus::on_loops(std::function<void(FakeLoopDevices&)> job) {
  kernel_.submit([this, job](KernelBackend&) { job(fake_loops_); }, [](std::exception_ptr) {});
}

void MapperdOnPrivateBus::plug_disk(DeviceNumber number, Sectors size, const std::string& path,
                                    const std::string& by_id) {
  kernel_.submit(
      [this, number, size, path, by_id](KernelBackend& kernel) {
        dynamic_cast<FakeKernelBackend&>(kernel).add_block_device(number, size, path);
        block_devices_.add(number, size, path);
        block_devices_.add(number, size, by_id);
        directory_.add(DeviceIdentity{.number = number, .path = path, .by_id = by_id});
      },
      [](std::exception_ptr) {});
}

void MapperdOnPrivateBus::unplug_disk(DeviceNumber number) {
  kernel_.submit(
      [this, number](KernelBackend& kernel) {
        dynamic_cast<FakeKernelBackend&>(kernel).remove_block_device(number);
        block_devices_.remove(number);
        directory_.remove(number);
      },
      [](std::exception_ptr) {});
}

void RecordingLog::write(LogLevel, std::string_view message,
                         const std::vector<LogField>& fields) noexcept {
  try {
    std::string line(message);
    for (const LogField& field : fields)
      line += " " + field.name + "=" + field.value;
    std::lock_guard hold(mutex_);
    lines_.push_back(std::move(line));
  } catch (...) {
  }
}

std::vector<std::string> RecordingLog::lines() const {
  std::lock_guard hold(mutex_);
  return lines_;
}

void MapperdOnPrivateBus::request_restore() {
  signal(restore_fd_);
}

void MapperdOnPrivateBus::device_mapper_event(const std::string& name) {
  {
    std::lock_guard<std::mutex> lock(events_mutex_);
    event_names_.push_back(name);
  }
  signal(event_fd_);
}

void MapperdOnPrivateBus::serve(const std::string& bus_address, std::promise<void>& ready) {
  std::unique_ptr<sdbus::IConnection> connection;
  bus::AllowEverything authorizer;
  try {
    connection = sdbus::createSessionBusConnectionWithAddress(bus_address);
  } catch (...) {
    return ready.set_exception(std::current_exception());
  }
  std::optional<Engine> engine;
  if (storage_mode_ == Storage::Off) {
    engine.emplace(kernel_, [](const DeviceRef&, Sectors) {});
  } else {
    engine.emplace(
        kernel_, [](const DeviceRef&, Sectors) {}, &block_devices_,
        EngineStorage{.definitions = &definitions_,
                      .runtime = &runtime_state_,
                      .directory = &directory_,
                      .loops = &loops_,
                      .block_devices = &block_devices_});
  }
  bus::BusService service(*connection, bus::BusServices{*engine, authorizer, log_});
  engine->set_observer(service);

  EventLoop loop;
  loop.watch_fd(kernel_.completion_fd(), POLLIN, [this] { kernel_.dispatch_completions(); });
  // Merges followed every 20 ms, and an ended job's object kept 200 ms.
  engine->set_scheduler(
      [&loop](std::chrono::milliseconds delay, std::function<void()> then) {
        loop.after(delay, std::move(then));
      },
      std::chrono::milliseconds(20), std::chrono::milliseconds(200));
  // Before the bus: objects retired by a completion are released before the next message
  // is served, so a client never sees an object whose removal it was told of.
  service.attach(loop);
  bus::serve_on(loop, *connection);
  loop.watch_fd(stop_fd_, POLLIN, [&loop] { loop.quit(); });
  loop.watch_fd(restore_fd_, POLLIN, [this, &engine] {
    drain(restore_fd_);
    engine->request_restore();
  });
  loop.watch_fd(event_fd_, POLLIN, [this, &engine] {
    drain(event_fd_);
    RescanScope scope;
    {
      std::lock_guard<std::mutex> lock(events_mutex_);
      for (std::string& name : std::exchange(event_names_, {}))
        scope.maps.push_back(MapEvent{.name = std::move(name), .device = {}});
    }
    engine->request_rescan(std::move(scope), [](Outcome<Done>) {});
  });

  std::optional<Outcome<Done>> started;
  engine->start([&started](Outcome<Done> outcome) { started = std::move(outcome); });
  loop.run_until([&] { return started.has_value(); }, std::chrono::seconds(10));
  try {
    if (!started)
      throw std::runtime_error("the engine did not start within 10 s");
    started->value_or_throw();
    connection->requestName(std::string(bus::kServiceName));
  } catch (...) {
    return ready.set_exception(std::current_exception());
  }
  ready.set_value();
  loop.run();
}

}  // namespace mapperd::testing
