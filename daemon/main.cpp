// mapperd: wires the real parts together and runs the one event loop. Nothing here decides
// anything about maps; see engine/ for the use cases and bus/ for the D-Bus face.

#include <poll.h>
#include <sdbus-c++/sdbus-c++.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "bus/bus_event_source.h"
#include "bus/bus_service.h"
#include "bus/object_paths.h"
#include "bus/polkit_authorizer.h"
#include "engine/engine.h"
#include "engine/zero_device.h"
#include "kernel/dm_backend.h"
#include "kernel/kernel_thread.h"
#include "kernel/sysfs_block_devices.h"
#include "log/journal_log.h"
#include "loop/event_loop.h"
#include "model/error.h"
#include "udev/device_mapper_events.h"
#include "udev/udev_activity_monitor.h"

namespace mapperd {
namespace {

constexpr std::string_view kUsage =
    "Usage: mapperd [--bus-address ADDRESS]\n"
    "\n"
    "The device-mapper daemon: owns the kernel's device-mapper maps and serves them on the D-Bus\n"
    "system bus as org.mapperd.Mapper1. Normally started by systemd (mapperd.service).\n"
    "\n"
    "  --bus-address ADDRESS  serve on the bus at ADDRESS instead of the system bus\n"
    "                         (DBUS_SYSTEM_BUS_ADDRESS is honoured as well)\n"
    "  --help                 show this and exit\n"
    "  --version              show the version and exit\n";

struct CommandLine {
  std::optional<std::string> bus_address;
  bool help = false;
  bool version = false;
};

// Nothing when the arguments make no sense; `why` then says what is wrong.
std::optional<CommandLine> parse_command_line(int argc, char** argv, std::string& why) {
  CommandLine line;
  for (int i = 1; i < argc; ++i) {
    const std::string_view argument = argv[i];
    if (argument == "--help" || argument == "-h") {
      line.help = true;
    } else if (argument == "--version") {
      line.version = true;
    } else if (argument == "--bus-address" && i + 1 < argc) {
      line.bus_address = argv[++i];
    } else if (argument.starts_with("--bus-address=")) {
      line.bus_address = std::string(argument.substr(std::string_view("--bus-address=").size()));
    } else {
      why = "unknown argument '" + std::string(argument) + "'";
      return std::nullopt;
    }
  }
  return line;
}

void notify(const std::string& state) {
  sd_notify(0, state.c_str());
}

// SIGTERM and SIGINT as a descriptor for the event loop. Blocked before any thread starts, so
// every thread inherits the mask and only the loop sees them.
class StopSignals {
 public:
  StopSignals() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGTERM);
    sigaddset(&set_, SIGINT);
    if (sigprocmask(SIG_BLOCK, &set_, nullptr) != 0)
      throw std::runtime_error("sigprocmask failed");
    fd_ = signalfd(-1, &set_, SFD_CLOEXEC | SFD_NONBLOCK);
    if (fd_ < 0)
      throw std::runtime_error(std::string("signalfd: ") + std::strerror(errno));
  }
  ~StopSignals() { ::close(fd_); }
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  int fd() const { return fd_; }
  // The signal that arrived (0 when none).
  int take() const {
    signalfd_siginfo info{};
    return ::read(fd_, &info, sizeof info) == sizeof info ? static_cast<int>(info.ssi_signo) : 0;
  }

 private:
  sigset_t set_{};
  int fd_ = -1;
};

std::unique_ptr<sdbus::IConnection> connect(const CommandLine& line) {
  // A private bus (tests) is reached by address; "session" in the name is only sdbus-c++'s.
  if (line.bus_address)
    return sdbus::createSessionBusConnectionWithAddress(*line.bus_address);
  return sdbus::createSystemBusConnection();
}

// Every change to a device-mapper device, ours or another tool's (a create, a reload and
// resume, a rename, a remove), reaches udev: each makes the engine re-read the kernel, so the
// bus shows what the kernel has. Requests while a re-read runs fold into one more.
std::unique_ptr<DeviceMapperEvents> watch_device_mapper_events(EventLoop& loop, Engine& engine,
                                                               EventLog& log) {
  std::unique_ptr<DeviceMapperEvents> events;
  try {
    events = std::make_unique<DeviceMapperEvents>();
  } catch (const std::exception& e) {
    log.write(LogLevel::Warning, std::string("cannot follow udev's device-mapper events (") +
                                     e.what() +
                                     "): maps other tools change are seen only at mapperd's own "
                                     "next change");
    return events;
  }
  loop.watch_fd(events->fd(), POLLIN, [&engine, &log, &events = *events] {
    if (!events.drain())
      return;
    engine.request_rescan([&log](Outcome<Done> outcome) {
      if (outcome.ok())
        return;
      log.write(LogLevel::Warning,
                "re-reading the kernel's maps failed: " + describe(outcome.error()));
    });
  });
  return events;
}

