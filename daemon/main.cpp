// mapperd: wires the real parts together and runs the one event loop. Nothing here decides
// anything about maps; see engine/ for the use cases and bus/ for the D-Bus face.

#include <poll.h>
#include <sdbus-c++/sdbus-c++.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "bus/bus_event_source.h"
#include "bus/bus_service.h"
#include "bus/object_paths.h"
#include "bus/polkit_authorizer.h"
#include "command_line.h"
#include "engine/engine.h"
#include "engine/zero_device.h"
#include "events/event_loop.h"
#include "events/mount_table_watch.h"
#include "kernel/cookie_ledger.h"
#include "kernel/dm_backend.h"
#include "kernel/dm_event_poll.h"
#include "kernel/kernel_thread.h"
#include "kernel/sysfs_block_devices.h"
#include "log/journal_log.h"
#include "model/error.h"
#include "real_storage.h"
#include "restore_log.h"
#include "udev/block_device_events.h"
#include "udev/device_mapper_events.h"
#include "udev/udev_activity_monitor.h"

namespace mapperd {
namespace {

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
// resume, a rename, a remove), reaches udev: each makes the engine re-read the maps the events
// name (every map when events were lost), so the bus shows what the kernel has. Requests while
// a re-read runs fold into one more.
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
    const DeviceMapperEventBatch batch = events.drain();
    if (batch.empty())
      return;
    RescanScope scope;
    scope.everything = batch.overflowed;
    for (const DeviceMapperEvent& event : batch.events)
      scope.maps.push_back(MapEvent{event.name, event.device});
    engine.request_rescan(std::move(scope), [&log](Outcome<Done> outcome) {
      if (outcome.ok())
        return;
      log.write(LogLevel::Warning,
                "re-reading the kernel's maps failed: " + describe(outcome.error()));
    });
  });
  return events;
}

// The kernel's device-mapper events (a snapshot invalidated when its COW overflows): each makes
// the engine read its snapshots again, so the bus says so at the event, not at the next look.
std::unique_ptr<DmEventPoll> watch_dm_events(EventLoop& loop, Engine& engine, EventLog& log) {
  std::unique_ptr<DmEventPoll> events;
  try {
    events = std::make_unique<DmEventPoll>();
  } catch (const std::exception& e) {
    log.write(LogLevel::Warning, std::string("cannot follow device-mapper events (") + e.what() +
                                     "): an invalidated snapshot is seen at the next look");
    return events;
  }
  loop.watch_fd(events->fd(), POLLIN, [&engine, &log, &events = *events] {
    try {
      events.arm();
    } catch (const std::exception& e) {
      log.write(LogLevel::Warning, std::string("cannot re-arm device-mapper events: ") + e.what());
    }
    engine.request_snapshot_rescan([&log](Outcome<Done> outcome) {
      if (!outcome.ok())
        log.write(LogLevel::Warning,
                  "re-reading the snapshots after a device-mapper event failed: " +
                      describe(outcome.error()));
    });
  });
  return events;
}

std::unique_ptr<BlockDeviceEvents> open_block_device_events(EventLog& log) {
  try {
    return std::make_unique<BlockDeviceEvents>();
  } catch (const std::exception& e) {
    log.write(LogLevel::Warning, std::string("cannot follow udev's block device events (") +
                                     e.what() +
                                     "): pending maps come up only when mapperd restarts");
    return nullptr;
  }
}

std::unique_ptr<MountTableWatch> watch_mounts(EventLog& log) {
  try {
    return std::make_unique<MountTableWatch>();
  } catch (const std::exception& e) {
    log.write(LogLevel::Warning, std::string(e.what()) +
                                     ": stored loops on filesystems mounted later wait for the "
                                     "next device event");
    return nullptr;
  }
}

// Where the udev cookies in use are noted (CookieLedger): beside the operation intents.
std::filesystem::path cookie_ledger_directory(const CommandLine& line) {
  return runtime_directory(line.runtime_directory) / "cookies";
}

// The udev cookies a mapperd that died (kill -9) held: nothing else would ever remove them.
void release_cookies_left_behind(const CommandLine& line, EventLog& log) {
  for (const CookieLedger::Released& cookie :
       CookieLedger(cookie_ledger_directory(line)).release_left_behind()) {
    log.write(LogLevel::Notice, "removed udev cookie " + cookie_text(cookie.cookie) +
                                    ", left by mapperd process " + std::to_string(cookie.pid) +
                                    ", which ended without releasing it");
  }
}

// What both modes run: the kernel thread with libdevmapper, the storage, and the engine over them.
struct Core {
  explicit Core(const CommandLine& line)
      : kernel(
            [this, ledger = cookie_ledger_directory(line)]() -> std::unique_ptr<KernelBackend> {
              return std::make_unique<DmBackend>(udev_activity,
                                                 DmBackendOptions{.cookie_ledger = ledger});
            },
            line.kernel_timeout),
        storage(state_directory(line.state_directory), runtime_directory(line.runtime_directory),
                cow_directory(line.cow_directory), block_devices),
        engine(kernel, zero_device_start, &block_devices, storage.engine_storage(udev_activity)) {}

