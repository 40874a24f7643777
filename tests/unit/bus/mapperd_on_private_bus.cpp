#include "mapperd_on_private_bus.h"

#include <poll.h>
#include <sdbus-c++/sdbus-c++.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "bus/authorizer.h"
#include "bus/bus_event_source.h"
#include "bus/bus_service.h"
#include "bus/object_paths.h"
#include "engine/engine.h"
#include "log/event_log.h"
#include "loop/event_loop.h"

namespace mapperd::testing {
namespace {

class SilentLog final : public EventLog {
 public:
  void write(LogLevel, std::string_view, const std::vector<LogField>&) noexcept override {}
};

}  // namespace

MapperdOnPrivateBus::MapperdOnPrivateBus(const std::string& bus_address)
    : kernel_([]() -> std::unique_ptr<KernelBackend> {
        auto fake = std::make_unique<FakeKernelBackend>();
        fake->add_block_device(DeviceNumber{7, 1}, Sectors(4096), "/dev/loop1");
        fake->add_block_device(DeviceNumber{7, 2}, Sectors(4096), "/dev/loop2");
        fake->add_block_device(DeviceNumber{7, 3}, Sectors(2048), "/dev/cow1");
        return fake;
      }),
      stop_fd_(::eventfd(0, EFD_CLOEXEC)) {
  std::promise<void> ready;
  std::future<void> started = ready.get_future();
  thread_ = std::thread([this, bus_address, &ready] { serve(bus_address, ready); });
  started.get();
}

MapperdOnPrivateBus::~MapperdOnPrivateBus() {
  const std::uint64_t one = 1;
  [[maybe_unused]] const ssize_t written = ::write(stop_fd_, &one, sizeof one);
  thread_.join();
  ::close(stop_fd_);
}

void MapperdOnPrivateBus::on_kernel(std::function<void(FakeKernelBackend&)> job) {
  kernel_.submit([job](KernelBackend& kernel) { job(dynamic_cast<FakeKernelBackend&>(kernel)); },
                 [](std::exception_ptr) {});
}

void MapperdOnPrivateBus::serve(const std::string& bus_address, std::promise<void>& ready) {
  std::unique_ptr<sdbus::IConnection> connection;
  SilentLog log;
  bus::AllowEverything authorizer;
  try {
    connection = sdbus::createSessionBusConnectionWithAddress(bus_address);
  } catch (...) {
    return ready.set_exception(std::current_exception());
  }
  Engine engine(kernel_, [](const DeviceRef&, Sectors) {});
  bus::BusService service(*connection, bus::BusServices{engine, authorizer, log});
  engine.set_observer(service);

  EventLoop loop;
  loop.watch_fd(kernel_.completion_fd(), POLLIN, [this] { kernel_.dispatch_completions(); });
  // Before the bus: objects retired by a completion are released before the next message
  // is served, so a client never sees an object whose removal it was told of.
  service.attach(loop);
  bus::serve_on(loop, *connection);
  loop.watch_fd(stop_fd_, POLLIN, [&loop] { loop.quit(); });

  std::optional<Outcome<Done>> started;
  engine.start([&started](Outcome<Done> outcome) { started = std::move(outcome); });
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
