// mapperd-load: clients calling mapperd at once on the system bus, as desktop tools and scripts
// do together. Each client has a connection and maps of its own and goes round a mix of every
// changing method with reads in between (create, read a property, reload, suspend, resume,
// status, snapshot on a COW file and its removal, rename, GetManagedObjects, remove), until its
// calls or the time are used up; it then makes one last map, PREFIX<K>kept, and leaves it, so the
// caller can compare the kernel, the stored definitions and the bus objects afterwards.
//
// Prints, per method, the calls made, the median, 99th percentile and slowest latency in ms, and
// every failed call. Exits 1 when any call failed: each client touches only its own maps, so
// every call should work.
//
// Usage: mapperd-load PREFIX CLIENTS CALLS-PER-CLIENT SECONDS
#include <sdbus-c++/sdbus-c++.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "mapperd_bus.h"

namespace {

using namespace mapperd::load;

// What every client measured, merged under one lock.
class Figures {
 public:
  void add(const std::string& method, double ms) {
    std::lock_guard lock(mutex_);
    latencies_[method].push_back(ms);
  }
  void fail(const std::string& what) {
    std::lock_guard lock(mutex_);
    failures_.push_back(what);
  }
  // The table, and whether nothing failed.
  bool print(double seconds) {
    std::lock_guard lock(mutex_);
    std::size_t calls = 0;
    std::printf("%-18s %7s %9s %9s %9s\n", "method", "calls", "p50 ms", "p99 ms", "max ms");
    for (auto& [method, times] : latencies_) {
      std::vector<double>& ms = times;  // a lambda cannot capture a structured binding (C++20)
      std::sort(ms.begin(), ms.end());
      const auto at = [&](double share) {
        return ms[std::min(ms.size() - 1, static_cast<std::size_t>(share * ms.size()))];
      };
      std::printf("%-18s %7zu %9.1f %9.1f %9.1f\n", method.c_str(), ms.size(), at(0.5), at(0.99),
                  ms.back());
      calls += ms.size();
    }
    std::printf("load: %zu calls in %.1f s (%.1f calls/s), %zu failed\n", calls, seconds,
                calls / seconds, failures_.size());
    for (const std::string& failure : failures_)
      std::printf("FAILED %s\n", failure.c_str());
    return failures_.empty();
  }

 private:
  std::mutex mutex_;
  std::map<std::string, std::vector<double>> latencies_;
  std::vector<std::string> failures_;
};

class Client {
 public:
  Client(std::string prefix, int calls, Clock::time_point deadline, Figures& figures)
      : prefix_(std::move(prefix)),
        calls_left_(calls),
        deadline_(deadline),
        figures_(figures),
        connection_(sdbus::createSystemBusConnection()),
        manager_(sdbus::createProxy(*connection_, kService, kManagerPath)) {}

  void run() {
    for (int round = 0; calls_left_ > 0 && Clock::now() < deadline_; ++round)
      one_round(prefix_ + "r" + std::to_string(round), round);
    create(prefix_ + "kept");
  }

 private:
  // Times `call` as `method`; a failure is recorded with what it was about, and ends the round.
  template <class Call>
  bool timed(const std::string& method, const std::string& about, Call&& call) {
    --calls_left_;
    const Clock::time_point started = Clock::now();
    try {
      call();
    } catch (const sdbus::Error& e) {
      figures_.fail(method + " " + about + ": " + e.getName() + ": " + e.getMessage());
      return false;
    }
    figures_.add(method, std::chrono::duration<double, std::milli>(Clock::now() - started).count());
    return true;
  }

  std::optional<sdbus::ObjectPath> create(const std::string& name) {
    sdbus::ObjectPath path;
    if (!timed("CreateMap", name, [&] {
          manager_->callMethod("CreateMap")
              .onInterface(kManager)
              .withArguments(name, std::string("0 2048 zero"), Options{})
              .storeResultsTo(path);
        }))
      return std::nullopt;
    return path;
  }

  void one_round(const std::string& name, int round) {
    const std::optional<sdbus::ObjectPath> made = create(name);
    if (!made)
      return;
    auto map = sdbus::createProxy(*connection_, kService, *made);
    auto on_map = [&](const std::string& method, auto&&... arguments) {
      return timed(method, name,
                   [&] { map->callMethod(method).onInterface(kMap).withArguments(arguments...); });
    };
    bool fine =
        timed("Get Size", name, [&] { (void)map->getProperty("Size").onInterface(kMap); }) &&
        on_map("Reload", std::string("0 4096 zero"), Options{}) && on_map("Suspend", Options{}) &&
        on_map("Resume", Options{}) && timed("GetStatus", name, [&] {
          std::string status;
          map->callMethod("GetStatus").onInterface(kMap).storeResultsTo(status);
        });
    // A snapshot every fourth round: each makes and releases a COW file and its loop.
    if (fine && round % 4 == 0) {
      sdbus::ObjectPath snapshot;
      fine = timed("CreateSnapshot", name, [&] {
        manager_->callMethod("CreateSnapshot")
            .onInterface(kManager)
            .withArguments(name, name + "s", std::string(),
                           Options{{"cow-size", sdbus::Variant(std::uint64_t{1} << 20)}})
            .storeResultsTo(snapshot);
      });
      if (fine) {
        auto snap = sdbus::createProxy(*connection_, kService, snapshot);
        fine = timed("Remove snapshot", name + "s", [&] {
          snap->callMethod("Remove").onInterface(kMap).withArguments(Options{});
        });
      }
    }
    sdbus::ObjectPath renamed = *made;
    if (fine) {
      fine = timed("Rename", name, [&] {
        map->callMethod("Rename")
            .onInterface(kMap)
            .withArguments(name + "n", Options{})
            .storeResultsTo(renamed);
      });
    }
    timed("GetManagedObjects", name, [&] {
      std::map<sdbus::ObjectPath, std::map<std::string, std::map<std::string, sdbus::Variant>>>
          objects;
      manager_->callMethod("GetManagedObjects")
          .onInterface("org.freedesktop.DBus.ObjectManager")
          .storeResultsTo(objects);
    });
    // Whatever failed before, the round leaves nothing of its own behind.
    auto last = sdbus::createProxy(*connection_, kService, renamed);
    timed("Remove", name,
          [&] { last->callMethod("Remove").onInterface(kMap).withArguments(Options{}); });
  }

  std::string prefix_;
  int calls_left_;
  Clock::time_point deadline_;
  Figures& figures_;
  std::unique_ptr<sdbus::IConnection> connection_;
  std::unique_ptr<sdbus::IProxy> manager_;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::cerr << "usage: mapperd-load PREFIX CLIENTS CALLS-PER-CLIENT SECONDS\n";
    return 2;
  }
  const std::string prefix = argv[1];
  const int clients = std::atoi(argv[2]);
  const int calls = std::atoi(argv[3]);
  const Clock::time_point started = Clock::now();
  const Clock::time_point deadline = started + std::chrono::seconds(std::atoi(argv[4]));
  Figures figures;
  std::vector<std::thread> threads;
  for (int k = 0; k < clients; ++k) {
    threads.emplace_back([&, k] {
      try {
        Client(prefix + std::to_string(k), calls, deadline, figures).run();
      } catch (const sdbus::Error& e) {
        figures.fail("client " + std::to_string(k) + ": " + e.getName() + ": " + e.getMessage());
      }
    });
  }
  for (std::thread& thread : threads)
    thread.join();
  const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  return figures.print(seconds) ? 0 : 1;
}
