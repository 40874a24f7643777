#pragma once
// An in-memory mapperd for the client's tests. FakeMapperd is the daemon's state, which outlives
// one command; FakeMapperService is the connection one command opens to it. Every call is
// recorded, and a call can be made to fail with a chosen error.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "exit_status.h"
#include "mapper_service.h"

namespace mapperctl::testing {

struct CreatedMap {
  std::string name;
  std::string table;
  CreateOptions options;
};

struct FakeMapperd {
  std::vector<CreatedMap> created;
  std::vector<std::string> calls;  // "create twoasone", "remove new_name", ...
  std::map<std::string, MapInfo> maps;
  std::vector<TableProblemReport> problems_to_report;
  std::vector<MapEvent> events_to_send;
  std::optional<SnapshotOptions> last_snapshot_options;
  std::optional<RemoveOptions> last_remove_options;
  std::optional<ConnectionOptions> last_connection;
  std::map<std::string, CommandError> failures;

  // Makes the call whose record equals `call` ("create b") throw `error`, once.
  void fail(const std::string& call, CommandError error) { failures.emplace(call, error); }

  MapInfo& add_map(const std::string& name, std::uint32_t minor, const std::string& table) {
    MapInfo& map = maps[name];
    map.name = name;
    map.uuid = "MAPPERD-" + name;
    map.device_path = "/dev/mapper/" + name;
    map.major = 254;
    map.minor = minor;
    map.table = table;
    map.state = "active";
    map.owned = true;
    map.persistent = true;
    return map;
  }
};

class FakeMapperService final : public MapperService {
 public:
  explicit FakeMapperService(FakeMapperd& daemon) : d_(daemon) {}

  std::vector<MapInfo> list_maps() override {
    record("ls");
    std::vector<MapInfo> result;
    for (const auto& [name, map] : d_.maps)
      result.push_back(map);
    return result;
  }

  MapInfo get_map(const std::string& name) override {
    record("get " + name);
    return existing(name);
  }

  DaemonVersions versions() override {
    record("versions");
    return {"0.1.0", "4.47.0"};
  }

  std::vector<TargetVersion> kernel_targets() override {
    record("targets");
    return {{"linear", 0x010400}, {"striped", 0x010600}};
  }

  void create_map(const std::string& name, const std::string& table,
                  const CreateOptions& options) override {
    record("create " + name);
    if (d_.maps.contains(name)) {
      throw CommandError(ExitStatus::AlreadyExists,
                         "create " + name + ": a map named " + name + " exists", "AlreadyExists");
    }
    d_.created.push_back({name, table, options});
    d_.add_map(name, static_cast<std::uint32_t>(d_.maps.size()), table);
  }

  void create_snapshot(const std::string& origin, const std::string& name, const std::string& cow,
                       const SnapshotOptions& options) override {
    record("snapshot " + origin + " " + name + " " + cow);
    existing(origin);
    d_.last_snapshot_options = options;
    d_.add_map(name, static_cast<std::uint32_t>(d_.maps.size()), "").snapshot_origin = origin;
  }

  std::vector<TableProblemReport> validate_table(const std::string&) override {
    record("validate");
    return d_.problems_to_report;
  }

  void remove_map(const std::string& name, const RemoveOptions& options) override {
    record("remove " + name);
    existing(name);
    d_.last_remove_options = options;
    d_.maps.erase(name);
  }

  void suspend_map(const std::string& name, bool noflush) override {
    record(std::string(noflush ? "suspend --noflush " : "suspend ") + name);
    existing(name).state = "suspended";
  }

  void resume_map(const std::string& name) override {
    record("resume " + name);
    existing(name).state = "active";
  }

  void reload_map(const std::string& name, const std::string& table) override {
    record("reload " + name);
    existing(name).table = table;
  }

  void rename_map(const std::string& name, const std::string& new_name) override {
    record("rename " + name + " " + new_name);
    MapInfo map = existing(name);
    d_.maps.erase(name);
    map.name = new_name;
    d_.maps[new_name] = map;
  }

  std::string send_message(const std::string& name, std::uint64_t sector,
                           const std::string& message) override {
    record("message " + name + " " + std::to_string(sector) + " " + message);
    existing(name);
    return message == "ping" ? "pong" : "";
  }

  std::string map_status(const std::string& name) override {
    record("status " + name);
    existing(name);
    return "0 8 linear\n";
  }

  void watch(const std::function<void()>& on_ready,
             const std::function<void(const MapEvent&)>& on_event) override {
    record("watch");
    on_ready();
    for (const MapEvent& event : d_.events_to_send)
      on_event(event);
  }

 private:
  void record(const std::string& call) {
    d_.calls.push_back(call);
    if (const auto failure = d_.failures.find(call); failure != d_.failures.end()) {
      const CommandError error = failure->second;
      d_.failures.erase(failure);
      throw error;
    }
  }

  MapInfo& existing(const std::string& name) {
    const auto it = d_.maps.find(name);
    if (it == d_.maps.end()) {
      throw CommandError(ExitStatus::NotFound, "no map named '" + name + "'", "NotFound");
    }
    return it->second;
  }

  FakeMapperd& d_;
};

}  // namespace mapperctl::testing
