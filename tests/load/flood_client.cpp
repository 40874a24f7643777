// mapperd-flood: one client floods mapperd while another is served. The flood connection sends
// CALLS CreateMap calls at once (maps PREFIXfN, each a kernel job that waits for udev) and keeps
// them all outstanding (128 is the system bus's cap of replies a connection may wait for); then
// a second connection, once mapperd has taken the flood in, reads the status of a map of its own
// three times, each call waiting its reply. Prints how many of the flood's creates were answered
// while each of the other client's calls waited, and the times; then removes the flood's maps
// in one RemoveMaps call.
//
// Taken in one line, the other client's first call would wait for nearly the whole flood; with a
// lane per client, for about one create. The check is an order, not a time: "before_other" is
// the most flood replies any of the other client's calls waited for.
//
// Exits 1 when a call of the other client failed or a flood call failed other than for the
// bus's own limit (org.freedesktop.DBus.Error.LimitsExceeded, printed).
//
// Usage: mapperd-flood PREFIX CALLS
#include <sdbus-c++/sdbus-c++.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "mapperd_bus.h"

namespace {

using namespace mapperd::load;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

Options not_stored() {
  return Options{{"persistent", sdbus::Variant(false)}};
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: mapperd-flood PREFIX CALLS\n");
    return 2;
  }
  const std::string prefix = argv[1];
  const int calls = std::atoi(argv[2]);
  if (calls <= 0) {
    std::fprintf(stderr, "mapperd-flood: CALLS must be positive\n");
    return 2;
  }
  try {
    auto flood = sdbus::createSystemBusConnection();
    auto other = sdbus::createSystemBusConnection();
    // What the flood measures is an order, not a time: its 128 creates take 16-21 s under TCG
    // (more with a sanitized daemon or a busy host), and sd-bus's default 25 s would fail calls
    // that are only queued.
    flood->setMethodCallTimeout(std::chrono::minutes(5));
    other->setMethodCallTimeout(std::chrono::minutes(5));
    auto flood_manager = sdbus::createProxy(*flood, kService, kManagerPath);
    auto other_manager = sdbus::createProxy(*other, kService, kManagerPath);

    // The other client's map, made before the flood: its reads below are one kernel job each.
    sdbus::ObjectPath made;
    other_manager->callMethod("CreateMap")
        .onInterface(kManager)
        .withArguments(prefix + "other", std::string("0 8 zero"), not_stored())
        .storeResultsTo(made);

    std::atomic<int> answered{0}, failed{0}, limited{0};
    std::mutex made_mutex;
    std::vector<sdbus::ObjectPath> flood_maps;
    const Clock::time_point flood_start = Clock::now();
    for (int i = 0; i < calls; ++i) {
      flood_manager->callMethodAsync("CreateMap")
          .onInterface(kManager)
          .withArguments(prefix + "f" + std::to_string(i), std::string("0 8 zero"), not_stored())
          .uponReplyInvoke([&](const sdbus::Error* error, const sdbus::ObjectPath& path) {
            if (error != nullptr &&
                error->getName() == "org.freedesktop.DBus.Error.LimitsExceeded") {
              ++limited;
            } else if (error != nullptr) {
              std::fprintf(stderr, "flood: %s: %s\n", error->getName().c_str(),
                           error->getMessage().c_str());
              ++failed;
            } else {
              std::lock_guard lock(made_mutex);
              flood_maps.push_back(path);
            }
            ++answered;
          });
    }
    const double sent_ms = ms_since(flood_start);
    // Replies are read from here on, on the loop's thread (all sent first: sd-bus is not to be
    // used from two threads at once).
    flood->enterEventLoopAsync();
    // The bus hands mapperd the calls of all connections in one line, in the order they came:
    // the other client's first call would wait for mapperd to take in the whole flood whatever
    // mapperd does. A Peer.Ping, answered as it is read, marks the moment it has.
    const Clock::time_point ping_start = Clock::now();
    other_manager->callMethod("Ping").onInterface("org.freedesktop.DBus.Peer");
    const double taken_in_ms = ms_since(ping_start);

    struct Step {
      int before;       // the flood's replies that came while the call waited for its own
      bool flood_left;  // the flood was still outstanding when it was answered
      double ms;
    };
    std::vector<Step> steps;
    auto other_map = sdbus::createProxy(*other, kService, made);
    for (int i = 0; i < 3; ++i) {
      const Clock::time_point start = Clock::now();
      const int answered_before = answered.load();
      std::string status;
      other_map->callMethod("GetStatus").onInterface(kMap).storeResultsTo(status);
      const int answered_after = answered.load();
      steps.push_back({answered_after - answered_before, answered_after < calls, ms_since(start)});
    }

    const Clock::time_point drain_deadline = Clock::now() + std::chrono::minutes(5);
    while (answered.load() < calls && Clock::now() < drain_deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    const double drained_ms = ms_since(flood_start);
    flood->leaveEventLoop();

    std::printf(
        "flood: %d CreateMap calls outstanding (sent in %.0f ms, taken in by mapperd "
        "%.0f ms later), all answered in %.0f ms; %d failed, %d refused by the bus's "
        "limit\n",
        calls, sent_ms, taken_in_ms, drained_ms, failed.load(), limited.load());
    int most = 0;
    bool flood_left_throughout = true;
    for (const Step& s : steps) {
      std::printf(
          "other client: GetStatus answered after %.0f ms; %d of the flood's %d replies "
          "came while it waited%s\n",
          s.ms, s.before, calls, s.flood_left ? "" : " (the flood had drained by then)");
      most = std::max(most, s.before);
      flood_left_throughout = flood_left_throughout && s.flood_left;
    }
    // Whether the measure means anything: the flood outlived the other client's calls.
    std::printf("flood_outlived_other=%s\n", flood_left_throughout ? "yes" : "no");
    std::printf("before_other=%d\n", most);

    other_map->callMethod("Remove").onInterface(kMap).withArguments(Options{});
    flood_manager->callMethod("RemoveMaps")
        .onInterface(kManager)
        .withArguments(flood_maps, Options{});
    return answered.load() == calls && failed.load() == 0 ? 0 : 1;
  } catch (const sdbus::Error& e) {
    std::fprintf(stderr, "mapperd-flood: %s: %s\n", e.getName().c_str(), e.getMessage().c_str());
    return 1;
  }
}