void warn_if_udev_is_missing(EventLog& log) {
  // The file libudev and libdevmapper look for to decide whether udev runs.
  if (std::filesystem::exists("/run/udev/control"))
    return;
  log.write(LogLevel::Error,
            "udev is not running (no /run/udev/control): /dev/mapper links would not be made, so "
            "mapperd refuses to create, remove or rename maps until systemd-udevd runs");
}

int serve(const CommandLine& line, EventLog& log) {
  StopSignals stop_signals;
  warn_if_udev_is_missing(log);

  notify("STATUS=Opening device-mapper");
  // Opened before the backend, so no udev event that completes a cookie can be missed.
  UdevActivityMonitor udev_activity;
  KernelThread kernel([&udev_activity]() -> std::unique_ptr<KernelBackend> {
    return std::make_unique<DmBackend>(udev_activity);
  });

  SysfsBlockDevices block_devices;
  Engine engine(kernel, zero_device_start, &block_devices);
  std::unique_ptr<sdbus::IConnection> connection = connect(line);
  bus::PolkitAuthorizer authorizer(*connection);
  bus::BusService service(*connection, bus::BusServices{engine, authorizer, log});
  engine.set_observer(service);

  EventLoop loop;
  loop.watch_fd(kernel.completion_fd(), POLLIN, [&kernel] { kernel.dispatch_completions(); });
  // Before the bus: objects retired by a completion are released before the next message
  // is served, so a client never sees an object whose removal it was told of.
  service.attach(loop);
  bus::serve_on(loop, *connection);
  int stop_signal = 0;
  loop.watch_fd(stop_signals.fd(), POLLIN, [&] {
    stop_signal = stop_signals.take();
    loop.quit();
  });
  std::uint64_t watchdog_usec = 0;
  if (sd_watchdog_enabled(0, &watchdog_usec) > 0) {
    // Twice per period, as sd_watchdog_enabled(3) advises.
    loop.every(std::chrono::milliseconds(watchdog_usec / 2000), [] { sd_notify(0, "WATCHDOG=1"); });
  }

  // Watched before the first read (coldplug after opening the monitor): a change made while we
  // read is seen by a rescan, never lost between the two.
  const std::unique_ptr<DeviceMapperEvents> device_mapper_events =
      watch_device_mapper_events(loop, engine, log);
  notify("STATUS=Reading the kernel's maps");
  std::optional<Outcome<Done>> started;
  engine.start([&started](Outcome<Done> outcome) { started = std::move(outcome); });
  loop.run_until([&] { return started.has_value() || stop_signal != 0; }, std::chrono::hours(24));
  if (stop_signal != 0)
    return 0;
  started->value_or_throw();

  // The name is taken only now: a client that sees it sees every map.
  connection->requestName(std::string(bus::kServiceName));
  const std::size_t ours = [&] {
    std::size_t count = 0;
    for (const MapRecord* map : engine.catalog().visible())
      count += map->owned ? 1 : 0;
    return count;
  }();
  const std::string summary = "Serving " + std::to_string(engine.catalog().visible().size()) +
                              " maps (" + std::to_string(ours) + " ours), device-mapper " +
                              engine.driver_version();
  log.write(LogLevel::Info, "mapperd " MAPPERD_VERSION " started: " + summary);
  notify("READY=1\nSTATUS=" + summary);

  loop.run();
  notify("STOPPING=1\nSTATUS=Stopping");
  log.write(LogLevel::Info, std::string("mapperd stopping on ") + strsignal(stop_signal));
  return 0;
}

}  // namespace
}  // namespace mapperd

int main(int argc, char** argv) {
  using namespace mapperd;
  std::string why;
  const std::optional<CommandLine> line = parse_command_line(argc, argv, why);
  if (!line) {
    std::fprintf(stderr, "mapperd: %s\n%.*s", why.c_str(), static_cast<int>(kUsage.size()),
                 kUsage.data());
    return 2;
  }
  if (line->help) {
    std::fwrite(kUsage.data(), 1, kUsage.size(), stdout);
    return 0;
  }
  if (line->version) {
    std::printf("mapperd %s\n", MAPPERD_VERSION);
    return 0;
  }

  JournalLog log;
  try {
    return serve(*line, log);
  } catch (const std::exception& e) {
    // The one place a fatal error is told: the journal, the unit's status, and a terminal.
    log.write(LogLevel::Error, std::string("mapperd cannot run: ") + e.what());
    notify(std::string("STATUS=Failed: ") + e.what());
    if (isatty(STDERR_FILENO))
      std::fprintf(stderr, "mapperd: %s\n", e.what());
    return 1;
  }
}
