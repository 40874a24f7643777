#include "persistence_fixture.h"

#include <poll.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "run_on_kernel.h"

namespace mapperd::testing {

void TestBlockDevices::add(DeviceNumber number, Sectors size, const std::string& path) {
  devices_[number] = {size, path};
}

void TestBlockDevices::remove(DeviceNumber number) {
  devices_.erase(number);
}

std::optional<DeviceNumber> TestBlockDevices::resolve(const DeviceRef& ref) const {
  for (const auto& [number, device] : devices_) {
    if (ref.is_number() ? ref.number() == number : ref.text() == device.second)
      return number;
  }
  return std::nullopt;
}

std::optional<Sectors> TestBlockDevices::size_of(DeviceNumber device) const {
  const auto found = devices_.find(device);
  if (found == devices_.end())
    return std::nullopt;
  return found->second.first;
}

PersistenceFixture::PersistenceFixture(std::chrono::milliseconds job_deadline)
    : definitions_(state_.path()),
      runtime_state_(runtime_.path()),
      kernel_(
          [this]() -> std::unique_ptr<KernelBackend> {
            auto fake = std::make_unique<FakeKernelBackend>();
            fake_kernel_ = fake.get();
            return fake;
          },
          job_deadline) {
  loop_.watch_fd(kernel_.completion_fd(), POLLIN, [this] { kernel_.dispatch_completions(); });
  // Loop devices are block devices to everyone else, as in the kernel.
  loops_.on_bound = [this](const LoopDevice& loop) {
    Sectors size(loop.backing.size_limit ? loop.backing.size_limit / 512 : 4096);
    if (const auto cow = cow_files_.files().find(loop.backing.file);
        cow != cow_files_.files().end())
      size = Sectors(cow->second / 512);
    fake_kernel_->add_block_device(loop.number, size, loop.path);
    block_devices_.add(loop.number, size, loop.path);
    directory_.add(DeviceIdentity{.number = loop.number, .path = loop.path, .loop = loop.backing});
  };
  loops_.on_resized = [this](const LoopDevice& loop, std::uint64_t bytes) {
    fake_kernel_->add_block_device(loop.number, Sectors(bytes / 512), loop.path);
    block_devices_.add(loop.number, Sectors(bytes / 512), loop.path);
  };
  loops_.on_unbound = [this](const LoopDevice& loop) {
    fake_kernel_->remove_block_device(loop.number);
    block_devices_.remove(loop.number);
    directory_.remove(loop.number);
  };
  make_engine();
}

PersistenceFixture::~PersistenceFixture() = default;

void PersistenceFixture::make_engine() {
  // The old engine's jobs are done (every test step waits for its completion).
  engine_.reset();
  observer_ = std::make_unique<RecordingObserver>();
  engine_ = std::make_unique<Engine>(
      kernel_, [](const DeviceRef&, Sectors) {}, &block_devices_,
      EngineStorage{.definitions = &definitions_,
                    .runtime = &runtime_state_,
                    .directory = &directory_,
                    .loops = &loops_,
                    .block_devices = &block_devices_,
                    .udev = &udev_,
                    .cow_files = &cow_files_});
  engine_->set_observer(*observer_);
  engine_->set_scheduler(
      [this](std::chrono::milliseconds delay, std::function<void()> then) {
        loop_.after(delay, std::move(then));
      },
      std::chrono::milliseconds(5), std::chrono::milliseconds(20));
  engine_->set_report_sink([this](const RestoreReport& report) { reports_.push_back(report); });
}

void PersistenceFixture::plug_disk(DeviceNumber number, const std::string& serial, Sectors size) {
  const std::string path = "/dev/disk" + std::to_string(number.minor);
  on_kernel([&](FakeKernelBackend& fake) { fake.add_block_device(number, size, path); });
  block_devices_.add(number, size, path);
  directory_.add(DeviceIdentity{.number = number, .path = path, .serial = serial});
}

void PersistenceFixture::unplug(DeviceNumber number) {
  on_kernel([&](FakeKernelBackend& fake) { fake.remove_block_device(number); });
  block_devices_.remove(number);
  directory_.remove(number);
}

std::string PersistenceFixture::make_file(const std::string& path, std::uint64_t bytes) {
  loops_.add_file(path, bytes);
  return path;
}

void PersistenceFixture::reboot() {
  on_kernel([](FakeKernelBackend& fake) {
    // Maps that others use go last.
    for (int round = 0; round < 8; ++round) {
      for (const MapListing& map : fake.list()) {
        try {
          fake.remove(map.name);
        } catch (const Error&) {
        }
      }
    }
  });
  for (const LoopDevice& loop : loops_.list())
    loops_.detach(loop.index);
  for (const auto& entry : std::filesystem::directory_iterator(runtime_.path()))
    std::filesystem::remove_all(entry.path());
  make_engine();
}

void PersistenceFixture::restart_daemon() {
  make_engine();
}

void PersistenceFixture::start() {
  std::optional<Outcome<Done>> started;
  engine_->start(into(started));
  wait_for(started).value_or_throw();
}

MapRecord PersistenceFixture::create(CreateMapRequest request) {
  std::optional<Outcome<MapRecord>> created;
  engine_->create_map(std::move(request), into(created));
  return wait_for(created).value_or_throw();
}

void PersistenceFixture::remove(RemoveMapRequest request) {
  std::optional<Outcome<Done>> removed;
  engine_->remove_map(std::move(request), into(removed));
  wait_for(removed).value_or_throw();
}

void PersistenceFixture::restore_now() {
  const std::size_t before = reports_.size();
  engine_->request_restore();
  if (!loop_.run_until([&] { return reports_.size() > before; }, std::chrono::seconds(10)))
    throw std::runtime_error("no restore pass completed within 10 s");
}

void PersistenceFixture::on_kernel(const std::function<void(FakeKernelBackend&)>& change) {
  run_on_kernel(kernel_, loop_, change);
}

std::vector<std::string> PersistenceFixture::kernel_map_names() {
  std::vector<std::string> names;
  on_kernel([&](FakeKernelBackend& fake) {
    for (const MapListing& map : fake.list())
      names.push_back(map.name);
  });
  return names;
}

std::string PersistenceFixture::kernel_table(const std::string& name) {
  std::string text;
  on_kernel([&](FakeKernelBackend& fake) {
    for (const TargetLine& line : fake.table(name))
      text += std::to_string(line.start.count()) + " " + std::to_string(line.length.count()) + " " +
              line.type + " " + line.params + "\n";
  });
  return text;
}

}  // namespace mapperd::testing
