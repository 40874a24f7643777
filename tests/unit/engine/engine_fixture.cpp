#include "engine_fixture.h"

#include <poll.h>

#include <memory>

#include "run_on_kernel.h"

namespace mapperd::testing {

EngineFixture::EngineFixture()
    : kernel_([]() -> std::unique_ptr<KernelBackend> {
        auto fake = std::make_unique<FakeKernelBackend>();
        fake->add_block_device(kLoop1, Sectors(4096), "/dev/loop1");
        fake->add_block_device(kLoop2, Sectors(4096), "/dev/loop2");
        fake->add_block_device(kCow1, Sectors(2048), "/dev/cow1");
        fake->add_block_device(kCow2, Sectors(2048), "/dev/cow2");
        return fake;
      }),
      engine_(kernel_, [this](const DeviceRef& device, Sectors length) {
        zeroed_.emplace_back(device, length);
      }) {
  loop_.watch_fd(kernel_.completion_fd(), POLLIN, [this] { kernel_.dispatch_completions(); });
  engine_.set_observer(observer_);
  // Merges are followed every 5 ms here, and an ended job goes 20 ms later.
  engine_.set_scheduler(
      [this](std::chrono::milliseconds delay, std::function<void()> then) {
        loop_.after(delay, std::move(then));
      },
      std::chrono::milliseconds(5), std::chrono::milliseconds(20));
}

EngineFixture::~EngineFixture() = default;

void EngineFixture::on_kernel(const std::function<void(FakeKernelBackend&)>& change) {
  run_on_kernel(kernel_, loop_, change);
}

std::vector<std::string> EngineFixture::kernel_calls() {
  std::vector<std::string> calls;
  on_kernel([&calls](FakeKernelBackend& fake) { calls = fake.calls(); });
  return calls;
}

std::vector<std::string> EngineFixture::kernel_reads() {
  std::vector<std::string> reads;
  on_kernel([&reads](FakeKernelBackend& fake) { reads = fake.reads(); });
  return reads;
}

void EngineFixture::start_engine() {
  std::optional<Outcome<Done>> started;
  engine_.start(into(started));
  wait_for(started).value_or_throw();
}

MapRecord EngineFixture::create(const std::string& name, const std::string& table,
                                const std::string& uuid) {
  CreateMapRequest request;
  request.name = name;
  request.table = table;
  request.uuid = uuid;
  std::optional<Outcome<MapRecord>> created;
  engine_.create_map(request, into(created));
  return wait_for(created).value_or_throw();
}

MapRecord EngineFixture::snapshot(const std::string& origin, const std::string& name,
                                  const std::string& cow, Sectors chunk) {
  CreateSnapshotRequest request;
  request.origin = origin;
  request.name = name;
  request.cow_device = cow;
  request.chunk_size = chunk;
  std::optional<Outcome<MapRecord>> created;
  engine_.create_snapshot(request, into(created));
  return wait_for(created).value_or_throw();
}

void EngineFixture::remove(const std::string& name, RemoveOptions options) {
  std::optional<Outcome<Done>> removed;
  engine_.remove_map({.name = name, .kernel = options}, into(removed));
  wait_for(removed).value_or_throw();
}

ErrorKind EngineFixture::error_kind_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& e) {
    return e.kind();
  }
  ADD_FAILURE() << "expected a mapperd::Error, but nothing was thrown";
  return ErrorKind::Failed;
}

const MapRecord& EngineFixture::map(const std::string& name) {
  const MapRecord* record = engine_.catalog().find(name);
  if (record == nullptr)
    throw std::runtime_error("no map " + name + " in the catalog");
  return *record;
}

std::string EngineFixture::linear_table(DeviceNumber device, std::uint64_t length) {
  return "0 " + std::to_string(length) + " linear " + device.to_string() + " 0\n";
}

}  // namespace mapperd::testing