  // The jobs still queued run while the engine and the storage they use exist; the members
  // would otherwise go in reverse order, the engine before the kernel thread.
  ~Core() { kernel.stop(); }
  Core(const Core&) = delete;
  Core& operator=(const Core&) = delete;

  // Opened before the backend, so no udev event that completes a cookie can be missed.
  UdevActivityMonitor udev_activity;
  KernelThread kernel;
  SysfsBlockDevices block_devices;
  RealStorage storage;
  Engine engine;
};

// mapperd --restore: the early boot step. Binds stored loops, makes stored maps whose devices
// are there, recovers interrupted operations, logs it all, and exits; no bus (it does not run
// yet). Maps still waiting are made by the daemon when their devices appear.
int restore(const CommandLine& line, EventLog& log) {
  release_cookies_left_behind(line, log);
  Core core(line);
  core.engine.set_report_sink(
      [&log](const RestoreReport& report) { log_restore_report(log, report, true); });
  EventLoop loop;
  KernelThread& kernel = core.kernel;
  loop.watch_fd(kernel.completion_fd(), POLLIN, [&kernel] { kernel.dispatch_completions(); });
  std::optional<Outcome<Done>> started;
  core.engine.start([&started](Outcome<Done> outcome) { started = std::move(outcome); });
  loop.run_until([&] { return started.has_value(); }, std::chrono::hours(1));
  if (!started)
    throw Error(ErrorKind::TimedOut, "restore did not finish within an hour");
  started->value_or_throw();
  return 0;
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
  release_cookies_left_behind(line, log);
  Core core(line);
  KernelThread& kernel = core.kernel;
  Engine& engine = core.engine;
  // Opened before the engine's first look at the devices (start), so no device that appears in
  // between is missed (BlockDeviceEvents' contract).
  std::unique_ptr<BlockDeviceEvents> block_events = open_block_device_events(log);
  bool started_up = false;
  engine.set_report_sink([&log, &started_up](const RestoreReport& report) {
    log_restore_report(log, report, !started_up);
  });
  // A call that timed out and returned after all may have changed maps: the engine has taken in
  // what its job changed (its `late`); read the kernel again too.
  kernel.on_late_return([&log, &engine](const std::string& what, std::chrono::milliseconds took,
                                        std::exception_ptr error) {
    log.write(LogLevel::Warning, "device-mapper returned from " + what + " after " +
                                     std::to_string(took.count() / 1000) +
                                     " s, after its caller was told TimedOut; mapperd has taken "
                                     "in what it changed" +
                                     (error ? " (it ended with: " + describe(error) + ")" : ""));
    engine.request_rescan([](Outcome<Done>) {});
  });
  std::unique_ptr<sdbus::IConnection> connection = connect(line);
  bus::PolkitAuthorizer authorizer(*connection);
  bus::BusService service(*connection, bus::BusServices{engine, authorizer, log});
  engine.set_observer(service);

  EventLoop loop;
  loop.watch_fd(kernel.completion_fd(), POLLIN, [&kernel] { kernel.dispatch_completions(); });
  // A running merge is followed from its status once a second (the kernel raises no event when
  // it ends); no timer runs while none does.
  engine.set_scheduler([&loop](std::chrono::milliseconds delay, std::function<void()> then) {
    loop.after(delay, std::move(then));
  });
  // Snapshots are read again when written (the block layer's counts, no ioctl); no timer runs
  // while there are none.
  engine.set_fill_watch([&devices = core.block_devices](
                            DeviceNumber device) { return devices.writes_completed(device); },
                        line.fill_interval);
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
  const std::unique_ptr<DmEventPoll> dm_events = watch_dm_events(loop, engine, log);
  // A device appearing may complete a pending map, one vanishing degrades the maps on it, and a
  // mount may bring the backing file of a stored loop.
  if (block_events) {
    loop.watch_fd(block_events->fd(), POLLIN, [&engine, &block_events] {
      const BlockDeviceEventBatch batch = block_events->drain();
      if (!batch.events.empty() || batch.overflowed)
        engine.request_restore();
    });
  }
  std::unique_ptr<MountTableWatch> mounts = watch_mounts(log);
  if (mounts) {
    loop.watch_fd(mounts->fd(), POLLPRI, [&engine, &mounts] {
      mounts->acknowledge();
      engine.request_restore();
    });
  }
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
  started_up = true;
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
  const std::variant<CommandLine, CommandLineExit> parsed =
      parse_command_line(std::vector<std::string>(argv + 1, argv + argc));
  if (const auto* done = std::get_if<CommandLineExit>(&parsed)) {
    std::fputs(done->standard_output.c_str(), stdout);
    std::fputs(done->standard_error.c_str(), stderr);
    return done->status;
  }
  const CommandLine* line = &std::get<CommandLine>(parsed);

  JournalLog log;
  try {
    return line->restore ? restore(*line, log) : serve(*line, log);
  } catch (const std::exception& e) {
    // The one place a fatal error is told: the journal, the unit's status, and a terminal.
    log.write(LogLevel::Error, std::string("mapperd cannot run: ") + e.what());
    notify(std::string("STATUS=Failed: ") + e.what());
    if (isatty(STDERR_FILENO))
      std::fprintf(stderr, "mapperd: %s\n", e.what());
    return 1;
  }
}
