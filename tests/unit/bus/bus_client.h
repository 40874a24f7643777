#pragma once
// A client of mapperd on a private bus, for tests: calls methods and records every signal the
// service sends. One connection, driven by hand: after a call returns, the signals that arrived
// before its reply are dispatched, so a test can check that every signal came first.

#include <sdbus-c++/sdbus-c++.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace mapperd::testing {

// The API's fixed names, as a client spells them.
constexpr const char* kManager = "/org/mapperd/Mapper1";
constexpr const char* kManagerInterface = "org.mapperd.Mapper1.Manager";
constexpr const char* kMapInterface = "org.mapperd.Mapper1.Map";
constexpr const char* kLoopInterface = "org.mapperd.Mapper1.Loop";
constexpr const char* kJobInterface = "org.mapperd.Mapper1.Job";

using Properties = std::map<std::string, sdbus::Variant>;
using Interfaces = std::map<std::string, Properties>;

struct RecordedSignal {
  std::string member;                // InterfacesAdded, InterfacesRemoved, PropertiesChanged, ...
  std::string path;                  // the object the signal is about
  Interfaces added;                  // InterfacesAdded
  std::vector<std::string> removed;  // InterfacesRemoved
  std::string changed_interface;     // PropertiesChanged
  Properties changed;                // PropertiesChanged
  std::vector<std::string> invalidated;
  bool success = false;  // Completed
  std::string message;   // Completed
};

class BusClient {
 public:
  explicit BusClient(const std::string& bus_address);

  // Calls `method` and stores its results; throws sdbus::Error for an error reply.
  template <class... Results, class... Args>
  void call(const std::string& path, const std::string& interface, const std::string& method,
            std::tuple<Results&...> results, const Args&... args) {
    auto proxy = sdbus::createProxy(*connection_, "org.mapperd.Mapper1", path);
    // One expression: a MethodInvoker sends its call when it is destroyed, so it must not be
    // copied half-built.
    std::apply(
        [&](auto&... r) {
          proxy->callMethod(method).onInterface(interface).withArguments(args...).storeResultsTo(
              r...);
        },
        results);
  }

  sdbus::ObjectPath create_map(const std::string& name, const std::string& table,
                               const Properties& options = {});
  sdbus::ObjectPath create_snapshot(const std::string& origin, const std::string& name,
                                    const std::string& cow, const Properties& options = {});
  // A Map method without results: Remove, Suspend, Resume.
  void map_call(const std::string& name, const std::string& method, const Properties& options = {});
  // Manager.AttachLoop with a copy of `fd`, and AttachLoopFile.
  sdbus::ObjectPath attach_loop(int fd, const Properties& options = {});
  sdbus::ObjectPath attach_loop_file(const std::string& path, const Properties& options = {});
  // Loop.Detach on `path`.
  void detach_loop(const std::string& path, const Properties& options = {});
  // Manager.ListDefinitions.
  std::vector<sdbus::Struct<std::string, std::string, std::string>> list_definitions();
  sdbus::Variant get(const std::string& path, const std::string& interface,
                     const std::string& property);
  Properties get_all(const std::string& path, const std::string& interface);
  std::map<sdbus::ObjectPath, Interfaces> managed_objects();

  // The signals dispatched so far, and forgets them. Dispatches what has arrived first.
  std::vector<RecordedSignal> take_signals();
  // Dispatches whatever has arrived (replies to async calls, signals).
  void dispatch();
  // Dispatches until a signal `wanted` accepts has arrived (one not taken yet), or `timeout`
  // passed; then takes and returns every signal so far. For changes no call of ours caused.
  std::vector<RecordedSignal> wait_for_signal(
      const std::function<bool(const RecordedSignal&)>& wanted,
      std::chrono::milliseconds timeout = std::chrono::seconds(10));

  sdbus::IConnection& connection() { return *connection_; }

 private:
  void record(sdbus::Message& message);

  std::unique_ptr<sdbus::IConnection> connection_;
  sdbus::Slot match_;
  std::vector<RecordedSignal> signals_;
};

// "/org/mapperd/Mapper1/map/<name escaped>".
std::string map_path(const std::string& name);
// "/org/mapperd/Mapper1/loop/<index>".
std::string loop_path(std::uint32_t index);

// A property dict's names, in order; a batch of signals as "Member /path" lines.
std::vector<std::string> keys_of(const Properties& properties);
std::vector<std::string> members_of(const std::vector<RecordedSignal>& signals);

}  // namespace mapperd::testing
